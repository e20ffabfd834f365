"""The impact report as sections of labelled tables, in the reader's language, exact or shareable.

Every number of the report lives in one `Table`, so the page, the DOCX, the CSV and the XLSX show the
same figures. The shareable view hides small numbers (office/report_suppression.py); each section
has a few sentences for the council paper (office/report_texts.py).
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.labels import FIELD_LABELS
from core.models import Field

from . import report
from .report_suppression import NOT_APPLICABLE, WITHHELD, shareable  # noqa: F401  (used by charts and tests)
from .report_texts import texts

DEFAULT_MIN_CELL = 3
CONSULTATION_TOPIC_LABELS = {
    "funding": _l("Funding application"),
    "founding": _l("Founding an association"),
    "events": _l("Event planning"),
    "premises": _l("Premises"),
    "volunteers": _l("Volunteers"),
    "language_courses": _l("Language courses"),
    "other": _l("Other"),
}

FORMAT_LABELS = {
    "in_person": _l("In person"),
    "phone": _l("Phone"),
    "online": _l("Online"),
    "email": _l("E-mail"),
}

POSTING_CATEGORY_LABELS = {
    "rooms": _l("Rooms"),
    "volunteers": _l("Volunteers"),
    "equipment": _l("Equipment"),
    "knowhow": _l("Know-how"),
    "translation": _l("Translation"),
    "transport": _l("Transport"),
    "event": _l("Events"),
    "funding": _l("Funding"),
    "other": _l("Other"),
}

ACTIVITY_LABELS = {
    "signed_in": _l("A representative signed in (most recent sign-in in the period)"),
    "survey": _l("Submitted a survey response"),
    "board": _l("Posted or wrote a message on the exchange board"),
    "chat": _l("Attended a fireside chat"),
    "advice": _l("Was advised by the coordination office"),
}


def min_cell():
    return int(current_app.config.get("REPORT_MIN_CELL", DEFAULT_MIN_CELL))


@dataclass
class Column:
    key: str
    label: str
    #: count | percent | hours
    kind: str = "count"
    #: percent: (numerator, denominator) column keys; hours: (the count column,).
    base: tuple = ()


@dataclass
class Row:
    label: str
    values: dict
    key: str = ""


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list
    total: Row | None = None
    #: Column keys drawn as series in the chart (none: no chart).
    chart: tuple = ()
    #: Heading of the first column (what the rows are).
    row_label: str = ""

    def cell(self, row_key, column_key):
        for row in [*self.rows, *([self.total] if self.total else [])]:
            if row.key == row_key:
                return row.values.get(column_key)
        raise KeyError(row_key)


@dataclass
class Section:
    key: str
    title: str
    text: list = field(default_factory=list)
    tables: list = field(default_factory=list)

    def table(self, key):
        return next(t for t in self.tables if t.key == key)


@dataclass
class ReportView:
    sections: list
    shared: bool
    min_cell: int

    def section(self, key):
        return next(s for s in self.sections if s.key == key)

    @property
    def note(self):
        """What the reader must know about the numbers: hidden ones, or that they are exact and internal."""
        if self.shared:
            return _("Numbers from 1 to %(below)s are shown as “< %(limit)s”, so that no association can be "
                     "recognised. Where a total would still reveal such a number, the next smallest is not shown "
                     "either (“x”), nor are shares and hours that belong to a hidden number.",
                     below=self.min_cell - 1, limit=self.min_cell)
        return _("Exact figures for the coordination office. Do not pass them on: use the shareable version.")

    def fmt(self, value, kind="count"):
        """A number as shown: "< 3" when hidden, thousands separators, one decimal for hours."""
        if value is None:
            return f"< {self.min_cell}"
        if value == NOT_APPLICABLE:
            return "–"
        if value == WITHHELD:
            return WITHHELD
        if kind == "percent":
            return f"{format_decimal(value)} %"
        if kind == "hours":
            return format_decimal(round(value, 1), format="#,##0.0")
        return format_decimal(value)


# --------------------------------------------------------------------------- building


def build_view(figures: report.Figures, shared=False, locale=None) -> ReportView:
    """The report's sections for the figures, exact (the office) or shareable (outside the office)."""
    locale = str(locale or get_locale() or "de")
    limit = min_cell()
    builders = (_associations, _surveys, _needs_offers, _exchange, _networks, _chats, _consultations,
                _follow_ups, _development)
    sections = [builder(figures, locale) for builder in builders]
    view = ReportView(sections, shared, limit)
    for section in sections:
        if shared:
            section.tables = shareable(section.tables, limit)
        section.text = texts(section, view)
    return view


