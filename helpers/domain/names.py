"""What the inspector accepts as a domain name, and how it is normalised.

A mail domain is an LDH name of two labels or more (RFC 1035 §2.3.1, RFC 5321
§2.3.5); an address gives its domain; an internationalised name is converted
with IDNA 2008 and the UTS #46 mapping (RFC 5891, RFC 5895), as mail software
and browsers do; an IP address is refused, since mail security is published
per domain.
"""

from __future__ import annotations

import ipaddress
import re

import idna

#: A domain name as RFC 1035 §2.3.1 and RFC 5321 §2.3.5 allow for mail (LDH labels).
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


class NotADomain(ValueError):
    """The text is not a domain name; the message says why."""


def normalize(text: str) -> str:
    """``text`` as a lower-case domain name without a trailing dot; an address
    (``alice@example.com``) gives its domain. NotADomain otherwise."""
    if not isinstance(text, str):
        raise NotADomain(f"a domain name is text, not {type(text).__name__}")
    name = text.strip()
    if "@" in name:
        name = name.rpartition("@")[2]
    name = name.rstrip(".")
    if not name:
        raise NotADomain("the domain name is empty")
    try:
        ipaddress.ip_address(name.strip("[]").removeprefix("IPv6:"))
    except ValueError:
        pass
    else:
        raise NotADomain(f"{text!r} is an IP address, not a domain name: mail security is "
                         "published per domain (MX, MTA-STS, TLSA), so name the domain "
                         "(RFC 5321 §2.3.5)")
    if not name.isascii():
        try:
            # IDNA 2008 with the UTS #46 mapping, as browsers and mail software do
            # (RFC 5891, RFC 5895); Python's "idna" codec is IDNA 2003, which maps
            # straße.de to strasse.de: another domain.
            name = idna.encode(name, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            raise NotADomain(f"{text!r} is not a valid internationalised domain name "
                             "(RFC 5891 §4)") from None
    name = name.lower()
    if len(name) > 253:
        raise NotADomain(f"{text!r} is longer than 253 characters (RFC 1035 §2.3.4)")
    labels = name.split(".")
    bad = [label for label in labels if not _LABEL.fullmatch(label)]
    if bad:
        raise NotADomain(f"{text!r} is not a domain name: the label {bad[0]!r} must be 1 to "
                         "63 letters, digits or hyphens, not starting or ending with a "
                         "hyphen (RFC 1035 §2.3.1)")
    if len(labels) < 2:
        raise NotADomain(f"{text!r} is a single label: a mail domain has at least two, "
                         "like example.com (RFC 5321 §2.3.5)")
    return name
