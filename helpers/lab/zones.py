"""The lab's DNS data: a signed root zone delegating to one zone per scenario.

Zones are built from plain record lists, so a record can be changed at run time
(``Zones.set``) and its zone rebuilt and re-signed, NSEC chain included, in a
few milliseconds. Signing (RFC 4034/4035) uses ``dns.dnssec.sign_zone`` with
ECDSA P-256 (algorithm 13), one combined signing key per zone (flags 257),
keys from the seed, deterministic signatures and a fixed validity window: the
zones are byte-identical for a given seed. A scenario whose domain lies below
another scenario's is delegated from that zone (a TLD-like parent) instead of
the root; a scenario with ``nsec3`` is signed with NSEC3 (``helpers.lab.nsec3``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.RRSIG
import dns.rrset
import dns.zone
from dns.dnssectypes import Algorithm

from ..dane.tlsa import association_data
from .nsec3 import Nsec3, rechain
from .pki import PKI, private_key, server_cert
from .scenarios import LAB_ADDRESS, Scenario

UTC = _dt.timezone.utc
#: RRSIG validity window (RFC 4034 §3.1.5), fixed for reproducible signatures.
INCEPTION = _dt.datetime(2025, 1, 1, tzinfo=UTC)
EXPIRATION = _dt.datetime(2036, 1, 1, tzinfo=UTC)
TTL = 300
ROOT = dns.name.root

Record = tuple[str, str, str]  # owner (absolute, no trailing dot), type, rdata text


def _abs(name: str) -> dns.name.Name:
    return dns.name.from_text(name)


def dnssec_key(seed: int, origin: str):
    """(private key, DNSKEY) of the zone ``origin``: ECDSAP256SHA256, SEP flag set."""
    key = private_key(seed, "dnssec/" + (origin or "."))
    dnskey = dns.dnssec.make_dnskey(key.public_key(), Algorithm.ECDSAP256SHA256, flags=257)
    return key, dnskey


def mx_cert(pki: PKI, mx, key_kind: str = "ec"):
    """The certificate the MX host ``mx`` serves (``key_kind``: the lab's choice)."""
    return server_cert(pki, mx.host, mx.cert, mx.key_label, key_kind)


def scenario_records(s: Scenario, pki: PKI, key_kind: str = "ec",
                     addresses: dict[str, str] | None = None) -> list[Record]:
    """What the scenario's zone publishes, apart from SOA and DNSSEC records.
    ``addresses``: host -> address for the A records (the standard-ports mode,
    :mod:`helpers.lab.ownaddr`; key ``""`` the name server's); default 127.0.0.1."""
    d = s.domain
    at = (addresses or {}).get
    recs: list[Record] = [(d, "NS", f"ns1.{d}."), (f"ns1.{d}", "A", at("", LAB_ADDRESS))]
    if s.mx_style == "null":  # RFC 7505 §3; the address shows it is not used for mail
        recs += [(d, "MX", "0 ."), (d, "A", at(d, LAB_ADDRESS))]
    for mx in s.mx:
        if s.mx_style != "implicit":  # implicit: the host is the domain, its A is the MX
            recs.append((d, "MX", f"{mx.preference} {mx.host}."))
        recs.append((mx.host, "A", at(mx.host, LAB_ADDRESS)))
        for t in mx.tlsa:
            if t.of == "leaf":
                cert = mx_cert(pki, mx, key_kind).cert
            elif t.of == "issuer":
                cert = pki.issuing.cert
            elif t.of.startswith("key:"):
                cert = pki.leaf((mx.host,), key_label=t.of[4:], key_kind=key_kind).cert
            else:
                raise ValueError(f"unknown TLSA source {t.of!r} in scenario {d}")
            data = association_data(cert, t.selector, t.matching_type).hex()
            recs.append((f"_25._tcp.{mx.host}", "TLSA",
                         f"{t.usage} {t.selector} {t.matching_type} {data}"))
    if s.policy is not None:
        recs.append((s.policy_hostname, "A", at(s.policy_hostname, LAB_ADDRESS)))
    if s.sts_id is not None:
        recs.append((f"_mta-sts.{d}", "TXT", f'"v=STSv1; id={s.sts_id};"'))
    if s.tlsrpt is not None:
        recs.append((f"_smtp._tls.{d}", "TXT", f'"{s.tlsrpt}"'))
    return recs


@dataclass
class ZoneSpec:
    origin: str  # "" for the root
    records: list[Record]
    signed: bool
    bogus: tuple[str, ...] = ()
    # Forged answers (owner, type) -> (rdata texts, signature): served in place
    # of the real data, with the genuine signatures (signature None) or signed
    # with a key the attacker has, as (key label, signer name): what an on-path
    # DNS attacker can do.
    forged: dict[tuple[str, str], tuple[list[str], tuple[str, str] | None]] = \
        field(default_factory=dict)
    nsec3: Nsec3 | None = None  # signed with NSEC3 (RFC 5155) instead of NSEC


def build_zone(spec: ZoneSpec, seed: int) -> dns.zone.Zone:
    """A dnspython zone from ``spec``, signed (with NSEC, or NSEC3 if
    ``spec.nsec3``) if ``spec.signed``."""
    origin = _abs(spec.origin) if spec.origin else ROOT
    zone = dns.zone.Zone(origin, relativize=False)
    primary = "localhost." if not spec.origin else f"ns1.{spec.origin}."
    with zone.writer() as txn:
        txn.add(origin, TTL, dns.rdata.from_text(
            "IN", "SOA", f"{primary} hostmaster.{spec.origin + '.' if spec.origin else ''} "
            "2026010101 3600 600 86400 300", relativize=False))
        for owner, rdtype, text in spec.records:
            rd = dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=ROOT,
                                     relativize=False)
            txn.add(_abs(owner) if owner else ROOT, TTL, rd)
        if spec.signed:
            key, dnskey = dnssec_key(seed, spec.origin)
            dns.dnssec.sign_zone(zone, txn, keys=[(key, dnskey)], dnskey_ttl=TTL,
                                 inception=INCEPTION, expiration=EXPIRATION,
                                 deterministic=True)
    if spec.signed and spec.nsec3 is not None:
        key, dnskey = dnssec_key(seed, spec.origin)
        rechain(zone, spec.nsec3, key, dnskey, ttl=TTL, inception=INCEPTION,
                expiration=EXPIRATION)
    for owner in spec.bogus:
        _corrupt_signatures(zone, _abs(owner))
    for (owner, rdtype), (values, signature) in spec.forged.items():
        name = _abs(owner)
        node = zone.find_node(name, create=True)
        rdtype_i = dns.rdatatype.from_text(rdtype)
        rdataset = node.find_rdataset(dns.rdataclass.IN, rdtype_i, create=True)
        rdataset.clear()
        for text in values:
            rdataset.add(forged_rdata(rdtype_i, text), TTL)
        if signature is not None:
            key_label, signer = signature
            key, dnskey = dnssec_key(seed, key_label)
            rrsig = dns.dnssec.sign((name, rdataset), key, _abs(signer) if signer else ROOT,
                                    dnskey, inception=INCEPTION, expiration=EXPIRATION,
                                    deterministic=True)
            sigs = node.find_rdataset(dns.rdataclass.IN, dns.rdatatype.RRSIG, rdtype_i,
                                      create=True)
            sigs.clear()
            sigs.add(rrsig, TTL)
    return zone


