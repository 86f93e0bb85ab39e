"""From facts to checks: the judgement, with no I/O (each rule cites its RFC).

Statuses: ``fail`` means mail is exposed or lost because of it (a sender defers,
delivers in the clear, or the record is ignored); ``warn`` a weakness worth
fixing (an attacker can strip TLS, a policy not enforced); ``info`` a fact or
an option; ``skip`` not checked here.
"""

from __future__ import annotations

import datetime as _dt

from .. import certnames, dane, tlsrpt
from ..dnssec import BOGUS, ERROR, INSECURE, SECURE
from ..mtasts import mx_matches
from .commands import Commands
from .resolver import UNVALIDATED
from .facts import HostFacts, MxFacts, ProbeFacts, RptFacts, StsFacts
from .result import FAIL, INFO, OK, SKIP, WARN, Check

EXPIRY_WARN_DAYS = 14


# -- MX and DNSSEC -----------------------------------------------------------------

def mx_checks(domain: str, mx: MxFacts, cmd: Commands) -> list[Check]:
    """The MX answer (RFC 5321 §5.1, RFC 7505) and its DNSSEC status (RFC 4035 §4.3)."""
    lk = mx.lookup
    dig, delv = cmd.dig(domain, "MX"), cmd.delv(domain, "MX")
    if lk.status == ERROR:
        detail = lk.reason
        if "REFUSED" in lk.reason and cmd.lab:
            detail = f"the lab's DNS does not serve {domain}: it is not a lab domain"
        return [Check("mx", "MX", FAIL, "the MX lookup got no usable answer", detail,
                      "RFC 5321 §5.1", "check that the domain is spelled right and that its "
                      "name servers answer", dig)]
    checks = []
    if lk.status == BOGUS:
        checks.append(Check("mx", "MX", FAIL, "the MX answer is bogus (DNSSEC)", lk.reason,
                            "RFC 4035 §5.5", "fix the zone's signatures or its DS record",
                            delv))
    elif lk.rcode == "NXDOMAIN":
        checks.append(Check("mx", "MX", FAIL, f"{domain} does not exist",
                            "DNS says there is no such name (NXDOMAIN): mail to it bounces",
                            "RFC 1035 §4.1.1", "check the spelling"
                            + ("; the lab knows only its own domains (lab.domains)"
                               if cmd.lab else ""), dig))
    elif mx.null:
        checks.append(Check("mx", "MX", INFO, "null MX: the domain accepts no mail",
                            "a single MX record '0 .' says no mail is accepted, so senders "
                            "bounce at once; there is nothing more to protect",
                            "RFC 7505 §3", "", dig, tuple(sorted(lk.records))))
    elif mx.implicit and mx.hosts:
        checks.append(Check("mx", "MX", WARN, "no MX records: the domain itself is the mail server",
                            "senders fall back to the domain's own address (the implicit MX); "
                            "MTA-STS and DANE are usually set up for named MX hosts",
                            "RFC 5321 §5.1", f"publish an MX record for {domain}", dig))
    elif not mx.hosts:
        checks.append(Check("mx", "MX", FAIL, "no MX records and no address",
                            "nothing receives mail for this domain", "RFC 5321 §5.1",
                            f"publish an MX record for {domain}", dig))
    elif mx.null_beside_others:
        checks.append(Check("mx", "MX", FAIL, "a null MX record beside other MX records",
                            "'0 .' says the domain accepts no mail, the other records say it "
                            "does: a domain with a null MX must publish no other MX record, "
                            "and senders may bounce the mail or try the other hosts",
                            "RFC 7505 §3", "remove the '0 .' record if the domain receives "
                            "mail, or every other MX record if it does not", dig,
                            tuple(sorted(lk.records))))
    else:
        names = ", ".join(h for _, h in mx.hosts)
        checks.append(Check("mx", "MX", OK, f"{len(mx.hosts)} MX host(s): {names}",
                            "senders try them in preference order, lowest first",
                            "RFC 5321 §5.1", "", dig,
                            tuple(sorted(lk.records, key=lambda r: (int(r.split()[0]), r)))))
    if lk.status == SECURE:
        checks.append(Check("dnssec", "DNSSEC", OK, "the MX answer is DNSSEC-signed (secure)",
                            lk.reason, "RFC 4035 §4.3; RFC 7672 §2.2.1", "", delv))
    elif lk.status == INSECURE:
        checks.append(Check("dnssec", "DNSSEC", INFO, "the zone is not DNSSEC-signed",
                            "without DNSSEC, DANE cannot protect this domain; MTA-STS can",
                            "RFC 4035 §4.3; RFC 7672 §2.2.1",
                            "sign the zone (and publish its DS) to make DANE possible", delv))
    elif lk.status == BOGUS:
        checks.append(Check("dnssec", "DNSSEC", FAIL, "the MX answer is bogus", lk.reason,
                            "RFC 4035 §5.5", "fix the zone's signatures or its DS record", delv))
    elif lk.status == UNVALIDATED:
        checks.append(Check("dnssec", "DNSSEC", SKIP, "not checked", lk.reason,
                            "RFC 4035 §4.3", "", delv))
    return checks


