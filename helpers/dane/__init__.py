"""DANE for SMTP (RFC 6698, 7671, 7672, 7218): TLSA records, chain matching,
DNSSEC outcomes and the sender's decision.

Pure logic: :class:`TLSA` (parse, from_cert, mnemonics), :func:`verify_chain`,
:func:`sender_action`. Over a :class:`~helpers.net.Network`:
:func:`lookup_tlsa`.
"""

from .action import (AUTHENTICATED, DEFER, ENCRYPTED_ONLY, NO_DANE, SenderAction,
                     sender_action)
from .lookup import TlsaLookup, lookup_tlsa
from .renewal import RenewalTable, renewal_table
from .tlsa import (MATCHING_TYPES, SELECTORS, TLSA, USAGES, DaneError, association_data,
                   load_certificate, spki)
from .verify import DaneResult, name_matches, verify_chain

__all__ = ["TLSA", "DaneError", "DaneResult", "TlsaLookup", "SenderAction", "verify_chain",
           "lookup_tlsa", "sender_action", "association_data", "load_certificate", "spki",
           "name_matches", "USAGES", "SELECTORS", "MATCHING_TYPES", "AUTHENTICATED",
           "ENCRYPTED_ONLY", "NO_DANE", "DEFER", "renewal_table", "RenewalTable"]