def _percent(part, whole):
    return round(100 * part / whole) if whole else NOT_APPLICABLE


def _summary(key, title, items):
    return Table(key, title, [Column("value", _("Number"))],
                 [Row(str(label), {"value": value}, row_key) for row_key, label, value in items], row_label=_("Figure"))


def _associations(f, locale):
    columns = [Column("identified", _("Identified")), Column("new", _("Newly identified")),
               Column("active", _("Active"))]
    rows = [Row(str(FIELD_LABELS[Field(key)]), dict(values), key) for key, values in f.associations.items()]
    total = Row(_("All fields"), {c.key: f.total(c.key) for c in columns}, "total")
    by_field = Table("associations_by_field", _("Associations by field of activity"), columns, rows, total,
                     chart=("identified", "active"), row_label=_("Field of activity"))
    sources = Table("active_by_source", _("Active associations by kind of activity"),
                    [Column("value", _("Associations"))],
                    [Row(str(ACTIVITY_LABELS[key]), {"value": n}, key) for key, n in f.active_by_source.items()],
                    row_label=_("Activity"))
    return Section("associations", _("Associations identified and active"), tables=[by_field, sources])


def _survey_title(survey, locale):
    title = (survey.title.get(locale) or survey.title.get("de") or "").strip() or f"#{survey.id}"
    return f"{title} {survey.wave}" if survey.wave and survey.wave not in title else title


def _participation_columns():
    return [Column("invited", _("Invited")), Column("responded", _("Took part")),
            Column("percent", _("Share"), "percent", ("responded", "invited"))]


def _surveys(f, locale):
    rows = [Row(_survey_title(s, locale), {"invited": s.invited, "responded": s.responded,
                                            "percent": _percent(s.responded, s.invited)}, f"survey-{s.id}")
            for s in f.surveys]
    tables = [Table("surveys", _("Survey participation"), _participation_columns(), rows, chart=("percent",),
                    row_label=_("Survey"))]
    for s in f.surveys:
        field_rows = [Row(str(FIELD_LABELS[Field(key)]),
                          {"invited": inv, "responded": resp, "percent": _percent(resp, inv)}, key)
                      for key, (inv, resp) in s.by_field.items() if inv or resp]
        total = Row(_("All fields"), {"invited": s.invited, "responded": s.responded,
                                      "percent": _percent(s.responded, s.invited)}, "total")
        tables.append(Table(f"survey-{s.id}-by-field",
                            _("%(survey)s: participation by field", survey=_survey_title(s, locale)),
                            _participation_columns(), field_rows, total, row_label=_("Field of activity")))
    return Section("surveys", _("Survey participation"), tables=tables)


def _needs_offers(f, locale):
    columns = [Column("need", _("Need it")), Column("offer", _("Offer it")),
               Column("profile", _("Named on profiles"))]
    rows = [Row(names.get(locale) or names.get("de") or key, dict(counts), key) for key, names, counts in f.needs_offers]
    return Section("needs_offers", _("Most frequent needs and offers"), tables=[
        Table("needs_offers", _("Needs and offers by topic (associations)"), columns, rows, chart=("need", "offer"),
              row_label=_("Topic"))
    ])


def _exchange(f, locale):
    columns = [Column("offers", _("Offers posted")), Column("requests", _("Requests posted")),
               Column("fulfilled", _("Exchanges completed"))]
    rows = [Row(str(POSTING_CATEGORY_LABELS[key]), dict(values), key) for key, values in f.exchange.items()]
    total = Row(_("All categories"), {c.key: sum(r.values[c.key] for r in rows) for c in columns}, "total")
    summary = _summary("exchange_summary", _("Exchange board"), [
        ("conversations", _("Conversations between associations started"), f.conversations),
    ])
    return Section("exchange", _("Exchange board: postings and completed exchanges"), tables=[
        Table("exchange_by_category", _("Postings and completed exchanges by category"), columns, rows, total,
              chart=("offers", "requests", "fulfilled"), row_label=_("Category")),
        summary,
    ])


