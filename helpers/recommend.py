"""The operator's decision tree: what should a domain owner publish? (pure logic)

``recommend(Profile(...))`` (also ``helpers.policy.recommend``) answers from a
few questions about what the operator can do:

- ``dnssec``: can the zone be DNSSEC-signed, with TLSA records (does the DNS
  host support both)?
- ``own_mx``: does the operator run its own MX hosts? If not, ``provider_dane``:
  does the mail provider publish DANE TLSA records for its MX hosts?
- ``https``: can ``https://mta-sts.<domain>/`` be served with a valid WebPKI
  certificate?
- ``automate_tlsa``: do TLSA records follow MX key changes automatically?
- ``reports``: does anyone want (and read) TLS-RPT reports?

The :class:`Recommendation` says what to publish (DANE with which records and
rollover scheme, MTA-STS starting in ``testing``, both, and TLS-RPT always),
why, with RFC sections, the costs and risks of each choice, and the adoption
figures known, each with its source and year.
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """The operator's answers (see the module docstring)."""

    dnssec: bool = False
    own_mx: bool = True
    provider_dane: bool = False
    https: bool = False
    automate_tlsa: bool = False
    reports: bool = True


@dataclass(frozen=True)
class Item:
    """One thing to publish: what, an example, why, and the rule."""

    what: str
    example: str
    why: str
    rfc: str


@dataclass(frozen=True)
class Risk:
    name: str
    text: str
    rfc: str


@dataclass(frozen=True)
class Figure:
    """An adoption figure, with where it comes from; ``caveat`` when its year or
    method could not be checked."""

    text: str
    source: str
    year: str
    url: str
    caveat: str = ""


#: Adoption figures with their sources, each dated. Domain counts first, then
#: what the largest senders do (by volume they matter more than domain counts).
ADOPTION: tuple[Figure, ...] = (
    Figure("about 3.76 million domains had correct SMTP DANE TLSA records at every primary "
           "MX host, about 17% of the 21.7 million domains whose MX answers were "
           "DNSSEC-validated; most are hosted by a few providers that enabled DANE for all "
           "their customers (one.com alone about 1.2 million)",
           "V. Dukhovni, 'Update on stats 2023-03', dane-users mailing list", "2023",
           "https://mail.sys4.de/pipermail/dane-users/2023-April/000650.html"),
    Figure("of about 68,000 domains with an MTA-STS record (87 million domains scanned over "
           "31 months in four TLDs), 29.6% were misconfigured and 3.2% would see mail from "
           "MTA-STS senders fail; of 117 operators surveyed, 48.8% named operational "
           "complexity as a reason not to deploy it",
           "M. I. Ashiq et al., 'Unraveling the Complexities of MTA-STS Deployment and "
           "Management in Securing Email', ACM IMC 2025", "2025",
           "https://cyberinitiative.org/research/research-showcase/2025/"
           "unraveling-the-complexities.html"),
    Figure("Gmail applies MTA-STS to the mail it sends (announced April 2019), and asks "
           "for TLS 1.2 or higher and a publicly trusted certificate",
           "Google Workspace Admin Help, 'About MTA-STS and TLS reporting'", "2019",
           "https://support.google.com/a/answer/9261504"),
    Figure("Exchange Online validates DANE for the mail it sends since March 2022; inbound "
           "DANE with DNSSEC for its customers' domains became generally available on "
           "28 October 2024",
           "Microsoft Exchange Team blog, 'Announcing General Availability of Inbound SMTP "
           "DANE with DNSSEC for Exchange Online'", "2024",
           "https://techcommunity.microsoft.com/blog/exchange/announcing-general-availability-"
           "of-inbound-smtp-dane-with-dnssec-for-exchange-on/4281292"),
)


