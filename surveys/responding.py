"""Answering a survey: one response per association, saved page by page, never silently overwritten.

Valid answers on a page are saved even when another answer on it is invalid (that one keeps its
earlier value); a page posted over a newer save by someone else is kept as a conflict instead.
"""

import logging
from dataclasses import dataclass

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from core.extensions import db
from core.models import utcnow

from . import queries
from .models import QuestionKind, ResponseState, SurveyAnswer, SurveyConflict, SurveyResponse
from .structure import Answer, answers_from_rows

log = logging.getLogger("vereinsnetz.surveys")


@dataclass
class Respondent:
    """Who answers: always an association; a signed-in representative or someone with its link."""

    survey: object
    association: object
    invitation: object
    user: object = None
    #: Name given on the personal link (shown to the association's other representatives).
    name: str = ""
    token: str = ""

    @property
    def display_name(self):
        if self.user is not None:
            return self.user.name or self.user.email
        return self.name or _("Someone with the personal link")


# --------------------------------------------------------------------------- reading


def stored_answers(response):
    if response is None:
        return {}
    rows = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)).all()
    return answers_from_rows(rows)


def field_names(question):
    name = f"q{question.id}"
    names = [f"{name}_r{o.id}" for o in question.active_options] if question.kind is QuestionKind.matrix else [name]
    return names + [f"{name}_other", f"{name}_share"]


def form_data(questions, answers):
    """Initial form values from stored answers."""
    data = {}
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        name, kind = f"q{question.id}", question.kind
        if kind is QuestionKind.single_choice and answer.option_ids:
            data[name] = str(answer.option_ids[0])
        elif kind in (QuestionKind.multiple_choice, QuestionKind.topic_choice):
            data[name] = [str(i) for i in answer.option_ids]
        elif kind in (QuestionKind.short_text, QuestionKind.long_text):
            data[name] = answer.text
        elif kind is QuestionKind.number:
            data[name] = answer.number
        elif kind is QuestionKind.yes_no and answer.number is not None:
            data[name] = "yes" if answer.number else "no"
        elif kind is QuestionKind.scale and answer.number is not None:
            data[name] = str(int(answer.number))
        elif kind is QuestionKind.matrix:
            data.update({f"{name}_r{oid}": str(int(v)) for oid, v in answer.rows.items()})
        elif kind is QuestionKind.date:
            data[name] = answer.date
        data[f"{name}_other"] = answer.other
        data[f"{name}_share"] = answer.share
    return data


def answers_from_form(form, questions):
    """({question id: Answer} of the valid questions, {question id} of the invalid ones)."""
    values, invalid = {}, set()
    for question in questions:
        names = [n for n in field_names(question) if n in form]
        if any(form[n].errors for n in names):
            invalid.add(question.id)
            continue
        values[question.id] = _answer(form, question)
    return values, invalid


def _answer(form, question):
    field = form[f"q{question.id}"] if f"q{question.id}" in form else None
    kind, answer = question.kind, Answer()
    if kind is QuestionKind.single_choice and field.data:
        answer.option_ids = [int(field.data)]
    elif kind in (QuestionKind.multiple_choice, QuestionKind.topic_choice):
        answer.option_ids = [int(v) for v in field.data or []]
    elif kind in (QuestionKind.short_text, QuestionKind.long_text):
        answer.text = field.data or ""
    elif kind is QuestionKind.number:
        answer.number = field.number
    elif kind is QuestionKind.yes_no and field.data:
        answer.number = 1.0 if field.data == "yes" else 0.0
    elif kind is QuestionKind.scale and field.data:
        answer.number = float(field.data)
    elif kind is QuestionKind.matrix:
        for option in question.active_options:
            value = form[f"q{question.id}_r{option.id}"].data
            if value:
                answer.rows[option.id] = float(value)
    elif kind is QuestionKind.date:
        answer.date = field.data
    other_ids = {o.id for o in question.active_options if o.is_other}
    if other_ids & set(answer.option_ids):
        answer.other = form[f"q{question.id}_other"].data or ""
    if f"q{question.id}_share" in form:
        answer.share = bool(form[f"q{question.id}_share"].data)
    return answer


def missing_answers(questions, values, visible_ids):
    """[(question, field name, message)] for visible questions that need an answer or a specification."""
    missing = []
    for question in questions:
        if question.id not in visible_ids:
            continue
        answer = values.get(question.id) or Answer()
        other_ids = {o.id for o in question.active_options if o.is_other}
        if other_ids & set(answer.option_ids) and not answer.other:
            missing.append((question, f"q{question.id}_other", _("Please specify your answer “other”.")))
        if not question.is_required:
            continue
        if question.kind is QuestionKind.matrix:
            for option in question.active_options:
                if option.id not in answer.rows:
                    missing.append((question, f"q{question.id}_r{option.id}", _("Please choose a value in this row.")))
        elif answer.is_empty:
            missing.append((question, f"q{question.id}", _("Please answer this question.")))
    return missing


# --------------------------------------------------------------------------- writing


def get_or_create_response(respondent, locale):
    """The association's response, created on its first save (two first saves at once are fine)."""
    survey, association = respondent.survey, respondent.association
    response = queries.response_for(survey.id, association.id, for_update=True)
    if response is not None:
        return response
    response = SurveyResponse(survey_id=survey.id, association_id=association.id, locale=locale, section_versions={})
    try:
        with db.session.begin_nested():
            db.session.add(response)
            db.session.flush()
    except IntegrityError:
        response = queries.response_for(survey.id, association.id, for_update=True)
    return response


