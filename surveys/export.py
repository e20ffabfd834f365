"""CSV and XLSX export: one row per response, one column per question (or option), with a codebook.

Text cells that a spreadsheet would run as a formula (= + - @, tab, carriage return) are
prefixed with an apostrophe. CSV is UTF-8 with a byte order mark and semicolons, as German
Excel expects.
"""

import csv
import io
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select

from core.export import neutralise
from core.extensions import db
from core.labels import FIELD_LABELS
from core.models import Association

from .forms import KIND_LABELS, POLARITY_LABELS, question_shares
from .models import SOURCE_LANGUAGE, QuestionKind, ResponseState, SurveyAnswer, SurveyResponse, translate
from .structure import answers_from_rows

LANG = SOURCE_LANGUAGE


class Column:
    def __init__(self, name, question, getter, option=None, note=""):
        self.name, self.question, self.getter, self.option, self.note = name, question, getter, option, note


def columns(structure):
    """Meta columns, then the questions' columns in survey order (retired ones included)."""
    cols = [
        Column("association", None, lambda r, a, _ans: a.name),
        Column("field", None, lambda r, a, _ans: str(FIELD_LABELS[a.field])),
        Column("district", None, lambda r, a, _ans: a.district),
        Column("migrant_org", None, lambda r, a, _ans: {True: 1, False: 0}.get(a.is_migrant_org)),
        Column("state", None, lambda r, a, _ans: r.state.value),
        Column("submitted_at", None, lambda r, a, _ans: r.submitted_at),
        Column("updated_at", None, lambda r, a, _ans: r.updated_at),
        Column("updated_by", None, lambda r, a, _ans: r.updated_by_name),
    ]
    for question in structure.questions:
        cols.extend(_question_columns(question))
    return cols


def _question_columns(question):
    kind, key, qid = question.kind, question.key, question.id
    cols = []
    if kind is QuestionKind.single_choice:
        labels = {o.id: translate(o.label, LANG)[0] or o.key for o in question.options}
        cols.append(Column(key, question, lambda r, a, ans: _first(ans.get(qid), labels)))
    elif kind in (QuestionKind.multiple_choice, QuestionKind.topic_choice):
        for option in question.options:
            cols.append(Column(f"{key}__{option.key}", question, _chosen(qid, option.id), option))
    elif kind is QuestionKind.matrix:
        for option in question.options:
            cols.append(Column(f"{key}__{option.key}", question, _matrix(qid, option.id), option))
    else:
        cols.append(Column(key, question, _plain(qid, kind)))
    if any(o.is_other for o in question.options):
        cols.append(
            Column(
                f"{key}__other_text",
                question,
                lambda r, a, ans: ans.get(qid).other if ans.get(qid) else None,
                note="other",
            )
        )
    if question_shares(question):
        cols.append(
            Column(
                f"{key}__share", question, lambda r, a, ans: int(ans[qid].share) if qid in ans else None, note="share"
            )
        )
    return cols


def _first(answer, labels):
    if answer is None or not answer.option_ids:
        return None
    return labels.get(answer.option_ids[0])


def _chosen(qid, option_id):
    def get(r, a, answers):
        answer = answers.get(qid)
        if answer is None or answer.is_empty:
            return None
        return 1 if option_id in answer.option_ids else 0

    return get


def _matrix(qid, option_id):
    def get(r, a, answers):
        answer = answers.get(qid)
        return _number(answer.rows.get(option_id)) if answer else None

    return get


def _plain(qid, kind):
    def get(r, a, answers):
        answer = answers.get(qid)
        if answer is None or answer.is_empty:
            return None
        if kind is QuestionKind.yes_no:
            return _("Yes") if answer.number else _("No")
        if kind in (QuestionKind.number, QuestionKind.scale):
            return _number(answer.number)
        if kind is QuestionKind.date:
            return answer.date
        return answer.text

    return get


