"""Notebook 04: a TLSA calculator (RFC 6698 §2, RFC 7671 §8, RFC 7672 §3).

Pick a certificate (the server's own or its issuing CA), a usage, a selector
and a matching type: see the TLSA record, whether an SMTP sender can use it,
whether it matches the chain the server sends today, and whether it still
matches after a renewal with the same key and after one with a new key.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as w

from ..dane import TLSA, verify_chain
from ..dane.tlsa import MATCHING_TYPES, SELECTORS, USAGES
from ._common import CourseWidget

SERVER, ISSUER = "the server's certificate", "the issuing CA's certificate"


@dataclass(frozen=True)
class Calculation:
    name: str
    source: str
    record: TLSA
    now: bool
    same_key: bool | None
    new_key: bool | None

    @property
    def zone_line(self) -> str:
        return f"_25._tcp.{self.name}. IN TLSA {self.record}"

    def verdicts(self) -> list[tuple[str, str]]:
        def word(ok):
            return "matches" if ok else "does NOT match"
        out = [("usable by an SMTP sender", "yes" if self.record.usable
                else f"no: {self.record.unusable_reason}"),
               ("the chain served today", word(self.now))]
        if self.same_key is not None:
            out.append(("after a renewal with the same key", word(self.same_key)))
        if self.new_key is not None:
            out.append(("after a renewal with a new key", word(self.new_key)))
        return out

    def __str__(self) -> str:
        lines = [self.zone_line, f"  ({self.record.mnemonic}, from {self.source})"]
        lines += [f"  {k}: {v}" for k, v in self.verdicts()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{html.escape(k)}</td>"
                       f'<td style="text-align:left">{html.escape(v)}</td></tr>'
                       for k, v in self.verdicts())
        return (f'<div><code style="word-break:break-all">{html.escape(self.zone_line)}</code>'
                f"<br>({html.escape(self.record.mnemonic)}, from {html.escape(self.source)})"
                f"<table>{rows}</table></div>")


def calculate(current, issuer, usage: int, selector: int, matching_type: int,
              source: str = SERVER, renewed_same_key=None, renewed_new_key=None,
              name: str = "mx1.example.com") -> Calculation:
    """The record for ``source``'s certificate, checked (RFC 7672 §3) against
    the chain served now and after each renewal (leaf, then ``issuer``)."""
    cert = current if source == SERVER else issuer
    record = TLSA.from_cert(cert, usage, selector, matching_type)

    def ok(leaf):
        return None if leaf is None else verify_chain([record], [leaf, issuer], name).ok
    return Calculation(name, source, record, ok(current), ok(renewed_same_key),
                       ok(renewed_new_key))


class TlsaCalculator(CourseWidget):
    """Handles: ``certificate``, ``usage``, ``selector``, ``matching_type``
    (dropdowns), ``record`` (HTML); ``calculation``: the current result."""

    def __init__(self, current, issuer, renewed_same_key=None, renewed_new_key=None,
                 name: str = "mx1.example.com"):
        self._certs = (current, issuer, renewed_same_key, renewed_new_key)
        self.name = name
        style = {"description_width": "9em"}
        self.certificate = w.Dropdown(options=(SERVER, ISSUER), value=SERVER,
                                      description="certificate", style=style)
        self.usage = w.Dropdown(options=[(f"{k} {v}", k) for k, v in USAGES.items()], value=3,
                                description="usage", style=style)
        self.selector = w.Dropdown(options=[(f"{k} {v}", k) for k, v in SELECTORS.items()],
                                   value=1, description="selector", style=style)
        self.matching_type = w.Dropdown(
            options=[(f"{k} {v}", k) for k, v in MATCHING_TYPES.items()], value=1,
            description="matching type", style=style)
        self.record = w.HTML()
        for control in (self.certificate, self.usage, self.selector, self.matching_type):
            control.observe(lambda _: self._show(), names="value")
        self.root = w.VBox([
            w.HTML(f"<b>TLSA calculator</b> for <code>{html.escape(name)}</code>"),
            self.certificate, self.usage, self.selector, self.matching_type, self.record])
        self._show()

    @property
    def calculation(self) -> Calculation:
        current, issuer, same, new = self._certs
        return calculate(current, issuer, self.usage.value, self.selector.value,
                         self.matching_type.value, self.certificate.value, same, new, self.name)

    def _show(self) -> None:
        self.record.value = self.calculation._repr_html_()

    def __str__(self) -> str:
        return f"TLSA calculator for {self.name}\n{self.calculation}"

    def _repr_html_(self) -> str:
        return ("<p><b>TLSA calculator</b> (in JupyterLab: choose the certificate, usage, "
                "selector and matching type)</p>" + self.calculation._repr_html_())


def tlsa_calculator(current, issuer, renewed_same_key=None, renewed_new_key=None,
                    name: str = "mx1.example.com") -> TlsaCalculator:
    """The calculator for server certificate ``current`` issued by ``issuer``;
    with the renewed certificates it also says which records survive."""
    return TlsaCalculator(current, issuer, renewed_same_key, renewed_new_key, name)