# -- per MX host: address and TLSA ------------------------------------------------------

def host_dns_checks(h: HostFacts, cmd: Commands) -> list[Check]:
    """Address (with its DNSSEC status, RFC 7672 §2.2.2) and TLSA (RFC 7672 §2.2, §3.1)."""
    host, a = h.host, h.address
    checks = []
    dig_a = cmd.dig(host, "A")
    if a.status in (BOGUS, ERROR):
        checks.append(Check(f"address:{host}", "MX", FAIL, f"the address of {host} cannot be "
                            f"trusted ({a.status})", a.reason, "RFC 7672 §2.2.2",
                            "fix the zone's DNSSEC or the host's records", cmd.delv(host, "A")))
    elif a.rrset is None:
        checks.append(Check(f"address:{host}", "MX", FAIL, f"{host} has no address",
                            f"no A or AAAA record ({a.rcode}): senders cannot reach it",
                            "RFC 5321 §5.1", f"publish an A or AAAA record for {host}", dig_a))
    elif h.cname_target:
        checks.append(Check(f"address:{host}", "MX", WARN, f"{host} is an alias (CNAME) of "
                            f"{h.cname_target}", "an MX must name a host, not an alias; some "
                            "senders refuse it, and DANE looks for TLSA records at both names",
                            "RFC 2181 §10.3; RFC 7672 §2.2.3",
                            f"point the MX at {h.cname_target} directly", dig_a, a.records))
    else:
        checks.append(Check(f"address:{host}", "MX", OK,
                            f"{host} has {len(a.records)} address(es), DNSSEC "
                            + ("not checked" if a.status == UNVALIDATED else a.status),
                            "", "RFC 5321 §5.1", "", dig_a, tuple(sorted(a.records))))
    t = h.tlsa
    tlsa_name = f"_25._tcp.{t.base_name}"
    delv_t = cmd.delv(tlsa_name, "TLSA")
    evidence = tuple(sorted(f"{r}  ({r.mnemonic})" for r in t.records))
    if t.status == UNVALIDATED:
        checks.append(Check(f"tlsa:{host}", "DANE", SKIP, "not checked", t.reason,
                            "RFC 7672 §2.2", "", delv_t))
    elif t.status == BOGUS:
        checks.append(Check(f"tlsa:{host}", "DANE", FAIL, "the TLSA lookup is bogus (DNSSEC)",
                            f"{t.reason}; DANE senders defer mail to this MX",
                            "RFC 7672 §2.2", "re-sign the zone; check that the TLSA RRset "
                            "has valid RRSIGs", delv_t))
    elif t.status == ERROR:
        checks.append(Check(f"tlsa:{host}", "DANE", FAIL, "the TLSA lookup failed", t.reason,
                            "RFC 7672 §2.2", "", delv_t))
    elif t.status == INSECURE:
        if h.unsigned_tlsa:
            checks.append(Check(f"tlsa:{host}", "DANE", WARN,
                                "TLSA records published in an unsigned zone: ignored",
                                "without DNSSEC an attacker could forge them, so every sender "
                                "must ignore them: DANE does not protect this MX",
                                "RFC 7672 §2.2; RFC 6698 §4.1",
                                "sign the zone with DNSSEC (or remove the records)",
                                delv_t, h.unsigned_tlsa))
        else:
            checks.append(Check(f"tlsa:{host}", "DANE", INFO, "no DANE (the zone is not signed)",
                                t.reason, "RFC 7672 §2.2", "", delv_t))
    elif not t.exists:
        checks.append(Check(f"tlsa:{host}", "DANE", INFO, "no TLSA records: DANE is not used",
                            t.reason, "RFC 7672 §2.2",
                            f"publish '{tlsa_name} TLSA 3 1 1 <SHA-256 of the key>'", delv_t))
    elif not any(r.usable for r in t.records):
        checks.append(Check(f"tlsa:{host}", "DANE", WARN,
                            "TLSA records exist but none is usable for SMTP",
                            "senders still require TLS but cannot authenticate the server: "
                            + "; ".join([r.unusable_reason for r in t.records]
                                        + [f"{t.unreadable} record(s) too short to read"] *
                                        bool(t.unreadable)),
                            "RFC 7672 §3.1.3", "publish 3 1 1 (DANE-EE) or 2 1 1 (DANE-TA) "
                            "records", delv_t, evidence))
    else:
        checks.append(Check(f"tlsa:{host}", "DANE", OK,
                            f"{len(t.records)} TLSA record(s), DNSSEC-validated",
                            "DANE senders will require TLS and check the certificate against them",
                            "RFC 7672 §2.2", "", delv_t, evidence))
    return checks