def _networks(f, locale):
    n = f.networks
    return Section("networks", _("Sub-networks"), tables=[_summary("networks", _("Sub-networks"), [
        ("formed", _("Formed in the period"), n["formed"]),
        ("active", _("Active at the end of the period"), n["active"]),
        ("dormant", _("Dormant"), n["dormant"]),
        ("members", _("Associations in active sub-networks"), n["members"]),
    ])])


def _chats(f, locale):
    c = f.chats
    return Section("chats", _("Fireside chats"), tables=[_summary("chats", _("Fireside chats held"), [
        ("held", _("Fireside chats held"), c["held"]),
        ("associations_invited", _("Associations invited"), c["associations_invited"]),
        ("associations", _("Associations that attended"), c["associations"]),
        ("persons", _("Persons who attended"), c["persons"]),
    ])])


def _consultations(f, locale):
    columns = [Column("count", _("Consultations")), Column("hours", _("Hours"), "hours", ("count",))]
    rows = [Row(str(CONSULTATION_TOPIC_LABELS[key]), {"count": v["count"], "hours": v["minutes"] / 60}, key)
            for key, v in f.consultation_topics.items()]
    c = f.consultations
    total = Row(_("All topics"), {"count": c["count"], "hours": c["minutes"] / 60}, "total")
    summary = _summary("consultations_summary", _("Advice"), [
        ("count", _("Consultations"), c["count"]),
        ("associations", _("Associations advised"), c["associations"]),
    ])
    formats = [Row(str(FORMAT_LABELS[key]), {"count": n}, key) for key, n in c["formats"].items()]
    by_format = Table("consultations_by_format", _("Consultations by format"), [Column("count", _("Consultations"))],
                      formats, Row(_("All formats"), {"count": c["count"]}, "total"), row_label=_("Format"))
    return Section("consultations", _("Advice: consultations by topic and time spent"), tables=[
        summary, Table("consultations_by_topic", _("Consultations by topic"), columns, rows, total, chart=("count",),
                       row_label=_("Topic")), by_format,
    ])


def _follow_ups(f, locale):
    columns = [Column("done", _("Done")), Column("open", _("Open")), Column("overdue", _("of these overdue")),
               Column("dropped", _("Dropped"))]
    rows = [Row(_("Agreed at fireside chats"), dict(f.follow_ups["chats"]), "chats"),
            Row(_("Next steps of consultations"), dict(f.follow_ups["consultations"]), "consultations")]
    total = Row(_("All follow-ups"), {c.key: sum(r.values[c.key] for r in rows) for c in columns}, "total")
    return Section("follow_ups", _("Follow-ups done and open"), tables=[
        Table("follow_ups", _("Follow-ups agreed in the period"), columns, rows, total, row_label=_("Source"))
    ])


def _development(f, locale):
    columns = [Column("active", _("Active associations")), Column("responses", _("Survey responses")),
               Column("postings", _("Postings")), Column("fulfilled", _("Exchanges completed")),
               Column("chats", _("Fireside chats")), Column("consultations", _("Consultations")),
               Column("hours", _("Hours of advice"), "hours", ("consultations",))]
    rows = []
    for quarter in f.quarters:
        values = dict(f.by_quarter[quarter.key])
        values["hours"] = values.pop("minutes") / 60
        rows.append(Row(_("Q%(number)s %(year)s", number=quarter.number, year=quarter.year), values, quarter.key))
    # The whole period as the total, so a hidden quarter cannot be worked out from the period's figures.
    total = {c.key: sum(r.values[c.key] for r in rows) for c in columns}
    total["active"] = f.total("active")
    return Section("development", _("Development per quarter"), tables=[
        Table("development", _("Development per quarter"), columns, rows, Row(_("Whole period"), total, "total"),
              chart=("active", "consultations", "postings"), row_label=_("Quarter")),
    ])
