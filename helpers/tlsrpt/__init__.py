"""TLS-RPT (RFC 8460): where reports go, what they say, and how they travel.

Pure logic: :func:`parse_record` (§3); :func:`parse_report` and
:meth:`Report.to_json` (§4); :func:`build_report` from a sender's sessions and
failures (§4.3); :func:`aggregate` over many reports.
Over a :class:`~helpers.net.Network`: :func:`lookup_record` (§3) and
:func:`send_report` (§5.3 by mail, §5.4 by HTTPS POST); in the lab,
:func:`simulate_week` and :func:`collect` (reports from the ``rua`` mailbox,
DKIM-checked as §3 requires: :mod:`helpers.tlsrpt.dkim`, :func:`screen`).
"""

from .aggregate import Aggregate, Row, aggregate
from .build import build_report, period, sts_policy_strings
from .lookup import lookup_record, record_name
from .record import Record, TlsRptError, parse_record
from .report import (POLICY_TYPES, RESULT_TYPES, Failure, PolicyReport, Report, parse_report,
                     report_from_dict)
from .samples import sample_path
from .send import Sent, report_email, send_report
from .dkim import Verdict
from .week import SENDERS, Day, SendingOrg, Week, collect, screen, simulate_week

__all__ = ["TlsRptError", "Record", "parse_record", "lookup_record", "record_name",
           "Report", "PolicyReport", "Failure", "parse_report", "report_from_dict",
           "POLICY_TYPES", "RESULT_TYPES", "build_report", "period", "sts_policy_strings",
           "Sent", "report_email", "send_report", "Aggregate", "Row", "aggregate",
           "SENDERS", "SendingOrg", "Day", "Week", "simulate_week", "collect", "screen", "Verdict",
           "sample_path"]