def _number(value):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def rows(survey, structure, include_drafts=False, response_ids=None):
    """Yield the cell values of each response, in columns() order."""
    cols = columns(structure)
    stmt = (
        select(SurveyResponse, Association)
        .join(Association, Association.id == SurveyResponse.association_id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(Association.name, SurveyResponse.id)
    )
    if not include_drafts:
        stmt = stmt.where(SurveyResponse.state == ResponseState.submitted)
    if response_ids is not None:
        stmt = stmt.where(SurveyResponse.id.in_(response_ids))
    responses = db.session.execute(stmt).all()
    by_response = {}
    # Plain rows, not ORM objects: an export reads every answer of the survey.
    answer_stmt = (
        select(
            SurveyAnswer.response_id,
            SurveyAnswer.question_id,
            SurveyAnswer.option_id,
            SurveyAnswer.value_text,
            SurveyAnswer.value_number,
            SurveyAnswer.value_date,
            SurveyAnswer.share_consent,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(SurveyAnswer.response_id, SurveyAnswer.id)
    )
    for answer in db.session.execute(answer_stmt):
        by_response.setdefault(answer.response_id, []).append(answer)
    yield [c.name for c in cols]
    for response, association in responses:
        answers = answers_from_rows(by_response.get(response.id, []))
        yield [c.getter(response, association, answers) for c in cols]


def codebook(structure):
    """What each column means: question text, type, option, polarity and topic."""
    lines = [
        ["column", "question_key", "question", "type", "option_key", "option", "polarity", "topic", "retired", "values"]
    ]
    for col in columns(structure):
        question, option = col.question, col.option
        if question is None:
            lines.append([col.name, "", _meta_description(col.name), "", "", "", "", "", "", ""])
            continue
        lines.append(
            [
                col.name,
                question.key,
                translate(question.text, LANG)[0],
                str(KIND_LABELS[question.kind]),
                option.key if option else "",
                option.label_in(LANG)[0] if option else "",
                str(POLARITY_LABELS[option.polarity]) if option and option.polarity else "",
                option.topic.key if option and option.topic else "",
                "1" if question.is_retired or (option and option.is_retired) else "",
                _values_note(col),
            ]
        )
    return lines


def _meta_description(name):
    return {
        "association": _("Name of the association"),
        "field": _("Field of activity"),
        "district": _("District"),
        "migrant_org": _("Migrant organisation (1 yes, 0 no, empty: not stated)"),
        "state": _("State of the response (draft, submitted)"),
        "submitted_at": _("Submitted (UTC)"),
        "updated_at": _("Last change (UTC)"),
        "updated_by": _("Last change by"),
    }[name]


def _values_note(col):
    kind = col.question.kind
    if col.note == "other":
        return _("Text given for “other”")
    if col.note == "share":
        return _("1: may be passed on to other associations")
    if kind in (QuestionKind.multiple_choice, QuestionKind.topic_choice):
        return _("1 chosen, 0 not chosen, empty: question not answered")
    if kind in (QuestionKind.matrix, QuestionKind.scale):
        settings = col.question.settings or {}
        return f"{settings.get('scale_min', 1)}–{settings.get('scale_max', 5)}"
    if kind is QuestionKind.single_choice:
        return " | ".join(o.label_in(LANG)[0] for o in col.question.options)
    return ""


# --------------------------------------------------------------------------- files


def _csv_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return "" if value is None else neutralise(str(value))


def to_csv(survey, structure, include_drafts=False):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in rows(survey, structure, include_drafts):
        writer.writerow([_csv_value(v) for v in line])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(survey, structure, include_drafts=False):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Responses")[:31])
    for line in rows(survey, structure, include_drafts):
        sheet.append([neutralise(v) for v in line])
    book = workbook.create_sheet(_("Codebook")[:31])
    for line in codebook(structure):
        book.append([neutralise(v) for v in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
