"""The record generator: everything a domain publishes for DANE, MTA-STS and TLS-RPT.

``generate(domain, [MxHost(...), ...], mode=..., rua=...)`` returns a
:class:`RecordSet`: the MX records; the ``_mta-sts`` TXT record with an id that
changes whenever the policy does (RFC 8461 §3.1: senders refetch only on a
new id); the policy file (§3.2) for ``https://mta-sts.<domain>/.well-known/
mta-sts.txt``; per MX host the TLSA records (RFC 7672 §3.1, RFC 7671 §8)
``3 1 1`` for the current key, ``3 1 1`` for the next key (published at least
two TTLs before the switch, RFC 7671 §8.1, so that a key rollover does not
break DANE) and, only when asked, ``2 1 1`` for an issuing CA whose key you
control (a public CA's rotating intermediates make it break); and the
``_smtp._tls`` TXT record (RFC 8460 §3). ``str()`` gives the zone-file lines
and the policy file; :meth:`helpers.lab.Lab.add_domain` deploys the set in the
lab. Pure logic: certificates in, text out; every output is checked with the
course's own parsers before it is returned.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata

from . import dane, mtasts, tlsrpt

TTL = 300
MODES = ("enforce", "testing", "none")
MAX_AGE_LIMIT = 31557600  # RFC 8461 §3.2: max_age is at most 31557600 seconds (a year)


class PublishError(ValueError):
    """The inputs cannot make a valid record set; says what and which rule."""


@dataclass(frozen=True)
class MxHost:
    """One MX host: its name, preference and certificates (x509, PEM or DER).

    ``cert``: the certificate it serves now (for ``3 1 1``); ``next_cert``: one
    holding the key it will move to (``3 1 1`` published ahead of the switch);
    ``issuer``: the issuing CA's certificate (``2 1 1``), for a CA you run
    yourself; leave it ``None`` for a public CA. Any may be ``None``.
    """

    host: str
    preference: int = 10
    cert: object = None
    next_cert: object = None
    issuer: object = None


@dataclass(frozen=True)
class RecordSet:
    """A domain's records: ``records`` as (owner, type, rdata) with owners
    absolute without the trailing dot, and the policy file's text."""

    domain: str
    records: tuple[tuple[str, str, str], ...]
    policy: str | None
    sts_id: str | None

    @property
    def mx(self) -> tuple[tuple[int, str], ...]:
        return tuple(sorted((int(r.split()[0]), r.split()[1].rstrip(".").lower())
                            for o, t, r in self.records if t == "MX"))

    def of(self, owner: str, rdtype: str) -> tuple[str, ...]:
        owner = owner.rstrip(".").lower()
        return tuple(r for o, t, r in self.records if o == owner and t == rdtype)

    def zone_lines(self) -> str:
        """The records in zone-file (RFC 1035 §5) form."""
        return "\n".join(f"{o + '.':<40} {TTL} IN {t:<5} {r}" for o, t, r in self.records)

    def __str__(self) -> str:
        out = [f"; records for {self.domain}", self.zone_lines()]
        if self.policy is not None:
            out += ["", f"# https://mta-sts.{self.domain}{mtasts.fetch.POLICY_PATH}",
                    self.policy.rstrip("\n")]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        policy = ("" if self.policy is None else
                  f"<p>Policy file at <code>https://mta-sts.{html.escape(self.domain)}"
                  f"{mtasts.fetch.POLICY_PATH}</code>:</p><pre>{html.escape(self.policy)}</pre>")
        return (f"<p>Records for <b>{html.escape(self.domain)}</b> (zone-file lines):</p>"
                f"<pre>{html.escape(self.zone_lines())}</pre>{policy}")