def is_conflict(response, section, posted_version, respondent):
    """Someone else saved this page after the respondent loaded it."""
    if response is None:
        return False
    saved_in = (response.section_versions or {}).get(str(section.id), 0)
    if saved_in <= posted_version:
        return False
    same_person = respondent.user is not None and response.updated_by_id == respondent.user.id
    return not same_person


def save_answers(response, section, values, respondent, locale, structure):
    """Replace the answers of the given questions and record who changed the response."""
    question_ids = list(values)
    if question_ids:
        db.session.execute(
            delete(SurveyAnswer).where(
                SurveyAnswer.response_id == response.id, SurveyAnswer.question_id.in_(question_ids)
            )
        )
        rows = [
            row for qid, answer in values.items() for row in _rows(response.id, structure.question_by_id[qid], answer)
        ]
        if rows:
            db.session.execute(insert(SurveyAnswer), rows)
    _touch(response, respondent, locale, section)
    db.session.expire(response, ["answers"])


def _rows(response_id, question, answer):
    base = {
        "response_id": response_id,
        "question_id": question.id,
        "share_consent": answer.share,
        "option_id": None,
        "value_text": None,
        "value_number": None,
        "value_date": None,
    }
    other_ids = {o.id for o in question.options if o.is_other}
    rows = []
    for option_id in answer.option_ids:
        # Only the "other" option carries the specification text.
        rows.append(
            {**base, "option_id": option_id, "value_text": (answer.other or None) if option_id in other_ids else None}
        )
    for option_id, value in answer.rows.items():
        rows.append({**base, "option_id": option_id, "value_number": value})
    if answer.text:
        rows.append({**base, "value_text": answer.text})
    if answer.number is not None:
        rows.append({**base, "value_number": answer.number})
    if answer.date is not None:
        rows.append({**base, "value_date": answer.date})
    return rows


def _touch(response, respondent, locale, section=None):
    response.version += 1
    if section is not None:
        response.section_versions = {**(response.section_versions or {}), str(section.id): response.version}
        response.last_section_position = section.position
    response.updated_at = utcnow()
    response.updated_by_id = respondent.user.id if respondent.user is not None else None
    response.updated_by_name = respondent.display_name[:120]
    response.locale = locale


def submit(response, structure, respondent, locale):
    """Submit if every visible required question is answered; returns the missing questions."""
    answers = stored_answers(response)
    visible = structure.visible_question_ids(answers)
    questions = [q for q in structure.questions if q.id in visible]
    missing = missing_answers(questions, answers, visible)
    if missing:
        return list(dict.fromkeys(question for question, _name, _message in missing))
    prune_hidden(response, structure, answers, visible)
    first = response.state is not ResponseState.submitted
    response.state, response.submitted_at = ResponseState.submitted, utcnow()
    _touch(response, respondent, locale)
    log.info("Response %s %s by %s", response.id, "submitted" if first else "resubmitted", respondent.display_name)
    return []


def prune_hidden(response, structure, answers, visible):
    """Answers to active questions that their conditions now hide are not part of the response."""
    hidden = [qid for qid in answers if qid not in visible and not structure.question_by_id[qid].is_retired]
    if hidden:
        db.session.execute(
            delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id, SurveyAnswer.question_id.in_(hidden))
        )


def record_conflict(response, section, respondent, posted_version, formdata):
    data = {key: formdata.getlist(key) for key in formdata if key.startswith("q")}
    conflict = SurveyConflict(
        response=response,
        section_id=section.id,
        user_id=respondent.user.id if respondent.user else None,
        author_name=respondent.display_name[:120],
        base_version=posted_version,
        data=data,
    )
    db.session.add(conflict)
    db.session.flush()
    log.info("Conflicting edit of response %s kept as conflict %s", response.id, conflict.id)
    return conflict


def resolve_conflict(conflict, resolution):
    if conflict is not None and not conflict.resolved_at:
        conflict.resolved_at, conflict.resolution = utcnow(), resolution


def open_conflict(response, conflict_id):
    if response is None or not str(conflict_id or "").isdigit():
        return None
    return db.session.scalar(
        select(SurveyConflict).where(
            SurveyConflict.id == int(conflict_id),
            SurveyConflict.response_id == response.id,
            SurveyConflict.resolved_at.is_(None),
        )
    )


# --------------------------------------------------------------------------- presenting


def describe(question, answer, lang, structure=None):
    """The answer as short texts in `lang`, for review pages, conflicts and the response view."""
    if answer is None or answer.is_empty:
        return []
    kind = question.kind
    options = {o.id: o for o in question.options}
    if kind.has_options and kind is not QuestionKind.matrix:
        texts = [options[i].label_in(lang)[0] for i in answer.option_ids if i in options]
        return texts + ([answer.other] if answer.other else [])
    if kind is QuestionKind.matrix:
        return [
            f"{options[oid].label_in(lang)[0]}: {int(value)}" for oid, value in answer.rows.items() if oid in options
        ]
    if kind is QuestionKind.yes_no:
        return [_("Yes") if answer.number else _("No")]
    if kind in (QuestionKind.number, QuestionKind.scale):
        return [format_decimal(answer.number)]
    if kind is QuestionKind.date:
        return [format_date(answer.date)]
    return [answer.text]