def _check_value(owner: str, rdtype: str, text) -> None:
    """ValueError saying what is wrong with ``text`` as ``owner``'s ``rdtype`` record."""
    if not isinstance(text, str):
        raise ValueError(f"{owner} {rdtype}: a record value is zone-file text, "
                         f"not {type(text).__name__}")
    try:
        dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=ROOT, relativize=False)
    except Exception as e:  # dns.exception.SyntaxError, UnknownRdatatype, ValueError...
        raise ValueError(f"{owner} {rdtype} {text!r} is not a valid record: "
                         f"{e or type(e).__name__}") from None


def forged_rdata(rdtype: int, text: str) -> dns.rdata.Rdata:
    """Zone-file text, or RFC 3597 generic form (``\\# LENGTH HEX``) kept as raw
    bytes, so that malformed data dnspython would refuse can be served too."""
    if text.startswith("\\#"):
        _, _, hexdata = text.split(None, 2)
        return dns.rdata.GenericRdata(dns.rdataclass.IN, rdtype,
                                      bytes.fromhex(hexdata.replace(" ", "")))
    return dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=ROOT, relativize=False)


def _corrupt_signatures(zone: dns.zone.Zone, name: dns.name.Name) -> None:
    """Flip one bit in every RRSIG at ``name``: the data stays, the proof breaks."""
    node = zone.get_node(name)
    if node is None:
        raise ValueError(f"cannot make {name} bogus: no such name in zone {zone.origin}")
    for rrsigs in node.rdatasets:
        if rrsigs.rdtype != dns.rdatatype.RRSIG:
            continue
        bad = [r.replace(signature=r.signature[:-1] + bytes([r.signature[-1] ^ 1]))
               for r in rrsigs]
        rrsigs.clear()
        for r in bad:
            rrsigs.add(r)


