"""TLS-RPT (RFC 8460): where reports go, what they say, and how they travel.

Pure logic: :func:`parse_record` (§3); :func:`parse_report` and
:meth:`Report.to_json` (§4); :func:`build_report` from a sender's sessions and
failures (§4.3).
Over a :class:`~helpers.net.Network`: :func:`lookup_record` (§3) and
:func:`send_report` (§5.3 by mail, §5.4 by HTTPS POST).
"""

from .build import build_report, period, sts_policy_strings
from .lookup import lookup_record, record_name
from .record import Record, TlsRptError, parse_record
from .report import (POLICY_TYPES, RESULT_TYPES, Failure, PolicyReport, Report, parse_report,
                     report_from_dict)
from .send import Sent, report_email, send_report

__all__ = ["TlsRptError", "Record", "parse_record", "lookup_record", "record_name",
           "Report", "PolicyReport", "Failure", "parse_report", "report_from_dict",
           "POLICY_TYPES", "RESULT_TYPES", "build_report", "period", "sts_policy_strings",
           "Sent", "report_email", "send_report"]
