"""MTA-STS parsing and matching, pure logic beside RFC 8461.

- ``parse_txt``: the ``_mta-sts`` TXT record (§3.1);
- ``parse_policy``: the policy file (§3.2);
- ``mx_matches``: an ``mx`` pattern against an MX host name (§4.1).

Every problem is an :class:`MtaStsError` whose message says what is wrong,
where, and which rule it breaks; no other exception escapes, whatever the input.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from ..txtrecord import EXT_NAME, EXT_VALUE, TxtSyntaxError, record_text, split_fields

MAX_AGE_LIMIT = 31557600  # §3.2: at most about one year
MODES = ("enforce", "testing", "none")


class MtaStsError(ValueError):
    """A record or policy that RFC 8461 says to treat as absent or invalid."""

    def __init__(self, message: str, *, rule: str, line: int | None = None):
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{message} (RFC 8461 {rule})")
        self.rule, self.line, self.problem = rule, line, message


# -- §3.1 the TXT record -------------------------------------------------------------

_ID = re.compile(r"[A-Za-z0-9]{1,32}")
_PREFIX = "v=STSv1;"


@dataclass(frozen=True)
class StsRecord:
    """A valid ``_mta-sts`` TXT record: the policy ``id`` and any extension
    fields; ``warnings`` note what was accepted but is worth fixing."""

    id: str
    extensions: tuple[tuple[str, str], ...] = ()
    text: str = ""
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"MTA-STS record: id={self.id}" + "".join(
            f", {k}={v}" for k, v in self.extensions)

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(self.text)}</code>: id <b>{html.escape(self.id)}</b>"


def parse_txt(records) -> StsRecord:
    """The one MTA-STS record among the TXT records at ``_mta-sts.<domain>``.

    ``records``: what DNS returned, each record a string, bytes, or a list of
    its character-strings (a dnspython TXT rdata works too). Records not
    starting with ``v=STSv1;`` are discarded; exactly one must remain (§3.1).
    """
    if isinstance(records, (str, bytes)):
        records = [records]
    try:
        texts = [record_text(r) for r in records]
    except TypeError:
        raise MtaStsError("give the TXT records as a list", rule="§3.1") from None
    except TxtSyntaxError as e:
        raise MtaStsError(str(e), rule="§3.1") from None
    sts = [t for t in texts if t.startswith(_PREFIX)]
    if not sts:
        near = [t for t in texts if t.lower().replace(" ", "").startswith("v=stsv1")]
        hint = (f"; {near[0]!r} is close, but the record must begin exactly 'v=STSv1;'"
                if near else "")
        raise MtaStsError(f"no TXT record begins with 'v=STSv1;'{hint}", rule="§3.1")
    if len(sts) > 1:
        raise MtaStsError(f"{len(sts)} records begin with 'v=STSv1;'; exactly one must, "
                          "so there is no policy", rule="§3.1")
    text = sts[0]
    rest = text[len("v=STSv1"):]
    try:
        fields = split_fields(rest)
    except TxtSyntaxError as e:
        raise MtaStsError(str(e), rule="§3.1") from None
    if not fields:
        raise MtaStsError("the record has no id field", rule="§3.1")
    # A repeated field is treated one way, whichever it is: the §3.1 grammar
    # (1*(sts-field-delim sts-field)) lets a name recur, and a later "v=..." is
    # an sts-extension by that grammar; every field must still be well formed,
    # and the first occurrence is used, as §3.2 says of repeated policy keys.
    record_id, extensions, warnings = None, [], []
    first: dict[str, str] = {"v": "STSv1"}
    for field in fields:
        name, eq, value = field.partition("=")
        if not eq:
            raise MtaStsError(f"field {field!r} is not name=value", rule="§3.1")
        if name == "id":
            if not _ID.fullmatch(value):
                raise MtaStsError(f"id {value!r} must be 1 to 32 letters and digits",
                                  rule="§3.1")
        else:
            if not EXT_NAME.fullmatch(name):
                raise MtaStsError(f"extension name {name!r} is not allowed: a letter or digit, "
                                  "then up to 31 letters, digits, '_', '-' or '.'", rule="§3.1")
            if not EXT_VALUE.fullmatch(value):
                raise MtaStsError(f"extension value {value!r} of {name!r} may not be empty or "
                                  "contain '=', ';', spaces or control characters", rule="§3.1")
        if name in first:
            warnings.append(f"{name} repeated ({value!r}); the first ({first[name]!r}) is used "
                            "(RFC 8461 §3.1, §3.2)")
            continue
        first[name] = value
        if name == "id":
            record_id = value
        else:
            extensions.append((name, value))
    if record_id is None:
        raise MtaStsError("the record has no id field", rule="§3.1")
    return StsRecord(record_id, tuple(extensions), text, tuple(warnings))


# -- §3.2 the policy file ----------------------------------------------------------

_LDH = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LDH}(?:\.{_LDH})*")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}")
_VALUE = re.compile(r"[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?")


@dataclass(frozen=True)
class Policy:
    """A valid MTA-STS policy (§3.2). ``warnings`` note what was accepted but
    is worth fixing (ignored keys, repeated keys, empty lines)."""

    version: str
    mode: str
    max_age: int
    mx: tuple[str, ...]
    extensions: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()

    def matches(self, host: str) -> bool:
        """Whether MX ``host`` is allowed by one of the ``mx`` patterns (§4.1)."""
        return any(mx_matches(p, host) for p in self.mx)

    def __str__(self) -> str:
        lines = [f"MTA-STS policy: mode {self.mode}, max_age {self.max_age} s "
                 f"({_days(self.max_age)})"]
        lines += [f"  mx: {p}" for p in self.mx]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        mx = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in self.mx)
        warn = "".join(f"<li><i>{html.escape(w)}</i></li>" for w in self.warnings)
        return (f"<p>MTA-STS policy: mode <b>{html.escape(self.mode)}</b>, max_age "
                f"{self.max_age} s ({_days(self.max_age)})</p><ul>{mx}</ul>"
                + (f"<p>warnings:</p><ul>{warn}</ul>" if warn else ""))


def _days(seconds: int) -> str:
    days = seconds / 86400
    return f"{days:g} day" + ("" if days == 1 else "s")


def _check_mx_pattern(value: str, line: int) -> str:
    try:
        value.encode("ascii")
    except UnicodeEncodeError:
        raise MtaStsError(f"mx {value!r} is not ASCII: write the A-label (xn--...) form",
                          rule="§3.2", line=line) from None
    name = value[2:] if value.startswith("*.") else value
    if "*" in name:
        raise MtaStsError(f"mx {value!r}: a wildcard may only be the whole leftmost label "
                          "('*.example.com')", rule="§3.2", line=line)
    if (not _DOMAIN.fullmatch(name) or any(len(label) > 63 for label in name.split("."))
            or len(value) > 253):
        raise MtaStsError(f"mx {value[:80]!r} is not a host name", rule="§3.2", line=line)
    return value


def parse_policy(text) -> Policy:
    """Parse a policy file (§3.2): ``key: value`` lines ending in LF or CRLF.

    Keys and values are case-sensitive; unknown keys are ignored; for a repeated
    key other than ``mx`` the first occurrence wins; ``mx`` is required unless
    ``mode`` is ``none``.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise MtaStsError(f"the policy is not UTF-8 (byte {e.start})", rule="§3.2") from None
    if not isinstance(text, str):
        raise MtaStsError(f"a policy is text or bytes, not {type(text).__name__}", rule="§3.2")
    if not text.strip():
        raise MtaStsError("the policy is empty", rule="§3.2")
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final line ending
    fields: dict[str, tuple[str, int]] = {}
    mx: list[str] = []
    extensions: list[tuple[str, str]] = []
    warnings: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if "\r" in line:
            raise MtaStsError("a lone CR: lines end in LF or CRLF", rule="§3.2", line=number)
        if not line.strip(" \t"):
            warnings.append(f"line {number} is empty: the §3.2 grammar has none, "
                            "though most senders accept it")
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise MtaStsError(f"{line!r} is not 'key: value'", rule="§3.2", line=number)
        if not _KEY.fullmatch(key):
            raise MtaStsError(f"{key!r} is not a valid key (no spaces before the colon)",
                              rule="§3.2", line=number)
        value = value.lstrip(" \t").rstrip(" \t")
        if not _VALUE.fullmatch(value):
            raise MtaStsError(f"the value of {key!r} is empty or has control characters",
                              rule="§3.2", line=number)
        if key == "mx":
            mx.append(_check_mx_pattern(value, number))
        elif key in ("version", "mode", "max_age"):
            if key in fields:
                warnings.append(f"line {number}: {key} repeated; the first ({fields[key][0]!r}, "
                                f"line {fields[key][1]}) is used")
            else:
                fields[key] = (value, number)
        else:
            known = {"Version": "version", "Mode": "mode", "MX": "mx", "Mx": "mx",
                     "Max_age": "max_age", "max-age": "max_age", "maxage": "max_age"}
            hint = (f" (keys are case-sensitive: did you mean {known[key]!r}?)"
                    if key in known else "")
            warnings.append(f"line {number}: unknown key {key!r} ignored{hint}")
            extensions.append((key, value))
    def required(key: str) -> tuple[str, int]:
        if key not in fields:
            near = [w for w in warnings if f"did you mean {key!r}" in w]
            hint = f"; {near[0].split(': ', 1)[1]}" if near else ""
            raise MtaStsError(f"the required field {key!r} is missing{hint}", rule="§3.2")
        return fields[key]

    version, vline = required("version")
    if version != "STSv1":
        raise MtaStsError(f"version is {version!r}; it must be 'STSv1' (case-sensitive)",
                          rule="§3.2", line=vline)
    mode, mline = required("mode")
    if mode not in MODES:
        raise MtaStsError(f"mode {mode!r} is not one of enforce, testing, none "
                          "(values are case-sensitive)", rule="§3.2", line=mline)
    age, aline = required("max_age")
    if not re.fullmatch(r"[0-9]{1,10}", age):
        raise MtaStsError(f"max_age {age!r} must be 1 to 10 digits (seconds)",
                          rule="§3.2", line=aline)
    if int(age) > MAX_AGE_LIMIT:
        raise MtaStsError(f"max_age {age} exceeds the maximum of {MAX_AGE_LIMIT} s "
                          "(about a year)", rule="§3.2", line=aline)
    if mode != "none" and not mx:
        raise MtaStsError(f"mode {mode} needs at least one mx line", rule="§3.2")
    return Policy(version, mode, int(age), tuple(mx), tuple(extensions), tuple(warnings))


# -- §4.1 MX matching --------------------------------------------------------------------

def _norm(name) -> str:
    if not isinstance(name, str):
        raise MtaStsError(f"a host name is text, not {type(name).__name__}", rule="§4.1")
    return name.rstrip(".").lower()


def mx_matches(pattern: str, host: str) -> bool:
    """Whether MX ``host`` matches policy ``pattern`` (§4.1).

    Case-insensitive, a trailing dot ignored, whole names compared (no suffix
    matching); ``*.`` stands for exactly one leftmost label, so
    ``*.example.com`` matches ``mail.example.com`` but neither ``example.com``
    nor ``a.b.example.com``.
    """
    pattern, host = _norm(pattern), _norm(host)
    if not pattern or not host:
        return False
    if pattern.startswith("*."):
        label, dot, rest = host.partition(".")
        return bool(label) and bool(dot) and label != "*" and rest == pattern[2:]
    return pattern == host
