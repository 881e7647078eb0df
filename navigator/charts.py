"""Server-rendered SVG charts for the console: no script, no inline CSS (the CSP forbids it), labelled for readers.

:func:`bar_chart` draws grouped horizontal bars: one group per row label, one bar per series, with a ``<title>``
and ``<desc>`` the SVG is labelled by, a ``<title>`` on every bar, and the value printed after each bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

__all__ = ["SERIES_COLOURS", "bar_chart"]

SERIES_COLOURS = ("#0b5c6b", "#b4530a", "#5b6673")
_LABEL_WIDTH = 200
_BAR_SPACE = 560
_BAR_HEIGHT = 16
_GAP = 10


def bar_chart(
    rows: Sequence[tuple[str, Sequence[int]]], series: Sequence[str], *, title: str, description: str, ident: str,
) -> Markup:
    """An SVG of ``rows`` (label, one value per series); ``ident`` makes the ids of its title and desc unique."""
    largest = max((v for _, values in rows for v in values), default=0) or 1
    group = len(series) * _BAR_HEIGHT + _GAP
    legend_height = 26
    height = legend_height + len(rows) * group + _GAP
    width = _LABEL_WIDTH + _BAR_SPACE + 60
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(description)}</desc>',
    ]
    x = _LABEL_WIDTH
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12" fill="#1c2430">{escape(name)}</text>')
        x += 20 + 9 * len(name) + 20
    y = legend_height
    for label, values in rows:
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + group / 2}" font-size="12" text-anchor="end" '
            f'dominant-baseline="middle" fill="#1c2430">{escape(label)}</text>'
        )
        for index, value in enumerate(values):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            bar = round(_BAR_SPACE * value / largest, 1)
            top = y + index * _BAR_HEIGHT
            parts.append(
                f'<rect x="{_LABEL_WIDTH}" y="{top}" width="{max(bar, 1)}" height="{_BAR_HEIGHT - 2}" fill="{colour}">'
                f"<title>{escape(label)}: {escape(series[index])} {value}</title></rect>"
            )
            parts.append(
                f'<text x="{_LABEL_WIDTH + bar + 4}" y="{top + _BAR_HEIGHT / 2}" font-size="11" '
                f'dominant-baseline="middle" fill="#1c2430">{value}</text>'
            )
        y += group
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)
