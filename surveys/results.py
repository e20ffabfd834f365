"""Results of a survey, aggregated in the database.

Every figure comes from a GROUP BY over all questions at once, so the number of queries is the
same for 10 or 5,000 responses and for 5 or 50 questions. Only submitted responses count.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, func, select
from sqlalchemy.orm import aliased

from core.extensions import db
from core.labels import FIELD_LABELS
from core.models import Association, Field

from .models import Polarity, QuestionKind, ResponseState, SurveyAnswer, SurveyOption, SurveyResponse, translate

TEXT_SAMPLES = 10
SMALL_CELL = 3
NUMERIC = {QuestionKind.number, QuestionKind.scale}


@dataclass
class Filters:
    field: str = ""
    district: str = ""
    #: "yes", "no" or "unknown" (the association did not say).
    migrant: str = ""
    #: "<question key>=<value>": only responses with that answer.
    answer: str = ""
    #: Cross-tabulate by "field", "district", "migrant" or "q:<question key>".
    by: str = ""
    #: "<topic key>:<polarity>": only responses stating that need, offer or interest.
    topic: str = ""

    @classmethod
    def from_args(cls, args):
        field_value = args.get("field", "")
        return cls(
            field=field_value if field_value in {f.value for f in Field} else "",
            district=args.get("district", "").strip()[:120],
            migrant=args.get("migrant", "") if args.get("migrant") in ("yes", "no", "unknown") else "",
            answer=args.get("answer", "").strip()[:140],
            by=args.get("by", "").strip()[:70],
            topic=args.get("topic", "").strip()[:80],
        )

    def as_args(self, **changes):
        values = {**self.__dict__, **changes}
        return {k: v for k, v in values.items() if v}

    @property
    def active(self):
        return bool(self.field or self.district or self.migrant or self.answer or self.topic)


@dataclass
class Row:
    label: str
    count: int
    percent: float | None
    #: Value for the `answer` filter that lists the responses behind this figure.
    value: str
    is_fallback: bool = False
    suppressed: bool = False


@dataclass
class QuestionResult:
    question: object
    answered: int = 0
    rows: list = field(default_factory=list)
    #: Matrix: [(row label, [Row per scale value], mean)].
    matrix: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    texts: list = field(default_factory=list)
    crosstab: dict | None = None
    answered_suppressed: bool = False


# --------------------------------------------------------------------------- filtering


def responses_stmt(survey, filters, structure):
    """SELECT of the ids of the submitted responses that match the filters."""
    stmt = (
        select(SurveyResponse.id)
        .join(Association, Association.id == SurveyResponse.association_id)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.state == ResponseState.submitted)
    )
    if filters.field:
        stmt = stmt.where(Association.field == Field(filters.field))
    if filters.district:
        stmt = stmt.where(Association.district == filters.district)
    if filters.migrant:
        stmt = stmt.where(
            Association.is_migrant_org.is_(None)
            if filters.migrant == "unknown"
            else Association.is_migrant_org.is_(filters.migrant == "yes")
        )
    if filters.answer:
        condition = answer_condition(structure, filters.answer)
        stmt = stmt.where(condition if condition is not None else false())
    if filters.topic:
        stmt = stmt.where(_topic_condition(filters.topic))
    return stmt


def _topic_condition(spec):
    from core.models import Topic

    key, _sep, polarity = spec.partition(":")
    if polarity not in {p.value for p in Polarity}:
        return false()
    return exists().where(
        SurveyAnswer.response_id == SurveyResponse.id,
        SurveyAnswer.option_id == SurveyOption.id,
        SurveyOption.topic_id == Topic.id,
        Topic.key == key,
        SurveyOption.polarity == Polarity(polarity),
    )


def answer_condition(structure, spec):
    """EXISTS clause for "<question key>=<value>" (option key, yes/no, scale value, row.value, *)."""
    key, _sep, value = spec.partition("=")
    question = structure.question_by_key.get(key)
    if question is None or not value:
        return None
    clauses = [SurveyAnswer.response_id == SurveyResponse.id, SurveyAnswer.question_id == question.id]
    options = {o.key: o for o in question.options}
    if value == "*":
        pass
    elif question.kind is QuestionKind.matrix:
        row_key, _dot, number = value.rpartition(".")
        if row_key not in options or not number.lstrip("-").isdigit():
            return None
        clauses += [SurveyAnswer.option_id == options[row_key].id, SurveyAnswer.value_number == float(number)]
    elif question.kind.has_options:
        if value not in options:
            return None
        clauses.append(SurveyAnswer.option_id == options[value].id)
    elif question.kind is QuestionKind.yes_no and value in ("yes", "no"):
        clauses.append(SurveyAnswer.value_number == (1.0 if value == "yes" else 0.0))
    elif question.kind is QuestionKind.scale and value.lstrip("-").isdigit():
        clauses.append(SurveyAnswer.value_number == float(value))
    else:
        return None
    return exists().where(*clauses)


# --------------------------------------------------------------------------- aggregation


def aggregate(survey, structure, filters, lang, with_texts=True):
    """(number of responses, [QuestionResult]) for every question, retired ones included."""
    ids = responses_stmt(survey, filters, structure).scalar_subquery()
    base = responses_stmt(survey, filters, structure).subquery()
    total = db.session.scalar(select(func.count()).select_from(base))
    answered = dict(
        db.session.execute(
            select(SurveyAnswer.question_id, func.count(func.distinct(SurveyAnswer.response_id)))
            .where(SurveyAnswer.response_id.in_(ids))
            .group_by(SurveyAnswer.question_id)
        ).all()
    )
    counts = _distribution(ids, [q.id for q in structure.questions if q.kind.is_choice])
    stats = _numeric_stats(ids, [q.id for q in structure.questions if q.kind in NUMERIC])
    dates = _date_range(ids, [q.id for q in structure.questions if q.kind is QuestionKind.date])
    texts = _text_samples(ids) if with_texts else {}
    crosstab = _crosstab(survey, structure, filters, ids, lang) if filters.by else None
    results = []
    for question in structure.questions:
        result = QuestionResult(question=question, answered=answered.get(question.id, 0))
        _fill_rows(result, counts.get(question.id, {}), lang)
        result.stats = stats.get(question.id, {}) | dates.get(question.id, {})
        result.texts = texts.get(question.id, [])
        if crosstab is not None and question.kind.is_choice and question.kind is not QuestionKind.matrix:
            result.crosstab = _crosstab_table(result, crosstab, question)
        results.append(result)
    return total, results


def _distribution(ids, question_ids):
    """{question id: {(option id, value): count}}."""
    if not question_ids:
        return {}
    rows = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value_number, func.count())
        .where(SurveyAnswer.response_id.in_(ids), SurveyAnswer.question_id.in_(question_ids))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value_number)
    )
    counts = {}
    for question_id, option_id, value, count in rows:
        counts.setdefault(question_id, {})[(option_id, value)] = count
    return counts


def _numeric_stats(ids, question_ids):
    if not question_ids:
        return {}
    where = (
        SurveyAnswer.response_id.in_(ids),
        SurveyAnswer.question_id.in_(question_ids),
        SurveyAnswer.option_id.is_(None),
        SurveyAnswer.value_number.is_not(None),
    )
    stats = {
        qid: {"n": n, "mean": mean, "min": low, "max": high}
        for qid, n, mean, low, high in db.session.execute(
            select(
                SurveyAnswer.question_id,
                func.count(),
                func.avg(SurveyAnswer.value_number),
                func.min(SurveyAnswer.value_number),
                func.max(SurveyAnswer.value_number),
            )
            .where(*where)
            .group_by(SurveyAnswer.question_id)
        )
    }
    ranked = (
        select(
            SurveyAnswer.question_id.label("qid"),
            SurveyAnswer.value_number.label("value"),
            func.row_number()
            .over(partition_by=SurveyAnswer.question_id, order_by=SurveyAnswer.value_number)
            .label("rn"),
            func.count().over(partition_by=SurveyAnswer.question_id).label("cnt"),
        )
        .where(*where)
        .subquery()
    )
    middle = ranked.c.rn.in_([(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2])
    for qid, median in db.session.execute(
        select(ranked.c.qid, func.avg(ranked.c.value)).where(middle).group_by(ranked.c.qid)
    ):
        stats.setdefault(qid, {})["median"] = median
    return stats


def _date_range(ids, question_ids):
    if not question_ids:
        return {}
    return {
        qid: {"n": n, "earliest": low, "latest": high}
        for qid, n, low, high in db.session.execute(
            select(
                SurveyAnswer.question_id,
                func.count(),
                func.min(SurveyAnswer.value_date),
                func.max(SurveyAnswer.value_date),
            )
            .where(
                SurveyAnswer.response_id.in_(ids),
                SurveyAnswer.question_id.in_(question_ids),
                SurveyAnswer.value_date.is_not(None),
            )
            .group_by(SurveyAnswer.question_id)
        )
    }


def _text_samples(ids):
    """The first texts per question (free texts and "other" specifications) with their association."""
    ranked = (
        select(
            SurveyAnswer.question_id.label("qid"),
            SurveyAnswer.value_text.label("text"),
            SurveyAnswer.response_id.label("rid"),
            Association.name.label("association"),
            func.row_number().over(partition_by=SurveyAnswer.question_id, order_by=SurveyAnswer.id).label("rn"),
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(Association, Association.id == SurveyResponse.association_id)
        .where(SurveyAnswer.response_id.in_(ids), SurveyAnswer.value_text.is_not(None), SurveyAnswer.value_text != "")
        .subquery()
    )
    texts = {}
    for qid, text, rid, association in db.session.execute(
        select(ranked.c.qid, ranked.c.text, ranked.c.rid, ranked.c.association)
        .where(ranked.c.rn <= TEXT_SAMPLES)
        .order_by(ranked.c.qid, ranked.c.rn)
    ):
        texts.setdefault(qid, []).append({"text": text, "response_id": rid, "association": association})
    return texts


def _percent(count, base):
    return round(100.0 * count / base, 1) if base else None


def _fill_rows(result, counts, lang):
    question, base = result.question, result.answered
    kind = question.kind
    if kind is QuestionKind.matrix:
        low, high = _scale_bounds(question)
        for option in question.options:
            cells = [
                Row(str(v), counts.get((option.id, float(v)), 0), None, f"{option.key}.{v}")
                for v in range(low, high + 1)
            ]
            row_total = sum(c.count for c in cells)
            for cell in cells:
                cell.percent = _percent(cell.count, row_total)
            weighted = sum(int(c.label) * c.count for c in cells)
            label, fallback = option.label_in(lang)
            result.matrix.append(
                (label, cells, round(weighted / row_total, 2) if row_total else None, fallback, option)
            )
        return
    if kind.has_options:
        for option in question.options:
            label, fallback = option.label_in(lang)
            count = counts.get((option.id, None), 0)
            result.rows.append(Row(label, count, _percent(count, base), option.key, fallback))
    elif kind is QuestionKind.yes_no:
        for value, label in ((1.0, _("Yes")), (0.0, _("No"))):
            count = counts.get((None, value), 0)
            result.rows.append(Row(label, count, _percent(count, base), "yes" if value else "no"))
    elif kind is QuestionKind.scale:
        low, high = _scale_bounds(question)
        for value in range(low, high + 1):
            count = counts.get((None, float(value)), 0)
            result.rows.append(Row(str(value), count, _percent(count, base), str(value)))


def _scale_bounds(question):
    settings = question.settings or {}
    return int(settings.get("scale_min", 1)), int(settings.get("scale_max", 5))


# --------------------------------------------------------------------------- cross-tabulation


def group_choices(structure, lang):
    """What results can be broken down by: association facts and every choice question."""
    choices = [("field", _("Field of activity")), ("district", _("District")), ("migrant", _("Migrant organisation"))]
    choices += [
        (f"q:{q.key}", f"{q.key}: {translate(q.text, lang)[0][:70]}")
        for q in structure.questions
        if q.kind
        in (
            QuestionKind.single_choice,
            QuestionKind.multiple_choice,
            QuestionKind.topic_choice,
            QuestionKind.yes_no,
            QuestionKind.scale,
        )
    ]
    return choices


def _group_expression(structure, by):
    """(SQL expression of the group value joined to SurveyResponse, join target or None, labeller)."""
    if by == "field":
        return Association.field, None
    if by == "district":
        return Association.district, None
    if by == "migrant":
        return Association.is_migrant_org, None
    if by.startswith("q:"):
        question = structure.question_by_key.get(by[2:])
        if question is None or not question.kind.is_choice or question.kind is QuestionKind.matrix:
            return None, None
        grouped = aliased(SurveyAnswer)
        join = (grouped, and_(grouped.response_id == SurveyResponse.id, grouped.question_id == question.id))
        column = grouped.option_id if question.kind.has_options else grouped.value_number
        return column, join
    return None, None


def _crosstab(survey, structure, filters, ids, lang):
    """{"groups": [(value, label, size)], "cells": {(question id, option id, value, group): count}}."""
    column, join = _group_expression(structure, filters.by)
    if column is None:
        return None

    def grouped(stmt):
        stmt = stmt.join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id).join(
            Association, Association.id == SurveyResponse.association_id
        )
        return stmt.join(*join) if join is not None else stmt

    sizes_stmt = (
        select(column, func.count(func.distinct(SurveyResponse.id)))
        .select_from(SurveyResponse)
        .join(Association, Association.id == SurveyResponse.association_id)
    )
    if join is not None:
        sizes_stmt = sizes_stmt.join(*join)
    sizes = db.session.execute(sizes_stmt.where(SurveyResponse.id.in_(ids)).group_by(column)).all()
    choice_ids = [q.id for q in structure.questions if q.kind.is_choice and q.kind is not QuestionKind.matrix]
    cells = {}
    for qid, option_id, value, group, count in db.session.execute(
        grouped(
            select(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value_number, column, func.count())
        )
        .where(SurveyAnswer.response_id.in_(ids), SurveyAnswer.question_id.in_(choice_ids))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.option_id, SurveyAnswer.value_number, column)
    ):
        cells[(qid, option_id, value, _group_key(group))] = count
    groups = sorted(
        ((_group_key(v), group_label(structure, filters.by, v, lang), n) for v, n in sizes), key=lambda g: str(g[1])
    )
    return {"groups": groups, "cells": cells, "by": filters.by}


def _group_key(value):
    return value.value if hasattr(value, "value") else value


def group_label(structure, by, value, lang):
    if by == "field":
        return str(FIELD_LABELS.get(Field(_group_key(value)), value)) if value else _("Not stated")
    if by == "migrant":
        return {True: _("Migrant organisation"), False: _("Other association")}.get(value, _("Not stated"))
    if by.startswith("q:"):
        question = structure.question_by_key.get(by[2:])
        if question.kind.has_options:
            option = structure.option_by_id.get(value)
            return option.label_in(lang)[0] if option else "?"
        if question.kind is QuestionKind.yes_no:
            return _("Yes") if value else _("No")
        return str(int(value)) if value is not None else "?"
    return value or _("Not stated")


def _crosstab_table(result, crosstab, question):
    groups = crosstab["groups"]
    table = []
    for row in result.rows:
        if question.kind.has_options:
            option = next(o for o in question.options if o.key == row.value)
            key = (option.id, None)
        else:
            key = (None, 1.0 if row.value == "yes" else 0.0 if row.value == "no" else float(row.value))
        cells = []
        for value, _label, size in groups:
            count = crosstab["cells"].get((question.id, key[0], key[1], value), 0)
            cells.append((count, _percent(count, size), group_filter(crosstab["by"], value)))
        table.append((row, cells))
    return {"groups": groups, "rows": table}


def group_filter(by, value):
    """The filter arguments that list one cross-tab group's responses, or None where no filter can say it."""
    if by == "field" and value:
        return {"field": value}
    if by == "district" and value:
        return {"district": value}
    if by == "migrant":
        return {"migrant": {True: "yes", False: "no"}.get(value, "unknown")}
    return None  # "not stated" districts and fields, and answers to a second question


