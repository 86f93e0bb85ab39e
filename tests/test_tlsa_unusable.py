"""A signed TLSA set whose records are all unusable still makes TLS mandatory.

Issue 18 item 2 (security). dnspython refuses a ``3 1 1`` record whose digest
is not 32 bytes, and a SHA-512 digest under matching type 1 (an easy operator
slip). Such a record used to vanish, so the set read as "no TLSA records" and
the ``dane`` and ``auto`` senders fell back to opportunistic TLS: through a
STARTTLS-stripping attacker they delivered in the clear. RFC 7672 §2.2 and
§3.1.3 (and RFC 7671 §4): a secure, non-empty TLSA RRset, even one whose
records are all unusable, means the server supports STARTTLS, so the sender
requires it (unauthenticated) and defers when it is stripped. ``delv`` agrees
that the set is validly signed, so the difference is only in how it is read.
"""

from __future__ import annotations

import pytest
from conftest import delv, delv_verdict

from helpers import domain
from helpers.dane import lookup_tlsa
from helpers.dane.action import DEFER, sender_action
from helpers.dane.tlsa import TLSA
from helpers.dnssec import BOGUS, SECURE
from helpers.domain import WARN
from helpers.sender import DEFERRED, UNVERIFIED, Sender

DOMAIN = "dane-only.example"
MX = "mx.dane-only.example"
TLSA_NAME = f"_25._tcp.{MX}"
MESSAGE = "Subject: issue 18\r\n\r\nThe vault code is 4711.\r\n"

#: Records dnspython refuses, in RFC 3597 form (usage 3, selector 1, matching type 1).
UNUSABLE_SETS = {
    "31-byte SHA-256 digest": [r"\# 34 030101" + "ab" * 31],
    "SHA-512 digest under matching type 1": [r"\# 67 030101" + "cd" * 64],
    "record too short to hold data": [r"\# 3 030101"],
}


def publish(lab, values):
    """The zone itself signs the set (the operator's slip, not a forgery)."""
    lab.forge_records(DOMAIN, TLSA_NAME, "TLSA", values, signed_with=DOMAIN)


@pytest.mark.parametrize("case", UNUSABLE_SETS)
def test_an_unusable_set_is_not_no_tlsa(lab, case):
    """RFC 7672 §2.2: the set exists and is secure; RFC 7672 §3.1.3 / RFC 6698
    §2.1.3: a digest of the wrong length can never match, so it is unusable."""
    publish(lab, UNUSABLE_SETS[case])
    found = lookup_tlsa(MX, lab.net)
    assert found.status == SECURE and found.exists, found
    assert not any(r.usable for r in found.records), found
    assert "none is usable" in found.reason and "TLS is still mandatory" in found.reason
    assert all("can never match" in r.unusable_reason for r in found.records)
    assert len(found.records) + found.unreadable == 1


@pytest.mark.parametrize("policy", ["dane", "auto"])
@pytest.mark.parametrize("case", UNUSABLE_SETS)
def test_senders_require_starttls_and_defer_when_it_is_stripped(lab, case, policy):
    """RFC 7672 §2.2, §3.1.3: TLS is mandatory; without STARTTLS the sender defers,
    and the stripping attacker never sees the message."""
    publish(lab, UNUSABLE_SETS[case])
    attacker = lab.attack(MX, "strip")
    outcome = Sender(lab.net, policy).send(MESSAGE, f"bob@{DOMAIN}")
    assert outcome.status == DEFERRED, outcome
    assert not attacker.saw("vault code")
    assert not lab.mailbox.for_host(MX)


def test_without_an_attacker_the_mail_goes_encrypted_unauthenticated(lab):
    """RFC 7672 §3.1.3: encrypted, any certificate accepted (nothing to check it against)."""
    publish(lab, UNUSABLE_SETS["31-byte SHA-256 digest"])
    outcome = Sender(lab.net, "dane").send(MESSAGE, f"bob@{DOMAIN}")
    assert outcome.status == UNVERIFIED, outcome
    assert len(lab.mailbox.for_host(MX)) == 1


def test_the_inspector_says_the_records_exist_but_none_is_usable(lab):
    publish(lab, UNUSABLE_SETS["SHA-512 digest under matching type 1"])
    check = domain.inspect(DOMAIN, lab.net, smtp=False).check(f"tlsa:{MX}")
    assert check.status == WARN, check
    assert "TLSA records exist but none is usable" in check.title
    assert "DANE is not used" not in check.title
    assert "64" in check.detail  # the wrong digest length is named


def test_a_too_short_record_still_counts_as_a_record():
    """RFC 6698 §2.1: three one-byte fields and the data; fewer bytes is no record
    we can show, but the set it is in is still not empty (checked in lookup)."""
    with pytest.raises(ValueError, match="no certificate association data"):
        TLSA.from_wire(b"\x03\x01\x01")
    assert not TLSA.from_wire(bytes([3, 1, 1]) + b"\xab" * 31).usable


@pytest.mark.tools
@pytest.mark.parametrize("case", UNUSABLE_SETS)
def test_delv_never_reads_the_set_as_absent(lab, case):
    """delv validates the signed set (RFC 4035 §5.3) where it can parse it. A
    record of 3 bytes BIND's parser refuses ("unexpected end of input"), so
    delv fails the whole lookup: it differs from the course's reading (present,
    unusable: TLS without authentication), but neither says "no TLSA"."""
    publish(lab, UNUSABLE_SETS[case])
    text = delv(lab, "TLSA", TLSA_NAME)
    expected = BOGUS if case == "record too short to hold data" else SECURE
    assert delv_verdict(text) == expected, text


def test_sender_action_keeps_starttls_mandatory_for_an_unreadable_set(lab):
    """RFC 7672 §2.2: even a set whose only record cannot be read is a TLSA set,
    so an MX without STARTTLS is deferred, not "no DANE"."""
    publish(lab, UNUSABLE_SETS["record too short to hold data"])
    found = lookup_tlsa(MX, lab.net)
    assert found.exists and found.unreadable == 1 and not found.records, found
    assert sender_action(found, starttls=False).action == DEFER