def _ancestors(domain: str):
    """The proper ancestors of ``domain``, nearest first."""
    labels = domain.split(".")
    for i in range(1, len(labels)):
        yield ".".join(labels[i:])


class Zones:
    """All lab zones for one seed, rebuilt on change; looked up by the DNS server."""

    def __init__(self, seed: int, pki: PKI, scenarios, key_kind: str = "ec",
                 addresses: dict[str, str] | None = None):
        self.seed, self.pki, self.key_kind = seed, pki, key_kind
        # host -> A record address (a live dict: the lab adds hosts to it); "" the
        # name server's. Empty: everything at 127.0.0.1, the default mode.
        self.addresses: dict[str, str] = addresses if addresses is not None else {}
        ns = self.addresses.get("", LAB_ADDRESS)
        self.specs: dict[str, ZoneSpec] = {}
        self.edited: set[str] = set()  # zones changed by set() since they were loaded
        self.zones: dict[dns.name.Name, dns.zone.Zone] = {}
        root_records: list[Record] = [("", "NS", "localhost."), ("localhost", "A", ns)]
        # A scenario below another scenario's domain is delegated from that zone
        # (e.g. a TLD-like zone), every other one from the root.
        domains = {s.domain for s in scenarios}
        self.delegations: dict[str, list[Record]] = {"": root_records}
        for s in scenarios:
            parent = next((p for p in _ancestors(s.domain) if p in domains), "")
            cut = self.delegations.setdefault(parent, [])
            cut.append((s.domain, "NS", f"ns1.{s.domain}."))
            cut.append((f"ns1.{s.domain}", "A", ns))  # glue
            if s.signed:
                cut.append((s.domain, "DS", self.ds(s.domain).to_text()))
        for s in scenarios:
            self.load(s)
        self.specs[""] = ZoneSpec("", root_records, True)
        self._build(self.specs[""])
        self._saved_ds: dict[str, tuple[str, list[str]]] = {}  # set_ds: what to restore

    def _build(self, spec: ZoneSpec) -> None:
        zone = build_zone(spec, self.seed)
        self.zones[zone.origin] = zone

    def ds(self, origin: str, digest: str = "SHA256") -> dns.rdata.Rdata:
        """The DS record the parent publishes for a signed zone (SHA-256; or
        ``digest``, e.g. "SHA1", which dnspython's default policy refuses to
        create: RFC 8624 §3.3 says MUST NOT for new DS, MUST for validating)."""
        _, dnskey = dnssec_key(self.seed, origin)
        return dns.dnssec.make_ds(_abs(origin) if origin else ROOT, dnskey, digest,
                                  policy=dns.dnssec.allow_all_policy)

    def set_ds(self, domain: str, values: list[str]) -> None:
        """Publish ``values`` as ``domain``'s DS records in its parent zone and
        re-sign the parent; :meth:`restore_ds` puts the genuine ones back."""
        parent = next((p for p in _ancestors(domain) if p in self.specs), "")
        genuine = [r[2] for r in self.specs[parent].records if r[:2] == (domain, "DS")]
        self._saved_ds.setdefault(domain, (parent, genuine))
        self.set(parent, domain, "DS", values)

    def restore_ds(self) -> None:
        """Undo every :meth:`set_ds`."""
        for domain, (parent, genuine) in self._saved_ds.items():
            if parent in self.specs:
                self.set(parent, domain, "DS", genuine)
        self._saved_ds.clear()

    def trust_anchor(self) -> str:
        """The lab root's trust anchor as a DS record in zone-file form."""
        return f". {TTL} IN DS {self.ds('').to_text()}\n"

    def load(self, s: Scenario) -> None:
        """Publish scenario ``s`` (e.g. its later state) in place of its zone's records."""
        self.specs[s.domain] = ZoneSpec(
            s.domain, scenario_records(s, self.pki, self.key_kind, self.addresses)
            + self.delegations.get(s.domain, []), s.signed, s.bogus, nsec3=s.nsec3)
        self._build(self.specs[s.domain])
        self.edited.discard(s.domain)  # a fresh spec: no edits, nothing forged

    def set(self, domain: str, owner: str, rdtype: str, values: list[str]) -> None:
        """Replace (or with ``values=[]`` remove) ``owner``'s ``rdtype`` records in
        the zone of ``domain`` and re-sign that zone."""
        spec = self.specs[domain]
        owner = owner.rstrip(".").lower()
        records = [r for r in spec.records if not (r[0] == owner and r[1] == rdtype)]
        records += [(owner, rdtype, v) for v in values]
        # Build the changed zone aside first: a value dnspython refuses raises
        # ValueError and leaves the zone as it was (no half-applied edit).
        for value in values:
            _check_value(owner, rdtype, value)
        try:
            zone = build_zone(ZoneSpec(spec.origin, records, spec.signed, spec.bogus,
                                       spec.forged, spec.nsec3), self.seed)
        except Exception as e:  # dnspython's errors vary: name outside the zone, etc.
            raise ValueError(f"{owner} {rdtype}: {e}") from None
        spec.records = records
        self.zones[zone.origin] = zone
        self.edited.add(domain)

    def forge(self, domain: str, owner: str, rdtype: str, values: list[str],
              signature: tuple[str, str] | None = None) -> None:
        """Serve ``values`` for ``owner``/``rdtype``: with the genuine signatures
        (``signature=None``), or signed with the key labelled ``signature[0]``
        under the signer name ``signature[1]``."""
        spec = self.specs[domain]
        spec.forged[(owner.rstrip(".").lower(), rdtype)] = (list(values), signature)
        self._build(spec)
        self.edited.add(domain)

    def find(self, qname: dns.name.Name, rdtype: int) -> dns.zone.Zone | None:
        """The zone authoritative for ``qname``; for DS, the parent side of a cut
        (RFC 4035 §3.1.4.1)."""
        name = qname
        if rdtype == dns.rdatatype.DS and qname != ROOT:
            name = qname.parent()
        while True:
            zone = self.zones.get(name)
            if zone is not None:
                return zone
            if name == ROOT:
                return None
            name = name.parent()

    def to_text(self) -> str:
        """Every zone in master-file form, root first (for reading and for diffs)."""
        out = []
        for origin in sorted(self.zones):
            out.append(self.zones[origin].to_text(relativize=False, want_origin=True))
        return "\n".join(out)

    # -- domains added at run time (Lab.add_domain) ---------------------------------

    def _delegation(self, s: Scenario) -> list[Record]:
        records = [(s.domain, "NS", f"ns1.{s.domain}."),
                   (f"ns1.{s.domain}", "A", self.addresses.get("", LAB_ADDRESS))]
        if s.signed:
            records.append((s.domain, "DS", self.ds(s.domain).to_text()))
        return records

    def add(self, s: Scenario, extra: list[Record]) -> None:
        """Publish a domain added after start: its zone (the scenario's records
        plus ``extra``, signed if ``s.signed``) and its delegation in the root
        (NS, glue, and DS when signed, RFC 4035 §2.4)."""
        self.specs[s.domain] = ZoneSpec(
            s.domain, scenario_records(s, self.pki, self.key_kind, self.addresses)
            + list(extra), s.signed)
        self._build(self.specs[s.domain])
        self.specs[""].records += self._delegation(s)
        self._build(self.specs[""])

    def remove(self, domain: str) -> None:
        """Withdraw a domain added with :meth:`add`: its zone and its delegation."""
        spec = self.specs.pop(domain, None)
        if spec is None:
            return
        self.zones.pop(_abs(domain), None)
        self.edited.discard(domain)
        gone = {(domain, "NS"), (f"ns1.{domain}", "A"), (domain, "DS")}
        self.specs[""].records = [r for r in self.specs[""].records if (r[0], r[1]) not in gone]
        self._build(self.specs[""])