# -- per MX host: is a key change covered? (judged against the served chain) ------------------

def _key_forms(cert) -> tuple[str, ...]:
    """The DANE-EE records that would match ``cert`` (RFC 6698 §2.1), as text:
    to recognise, in a later inspection, records left for a retired key."""
    return tuple(f"3 {s} {m} {dane.association_data(cert, s, m).hex()}"
                 for s in (1, 0) for m in (1, 2))


def rollover_check(h: HostFacts, chain, verified: bool, cmd: Commands,
                   previous_keys: tuple[str, ...] = ()) -> Check:
    """Whether the TLSA set keeps matching when the server's key changes (RFC 7671 §8),
    judged against the chain the server serves, not by counting records:

    - a second DANE-EE (3 x x) record counts as the next key only when it does not
      match the current certificate (3 1 1 + 3 0 1 of one certificate, or 3 1 1 +
      3 1 2 of one key, name the same key twice and cover nothing);
    - a DANE-TA (2 x x) record counts only when it matches a CA certificate the
      server sends (not the leaf, not an unrelated CA: RFC 7672 §3.1.2 needs the
      trust anchor in the chain); one that pins an intermediate of a CA the WebPKI
      trusts is fragile (public CAs change intermediates);
    - a record that matches only a retired key (the key a previous inspection saw,
      or no certificate the server sends at all) is flagged (RFC 7671 §8.1)."""
    host = h.host
    tlsa_name = f"_25._tcp.{h.tlsa.base_name}"
    dig_t = cmd.dig(tlsa_name, "TLSA")
    leaf, cas = chain[0], list(chain[1:])
    usable = [r for r in h.tlsa.records if r.usable]
    current = [r for r in usable if r.usage == 3 and r.matches(leaf)]
    other_ee = [r for r in usable if r.usage == 3 and not r.matches(leaf)]
    ta_chain = [r for r in usable if r.usage == 2 and any(r.matches(c) for c in cas)]
    ta_leaf = [r for r in usable if r.usage == 2 and r.matches(leaf)]
    ta_other = [r for r in usable if r.usage == 2 and r not in ta_chain and r not in ta_leaf]
    retired = [r for r in other_ee if str(r) in previous_keys and str(r) not in _key_forms(leaf)]
    served = tuple(f"served: {form}" for form in _key_forms(leaf)[::2])  # 3 1 1, 3 0 1

    def role(r) -> str:
        for group, words in ((current, "current key"), (retired, "retired key"),
                             (other_ee, "another key: the next one?"),
                             (ta_chain, "a CA in the served chain"),
                             (ta_leaf, "the leaf, not a CA")):
            if r in group:
                return words
        return "a CA the server does not send"

    evidence = served + tuple(f"{r}  ({role(r)})" for r in usable)
    rfc = "RFC 7671 §8.1"
    if not current and not ta_chain:
        return Check(f"rollover:{host}", "DANE", WARN,
                     "the TLSA records match only keys the server no longer serves",
                     "after a key change, the records were left naming the retired key "
                     "(or a key not deployed yet): nothing matches the chain served now",
                     "RFC 7671 §8.1; RFC 7672 §3", "publish the current key's 3 1 1 record, "
                     "then remove the retired key's once its TTL has passed", dig_t, evidence)
    if retired:
        return Check(f"rollover:{host}", "DANE", WARN,
                     "a TLSA record for a retired key is still published",
                     "the server served that key at the previous inspection and no longer "
                     "does: a record left for it would let a stolen old key be used",
                     rfc, "remove the retired key's record (the current key's stays)",
                     dig_t, evidence)
    public = verified and not cmd.lab
    pinned = [r for r in ta_chain if any(r.matches(c) and c.issuer != c.subject for c in cas)]
    if public and pinned and not other_ee:
        return Check(f"rollover:{host}", "DANE", WARN,
                     "a DANE-TA record pins a public CA's intermediate",
                     "public CAs change intermediates without notice to you (Let's Encrypt "
                     "issues from several, rotating since June 2024): the next certificate "
                     "may come from another one, and then nothing matches",
                     "RFC 7671 §5.2, §8.1; RFC 7672 §3.1.2", "publish 3 1 1 records for the "
                     "current and the next key instead (or pin the CA's root)", dig_t, evidence)
    if other_ee or ta_chain:
        how = ("a DANE-EE record for another key (the next one, published ahead)" if other_ee
               else "a DANE-TA record for a CA the server sends")
        note = ("; once the change is done, remove the retired key's record (RFC 7671 §8.1)"
                if other_ee else "")
        return Check(f"rollover:{host}", "DANE", OK, "a key change is covered",
                     f"{how} keeps matching when the server's key is replaced{note}",
                     rfc, "", dig_t, evidence)
    why = "the only record names the current key"
    if len(current) > 1:
        why = (f"the {len(current)} DANE-EE records all name the current key (another "
               "selector or digest of the same key or certificate)")
    if ta_leaf or ta_other:
        why += ("; a DANE-TA record matches " + ("the leaf, which is not a CA" if ta_leaf
                                                 else "no CA certificate the server sends"))
    return Check(f"rollover:{host}", "DANE", INFO, "a key change is not covered yet",
                 f"{why}: replacing the key before publishing its record breaks delivery "
                 "from DANE senders", rfc, "publish the next key's 3 1 1 record (or a 2 1 1 "
                 "for a CA the server sends) at least two TTLs before the change", dig_t,
                 evidence)