# --------------------------------------------------------------------------- topics


def topic_summary(survey, structure, filters, lang):
    """[(topic, {polarity value: (associations, of them agreeing to pass it on)})], most frequent first."""
    ids = responses_stmt(survey, filters, structure).scalar_subquery()
    rows = db.session.execute(
        select(
            SurveyOption.topic_id,
            SurveyOption.polarity,
            func.count(func.distinct(SurveyAnswer.response_id)),
            func.count(func.distinct(SurveyAnswer.response_id)).filter(SurveyAnswer.share_consent.is_(True)),
        )
        .join(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
        .where(
            SurveyAnswer.response_id.in_(ids), SurveyOption.topic_id.is_not(None), SurveyOption.polarity.is_not(None)
        )
        .group_by(SurveyOption.topic_id, SurveyOption.polarity)
    ).all()
    topics = {o.topic_id: o.topic for o in structure.option_by_id.values() if o.topic is not None}
    summary = {}
    for topic_id, polarity, count, shared in rows:
        polarity = polarity if isinstance(polarity, Polarity) else Polarity(polarity)
        summary.setdefault(topic_id, {})[polarity.value] = (count, shared)
    ordered = sorted(summary.items(), key=lambda item: -max(c for c, _s in item[1].values()))
    return [(topics[tid], counts) for tid, counts in ordered if tid in topics]


# --------------------------------------------------------------------------- small numbers


def suppress(results, total, exclusive_kinds=(QuestionKind.single_choice, QuestionKind.yes_no, QuestionKind.scale)):
    """Results safe to show beyond the office: cells under 3 hidden, also where a sum would reveal them."""
    for result in results:
        result.texts = []
        result.crosstab = None
        cells = [*result.rows, *(cell for _l, cells, *_rest in result.matrix for cell in cells)]
        for cell in cells:
            if cell.count < SMALL_CELL:
                cell.suppressed = True
        if result.question.kind in exclusive_kinds:
            _secondary(result.rows)
        for _label, row_cells, *_rest in result.matrix:
            _secondary(row_cells)
        for cell in cells:
            if cell.suppressed:
                cell.count, cell.percent = None, None
        result.matrix = [(label, cells, None, *rest) for label, cells, _mean, *rest in result.matrix]
        n = result.stats.get("n", 0)
        result.stats = {"n": n, "mean": result.stats.get("mean")} if n >= SMALL_CELL and "mean" in result.stats else {}
        if result.answered < SMALL_CELL:
            result.answered_suppressed = True
    return results


def _secondary(cells):
    """With one hidden cell in a set that adds up to a known total, hide the next smallest too."""
    hidden = [c for c in cells if c.suppressed]
    shown = sorted((c for c in cells if not c.suppressed), key=lambda c: c.count)
    if len(hidden) == 1 and shown:
        shown[0].suppressed = True
    for cell in cells:
        if cell.suppressed:
            cell.count, cell.percent = None, None


def suppress_topics(summary):
    """Topic counts under 3 hidden (None) for shared summaries, topics with only small counts left out."""
    shown = []
    for topic, counts in summary:
        if any(count >= SMALL_CELL for count, _shared in counts.values()):
            shown.append(
                (topic, {p: (count if count >= SMALL_CELL else None, None) for p, (count, _shared) in counts.items()})
            )
    return shown
