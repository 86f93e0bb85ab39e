"""The aggregate report (RFC 8460 §4): read it, whatever wrapping it came in,
and write it back as §4 JSON. Pure logic.

:func:`parse_report` takes the JSON (text or bytes), the gzip-compressed JSON
(``application/tlsrpt+gzip``, §5.3) or a whole RFC 5322 email
(``multipart/report; report-type=tlsrpt``) with the report attached. It accepts
what RFC 8460 allows and the shapes large providers send (field-name variants,
empty strings for absent optional fields, ``mx-host`` as a string or a list)
and says in ``Report.notes`` which variants it saw; anything else is a
:class:`TlsRptError` naming the JSON path (or MIME part) and the rule.
"""

from __future__ import annotations

import email
import email.policy
import gzip
import hashlib
import html
import io
import ipaddress
import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..safetext import visible
from .record import TlsRptError

POLICY_TYPES = ("sts", "tlsa", "no-policy-found")  # §4.3
RESULT_TYPES = (  # §4.3.1-4.3.3, the IANA registry of §6.6
    "starttls-not-supported", "certificate-host-mismatch", "certificate-expired",
    "certificate-not-trusted", "validation-failure", "tlsa-invalid", "dnssec-invalid",
    "dane-required", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid")
MEDIA_GZIP, MEDIA_JSON = "application/tlsrpt+gzip", "application/tlsrpt+json"  # §6.4, §6.5
MAX_REPORT_BYTES = 20 * 1024 * 1024  # a bound on inflated reports: no gzip bombs
#: MIME nesting read in a report email: §5.3's multipart/report is one level;
#: deeper nesting is refused before it can exhaust the stack.
MAX_MIME_DEPTH = 8
#: Session counts above this are not interoperable JSON numbers (RFC 7493 §2.2,
#: IEEE 754 doubles), and cannot be summed or drawn exactly.
MAX_COUNT = 2 ** 53 - 1

# Field names as the §4.4 schema writes them, and the variants accepted for each:
# the §4.3 prose and providers' reports do not always agree with the schema.
_VARIANTS = {
    "mx-host": ("mx-host", "mx-host-pattern"),
    "additional-information": ("additional-information", "additional-info-uri"),
    "failure-reason-code": ("failure-reason-code", "failure-error-code"),
}


@dataclass(frozen=True)
class Failure:
    """One ``failure-details`` entry (§4.3): a result type, how many sessions,
    and, when the sender says, where it happened."""

    result_type: str
    count: int
    sending_mta_ip: str | None = None
    receiving_mx_hostname: str | None = None
    receiving_mx_helo: str | None = None
    receiving_ip: str | None = None
    additional_information: str | None = None
    failure_reason_code: str | None = None

    def __str__(self) -> str:
        where = " ".join(f"{k}={v}" for k, v in (
            ("mx", self.receiving_mx_hostname), ("from", self.sending_mta_ip),
            ("to", self.receiving_ip), ("code", self.failure_reason_code)) if v)
        # Every field came from the report's sender: shown with control and bidi
        # characters escaped (the stored data keeps them as they were).
        return visible(f"{self.count} x {self.result_type}" + (f" ({where})" if where else ""))


@dataclass(frozen=True)
class PolicyReport:
    """One ``policies`` entry: the policy applied (§4.3 ``policy``), its
    session counts (``summary``) and the failures (``failure-details``)."""

    policy_type: str
    domain: str
    policy_strings: tuple[str, ...] = ()
    mx_hosts: tuple[str, ...] = ()
    successful: int = 0
    failed: int = 0
    failures: tuple[Failure, ...] = ()

    @property
    def failure_rate(self) -> float:
        total = self.successful + self.failed
        return self.failed / total if total else 0.0

    def __str__(self) -> str:
        lines = [f"{visible(self.policy_type)} policy of {visible(self.domain)}: "
                 f"{self.successful} successful, {self.failed} failed sessions"]
        lines += [f"  {f}" for f in self.failures]
        return "\n".join(lines)


@dataclass(frozen=True)
class Report:
    """An aggregate TLS report (§4): who sent it, for which period, and what
    each policy's sessions did. ``notes`` (not part of equality) say which
    variants and unknown fields the parser met."""

    organization: str
    start: datetime
    end: datetime
    contact: str
    report_id: str
    policies: tuple[PolicyReport, ...]
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def successful(self) -> int:
        return sum(p.successful for p in self.policies)

    @property
    def failed(self) -> int:
        return sum(p.failed for p in self.policies)

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.domain for p in self.policies))

    def to_dict(self) -> dict:
        """The report as §4.4 JSON data, with the schema's field names; absent
        optional fields are left out."""
        def failure(f: Failure) -> dict:
            d = {"result-type": f.result_type}
            for key, value in (("sending-mta-ip", f.sending_mta_ip),
                               ("receiving-mx-hostname", f.receiving_mx_hostname),
                               ("receiving-mx-helo", f.receiving_mx_helo),
                               ("receiving-ip", f.receiving_ip)):
                if value is not None:
                    d[key] = value
            d["failed-session-count"] = f.count
            if f.additional_information is not None:
                d["additional-information"] = f.additional_information
            if f.failure_reason_code is not None:
                d["failure-reason-code"] = f.failure_reason_code
            return d

        def policy(p: PolicyReport) -> dict:
            pol = {"policy-type": p.policy_type}
            if p.policy_strings:
                pol["policy-string"] = list(p.policy_strings)
            pol["policy-domain"] = p.domain
            if p.mx_hosts:
                pol["mx-host"] = list(p.mx_hosts)
            d = {"policy": pol, "summary": {"total-successful-session-count": p.successful,
                                            "total-failure-session-count": p.failed}}
            if p.failures:
                d["failure-details"] = [failure(f) for f in p.failures]
            return d

        return {"organization-name": self.organization,
                "date-range": {"start-datetime": _datetime_text(self.start),
                               "end-datetime": _datetime_text(self.end)},
                "contact-info": self.contact,
                "report-id": self.report_id,
                "policies": [policy(p) for p in self.policies]}

    def to_json(self, indent: int | None = 2) -> str:
        """RFC 8460 §4 JSON; ``parse_report(r.to_json()) == r``."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_gzip(self) -> bytes:
        """The ``application/tlsrpt+gzip`` body (§5.3); mtime 0, so the bytes
        depend only on the report."""
        return gzip.compress(self.to_json(indent=None).encode("utf-8"), mtime=0)

    def filename(self, submitter: str | None = None, *, gz: bool = True) -> str:
        """§5.3's file name: ``sender!policy-domain!begin!end!unique-id.json[.gz]``
        with the dates as seconds since the epoch. ``submitter`` is the sending
        domain (default: the organisation's name); only ASCII letters, digits,
        '-', '_' and '.' are kept. The unique-id is a short digest of the report-id."""
        submitter = "".join(c for c in (submitter or self.organization)
                            if c.isascii() and (c.isalnum() or c in "-_.")) or "unknown"
        domain = self.domains[0] if self.domains else "none"
        # A short unique-id keeps the name readable whatever the report-id looks like.
        unique = hashlib.sha256(self.report_id.encode("utf-8", "replace")).hexdigest()[:8]
        name = f"{submitter}!{domain}!{int(self.start.timestamp())}!{int(self.end.timestamp())}"
        return f"{name}!{unique}" + (".json.gz" if gz else ".json")

    def __str__(self) -> str:
        lines = [f"TLS report {visible(self.report_id)} from {visible(self.organization)} "
                 f"({visible(self.contact)})",
                 f"  {_datetime_text(self.start)} to {_datetime_text(self.end)}: "
                 f"{self.successful} successful, {self.failed} failed sessions"]
        for p in self.policies:
            lines.append("  " + str(p).replace("\n", "\n  "))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        def e(text: str) -> str:  # from the report's sender: escaped twice over
            return html.escape(visible(text))

        rows = []
        for p in self.policies:
            details = "<br>".join(e(str(f)) for f in p.failures) or "-"
            rows.append(f"<tr><td>{e(p.policy_type)}</td><td><code>{e(p.domain)}</code></td>"
                        f"<td>{p.successful}</td><td>{p.failed}</td>"
                        f'<td style="text-align:left">{details}</td></tr>')
        return (f"<p><b>TLS report</b> <code>{e(self.report_id)}</code> from "
                f"<b>{e(self.organization)}</b> ({e(self.contact)}), "
                f"{e(_datetime_text(self.start))} to {e(_datetime_text(self.end))}</p>"
                "<table><tr><th>policy</th><th>domain</th><th>successful</th><th>failed</th>"
                f"<th>failure details</th></tr>{''.join(rows)}</table>")


def _datetime_text(when: datetime) -> str:
    text = when.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


# -- reading the JSON ------------------------------------------------------------------


class _Reader:
    """Walks the JSON keeping the path, so each error says where it is."""

    def __init__(self):
        self.notes: list[str] = []

    def fail(self, where: str, message: str, rule: str = "§4.4"):
        raise TlsRptError(message, rule=rule, where=where)

    def obj(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"must be a JSON object, not {_kind(value)}")
        return value

    def pick(self, d: dict, name: str, where: str):
        """The value of ``name`` or of an accepted variant of it (noted)."""
        for variant in _VARIANTS.get(name, (name,)):
            if variant in d:
                if variant != name:
                    self._note(f"{where}: '{variant}' read as '{name}'")
                return d[variant]
        return None

    def _note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)

    def unknown(self, d: dict, known: tuple[str, ...], where: str) -> None:
        accepted = {v for k in known for v in _VARIANTS.get(k, (k,))}
        for key in d:
            if key not in accepted:
                self._note(f"{where}: unknown field {key!r} ignored")

    def text(self, d: dict, name: str, where: str, *, required: bool = False,
             rule: str = "§4.4") -> str | None:
        value = self.pick(d, name, where)
        path = f"{where}.{name}" if where else name
        if value is None:
            if required:
                self.fail(path, "is required but missing", rule)
            return None
        if not isinstance(value, str):
            self.fail(path, f"must be a string, not {_kind(value)}", rule)
        if value == "" and not required:
            return None  # providers send "" for an absent optional field
        return value

    def count(self, d: dict, name: str, where: str, rule: str) -> int:
        value = d.get(name)
        path = f"{where}.{name}"
        if value is None:
            self.fail(path, "is required but missing", rule)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, f"must be a whole number, not {_kind(value)}", rule)
        if value < 0:
            self.fail(path, f"must not be negative ({value})", rule)
        if value > MAX_COUNT:
            self.fail(path, f"a {value.bit_length()}-bit number is more than {MAX_COUNT} (2^53 - 1), the largest "
                      "count JSON carries exactly (RFC 7493 §2.2)", rule)
        return value

    def strings(self, d: dict, name: str, where: str) -> tuple[str, ...]:
        value = self.pick(d, name, where)
        path = f"{where}.{name}"
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            self._note(f"{path}: a string where the schema has a list")
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(path, f"must be a list of strings, not {_kind(value)}", "§4.4")
        return tuple(v for v in value if v != "")

    def when(self, d: dict, name: str, where: str) -> datetime:
        text = self.text(d, name, where, required=True, rule="§4.4")
        path = f"{where}.{name}"
        try:
            value = datetime.fromisoformat(text.strip())
        except (ValueError, OverflowError):
            self.fail(path, f"{text[:80]!r} is not an RFC 3339 date-time", "§4.4")
        if value.tzinfo is None:
            self.fail(path, f"{text[:80]!r} has no time zone: RFC 3339 date-times carry one "
                      "(Z for UTC)", "§4.4")
        try:
            return value.astimezone(timezone.utc)
        except OverflowError:  # 0001-01-01T00:00+01:00 is in year 0 in UTC
            self.fail(path, f"{text[:80]!r} is outside the years 1 to 9999 once converted "
                      "to UTC (RFC 3339 §5.6 date-time)", "§4.4")

    def ip(self, d: dict, name: str, where: str) -> str | None:
        value = self.text(d, name, where, rule="§4.4")
        if value is not None:
            try:
                ipaddress.ip_address(value.strip())
            except ValueError:
                self.fail(f"{where}.{name}", f"{value!r} is not an IP address", "§4.4")
            value = value.strip()
        return value


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "?")


def _failure(r: _Reader, value, where: str) -> Failure:
    d = r.obj(value, where)
    r.unknown(d, ("result-type", "sending-mta-ip", "receiving-mx-hostname", "receiving-mx-helo",
                  "receiving-ip", "failed-session-count", "additional-information",
                  "failure-reason-code"), where)
    result = r.text(d, "result-type", where, required=True, rule="§4.3")
    if result not in RESULT_TYPES:
        # §6.6: new result types can be registered; keep it, but say so.
        if not result or any(c.isspace() for c in result):
            r.fail(f"{where}.result-type", f"{result!r} is not a result type", "§4.3")
        r._note(f"{where}.result-type: {result!r} is not in RFC 8460's list")
    return Failure(
        result_type=result,
        count=r.count(d, "failed-session-count", where, "§4.4"),
        sending_mta_ip=r.ip(d, "sending-mta-ip", where),
        receiving_mx_hostname=r.text(d, "receiving-mx-hostname", where, rule="§4.4"),
        receiving_mx_helo=r.text(d, "receiving-mx-helo", where, rule="§4.4"),
        receiving_ip=r.ip(d, "receiving-ip", where),
        additional_information=r.text(d, "additional-information", where, rule="§4.4"),
        failure_reason_code=r.text(d, "failure-reason-code", where, rule="§4.4"),
    )


def _policy(r: _Reader, value, where: str) -> PolicyReport:
    d = r.obj(value, where)
    r.unknown(d, ("policy", "summary", "failure-details"), where)
    pw, sw = f"{where}.policy", f"{where}.summary"
    if "policy" not in d:
        r.fail(pw, "is required but missing", "§4.4")
    if "summary" not in d:
        r.fail(sw, "is required but missing", "§4.4")
    pol, summary = r.obj(d["policy"], pw), r.obj(d["summary"], sw)
    r.unknown(pol, ("policy-type", "policy-string", "policy-domain", "mx-host"), pw)
    r.unknown(summary, ("total-successful-session-count", "total-failure-session-count"), sw)
    ptype = r.text(pol, "policy-type", pw, required=True, rule="§4.4")
    if ptype not in POLICY_TYPES:
        r.fail(f"{pw}.policy-type", f"{ptype!r} is not one of {', '.join(POLICY_TYPES)}",
               "§4.4")
    domain = r.text(pol, "policy-domain", pw, required=True, rule="§4.4")
    if not domain.strip():
        r.fail(f"{pw}.policy-domain", "must name a domain", "§4.4")
    details = d.get("failure-details")
    if details is None or details == "":
        details = []
    if not isinstance(details, list):
        r.fail(f"{where}.failure-details", f"must be a list, not {_kind(details)}", "§4.4")
    failures = tuple(_failure(r, f, f"{where}.failure-details[{i}]")
                     for i, f in enumerate(details))
    return PolicyReport(
        policy_type=ptype,
        domain=domain.strip().rstrip(".").lower(),
        policy_strings=r.strings(pol, "policy-string", pw),
        mx_hosts=r.strings(pol, "mx-host", pw),
        successful=r.count(summary, "total-successful-session-count", sw, "§4.4"),
        failed=r.count(summary, "total-failure-session-count", sw, "§4.4"),
        failures=failures,
    )


def report_from_dict(data, notes: tuple[str, ...] = ()) -> Report:
    """A :class:`Report` from decoded §4.4 JSON data."""
    r = _Reader()
    r.notes.extend(notes)
    d = r.obj(data, "report")
    r.unknown(d, ("organization-name", "date-range", "contact-info", "report-id", "policies"),
              "report")
    if "date-range" not in d:
        r.fail("date-range", "is required but missing", "§4.4")
    dates = r.obj(d["date-range"], "date-range")
    start = r.when(dates, "start-datetime", "date-range")
    end = r.when(dates, "end-datetime", "date-range")
    if end < start:
        r.fail("date-range", f"ends ({_datetime_text(end)}) before it starts "
               f"({_datetime_text(start)})", "§4.4")
    policies = d.get("policies")
    if not isinstance(policies, list):
        r.fail("policies", "is required and must be a list" if policies is None
               else f"must be a list, not {_kind(policies)}", "§4.4")
    return Report(
        organization=r.text(d, "organization-name", "", required=True, rule="§4.4"),
        start=start, end=end,
        contact=r.text(d, "contact-info", "", required=True, rule="§4.4"),
        report_id=r.text(d, "report-id", "", required=True, rule="§4.4"),
        policies=tuple(_policy(r, p, f"policies[{i}]") for i, p in enumerate(policies)),
        notes=tuple(r.notes),
    )


# -- unwrapping: JSON, gzip, email -----------------------------------------------------


def _inflate(data: bytes, where: str) -> bytes:
    try:
        stream = gzip.GzipFile(fileobj=io.BytesIO(data))
        out = stream.read(MAX_REPORT_BYTES + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise TlsRptError(f"the gzip data is damaged ({e})", rule="§5.3", where=where) from None
    if len(out) > MAX_REPORT_BYTES:
        raise TlsRptError(f"the report inflates to more than {MAX_REPORT_BYTES} bytes",
                          rule="§5.3", where=where)
    return out


def _from_json_bytes(data: bytes, where: str, notes: tuple[str, ...]) -> Report:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise TlsRptError(f"the JSON is not UTF-8 (byte {e.start})", rule="§4.4",
                          where=where) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise TlsRptError(f"not valid JSON: {e}", rule="§4.4", where=where) from None
    return report_from_dict(data, notes)


def _parts(msg):
    """(index, part) of every part, depth first as ``Message.walk``, but
    iterative and refusing nesting deeper than :data:`MAX_MIME_DEPTH`."""
    stack, i = [(msg, 0)], 0
    while stack:
        part, depth = stack.pop()
        if depth > MAX_MIME_DEPTH:
            raise TlsRptError(f"the MIME parts are nested more than {MAX_MIME_DEPTH} deep; "
                              "a report is one multipart/report", rule="§5.3", where="email")
        yield i, part
        i += 1
        if part.is_multipart():
            stack.extend((p, depth + 1) for p in reversed(part.get_payload()))


def _from_email(data: bytes) -> Report:
    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
    except RecursionError:  # the standard library's parser recurses per nested part
        raise TlsRptError(f"the MIME parts are nested too deeply to read (more than "
                          f"{MAX_MIME_DEPTH}); a report is one multipart/report",
                          rule="§5.3", where="email") from None
    if not msg.keys():
        raise TlsRptError("not a TLS report: neither JSON, gzip-compressed JSON nor an "
                          "RFC 5322 email", rule="§5.3")
    notes = []
    ctype = msg.get_content_type()
    if ctype != "multipart/report":
        notes.append(f"email: Content-Type {ctype}, not multipart/report")
    elif (msg.get_param("report-type") or "").lower() != "tlsrpt":
        notes.append(f"email: report-type {msg.get_param('report-type')!r}, not tlsrpt")
    found = []
    for i, part in _parts(msg):
        if part.is_multipart():
            continue
        ptype = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if ptype in (MEDIA_GZIP, MEDIA_JSON):
            found.append((i, part, ptype))
        elif ptype in ("application/gzip", "application/x-gzip", "application/json",
                       "application/octet-stream") and name.endswith((".json", ".json.gz",
                                                                       ".gz")):
            notes.append(f"email: the report came as {ptype} ({name})")
            found.append((i, part, MEDIA_GZIP if name.endswith(".gz") else MEDIA_JSON))
    if not found:
        raise TlsRptError("the email has no report attached (no application/tlsrpt+gzip "
                          "or application/tlsrpt+json part)", rule="§5.3", where="email")
    if len(found) > 1:
        notes.append(f"email: {len(found)} report parts; the first is read")
    i, part, ptype = found[0]
    where = f"email part {i} ({ptype})"
    try:
        body = part.get_payload(decode=True)
    except Exception as e:  # noqa: BLE001 - damaged transfer encodings of any kind
        raise TlsRptError(f"cannot decode the attachment: {e}", rule="§5.3",
                          where=where) from None
    if not body:
        raise TlsRptError("the attachment is empty", rule="§5.3", where=where)
    if body[:2] == b"\x1f\x8b":
        if ptype == MEDIA_JSON:
            notes.append(f"{where}: gzip data labelled as JSON")
        body = _inflate(body, where)
    elif ptype == MEDIA_GZIP:
        raise TlsRptError("the attachment is labelled gzip but is not gzip data",
                          rule="§5.3", where=where)
    return _from_json_bytes(body, where, tuple(notes))


def parse_report(data: bytes | str) -> Report:
    """Read a TLS report (RFC 8460 §4) from JSON text or bytes, gzip-compressed
    JSON (§5.3), or a whole email carrying it (§5.3). See the module docstring
    for what is tolerated; every other problem is a :class:`TlsRptError`."""
    if isinstance(data, str):
        if data.lstrip()[:1] in ("{", "["):
            return _from_json_bytes(data.encode("utf-8", "surrogatepass"), "JSON", ())
        data = data.encode("utf-8", "surrogateescape")
    elif isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TlsRptError(f"give the report as bytes or text, not {type(data).__name__}",
                          rule="§4")
    if data[:2] == b"\x1f\x8b":
        return _from_json_bytes(_inflate(data, "gzip"), "gzip", ())
    if data.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] in (b"{", b"["):
        return _from_json_bytes(data, "JSON", ())
    return _from_email(data)