# -- per MX host: the STARTTLS probe ------------------------------------------------------

def _cert_problem(error: str) -> str:
    low = error.lower()
    if "expired" in low:
        return "expired"
    if "hostname" in low or "mismatch" in low or "match" in low:
        return "wrong-name"
    return "untrusted"


def probe_checks(p: ProbeFacts, h: HostFacts | None, sts_mode: str | None,
                 cmd: Commands, now: _dt.datetime,
                 previous_keys: tuple[str, ...] = ()) -> list[Check]:
    """STARTTLS (RFC 3207), the certificate for the MX name (RFC 8461 §4.2, RFC 6125)
    and the DANE match (RFC 7672 §3)."""
    host = p.host
    ossl = cmd.openssl(host)
    if p.skipped:
        status = SKIP
        checks = [Check(f"starttls:{host}", "STARTTLS", status, "not probed", p.skipped,
                        "RFC 3207", "", ossl)]
        if h is not None and h.tlsa.dane_applies:
            checks.append(Check(f"rollover:{host}", "DANE", SKIP, "not checked",
                                "whether a key change is covered depends on the certificate "
                                "the server serves, and the STARTTLS probe was not made",
                                "RFC 7671 §8.1"))
        return checks
    d = p.session
    dane_applies = h is not None and h.tlsa.dane_applies
    banner = tuple(line.text for line in d.transcript.lines[:1]) if d else ()
    offered = p.starttls_offered
    checks = []
    if offered is None:
        detail = d.error if d else "no session"
        if p.network_note:
            detail = f"{detail}; {p.network_note}"
        checks.append(Check(f"starttls:{host}", "STARTTLS", FAIL, f"no SMTP session with {host}",
                            detail, "RFC 5321 §3.1",
                            "check that the MX host runs an SMTP server on port 25", ossl, banner))
        return checks
    if not offered:
        checks.append(Check(f"starttls:{host}", "STARTTLS", FAIL, "STARTTLS is not offered",
                            "the EHLO reply has no STARTTLS: every sender delivers in the clear"
                            + (", and DANE senders do not deliver at all" if dane_applies else ""),
                            "RFC 3207 §4", "enable STARTTLS on the server, with a certificate "
                            "for the MX name", ossl, banner))
        if dane_applies:
            checks.append(Check(f"dane:{host}", "DANE", FAIL, "DANE requires STARTTLS",
                                "TLSA records exist, so DANE senders defer", "RFC 7672 §2.2",
                                "enable STARTTLS", cmd.openssl_dane(
                                    host, h.tlsa.base_name, [str(r) for r in h.tlsa.records])))
        return checks
    tls = d.transcript.tls
    if tls is None:
        checks.append(Check(f"starttls:{host}", "STARTTLS", FAIL,
                            "STARTTLS is offered, but the TLS handshake fails",
                            d.error or "no TLS session", "RFC 3207 §4",
                            "check the server's TLS configuration", ossl, banner))
        return checks
    old = tls.version in ("SSLv3", "TLSv1", "TLSv1.1")
    checks.append(Check(f"starttls:{host}", "STARTTLS", WARN if old else OK,
                        f"STARTTLS offered: {tls.version}, {tls.cipher}",
                        f"{tls.bits}-bit cipher" + ("; this protocol version is deprecated"
                                                    if old else ""),
                        "RFC 3207; RFC 8996" if old else "RFC 3207",
                        "allow TLS 1.2 and 1.3 only" if old else "", ossl, banner))
    # The certificate, as an MTA-STS sender checks it (WebPKI, name = the MX host).
    leaf = tls.chain[0] if tls.chain else None
    # The names are the server's choice and may not even decode (RFC 5280):
    # certnames shows their raw bytes escaped instead of raising.
    names, names_problem = certnames.dns_names(leaf) if leaf is not None else ([], None)
    subject = [f"names: {', '.join(names) or '(none)'}"]
    if names_problem:
        subject[0] = f"names: {names_problem}"
    if leaf is not None:
        subject.append(f"issuer: {certnames.name_text(leaf, 'issuer')}")
        subject.append(f"valid until {leaf.not_valid_after_utc:%Y-%m-%d}")
        subject.append("chain sent: " + " <- ".join(
            certnames.name_text(c) for c in tls.chain))
    verified_ok = p.verified is not None and p.verified.accepted
    if verified_ok:
        days = (leaf.not_valid_after_utc - now).days if leaf is not None else 0
        if days < EXPIRY_WARN_DAYS:
            checks.append(Check(f"certificate:{host}", "certificate", WARN,
                                f"the certificate expires in {days} days",
                                "renew it now: MTA-STS senders refuse an expired certificate",
                                "RFC 8461 §4.2", "renew the certificate (automate it)", ossl,
                                tuple(subject)))
        else:
            checks.append(Check(f"certificate:{host}", "certificate", OK,
                                f"valid for {host}, trusted, more than {EXPIRY_WARN_DAYS} days left",
                                "what an MTA-STS sender checks: the MX name and a trusted chain",
                                "RFC 8461 §4.2; RFC 6125 §6", "", ossl, tuple(subject)))
    else:
        error = p.verified.error if p.verified is not None else "not verified"
        problem = _cert_problem(error or "")
        what = {"expired": "the certificate has expired",
                "wrong-name": f"the certificate is not valid for {host}",
                "untrusted": "the certificate does not chain to a trusted CA"}[problem]
        fix = {"expired": "renew the certificate (and automate renewal)",
               "wrong-name": f"get a certificate that names {host}",
               "untrusted": "use a certificate from a public CA, with its chain"}[problem]
        if sts_mode == "enforce":
            status, why = FAIL, "MTA-STS senders (mode enforce) do not deliver to this MX"
        elif sts_mode == "testing":
            status, why = WARN, "mode testing: senders deliver anyway and report the failure"
        elif dane_applies:
            status, why = INFO, "DANE senders check TLSA records instead; MTA-STS would fail"
        else:
            status, why = WARN, "opportunistic senders accept it; an MTA-STS policy would fail"
        checks.append(Check(f"certificate:{host}", "certificate", status, what,
                            f"{error}; {why}", "RFC 8461 §4.2; RFC 6125 §6", fix, ossl,
                            tuple(subject)))
    if names_problem:
        # A name that does not decode matches no reference name for any sender.
        c = checks[-1]
        checks[-1] = Check(c.id, c.family, FAIL if c.status == FAIL else WARN,
                           "the certificate's names do not decode",
                           f"{c.detail}; {names_problem}", "RFC 5280 §4.2.1.6; " + c.rfc,
                           "issue a certificate whose names are ASCII (A-labels for "
                           "internationalised names, RFC 5891)", c.command, c.evidence)
    if dane_applies:
        base = h.tlsa.base_name
        ossl = cmd.openssl_dane(host, base, [str(r) for r in h.tlsa.records])
        if tls.chain:
            checks.append(rollover_check(h, list(tls.chain), verified_ok, cmd, previous_keys))
        result = dane.verify_chain(h.tlsa.records, list(tls.chain), [host, base], now)
        if result.ok:
            checks.append(Check(f"dane:{host}", "DANE", OK, "the certificate matches a TLSA record",
                                result.reason, "RFC 7672 §3", "", ossl, result.checked))
        elif result.all_unusable:
            checks.append(Check(f"dane:{host}", "DANE", WARN, "TLS required, not authenticated",
                                result.reason, "RFC 7672 §3.1.3", "publish a usable record",
                                ossl, result.checked))
        else:
            checks.append(Check(f"dane:{host}", "DANE", FAIL,
                                "no TLSA record matches the certificate",
                                f"{result.reason}: this is the classic key-rollover outage",
                                "RFC 7672 §2.2, §3; RFC 7671 §8.1",
                                "publish the TLSA record of the key the server uses now",
                                ossl, result.checked))
    return checks


