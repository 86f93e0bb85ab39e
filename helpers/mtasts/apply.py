"""What an MTA-STS policy tells a sender to do with one MX (RFC 8461 §4, §5)."""

from __future__ import annotations

from dataclasses import dataclass

from .parse import Policy

DELIVER, DELIVER_AND_REPORT, DEFER = "deliver", "deliver and report", "do not deliver to this MX"


@dataclass(frozen=True)
class Verdict:
    action: str
    reason: str
    failure: str | None = None  # the TLS-RPT result type, when something failed

    def __str__(self) -> str:
        return f"{self.action}: {self.reason}"


def apply(policy: Policy | None, mx_host: str, *, starttls: bool, certificate_ok: bool,
          certificate_problem: str = "certificate-not-trusted") -> Verdict:
    """The sender's verdict for ``mx_host`` under ``policy``.

    The MX must match the policy (§4.1), offer STARTTLS, and present a
    certificate valid for its name and chaining to a trusted CA (§4.2). In
    ``enforce`` mode a failure means this MX must not get the mail (the message
    stays queued; another MX may pass); in ``testing`` mode it is delivered
    anyway and the failure reported via TLS-RPT (§5); ``none`` or no policy
    means MTA-STS does not apply.
    """
    if policy is None or policy.mode == "none":
        return Verdict(DELIVER, "no MTA-STS policy applies")
    if not policy.matches(mx_host):
        failure, why = "validation-failure", f"{mx_host} is not an mx of the policy (§4.1)"
    elif not starttls:
        failure, why = "starttls-not-supported", f"{mx_host} did not offer STARTTLS"
    elif not certificate_ok:
        failure, why = certificate_problem, f"the certificate of {mx_host} failed (§4.2)"
    else:
        return Verdict(DELIVER, f"{mx_host} passes the policy (mode {policy.mode})")
    if policy.mode == "testing":
        return Verdict(DELIVER_AND_REPORT, f"{why}; mode testing delivers anyway", failure)
    return Verdict(DEFER, f"{why}; mode enforce refuses it", failure)
