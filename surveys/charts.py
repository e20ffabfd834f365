"""Accessible SVG charts drawn on the server: no script, no external library, a table beside each.

Labels sit above their bars so long answer texts are never cut off; colours come from classes
in surveys.css (the Content Security Policy allows no inline styles).
"""

import itertools

from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

WIDTH = 440
LABEL_HEIGHT = 19
BAR_HEIGHT = 16
GAP = 12
VALUE_SPACE = 100
_ids = itertools.count(1)


def _svg(height, title, description, body, chart_id):
    return Markup(
        f'<svg class="sv-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        f"{body}</svg>"
    )


def _text(x, y, content, rtl, css="sv-chart-label", anchor_end=False):
    end = anchor_end != rtl
    x = WIDTH - x if rtl else x
    anchor = "end" if end else "start"
    return f'<text class="{css}" x="{x}" y="{y}" text-anchor="{anchor}">{escape(content)}</text>'


def _rect(x, y, width, height, css, rtl):
    x = WIDTH - x - width if rtl else x
    return f'<rect class="{css}" x="{x:.1f}" y="{y}" width="{max(width, 0):.1f}" height="{height}" rx="2"></rect>'


def value_text(count, percent):
    if count is None:
        return _("fewer than 3")
    if percent is None:
        return format_decimal(count)
    return f"{format_decimal(count)} ({format_decimal(percent)} %)"


def bar_chart(title, rows, rtl=False, series_labels=None):
    """Horizontal bars; `rows` are (label, [(count, percent), …]) with one pair per series.

    Bars are scaled by percent when there is one, else by count.
    """
    chart_id = f"chart{next(_ids)}"
    series = max((len(values) for _label, values in rows), default=1)
    scale_values = [(p if p is not None else (c or 0)) for _l, values in rows for c, p in values]
    top = max(scale_values + [1])
    if all(p is not None for _l, values in rows for c, p in values if c is not None):
        top = max(top, 100) if top > 60 else top
    bar_area = WIDTH - VALUE_SPACE
    parts, y = [], 0
    for label, values in rows:
        y += LABEL_HEIGHT
        parts.append(_text(0, y - 5, label, rtl))
        for index, (count, percent) in enumerate(values):
            size = percent if percent is not None else (count or 0)
            width = bar_area * size / top if count is not None else 0
            parts.append(_rect(0, y, width, BAR_HEIGHT, f"sv-bar sv-bar-{index}", rtl))
            parts.append(_text(width + 6, y + BAR_HEIGHT - 4, value_text(count, percent), rtl, "sv-chart-value"))
            y += BAR_HEIGHT + 3
        y += GAP - 3
    legend = ""
    if series_labels and series > 1:
        y += 4
        legend = "".join(
            _rect(index * 200, y, 14, 14, f"sv-bar sv-bar-{index}", rtl)
            + _text(index * 200 + 20, y + 12, name, rtl, "sv-chart-value")
            for index, name in enumerate(series_labels)
        )
        y += 22
    description = "; ".join(f"{label}: " + ", ".join(value_text(c, p) for c, p in values) for label, values in rows)
    return _svg(max(y, 30), title, description, "".join(parts) + legend, chart_id)


def stacked_chart(title, rows, scale_labels, rtl=False):
    """One 100 % bar per matrix row, a segment per scale value, with a legend."""
    chart_id = f"chart{next(_ids)}"
    bar_area = WIDTH - 10
    parts, y = [], 0
    for label, cells in rows:
        y += LABEL_HEIGHT
        parts.append(_text(0, y - 5, label, rtl))
        total = sum(c.count or 0 for c in cells)
        x = 0.0
        for index, cell in enumerate(cells):
            if not total or not cell.count:
                continue
            width = bar_area * cell.count / total
            parts.append(_rect(x, y, width, BAR_HEIGHT, f"sv-seg sv-seg-{index}", rtl))
            x += width
        if not total:
            parts.append(_text(0, y + BAR_HEIGHT - 4, _("No answers"), rtl, "sv-chart-value"))
        y += BAR_HEIGHT + GAP
    y += 4
    x = 0
    for index, name in enumerate(scale_labels):
        width = 28 + 7 * len(name)
        if x and x + width > WIDTH:
            x, y = 0, y + 22
        parts.append(_rect(x, y, 14, 14, f"sv-seg sv-seg-{index}", rtl))
        parts.append(_text(x + 20, y + 12, name, rtl, "sv-chart-value"))
        x += width
    y += 22
    description = "; ".join(
        f"{label}: " + ", ".join(f"{c.label}: {value_text(c.count, c.percent)}" for c in cells) for label, cells in rows
    )
    return _svg(y, title, description, "".join(parts), chart_id)
