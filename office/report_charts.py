"""Charts of the impact report as accessible SVG drawn on the server.

Horizontal bars, one group per table row and one bar per series, labels above their bars so long
names are never cut. Each SVG is one image (role="img") with a title and a description that says
every value; the page puts the same figures in a table right below. Colours are presentation
attributes (the Content Security Policy forbids inline styles) with enough contrast on white; a
hidden value is drawn as no bar with its "< 3" or "x" text, and rows that are all zero are left out.
"""

import itertools

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .report_view import NOT_APPLICABLE

WIDTH = 420
LABEL_HEIGHT = 20
BAR_HEIGHT = 14
GAP = 10
VALUE_SPACE = 170
#: Dark blue, dark green, dark orange: distinguishable, and at least 3:1 against white.
COLOURS = ("#1c5d8f", "#1e6b3a", "#a34700")
_ids = itertools.count(1)


def _text(x, y, content, rtl, weight="normal", end=False):
    anchor = "end" if end != rtl else "start"
    x = WIDTH - x if rtl else x
    return (f'<text x="{x:.1f}" y="{y}" text-anchor="{anchor}" font-size="13" font-weight="{weight}" '
            f'fill="#1a1a1a">{escape(content)}</text>')


def _bar(x, y, width, colour, rtl):
    x = WIDTH - x - width if rtl else x
    return f'<rect x="{x:.1f}" y="{y}" width="{max(width, 0):.1f}" height="{BAR_HEIGHT}" rx="2" fill="{colour}"></rect>'


def bar_chart(view, table, rtl=False):
    """The chart of a table's `chart` columns, or an empty Markup when there is nothing to draw."""
    columns = [c for c in table.columns if c.key in table.chart]
    # Rows with nothing to draw (all zero) stay in the table but would only lengthen the chart.
    rows = [r for r in table.rows if any(r.values[c.key] not in (0, NOT_APPLICABLE) for c in columns)]
    if not columns or not rows:
        return Markup("")
    chart_id = f"report-chart-{next(_ids)}"
    numbers = [r.values[c.key] for r in rows for c in columns if isinstance(r.values[c.key], (int, float))]
    top = max(numbers + [1])
    if all(c.kind == "percent" for c in columns):
        top = max(top, 100)
    area = WIDTH - VALUE_SPACE
    parts, y = [], 0
    for row in rows:
        y += LABEL_HEIGHT
        parts.append(_text(0, y - 6, row.label, rtl, "bold"))
        for index, column in enumerate(columns):
            value = row.values[column.key]
            width = area * value / top if isinstance(value, (int, float)) else 0
            parts.append(_bar(0, y, width, COLOURS[index % len(COLOURS)], rtl))
            label = view.fmt(value, column.kind)
            if len(columns) > 1:
                label = f"{label} {column.label}"
            parts.append(_text(width + 6, y + BAR_HEIGHT - 3, label, rtl))
            y += BAR_HEIGHT + 3
        y += GAP
    description = "; ".join(
        f"{row.label}: " + ", ".join(f"{c.label} {view.fmt(row.values[c.key], c.kind)}" for c in columns)
        for row in rows
    )
    if len(rows) < len(table.rows):
        description += ". " + _("Rows where every value is 0 are left out of the chart.")
    return Markup(
        f'<svg class="report-chart" viewBox="0 0 {WIDTH} {y + 4}" width="100%" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">'
        f'<title id="{chart_id}-t">{escape(table.title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
        f'{"".join(parts)}</svg>'
    )