@dataclass(frozen=True)
class Recommendation:
    """What to publish for a :class:`Profile`, why, and at what risk."""

    profile: Profile
    headline: str
    dane: str | None  # the TLSA scheme, or None
    mta_sts: str | None  # the MTA-STS plan, or None
    publish: tuple[Item, ...]
    risks: tuple[Risk, ...]
    notes: tuple[str, ...] = ()
    adoption: tuple[Figure, ...] = ADOPTION

    @property
    def mechanisms(self) -> tuple[str, ...]:
        """The published mechanisms, e.g. ``("DANE", "MTA-STS", "TLS-RPT")``."""
        return tuple(m for m, on in (("DANE", self.dane), ("MTA-STS", self.mta_sts),
                                     ("TLS-RPT", True)) if on)

    def __str__(self) -> str:
        lines = [self.headline, "", "Publish:"]
        for i in self.publish:
            lines += [f"  - {i.what} ({i.rfc})", f"      {i.example}", f"      why: {i.why}"]
        lines.append("Costs and risks:")
        lines += [f"  - {r.name} ({r.rfc}): {r.text}" for r in self.risks]
        lines += [f"Note: {n}" for n in self.notes]
        lines.append("Adoption (source, year):")
        lines += [f"  - {f.text} [{f.source}, {f.year}]" + (f" ({f.caveat})" if f.caveat else "")
                  for f in self.adoption]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        items = "".join(f"<li><b>{e(i.what)}</b> ({e(i.rfc)})<br><code>{e(i.example)}</code>"
                        f"<br>{e(i.why)}</li>" for i in self.publish)
        risks = "".join(f"<li><b>{e(r.name)}</b> ({e(r.rfc)}): {e(r.text)}</li>"
                        for r in self.risks)
        notes = "".join(f"<p><i>{e(n)}</i></p>" for n in self.notes)
        figures = "".join(
            f'<li>{e(f.text)} [<a href="{e(f.url)}">{e(f.source)}</a>, {e(f.year)}]'
            + (f" <i>({e(f.caveat)})</i>" if f.caveat else "") + "</li>" for f in self.adoption)
        return (f"<p><b>{e(self.headline)}</b></p><p>Publish:</p><ul>{items}</ul>"
                f"<p>Costs and risks:</p><ul>{risks}</ul>{notes}"
                f"<p>Adoption (source, year):</p><ul>{figures}</ul>")


_FIRST_CONTACT = Risk(
    "first-contact gap", "a sender that has never fetched the policy (or whose cached copy "
    "expired) can be stripped before it learns the policy; a long max_age narrows the gap",
    "RFC 8461 §10.2")
_POLICY_ID = Risk(
    "policy changed without a new id", "senders keep the cached policy until max_age "
    "expires: move an MX without updating the policy and its id, and enforcing senders defer "
    "mail to the new MX (TLS-RPT: validation-failure)", "RFC 8461 §3.1, §5.1")
_POLICY_HOST = Risk(
    "policy host certificate", "an expired or wrong certificate on mta-sts.<domain> stops "
    "new senders from fetching the policy (TLS-RPT: sts-webpki-invalid); cached copies "
    "still apply", "RFC 8461 §3.3")
_DNSSEC = Risk(
    "DNSSEC operations", "expired signatures or a botched key rollover make answers bogus: "
    "DANE senders (and validating resolvers) then defer all mail, not only TLS",
    "RFC 7672 §2.2, RFC 6781")
_ROLLOVER = Risk(
    "the rollover outage", "a new MX key without its TLSA record published first (at least "
    "two TTLs before) makes every DANE sender defer (TLS-RPT: tlsa-invalid)",
    "RFC 7671 §8, RFC 7672 §3.1")
_NO_PROTECTION = Risk(
    "no downgrade protection", "without DANE or MTA-STS, a STARTTLS-stripping or "
    "certificate-substituting attacker reads the mail of every sender", "RFC 3207 §6, RFC 7435")


def _tlsrpt(p: Profile) -> Item:
    why = ("the only way to learn that senders failed to reach you securely; needed to move "
           "MTA-STS from testing to enforce and to catch a DANE rollover outage")
    if not p.reports:
        why = ("publish it anyway, pointing at a mailbox or service you can check when "
               "something breaks: it costs one TXT record, and " + why.split("; ", 1)[1])
    return Item("TLS-RPT: _smtp._tls TXT", '_smtp._tls.example.com. TXT '
                '"v=TLSRPTv1; rua=mailto:tlsrpt@example.com"', why, "RFC 8460 §3")