def _name(text: str, what: str) -> str:
    if not isinstance(text, str):
        raise PublishError(f"{what} must be text, not {type(text).__name__}")
    name = text.rstrip(".").lower()
    labels = name.split(".")
    if len(labels) < 2 or not all(labels) or not all(
            l.replace("-", "").isalnum() and l.isascii() and not l.startswith("-")
            and not l.endswith("-") for l in labels):
        raise PublishError(f"{what} {text!r} is not a host name of LDH labels (RFC 1035 §2.3.1)")
    long = [l for l in labels if len(l) > 63]
    if long:
        raise PublishError(f"{what} {text[:80]!r}: the label {long[0][:20]!r}... has "
                           f"{len(long[0])} characters; a label has at most 63 (RFC 1035 §2.3.4)")
    if len(name) > 253:
        raise PublishError(f"{what} {text[:40]!r}... has {len(name)} characters; a name has at "
                           "most 253 (RFC 1035 §2.3.4)")
    return name


def _room(name: str, prefix: str, what: str) -> None:
    """The records published under ``name`` (``prefix`` + name) must be names too."""
    if len(prefix + name) > 253:
        raise PublishError(f"{what} {name[:40]!r}... is too long: {prefix}{name[:10]}... would "
                           f"have {len(prefix + name)} characters; a name has at most 253 "
                           "(RFC 1035 §2.3.4)")


def _pattern(text: str, what: str) -> str:
    """An MTA-STS ``mx`` pattern: a host name, or ``*.`` and one (RFC 8461 §3.2, §4.1).
    Checked on its own, so that no newline can add a line to the policy file."""
    if not isinstance(text, str):
        raise PublishError(f"{what} must be text, not {type(text).__name__}")
    wildcard = text.startswith("*.")
    try:
        name = _name(text[2:] if wildcard else text, what)
    except PublishError as e:
        raise PublishError(f"{e}; an mx pattern is a host name or '*.' and a host name "
                           "(RFC 8461 §3.2)") from None
    return ("*." if wildcard else "") + name


def _txt(text: str) -> str:
    """``text`` as zone-file TXT data: strings of at most 255 bytes each (RFC 1035
    §3.3.14), which readers of the record join again (RFC 8460 §3, RFC 8461 §3.1)."""
    data = text.encode("ascii")
    return " ".join(f'"{data[i:i + 255].decode()}"' for i in range(0, len(data), 255))


def check_records(records) -> None:
    """Every record as a zone file gives it to DNS software (dnspython here):
    a name and data it accepts, or a PublishError naming the record."""
    for owner, rdtype, rdata in records:
        try:
            dns.name.from_text(owner + ".")
            dns.rdata.from_text("IN", rdtype, rdata)
        except (dns.exception.DNSException, ValueError) as e:
            raise PublishError(f"the {rdtype} record of {owner[:80]} would not load in a zone "
                               f"file: {e} (RFC 1035 §5)") from None


def policy_text(mode: str, mx: Sequence[str], max_age: int) -> str:
    """The policy file (RFC 8461 §3.2), checked by the course's parser."""
    lines = ["version: STSv1", f"mode: {mode}", *(f"mx: {m}" for m in mx),
             f"max_age: {max_age}"]
    text = "\n".join(lines) + "\n"
    try:
        mtasts.parse_policy(text)
    except mtasts.MtaStsError as e:
        raise PublishError(f"the policy would be invalid: {e}") from None
    return text


def policy_id(policy: str) -> str:
    """An id that changes whenever the policy does: 20 hex digits of its
    SHA-256 (``id`` is 1-32 letters and digits, RFC 8461 §3.1)."""
    return hashlib.sha256(policy.encode()).hexdigest()[:20]


