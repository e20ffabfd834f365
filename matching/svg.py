"""A picture of the network drawn on the server: topics × associations as accessible SVG.

No JavaScript and no inline styles (the Content Security Policy forbids them): presentation attributes
only. The SVG is one image with a title and a description; the page shows the same data as a table.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup, escape

from . import facts
from .engine import Polarity

CELL = 26
LABEL_WIDTH = 290
HEADER_HEIGHT = 200
#: Room on the right for the last columns' slanted labels.
RIGHT_MARGIN = 140
NAME_CHARS = 36
TOPIC_CHARS = 34
FONT_SIZE = 12
#: Glyph per polarity; when a cell has several, the first in this order is drawn.
ORDER = (Polarity.need, Polarity.offer, Polarity.activity, Polarity.interest)
COLOURS = {Polarity.need: "#b3261e", Polarity.offer: "#1e6b3a", Polarity.activity: "#1c5d8f", Polarity.interest: "#1c5d8f"}


@dataclass
class Matrix:
    topics: list  # TopicInfo, columns
    rows: list  # AssociationInfo, rows
    cells: dict  # (association id, topic key) -> set of Polarity
    highlighted_rows: set = field(default_factory=set)
    highlighted_topics: set = field(default_factory=set)
    held_back: int = 0
    title: str = ""
    #: Topic key -> name, for the labels of sub-topics.
    names: dict = field(default_factory=dict)

    def polarities(self, association_id, topic_key):
        return [p for p in ORDER if p in self.cells.get((association_id, topic_key), ())]

    def topics_of(self, association_id):
        return [(t, self.polarities(association_id, t.key)) for t in self.topics if (association_id, t.key) in self.cells]


def build_matrix(municipality_id, highlight=None) -> Matrix:
    """Topics that at least two associations share, and the associations that share them."""
    gathered = facts.gather(municipality_id)
    usable = {a.id: a for a in gathered.associations if a.networking}
    cells = defaultdict(set)
    for fact in gathered.facts:
        if fact.association_id in usable:
            cells[(fact.association_id, fact.topic)].add(fact.polarity)
    sharing = defaultdict(set)
    for association_id, topic in cells:
        sharing[topic].add(association_id)
    all_topics = facts.topic_infos()
    topics = [t for t in all_topics if len(sharing.get(t.key, ())) >= 2]
    shown = {t.key for t in topics}
    members = {m.association_id for m in highlight.active_members} if highlight else set()
    rows = sorted((a for a in usable.values() if any((a.id, k) in cells for k in shown)),
                  key=lambda a: (a.id not in members, a.name.casefold(), a.id))
    return Matrix(
        topics=topics, rows=rows, cells={k: v for k, v in cells.items() if k[1] in shown},
        highlighted_rows=members, highlighted_topics=set(highlight.topic_keys or ()) if highlight else set(),
        held_back=len(gathered.associations) - len(usable), title=highlight.name if highlight else "",
        names={t.key: t.name for t in all_topics},
    )


def column_label(topic, names):
    """A sub-topic's own part first ("Türkisch · Herkunftssprachlicher …"), so sibling columns differ early."""
    name = topic.name or topic.key
    parent = names.get(topic.parent) if topic.parent else None
    if parent and name.startswith(parent) and name[len(parent):].strip(" :–-"):
        return f"{name[len(parent):].strip(' :–-')} · {parent}"
    return name


def _short(text, limit):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _glyph(polarity, cx, cy):
    colour, r = COLOURS[polarity], 7
    if polarity is Polarity.need:
        points = f"{cx - r},{cy - r + 1} {cx + r},{cy - r + 1} {cx},{cy + r}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if polarity is Polarity.offer:
        points = f"{cx - r},{cy + r - 1} {cx + r},{cy + r - 1} {cx},{cy - r}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if polarity is Polarity.activity:
        return f'<circle cx="{cx}" cy="{cy}" r="{r - 1}" fill="{colour}"/>'
    return f'<circle cx="{cx}" cy="{cy}" r="{r - 2}" fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>'


def render(matrix: Matrix) -> Markup:
    """The SVG markup; every text from the database is escaped."""
    width = LABEL_WIDTH + CELL * len(matrix.topics) + RIGHT_MARGIN
    height = HEADER_HEIGHT + CELL * len(matrix.rows) + 10
    summary = _("%(rows)s associations and %(topics)s topics that at least two of them share.",
                rows=len(matrix.rows), topics=len(matrix.topics))
    if matrix.title:
        summary += " " + _("Members of “%(name)s” are marked and listed first.", name=matrix.title)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="matrix" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="matrix-title matrix-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="matrix-title">{escape(_("Which associations share which topics"))}</title>',
        f'<desc id="matrix-desc">{escape(summary)} {escape(_("The table below shows the same data."))}</desc>',
    ]
    # Bands first, so no band covers a neighbour's slanted label.
    for column, topic in enumerate(matrix.topics):
        if topic.key in matrix.highlighted_topics:
            x, top = LABEL_WIDTH + column * CELL, HEADER_HEIGHT - 30
            out.append(f'<rect x="{x}" y="{top}" width="{CELL}" height="{height - top}" fill="#fff4d6"/>')
    for column, topic in enumerate(matrix.topics):
        x = LABEL_WIDTH + column * CELL
        tx, ty = x + CELL // 2 + 4, HEADER_HEIGHT - 6
        weight = ' font-weight="700"' if topic.key in matrix.highlighted_topics else ""
        out.append(f'<text x="{tx}" y="{ty}" transform="rotate(-55 {tx} {ty})" fill="#1d2430"{weight}>'
                   f'{escape(_short(column_label(topic, matrix.names), TOPIC_CHARS))}</text>')
    for row, association in enumerate(matrix.rows):
        y = HEADER_HEIGHT + row * CELL
        marked = association.id in matrix.highlighted_rows
        if marked:
            out.append(f'<rect x="0" y="{y}" width="{width}" height="{CELL}" fill="#fff4d6"/>')
            out.append(f'<rect x="0" y="{y}" width="5" height="{CELL}" fill="#8a6100"/>')
        out.append(f'<line x1="0" y1="{y + CELL}" x2="{width}" y2="{y + CELL}" stroke="#c9d0da"/>')
        weight = ' font-weight="700"' if marked else ""
        out.append(f'<text x="10" y="{y + CELL - 8}" fill="#1d2430"{weight}>{escape(_short(association.name, NAME_CHARS))}</text>')
        for column, topic in enumerate(matrix.topics):
            shown = matrix.polarities(association.id, topic.key)
            if shown:
                out.append(_glyph(shown[0], LABEL_WIDTH + column * CELL + CELL // 2, y + CELL // 2))
    out.append("</svg>")
    return Markup("".join(out))


def legend() -> Markup:
    """The glyphs with their meaning, as small SVGs beside text (decorative: the text says it)."""
    names = {
        Polarity.need: _("needs it"),
        Polarity.offer: _("offers it"),
        Polarity.activity: _("does it"),
        Polarity.interest: _("cares about it"),
    }
    items = []
    for polarity in ORDER:
        icon = f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">{_glyph(polarity, 9, 9)}</svg>'
        items.append(f"<li>{icon} {escape(names[polarity])}</li>")
    return Markup("".join(items))
