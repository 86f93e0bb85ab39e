"""The lab's catalogue of domains: one per situation the course teaches.

Each :class:`Scenario` is plain data (what DNS publishes, what the policy host
serves, how each MX host speaks TLS) and says in one line what it teaches.
``helpers.lab`` turns the catalogue into signed zones, certificates and servers.
``python -m helpers lab`` prints it; ``SCENARIOS`` is the catalogue itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .nsec3 import Nsec3

#: Every address in the lab: all servers listen on loopback, told apart by port.
LAB_ADDRESS = "127.0.0.1"


@dataclass(frozen=True)
class Tlsa:
    """A TLSA record to publish (RFC 6698 §2): usage, selector, matching type,
    and whose certificate or key it describes:

    ``"leaf"`` the certificate the MX serves; ``"issuer"`` the lab's issuing CA;
    ``"key:LABEL"`` the lab key called LABEL (e.g. the key before a rollover).
    """

    usage: int = 3
    selector: int = 1
    matching_type: int = 1
    of: str = "leaf"


@dataclass(frozen=True)
class MX:
    """One MX host of a scenario and how its SMTP server behaves.

    ``starttls``: ``"none"`` (not offered), ``"optional"`` (offered),
    ``"required"`` (mail refused before STARTTLS, RFC 3207 §4).
    ``cert``: ``"valid"``, ``"expired"``, ``"wrong-name"`` (issued for another
    host) or ``"self-signed"``. ``key``: the label of the key in the certificate
    (default: the host name; a different label models a key rollover).
    """

    host: str
    preference: int = 10
    starttls: str = "optional"
    cert: str = "valid"
    key: str | None = None
    tlsa: tuple[Tlsa, ...] = ()

    @property
    def key_label(self) -> str:
        return self.key or self.host


@dataclass(frozen=True)
class PolicyHost:
    """How ``mta-sts.<domain>`` answers ``GET /.well-known/mta-sts.txt``.

    ``cert``: ``"valid"``, ``"wrong-name"`` or ``"self-signed"``. The HTTP knobs
    let the course show each fetch failure of RFC 8461 §3.3: a status other
    than 200, a redirect (``location``), another Content-Type, a slow answer
    (``delay`` seconds), or a body other than the policy (``body``).
    """

    cert: str = "valid"
    status: int = 200
    content_type: str = "text/plain"
    location: str | None = None
    delay: float = 0.0
    body: bytes | None = None


@dataclass(frozen=True)
class Scenario:
    """One lab domain: what it publishes and what it teaches."""

    domain: str
    teaches: str
    mx: tuple[MX, ...]
    signed: bool = False
    sts_id: str | None = None
    policy: str | None = None
    policy_host: PolicyHost = field(default_factory=PolicyHost)
    tlsrpt: str | None = None
    bogus: tuple[str, ...] = ()  # owner names whose RRSIGs are corrupted
    later: "Scenario | None" = None  # the state after ``Lab.apply_change``
    nsec3: Nsec3 | None = None  # signed with NSEC3 (RFC 5155) instead of NSEC
    # "records": an MX record per host; "implicit": no MX records, the one host
    # being the domain itself (RFC 5321 §5.1); "null": only "0 ." (RFC 7505).
    mx_style: str = "records"

    @property
    def policy_hostname(self) -> str:
        return "mta-sts." + self.domain


def _policy(mode: str, mx: list[str], max_age: int = 604800) -> str:
    lines = ["version: STSv1", f"mode: {mode}"]
    lines += [f"mx: {m}" for m in mx]
    lines.append(f"max_age: {max_age}")
    return "\n".join(lines) + "\n"


def _rpt(domain: str) -> str:
    return f"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}"


_DANE = (Tlsa(3, 1, 1),)

_stale_before = Scenario(
    domain="sts-stale-id.example",
    teaches="the MX moved and the policy changed, but the TXT id did not: caches keep the old policy",
    mx=(MX("mx1.sts-stale-id.example"),),
    sts_id="20260101T000000",
    policy=_policy("enforce", ["mx1.sts-stale-id.example"]),
    tlsrpt=_rpt("sts-stale-id.example"),
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        domain="example.com",
        teaches="the running example: two MX hosts protected by both MTA-STS (enforce) and DANE",
        mx=(MX("mx1.example.com", 10, tlsa=_DANE), MX("mx2.example.com", 20, tlsa=_DANE)),
        signed=True,
        sts_id="20260613T120000",
        policy=_policy("enforce", ["mx1.example.com", "mx2.example.com"]),
        tlsrpt=_rpt("example.com"),
    ),
    Scenario(
        domain="no-tls.example",
        teaches="a receiver that does not offer STARTTLS: every sender delivers in the clear",
        mx=(MX("mx.no-tls.example", starttls="none"),),
    ),
    Scenario(
        domain="tls-required.example",
        teaches=("a receiver that refuses mail before STARTTLS (against RFC 3207 §4): "
                 "no defence, since an attacker who does STARTTLS with it still reads the mail"),
        mx=(MX("mx.tls-required.example", starttls="required"),),
    ),
    Scenario(
        domain="opportunistic.example",
        teaches="STARTTLS offered but nothing published: encryption an attacker can strip",
        mx=(MX("mx.opportunistic.example"),),
    ),
    Scenario(
        domain="sts-testing.example",
        teaches="MTA-STS in testing mode: failures are reported (TLS-RPT) but mail is still delivered",
        mx=(MX("mx.sts-testing.example"),),
        sts_id="20260301T000000",
        policy=_policy("testing", ["mx.sts-testing.example"], 86400),
        tlsrpt=_rpt("sts-testing.example"),
    ),
    Scenario(
        domain="sts-enforce.example",
        teaches="MTA-STS in enforce mode without DNSSEC: the HTTPS-anchored policy alone",
        mx=(MX("mx1.sts-enforce.example", 10), MX("mx2.sts-enforce.example", 20)),
        sts_id="20260302T000000",
        policy=_policy("enforce", ["*.sts-enforce.example"]),
        tlsrpt=_rpt("sts-enforce.example"),
    ),
    Scenario(
        domain="dane-only.example",
        teaches=("DANE without MTA-STS: DNSSEC-signed TLSA for the key (3 1 1) and the lab CA "
                 "that issued it (2 1 1; with a public CA that breaks when it rotates its "
                 "intermediates)"),
        mx=(MX("mx.dane-only.example", tlsa=(Tlsa(3, 1, 1), Tlsa(2, 1, 1, "issuer"))),),
        signed=True,
        tlsrpt=_rpt("dane-only.example"),
    ),
    Scenario(
        domain="dane-insecure.example",
        teaches="TLSA records in an unsigned zone: without DNSSEC they must be ignored",
        mx=(MX("mx.dane-insecure.example", tlsa=_DANE),),
    ),
    Scenario(
        domain="sts-expired.example",
        teaches="MTA-STS enforce with an expired MX certificate: enforcing senders defer",
        mx=(MX("mx.sts-expired.example", cert="expired"),),
        sts_id="20260303T000000",
        policy=_policy("enforce", ["mx.sts-expired.example"]),
        tlsrpt=_rpt("sts-expired.example"),
    ),
    Scenario(
        domain="sts-wrong-name.example",
        teaches="MTA-STS enforce with an MX certificate issued for another name: host mismatch",
        mx=(MX("mx.sts-wrong-name.example", cert="wrong-name"),),
        sts_id="20260304T000000",
        policy=_policy("enforce", ["mx.sts-wrong-name.example"]),
        tlsrpt=_rpt("sts-wrong-name.example"),
    ),
    Scenario(
        domain="sts-mx-mismatch.example",
        teaches="an MX the policy does not allow: '*.' covers exactly one label, not 'mx.eu.'",
        mx=(MX("mx.eu.sts-mx-mismatch.example"),),
        sts_id="20260305T000000",
        policy=_policy("enforce", ["*.sts-mx-mismatch.example"]),
        tlsrpt=_rpt("sts-mx-mismatch.example"),
    ),
    Scenario(
        domain="sts-bad-policy-cert.example",
        teaches="a policy host whose certificate is for another name: no policy can be fetched",
        mx=(MX("mx.sts-bad-policy-cert.example"),),
        sts_id="20260306T000000",
        policy=_policy("enforce", ["mx.sts-bad-policy-cert.example"]),
        policy_host=PolicyHost(cert="wrong-name"),
        tlsrpt=_rpt("sts-bad-policy-cert.example"),
    ),
    Scenario(
        domain="dane-rollover.example",
        teaches="the classic DANE outage: the MX key was renewed, the TLSA record still names the old key",
        mx=(MX("mx.dane-rollover.example", key="mx.dane-rollover.example#2",
               tlsa=(Tlsa(3, 1, 1, "key:mx.dane-rollover.example"),)),),
        signed=True,
        tlsrpt=_rpt("dane-rollover.example"),
    ),
    Scenario(
        domain="dnssec-bogus.example",
        teaches="a TLSA record whose DNSSEC signature is broken: bogus, so DANE senders defer",
        mx=(MX("mx.dnssec-bogus.example", tlsa=_DANE),),
        signed=True,
        bogus=("_25._tcp.mx.dnssec-bogus.example",),
        tlsrpt=_rpt("dnssec-bogus.example"),
    ),
    Scenario(
        domain="attacker.example",
        teaches="a domain the attacker owns: a valid certificate for its own MX, which only a policy check refuses",
        mx=(MX("mx.attacker.example"),),
    ),
    replace(
        _stale_before,
        later=replace(
            _stale_before,
            mx=(MX("mx2.sts-stale-id.example"),),
            policy=_policy("enforce", ["mx2.sts-stale-id.example"]),
        ),
    ),
)


def scenario(domain: str) -> Scenario:
    """The scenario for ``domain`` (case and trailing dot ignored)."""
    key = domain.rstrip(".").lower()
    for s in SCENARIOS:
        if s.domain == key:
            return s
    known = ", ".join(s.domain for s in SCENARIOS)
    raise KeyError(f"no lab scenario for {domain!r}; the lab has: {known}")


#: A domain with no MX records and one with a null MX: what a sender does when
#: the MX lookup gives no host (RFC 5321 §5.1, RFC 7505). Not in
#: :data:`SCENARIOS`, so the course's lab stays as it is: start
#: ``Lab(scenarios=SCENARIOS + MX_SCENARIOS)`` to have them.
MX_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        domain="no-mx.example",
        teaches="no MX records: senders deliver to the domain's own address (the implicit MX), "
                "and DANE looks up _25._tcp.no-mx.example",
        mx=(MX("no-mx.example", 0, tlsa=_DANE),),
        signed=True,
        mx_style="implicit",
    ),
    Scenario(
        domain="null-mx.example",
        teaches="a null MX (0 .): the domain accepts no mail, so senders bounce at once "
                "without connecting, although the domain has an address",
        mx=(),
        signed=True,
        mx_style="null",
    ),
)


#: Zones signed with NSEC3 (RFC 5155), as most TLDs are (.com, .net, .org: with
#: Opt-Out). Not in :data:`SCENARIOS`, so the course's lab stays as it is: start
#: ``Lab(scenarios=SCENARIOS + NSEC3_SCENARIOS)`` to have them.
NSEC3_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        domain="optout.example",
        teaches="a TLD-like zone signed with NSEC3 Opt-Out: unsigned delegations have no NSEC3 of their own",
        mx=(),
        signed=True,
        nsec3=Nsec3(opt_out=True),
    ),
    Scenario(
        domain="signed.optout.example",
        teaches="a signed zone (DS in its NSEC3 Opt-Out parent) publishing DANE",
        mx=(MX("mx.signed.optout.example", tlsa=_DANE),),
        signed=True,
    ),
    Scenario(
        domain="unsigned.optout.example",
        teaches="an unsigned zone whose parent's Opt-Out NSEC3 proves it insecure",
        mx=(MX("mx.unsigned.optout.example"),),
    ),
    Scenario(
        domain="nsec3.example",
        teaches="a zone signed with NSEC3 without Opt-Out: hashed proofs of absence",
        mx=(MX("mx.nsec3.example", tlsa=_DANE),),
        signed=True,
        tlsrpt=_rpt("nsec3.example"),
        nsec3=Nsec3(opt_out=False),
    ),
    Scenario(
        domain="unsigned.nsec3.example",
        teaches="an unsigned zone whose parent's NSEC3 at the cut proves there is no DS",
        mx=(MX("mx.unsigned.nsec3.example"),),
    ),
    Scenario(
        domain="costly.example",
        teaches="NSEC3 with 151 extra hash iterations: above RFC 9276's limit, so insecure",
        mx=(MX("mx.costly.example"),),
        signed=True,
        nsec3=Nsec3(opt_out=False, iterations=151),
    ),
)