# -- MTA-STS ---------------------------------------------------------------------------------

def sts_checks(domain: str, s: StsFacts, mx_hosts: list[str], cmd: Commands,
               previous=None, policy_text: str | None = None) -> list[Check]:
    """Record (RFC 8461 §3.1), policy fetch and parse (§3.2, §3.3), mode and
    max_age (§5, §3.2), MX matching (§4.1), and the id against a previous inspection."""
    name = f"_mta-sts.{domain}"
    dig = cmd.dig(name, "TXT")
    curl = cmd.curl(domain)
    checks = []
    if s.record is None:
        status = FAIL if s.txt and any(t.lower().startswith("v=sts") for t in s.txt) else INFO
        title = ("the MTA-STS record is invalid: senders ignore it" if status == FAIL
                 else "no MTA-STS record")
        checks.append(Check("mta-sts-record", "MTA-STS", status, title, s.record_error or "",
                            "RFC 8461 §3.1", "publish exactly one TXT record "
                            f"'v=STSv1; id=<new id>;' at {name}", dig, s.txt))
        if s.policy is not None:
            checks.append(Check("mta-sts-policy", "MTA-STS", INFO,
                                "a policy is served, but no valid record announces it",
                                "senders look for the record first, so they never fetch it",
                                "RFC 8461 §3.1", "", curl))
        return checks
    checks.append(Check("mta-sts-record", "MTA-STS", OK, f"MTA-STS record, id {s.record.id}",
                        "; ".join(s.record.warnings), "RFC 8461 §3.1", "", dig, s.txt))
    if s.policy is None:
        checks.append(Check("mta-sts-policy", "MTA-STS", FAIL,
                            f"the policy cannot be fetched ({s.policy_error_kind})",
                            f"{s.policy_error}; senders then act as if there were no policy",
                            "RFC 8461 §3.3", "serve the policy at https://mta-sts."
                            f"{domain}/.well-known/mta-sts.txt with a valid certificate for "
                            f"mta-sts.{domain}, status 200, text/plain, no redirect", curl))
        return checks
    p = s.policy
    lines = tuple(f"mx: {m}" for m in p.mx) + tuple(f"{k}: {v}" for k, v in p.extensions)
    checks.append(Check("mta-sts-policy", "MTA-STS", WARN if p.warnings else OK,
                        f"policy fetched: mode {p.mode}, max_age {p.max_age}",
                        "; ".join(p.warnings), "RFC 8461 §3.2, §3.3",
                        "remove what the warnings name" if p.warnings else "", curl, lines))
    if p.mode == "enforce":
        checks.append(Check("mta-sts-mode", "MTA-STS", OK, "mode enforce",
                            "senders refuse an MX that fails the policy", "RFC 8461 §5", "",
                            curl))
    elif p.mode == "testing":
        checks.append(Check("mta-sts-mode", "MTA-STS", WARN, "mode testing: not enforced",
                            "failures are reported (TLS-RPT) but mail is still delivered, so "
                            "an attacker can still strip or intercept TLS", "RFC 8461 §5",
                            "switch to 'mode: enforce' (and change the id) once reports show "
                            "no failures", curl))
    else:
        checks.append(Check("mta-sts-mode", "MTA-STS", WARN, "mode none: MTA-STS switched off",
                            "senders drop the policy", "RFC 8461 §5",
                            "use testing, then enforce", curl))
    if p.max_age >= 604800:
        checks.append(Check("mta-sts-max-age", "MTA-STS", OK, f"max_age {p.max_age} s "
                            f"({p.max_age // 86400} days)", "long enough to bridge an attack "
                            "on a later fetch", "RFC 8461 §3.2", "", curl))
    elif p.max_age >= 86400:
        checks.append(Check("mta-sts-max-age", "MTA-STS", INFO, f"max_age {p.max_age} s "
                            f"({p.max_age // 86400} day(s))", "fine while testing; weeks are "
                            "recommended once enforced", "RFC 8461 §3.2",
                            "raise max_age to 604800 or more with mode enforce", curl))
    else:
        checks.append(Check("mta-sts-max-age", "MTA-STS", WARN, f"max_age {p.max_age} s",
                            "a policy that expires in less than a day gives senders little "
                            "protection between fetches", "RFC 8461 §3.2",
                            "raise max_age to 604800 or more", curl))
    if p.mode != "none" and mx_hosts:
        unmatched = [h for h in mx_hosts if not p.matches(h)]
        unused = [pat for pat in p.mx if not any(mx_matches(pat, h) for h in mx_hosts)]
        evidence = tuple(f"{h}: {'allowed' if p.matches(h) else 'NOT allowed'}" for h in mx_hosts)
        if unmatched:
            status = FAIL if p.mode == "enforce" else WARN
            checks.append(Check("mta-sts-mx", "MTA-STS", status,
                                f"MX not allowed by the policy: {', '.join(unmatched)}",
                                "senders enforcing the policy refuse these hosts; a '*.' "
                                "pattern covers exactly one label", "RFC 8461 §4.1",
                                "list every MX host in the policy (and change the id)",
                                curl, evidence))
        elif unused:
            checks.append(Check("mta-sts-mx", "MTA-STS", WARN,
                                f"policy entries that match no MX: {', '.join(unused)}",
                                "stale entries allow hosts you no longer run",
                                "RFC 8461 §4.1", "remove them (and change the id)", curl,
                                evidence))
        else:
            checks.append(Check("mta-sts-mx", "MTA-STS", OK, "every MX is allowed by the policy",
                                "", "RFC 8461 §4.1", "", curl, evidence))
    if previous is not None and previous.sts_id is not None:
        if previous.sts_id == s.record.id and previous.sts_policy != policy_text:
            checks.append(Check("mta-sts-id", "MTA-STS", FAIL,
                                "the policy changed but its id did not",
                                f"id {s.record.id} is the same as in the previous inspection, "
                                "so senders with a cached policy never fetch the new one",
                                "RFC 8461 §3.1", "publish a new id in the TXT record whenever "
                                "the policy changes", dig,
                                ("before: " + (previous.sts_policy or "").replace("\n", "; "),
                                 "now:    " + (policy_text or "").replace("\n", "; "))))
        elif previous.sts_id != s.record.id:
            checks.append(Check("mta-sts-id", "MTA-STS", INFO,
                                f"new policy id (was {previous.sts_id})",
                                "senders will fetch the policy again", "RFC 8461 §3.1", "", dig))
        else:
            checks.append(Check("mta-sts-id", "MTA-STS", OK, "same id, same policy as before",
                                "", "RFC 8461 §3.1", "", dig))
    return checks