def generate(domain: str, mx: Sequence[MxHost], *, mode: str | None = "testing",
             max_age: int | None = None, rua: str | None = None,
             policy_mx: Sequence[str] | None = None) -> RecordSet:
    """The complete record set for ``domain`` (see the module docstring).

    ``mode``: the MTA-STS mode (``testing`` to start, RFC 8461 §5), or ``None``
    for no MTA-STS; ``max_age`` defaults to one day in testing and one week
    otherwise; ``policy_mx``: the policy's mx patterns (default: the MX hosts);
    ``rua``: where TLS-RPT reports go (default ``mailto:tlsrpt@<domain>``).
    """
    domain = _name(domain, "domain")
    _room(domain, "_smtp._tls.", "domain")
    if mode is not None and mode not in MODES:
        raise PublishError(f"the policy would be invalid: mode {mode!r} is not one of "
                           f"{', '.join(MODES)} (RFC 8461 §5)")
    if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int)
                                or not 0 <= max_age <= MAX_AGE_LIMIT):
        raise PublishError(f"the policy would be invalid: max_age {max_age!r} is not a whole "
                           f"number of seconds from 0 to {MAX_AGE_LIMIT} (RFC 8461 §3.2)")
    if isinstance(policy_mx, str):
        raise PublishError("policy_mx is a list of patterns, e.g. ['*.example.com']")
    patterns = [_pattern(p, f"policy_mx[{i}]") for i, p in enumerate(policy_mx or ())]
    if not mx:
        raise PublishError("a domain that receives mail needs at least one MX host "
                           "(RFC 5321 §5.1)")
    records: list[tuple[str, str, str]] = []
    hosts = []
    for m in sorted(mx, key=lambda m: m.preference):
        host = _name(m.host, "MX host")
        _room(host, "_25._tcp.", "MX host")
        if isinstance(m.preference, bool) or not isinstance(m.preference, int) \
                or not 0 <= m.preference <= 65535:
            raise PublishError(f"MX preference {m.preference} is not 0-65535 (RFC 1035 §3.3.9)")
        hosts.append(host)
        records.append((domain, "MX", f"{int(m.preference)} {host}."))
    for m in sorted(mx, key=lambda m: m.preference):
        host = _name(m.host, "MX host")
        for cert, usage, what in ((m.cert, 3, "current key"), (m.next_cert, 3, "next key"),
                                  (m.issuer, 2, "issuing CA")):
            if cert is None:
                continue
            try:
                record = dane.TLSA.from_cert(cert, usage, 1, 1)
            except dane.DaneError as e:
                raise PublishError(f"the {what} certificate of {host} cannot be used: {e}") \
                    from None
            rdata = str(record)
            if rdata not in [r for o, t, r in records if o == f"_25._tcp.{host}"]:
                records.append((f"_25._tcp.{host}", "TLSA", rdata))
    policy = sts_id = None
    if mode is not None:
        age = max_age if max_age is not None else (86400 if mode == "testing" else 604800)
        policy = policy_text(mode, patterns or hosts, age)
        sts_id = policy_id(policy)
        txt = f"v=STSv1; id={sts_id};"
        mtasts.parse_txt([txt])  # the course's own parser must accept it
        records.append((f"_mta-sts.{domain}", "TXT", f'"{txt}"'))
    if rua is not None and not isinstance(rua, str):
        raise PublishError(f"rua must be text, not {type(rua).__name__}")
    report = f"v=TLSRPTv1; rua={rua or f'mailto:tlsrpt@{domain}'}"
    if not report.isascii() or not report.isprintable():
        raise PublishError(f"rua must be printable ASCII (RFC 8460 §3: URIs, RFC 3986 §2), "
                           f"not {rua!r}")
    if any(c in report for c in '"\\'):  # would end or escape the zone file's TXT string
        raise PublishError(f"rua must not contain '\"' or '\\' (percent-encode them, "
                           f"RFC 8460 §3), not {rua!r}")
    try:
        parsed = tlsrpt.parse_record(report)  # the course's own parser must accept it
    except tlsrpt.TlsRptError as e:
        raise PublishError(f"rua={rua!r} is not valid: {e}") from None
    if len(parsed.mailto) + len(parsed.https) != len(parsed.rua):
        raise PublishError(f"rua must be mailto: or https: URIs (RFC 8460 §3), not {rua!r}")
    records.append((f"_smtp._tls.{domain}", "TXT", _txt(report)))
    check_records(records)
    return RecordSet(domain, tuple(records), policy, sts_id)
