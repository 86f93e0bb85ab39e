"""MTA-STS (RFC 8461): records, policies, MX matching, fetching, caching.

Pure logic: :func:`parse_txt` (§3.1), :func:`parse_policy` (§3.2),
:func:`mx_matches` (§4.1), :class:`PolicyCache` (§5.1), :func:`apply` (§5).
Over a :class:`~helpers.net.Network`: :func:`lookup_record`, :func:`fetch_policy`
(§3.3), :func:`discover`.
"""

from .apply import Verdict, apply
from .cache import Decision, ManualClock, PolicyCache
from .fetch import (Discovery, FetchError, discover, fetch_policy, lookup_record,
                    mx_hosts)
from .parse import MAX_AGE_LIMIT, MtaStsError, Policy, StsRecord, mx_matches, parse_policy, parse_txt

__all__ = ["MtaStsError", "FetchError", "StsRecord", "Policy", "parse_txt", "parse_policy",
           "mx_matches", "PolicyCache", "ManualClock", "Decision", "lookup_record",
           "fetch_policy", "discover", "Discovery", "mx_hosts", "apply", "Verdict",
           "MAX_AGE_LIMIT"]