# -- TLS-RPT ---------------------------------------------------------------------------------

def parse_tlsrpt(texts):
    """(the record, None) or (None, why it is not valid), by ``helpers.tlsrpt`` (RFC 8460 §3)."""
    try:
        return tlsrpt.parse_record(list(texts)), None
    except tlsrpt.TlsRptError as e:
        return None, str(e)


def tlsrpt_check(domain: str, r: RptFacts, policy_published: bool, cmd: Commands) -> Check:
    """The ``_smtp._tls`` record (RFC 8460 §3): how the domain hears of failures."""
    name = f"_smtp._tls.{domain}"
    dig = cmd.dig(name, "TXT")
    if r.error:
        return Check("tlsrpt", "TLS-RPT", FAIL, "the TLS-RPT lookup failed", r.error,
                     "RFC 8460 §3", "", dig)
    record, problem = parse_tlsrpt(r.txt)
    if record is not None:
        where = ", ".join(record.rua)
        if record.warnings:
            return Check("tlsrpt", "TLS-RPT", WARN, "TLS-RPT record published, with problems",
                         "; ".join(record.warnings), "RFC 8460 §3",
                         "fix what the warnings name", dig, r.txt)
        return Check("tlsrpt", "TLS-RPT", OK, "TLS-RPT record published",
                     f"senders send daily reports of TLS successes and failures to {where}",
                     "RFC 8460 §3", "", dig, r.txt)
    if r.txt and any(t.lower().startswith("v=tlsrpt") for t in r.txt):
        return Check("tlsrpt", "TLS-RPT", FAIL, "the TLS-RPT record is invalid", problem,
                     "RFC 8460 §3", f"publish '{name} TXT \"v=TLSRPTv1; "
                     f"rua=mailto:tlsrpt@{domain}\"'", dig, r.txt)
    return Check("tlsrpt", "TLS-RPT", WARN if policy_published else INFO, "no TLS-RPT record",
                 "with a policy published, failures (an attack, an expired certificate) go "
                 "unseen without reports" if policy_published else
                 "reports matter most once MTA-STS or DANE is published", "RFC 8460 §3",
                 f"publish '{name} TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@{domain}\"'", dig)