def recommend(profile: Profile | None = None, **answers) -> Recommendation:
    """What to publish for ``profile`` (or for ``answers``, the fields of
    :class:`Profile`); pure, no I/O."""
    p = profile if profile is not None else Profile(**answers)
    publish: list[Item] = []
    risks: list[Risk] = []
    notes: list[str] = []
    dane = sts = None
    can_dane = p.dnssec and (p.own_mx or p.provider_dane)
    if can_dane and p.own_mx:
        if p.automate_tlsa:
            dane = "3 1 1 for the current key and 3 1 1 for the next key (pre-published)"
            example = ("_25._tcp.mx.example.com. TLSA 3 1 1 <current key>; "
                       "TLSA 3 1 1 <next key>")
            why = ("DANE-EE pins the key, not the name or dates; the next key's record, "
                   "published at least two TTLs before the switch on every authoritative "
                   "server, makes the rollover safe; after the switch, drop the old record "
                   "(every record must match the current chain, RFC 7671 §8)")
        else:
            dane = "3 1 1 for the current key, key reused on renewal"
            example = "_25._tcp.mx.example.com. TLSA 3 1 1 <current key>"
            why = ("renew certificates with the same key (3 1 1 keeps matching); change keys "
                   "only by the current + next procedure. A 2 1 1 for the issuing CA helps "
                   "only with a CA whose key you can predict (your own): public CAs rotate "
                   "their intermediates (Let's Encrypt since June 2024)")
        publish.append(Item("DANE: sign the zone (DS at the parent) and publish TLSA per MX",
                            example, why, "RFC 7672 §2.2, §3.1; RFC 7671 §8"))
        risks += [_DNSSEC, _ROLLOVER]
    elif can_dane:
        dane = "the provider's TLSA records (sign your zone so that your MX answer is secure)"
        publish.append(Item("DANE: sign your zone (DS at the parent); the provider publishes "
                            "TLSA for its MX hosts", "example.com. MX 10 mx.provider.example. "
                            "(signed); _25._tcp.mx.provider.example. TLSA ... (the provider's)",
                            "TLSA counts only below a DNSSEC-secure MX answer; the provider "
                            "handles its own key rollovers", "RFC 7672 §2.2.1"))
        risks.append(_DNSSEC)
    elif p.dnssec and not p.own_mx:
        notes.append("Your zone can be signed, but your provider publishes no TLSA records for "
                     "its MX hosts, and only the owner of the MX hosts' zone can: ask the "
                     "provider for DANE, or use MTA-STS.")
    if p.https:
        sts = ("testing first (max_age 86400), enforce once the TLS-RPT reports are clean "
               "(max_age of weeks: 1209600 or more, RFC 8461 §3.2)")
        if not p.reports:
            sts = ("enforce after checking every MX by hand (testing mode reports nothing "
                   "when no one reads TLS-RPT)")
        publish.append(Item("MTA-STS: _mta-sts TXT with a fresh id, and the policy file over HTTPS",
                            '_mta-sts.example.com. TXT "v=STSv1; id=20260101T000000;"; '
                            "https://mta-sts.example.com/.well-known/mta-sts.txt: version: "
                            "STSv1, mode: testing, mx: mx.example.com, max_age: 86400",
                            "reaches the senders that implement MTA-STS but do not validate "
                            "DNSSEC; anchored in the WebPKI"
                            + ("; with DANE too, DANE senders use DANE and the others MTA-STS"
                               if dane else ""),
                            "RFC 8461 §3, §5; §2 for both"))
        risks += [_FIRST_CONTACT, _POLICY_ID, _POLICY_HOST]
    publish.append(_tlsrpt(p))
    if dane and sts:
        headline = "Publish both DANE and MTA-STS, and TLS-RPT"
    elif dane:
        headline = "Publish DANE, and TLS-RPT"
        notes.append("Without MTA-STS, senders that do not validate DNSSEC still deliver "
                     "opportunistically; serving HTTPS at mta-sts.<domain> would cover them.")
    elif sts:
        headline = "Publish MTA-STS (starting in testing), and TLS-RPT"
    else:
        headline = "Only TLS-RPT is possible: nothing stops a downgrade yet"
        risks.append(_NO_PROTECTION)
        notes.append("Serve HTTPS at mta-sts.<domain> (MTA-STS) or move to a DNS host that "
                     "signs zones (DANE): each turns 'encrypt if you can' into 'encrypt or "
                     "defer'.")
    return Recommendation(p, headline, dane, sts, tuple(publish), tuple(risks), tuple(notes))
