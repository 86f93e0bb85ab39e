"""TLS-RPT (RFC 8460): where reports go, what they say, and how they travel.

Pure logic: :func:`parse_record` (§3).
Over a :class:`~helpers.net.Network`: :func:`lookup_record`.
"""

from .lookup import lookup_record, record_name
from .record import Record, TlsRptError, parse_record

__all__ = ["TlsRptError", "Record", "parse_record", "lookup_record", "record_name"]
