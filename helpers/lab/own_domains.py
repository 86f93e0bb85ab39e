"""A domain of your own in the lab (notebook 05): deploy, renew, move.

:class:`OwnDomains` holds the :class:`~helpers.lab.Lab` methods that deploy a
record set from :func:`helpers.publish.generate` as a new lab domain
(``add_domain``: its signed or unsigned zone, MX receivers, MTA-STS policy
host, RFC 8461 §3), give a certificate from the lab's CA to its hosts
(``issue_certificate``, what TLSA records are computed from, RFC 6698 §2.1),
and change it as operators do: a renewal with a new key that leaves the TLSA
records behind (``renew_key``, RFC 7671 §8.1), a new MX host that the policy
does not list (``move_mx``, RFC 8461 §4.1). ``reset()`` removes the added
domains (``_remove_added``).
"""

from __future__ import annotations

from dataclasses import replace

import dns.exception

from .loop import LabError
from .pki import Issued, server_cert, server_context
from .scenarios import LAB_ADDRESS, MX, Scenario


class OwnDomains:
    """The :class:`~helpers.lab.Lab` methods for domains of the learner's own."""

    def issue_certificate(self, host: str, key: str | None = None) -> Issued:
        """A certificate from the lab's issuing CA for ``host``, with the lab key
        labelled ``key`` (default: the host name): what an MX host added with
        :meth:`add_domain` serves, and what TLSA records are computed from."""
        return server_cert(self.pki, host.rstrip(".").lower(), "valid", key, self.key_kind)

    def add_domain(self, records, *, signed: bool = True, keys: dict | None = None,
                   starttls: str = "optional") -> Scenario:
        """Deploy a record set from :func:`helpers.publish.generate` as a new lab
        domain: its zone (DNSSEC-signed, with a DS in the lab root, or not),
        every record of the set, an SMTP receiver per MX host serving the
        certificate of lab key ``keys[host]`` (default: the host name, as
        :meth:`issue_certificate`), and ``mta-sts.<domain>`` serving the set's
        policy file. MX hosts must be inside the domain. ``reset()`` removes it.
        A set that DNS software would refuse is a LabError naming the record and
        the rule, and changes nothing."""
        from ..publish import PublishError, RecordSet, check_records

        self._require_running()
        if not isinstance(records, RecordSet):
            raise LabError("add_domain takes the RecordSet that helpers.publish.generate "
                           f"returns, not {type(records).__name__}")
        try:
            check_records(records.records)
            records.mx  # each MX record's preference and host
        except (PublishError, ValueError, IndexError) as e:
            raise LabError(f"nothing changed: {e}") from None
        domain = records.domain.rstrip(".").lower()
        if domain in self.scenarios:
            # Re-running a notebook's deploy cell lands here: say how to start over.
            raise LabError(f"{domain} is already a lab domain: lab.reset() removes the domains "
                           "that add_domain added (the lab's own scenarios stay), then add "
                           "it again")
        keys = {k.rstrip(".").lower(): v for k, v in (keys or {}).items()}
        mx = []
        for preference, host in records.mx:
            if not host.endswith("." + domain):
                raise LabError(f"MX host {host} is outside {domain}: the lab serves an added "
                               "domain's MX hosts from its own zone")
            if host in self.receivers:
                raise LabError(f"{host} is already a lab MX host")
            mx.append(MX(host, preference, starttls=starttls, key=keys.get(host)))
        s = Scenario(domain, "your design, deployed with lab.add_domain", tuple(mx),
                     signed=signed, policy=records.policy)
        extra = [r for r in records.records if r[1] != "MX"]
        if self.standard_ports:
            self._plan([s])
        try:
            self.zones.add(s, extra)
        except (ValueError, dns.exception.DNSException) as e:
            self.zones.remove(domain)  # whatever part of it was published
            raise LabError(f"nothing changed: {domain} cannot be served: {e}") from None
        self.scenarios[domain] = s
        self._added.add(domain)
        self._call(self._serve_scenario(s))
        return s

    def renew_key(self, host: str, key: str) -> Issued:
        """MX ``host`` of an added domain now serves a certificate for the lab key
        labelled ``key`` (a renewal with a new key); DNS is left as it was, as an
        operator who forgets the TLSA records would."""
        self._require_running()
        host = host.rstrip(".").lower()
        s = next((self.scenarios[d] for d in self._added
                  if any(m.host == host for m in self.scenarios[d].mx)), None)
        if s is None:
            raise LabError(f"{host} is not an MX host of a domain added with add_domain")
        s = replace(s, mx=tuple(replace(m, key=key) if m.host == host else m for m in s.mx))
        self.scenarios[s.domain] = s
        issued = self.issue_certificate(host, key)
        self.receivers[host].context = server_context(issued, self.directory, host)
        return issued

    def move_mx(self, domain: str, old: str, new: str, key: str | None = None) -> Scenario:
        """In an added domain, replace MX host ``old`` by a new host ``new`` (a
        receiver with a lab certificate for it, its address, the MX record),
        leaving the TLSA records, the MTA-STS policy and its id as they were."""
        self._require_running()
        domain = domain.rstrip(".").lower()
        old, new = old.rstrip(".").lower(), new.rstrip(".").lower()
        if domain not in self._added:
            raise LabError(f"{domain} was not added with add_domain")
        s = self.scenarios[domain]
        if not any(m.host == old for m in s.mx):
            raise LabError(f"{old} is not an MX host of {domain}")
        if not new.endswith("." + domain) or new in self.receivers:
            raise LabError(f"{new} must be a new host name inside {domain}")
        s = replace(s, mx=tuple(replace(m, host=new, key=key) if m.host == old else m
                                for m in s.mx))
        self.scenarios[domain] = s
        if self.standard_ports:
            self._plan([s])
        self._call(self._serve_scenario(s))
        self.zones.set(domain, new, "A", [self.addresses.get(new, LAB_ADDRESS)])
        self.zones.set(domain, domain, "MX", [f"{m.preference} {m.host}." for m in s.mx])
        return s

    def _remove_added(self) -> None:
        for domain in sorted(self._added):
            s = self.scenarios.pop(domain)
            hosts = [m.host for m in s.mx] + [h for h in self.receivers
                                              if h.endswith("." + domain)]
            for host in dict.fromkeys(hosts):
                receiver = self.receivers.pop(host, None)
                if receiver is not None:
                    self._call(receiver.stop())
                self._routes.pop(host, None)
                self._release(host)
                self._swapped_certs.discard(host)  # gone: nothing to restore
            self.https.sites.pop(s.policy_hostname, None)
            self._routes.pop(s.policy_hostname, None)
            self._release(s.policy_hostname)
            self.zones.remove(domain)
        self._added.clear()
