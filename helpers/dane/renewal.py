"""Which TLSA records survive a certificate renewal (RFC 7671 §8, RFC 7672 §3).

For one server certificate, every DANE-EE and DANE-TA record it could publish,
and whether each still matches after the certificate is renewed with the same
key, and after it is replaced with a new key (the classic DANE outage).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .tlsa import MATCHING_TYPES, SELECTORS, TLSA, load_certificate
from .verify import dns_names, verify_chain


@dataclass(frozen=True)
class Row:
    record: TLSA
    same_key: bool
    new_key: bool


@dataclass(frozen=True)
class RenewalTable:
    rows: tuple[Row, ...]

    def __str__(self) -> str:
        mark = {True: "still matches", False: "BROKEN"}
        lines = [f"{'record':<19}{'meaning':<24}{'renewed, same key':<20}new key"]
        for r in self.rows:
            short = f"{r.record.usage} {r.record.selector} {r.record.matching_type} " \
                    f"{r.record.data.hex()[:8]}..."
            lines.append(f"{short:<19}{r.record.mnemonic:<24}{mark[r.same_key]:<20}"
                         f"{mark[r.new_key]}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cell = {True: '<td style="color:#2b8a3e">still matches</td>',
                False: '<td style="color:#c92a2a"><b>broken</b></td>'}
        rows = "".join(
            f"<tr><td><code>{r.record.usage} {r.record.selector} {r.record.matching_type} "
            f"{html.escape(r.record.data.hex()[:8])}…</code></td>"
            f"<td>{html.escape(r.record.mnemonic)}</td>{cell[r.same_key]}{cell[r.new_key]}</tr>"
            for r in self.rows)
        return ("<table><tr><th>record</th><th>meaning</th><th>after renewal, same key</th>"
                f"<th>after renewal, new key</th></tr>{rows}</table>")


def renewal_table(current, renewed_same_key, renewed_new_key, issuer) -> RenewalTable:
    """Every 3 x x record of ``current`` and 2 x x record of ``issuer``, each
    checked with :func:`verify_chain` against the chains the two renewals serve
    (renewed certificate, then the unchanged issuing CA), for the name in
    ``current``."""
    names = dns_names(load_certificate(current))
    rows = []
    for usage, source in ((3, current), (2, issuer)):
        for selector in SELECTORS:
            for mtype in MATCHING_TYPES:
                record = TLSA.from_cert(source, usage, selector, mtype)
                rows.append(Row(record, *(verify_chain([record], [renewed, issuer], names).ok
                                          for renewed in (renewed_same_key, renewed_new_key))))
    return RenewalTable(tuple(rows))
