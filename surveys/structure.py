"""A survey's definition loaded once per request, answer values, and conditional display.

Everything here is plain Python over already-loaded objects: no queries after `load()`.
"""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db

from .models import QuestionKind, SurveyOption, SurveyQuestion, SurveySection

CONDITION_OPS = ("any_of", "answered", "gte", "lte")


@dataclass
class Answer:
    """One question's answer in a comparable form (ids for options, floats for numbers)."""

    option_ids: list = field(default_factory=list)
    other: str = ""
    text: str = ""
    number: float | None = None
    date: dt.date | None = None
    #: Matrix: {row option id: scale value}.
    rows: dict = field(default_factory=dict)
    share: bool = False

    @property
    def is_empty(self):
        return not (self.option_ids or self.text or self.number is not None or self.date or self.rows)


class Structure:
    """Sections, questions and options of one survey with the lookups every view needs."""

    def __init__(self, survey, sections):
        self.survey = survey
        self.sections = sections
        self.questions = [q for s in sections for q in s.questions]
        self.question_by_id = {q.id: q for q in self.questions}
        self.question_by_key = {q.key: q for q in self.questions}
        self.option_by_id = {o.id: o for q in self.questions for o in q.options}
        self.section_by_id = {s.id: s for s in sections}

    @classmethod
    def load(cls, survey, fresh=False):
        """Four queries, whatever the survey's size; `fresh` re-reads order after changes."""
        stmt = (
            select(SurveySection)
            .where(SurveySection.survey_id == survey.id)
            .order_by(SurveySection.position, SurveySection.id)
            .options(
                selectinload(SurveySection.questions)
                .selectinload(SurveyQuestion.options)
                .selectinload(SurveyOption.topic)
            )
        )
        if fresh:
            stmt = stmt.execution_options(populate_existing=True)
        return cls(survey, db.session.scalars(stmt).all())

    def active_questions(self, section):
        return [q for q in section.questions if not q.is_retired]

    def order_problems(self):
        """Keys of sections and questions whose condition does not refer to an earlier question."""
        seen, problems = set(), []
        for section in self.sections:
            if section.condition and section.condition.get("question") not in seen:
                problems.append(section.key)
            for question in section.questions:
                if question.condition and question.condition.get("question") not in seen:
                    problems.append(question.key)
                seen.add(question.key)
        return problems

    def earlier_questions(self, section, question=None):
        """Questions before `question` (or before `section` when no question is given)."""
        earlier = []
        for s in self.sections:
            for q in s.questions:
                if q is question or (question is None and s is section):
                    return earlier
                earlier.append(q)
            if s is section and question is None:
                return earlier
        return earlier

    def dependants(self, question):
        """Sections and questions whose condition refers to `question`."""
        items = [s for s in self.sections if s.condition and s.condition.get("question") == question.key]
        return items + [q for q in self.questions if q.condition and q.condition.get("question") == question.key]

    def option_key(self, option_id):
        option = self.option_by_id.get(option_id)
        return option.key if option else None

    # ------------------------------------------------------------------ conditions

    def visibility(self, answers):
        """(visible section ids, visible question ids) for answers {question id: Answer}.

        Evaluated in survey order: an answer to a question that is itself hidden counts as
        no answer, so chains of conditions behave as respondents expect.
        """
        visible_sections, visible_questions = set(), set()
        effective = {}
        for section in self.sections:
            if not self._holds(section.condition, effective):
                continue
            visible_sections.add(section.id)
            for question in self.active_questions(section):
                if self._holds(question.condition, effective):
                    visible_questions.add(question.id)
                    if question.id in answers:
                        effective[question.key] = (question, answers[question.id])
        return visible_sections, visible_questions

    def _holds(self, condition, effective):
        if not condition:
            return True
        found = effective.get(condition.get("question"))
        if found is None:
            return False
        question, answer = found
        return condition_holds(condition, question, answer, self)

    def visible_question_ids(self, answers):
        return self.visibility(answers)[1]

    def visible_sections(self, answers):
        shown = self.visibility(answers)[0]
        return [s for s in self.sections if s.id in shown and self.active_questions(s)]


def answer_tokens(question, answer, structure):
    """The values a condition compares against: option keys, "yes"/"no", or scale values."""
    if question.kind is QuestionKind.yes_no and answer.number is not None:
        return {"yes" if answer.number else "no"}
    if question.kind is QuestionKind.scale and answer.number is not None:
        return {str(int(answer.number))}
    return {structure.option_key(i) for i in answer.option_ids}


def condition_holds(condition, question, answer, structure):
    op = condition.get("op", "any_of")
    if answer is None or answer.is_empty:
        return False
    if op == "answered":
        return True
    if op == "any_of":
        return bool(answer_tokens(question, answer, structure) & set(condition.get("values") or []))
    if op in ("gte", "lte") and answer.number is not None:
        limit = condition.get("number")
        if limit is None:
            return False
        return answer.number >= limit if op == "gte" else answer.number <= limit
    return False


def answers_from_rows(rows):
    """{question id: Answer} from SurveyAnswer rows."""
    answers = {}
    for row in rows:
        answer = answers.setdefault(row.question_id, Answer())
        answer.share = answer.share or row.share_consent
        if row.option_id is not None and row.value_number is not None:
            answer.rows[row.option_id] = row.value_number
        elif row.option_id is not None:
            answer.option_ids.append(row.option_id)
            if row.value_text:
                answer.other = row.value_text
        elif row.value_date is not None:
            answer.date = row.value_date
        elif row.value_number is not None:
            answer.number = row.value_number
        elif row.value_text is not None:
            answer.text = row.value_text
    return answers


def condition_for_client(condition, structure):
    """The condition as the browser script evaluates it (field names instead of keys)."""
    if not condition:
        return None
    question = structure.question_by_key.get(condition.get("question"))
    if question is None:
        return None
    values = list(condition.get("values") or [])
    if question.kind.has_options:
        by_key = {o.key: str(o.id) for o in question.options}
        values = [by_key[v] for v in values if v in by_key]
    return {
        "field": f"q{question.id}",
        "op": condition.get("op", "any_of"),
        "values": values,
        "number": condition.get("number"),
    }


def describe_condition(condition, structure, lang):
    """A short human-readable form for builders and previews: (question text, op, values text)."""
    from .models import translate

    if not condition:
        return None
    question = structure.question_by_key.get(condition.get("question"))
    if question is None:
        return None
    values = condition.get("values") or []
    labels = []
    options = {o.key: o for o in question.options}
    for value in values:
        if value in options:
            labels.append(options[value].label_in(lang)[0])
        else:
            labels.append(value)
    return {
        "question": translate(question.text, lang)[0],
        "question_key": question.key,
        "op": condition.get("op", "any_of"),
        "values": labels,
        "number": condition.get("number"),
    }
