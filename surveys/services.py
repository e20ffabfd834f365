"""Building and running surveys: every change to a survey's definition goes through here.

Each function takes the acting user, flushes and never commits. Editing a survey that has
answers never destroys them: questions and options with answers are retired, not deleted,
and a changed wording is kept on record.
"""

import logging
import uuid

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core.extensions import db
from core.models import Topic, utcnow

from . import queries
from .interchange import build_sections, export_definition, make_key, validate_definition
from .models import (
    SOURCE_LANGUAGE,
    QuestionKind,
    ShareLevel,
    Survey,
    SurveyOption,
    SurveyQuestion,
    SurveyQuestionRevision,
    SurveySection,
    SurveyState,
)
from .structure import Structure

log = logging.getLogger("vereinsnetz.surveys")


class SurveyRuleError(ValueError):
    """A change that would lose answers or break the survey; the message says why."""


def _actor_id(actor):
    return actor.id if actor is not None else None


# --------------------------------------------------------------------------- surveys


def create_survey(
    actor,
    municipality_id,
    *,
    title,
    intro="",
    languages=(),
    opens_on=None,
    closes_on=None,
    wave_label="",
    definition=None,
    template_key="",
    previous=None,
):
    """A new draft survey, empty or built from definition data (template, copy or import)."""
    definition = definition or {"title": {}, "intro": {}, "languages": [], "sections": []}
    survey = Survey(
        municipality_id=municipality_id,
        series_key=previous.series_key if previous else uuid.uuid4().hex,
        previous=previous,
        wave_label=wave_label or "",
        title=_merged_text(definition.get("title"), title),
        intro=_merged_text(definition.get("intro"), intro) if intro else dict(definition.get("intro") or {}),
        languages=_languages(languages),
        opens_on=opens_on,
        closes_on=closes_on,
        template_key=template_key,
        created_by_id=_actor_id(actor),
        state=SurveyState.draft,
    )
    db.session.add(survey)
    build_sections(survey, definition)
    log.info("Survey %s created by %s", survey.id, _actor_id(actor) or "cli")
    return survey


def _merged_text(texts, german):
    """A new German text makes the old translations stale: they are dropped with it."""
    texts = dict(texts or {})
    if german and texts.get(SOURCE_LANGUAGE) != german:
        return {SOURCE_LANGUAGE: german}
    return texts


def _languages(codes):
    return [SOURCE_LANGUAGE] + [c for c in dict.fromkeys(codes or []) if c and c != SOURCE_LANGUAGE]


def update_settings(actor, survey, *, title, intro, languages, opens_on, closes_on, wave_label):
    survey.title = {**(survey.title or {}), SOURCE_LANGUAGE: title}
    intro_texts = dict(survey.intro or {})
    if intro:
        intro_texts[SOURCE_LANGUAGE] = intro
    else:
        intro_texts.pop(SOURCE_LANGUAGE, None)
    survey.intro = intro_texts
    survey.languages = _languages(languages)
    survey.opens_on, survey.closes_on, survey.wave_label = opens_on, closes_on, wave_label or ""
    log.info("Survey %s settings changed by %s", survey.id, _actor_id(actor))


def open_survey(actor, survey, today):
    if not any(not q.is_retired for q in survey.questions):
        raise SurveyRuleError(_l("A survey without questions cannot be opened."))
    if survey.closes_on and survey.closes_on < today:
        raise SurveyRuleError(_l("The closing date has passed. Please set a later closing date first."))
    survey.state = SurveyState.open
    survey.opens_on = survey.opens_on or today
    survey.opened_at = survey.opened_at or utcnow()
    survey.closed_at = None
    log.info("Survey %s opened by %s", survey.id, _actor_id(actor))


def close_survey(actor, survey):
    survey.state = SurveyState.closed
    survey.closed_at = utcnow()
    log.info("Survey %s closed by %s", survey.id, _actor_id(actor))


def delete_survey(actor, survey):
    if queries.response_count(survey.id):
        raise SurveyRuleError(_l("This survey has answers and cannot be deleted. Close it instead."))
    log.info("Survey %s deleted by %s", survey.id, _actor_id(actor))
    db.session.delete(survey)
    db.session.flush()


def set_share_level(actor, survey, level: ShareLevel):
    survey.share_level = level
    log.info("Survey %s shared with %s by %s", survey.id, level.value, _actor_id(actor))


def copy_as_wave(actor, source, *, wave_label, opens_on=None, closes_on=None):
    """The next wave: same questions and keys (retired ones left out), no answers."""
    definition = validate_definition(export_definition(Structure.load(source)))
    return create_survey(
        actor,
        source.municipality_id,
        title=(source.title or {}).get(SOURCE_LANGUAGE, ""),
        languages=source.languages,
        opens_on=opens_on,
        closes_on=closes_on,
        wave_label=wave_label,
        definition=definition,
        template_key=source.template_key,
        previous=source,
    )


# --------------------------------------------------------------------------- sections


def add_section(actor, survey, *, title, intro="", condition=None):
    taken = set(db.session.scalars(select(SurveySection.key).where(SurveySection.survey_id == survey.id)))
    position = (
        db.session.scalar(select(func.max(SurveySection.position)).where(SurveySection.survey_id == survey.id)) or 0
    )
    section = SurveySection(
        survey=survey,
        key=make_key(title, taken, "section"),
        position=position + 1,
        title={SOURCE_LANGUAGE: title},
        intro={SOURCE_LANGUAGE: intro} if intro else {},
        condition=condition,
    )
    db.session.add(section)
    db.session.flush()
    _check_order(survey)
    log.info("Section %s added to survey %s by %s", section.id, survey.id, _actor_id(actor))
    return section


def update_section(actor, section, *, title, intro, condition):
    section.title = {**(section.title or {}), SOURCE_LANGUAGE: title}
    intro_texts = dict(section.intro or {})
    if intro:
        intro_texts[SOURCE_LANGUAGE] = intro
    else:
        intro_texts.pop(SOURCE_LANGUAGE, None)
    section.intro = intro_texts
    section.condition = condition
    db.session.flush()
    _check_order(section.survey)


def move_section(actor, section, delta):
    sections = list(section.survey.sections)
    index = sections.index(section)
    target = index + delta
    if not 0 <= target < len(sections):
        return
    sections[index], sections[target] = sections[target], sections[index]
    for position, item in enumerate(sections, 1):
        item.position = position
    db.session.flush()
    _check_order(section.survey, _l("Moving it would put a condition before the question it depends on."))


def delete_section(actor, section):
    structure = Structure.load(section.survey)
    answered = queries.answered_question_ids(section.survey_id)
    if any(q.id in answered for q in section.questions):
        raise SurveyRuleError(
            _l("Questions in this section have answers. Retire them instead of deleting the section.")
        )
    for question in section.questions:
        _ensure_no_dependants(structure, question)
    log.info("Section %s deleted by %s", section.id, _actor_id(actor))
    db.session.delete(section)
    db.session.flush()
    _renumber_sections(section.survey)


def _renumber_sections(survey):
    db.session.refresh(survey, ["sections"])
    for position, item in enumerate(survey.sections, 1):
        item.position = position


def _check_order(survey, message=None):
    """Conditions must refer to earlier questions; otherwise the change is refused."""
    problems = Structure.load(survey, fresh=True).order_problems()
    if problems:
        raise SurveyRuleError(
            message or _l("A condition may only refer to an earlier question (%(keys)s).", keys=", ".join(problems))
        )


def _ensure_no_dependants(structure, question):
    dependants = structure.dependants(question)
    if dependants:
        raise SurveyRuleError(
            _l(
                "Other questions are shown depending on this one (%(keys)s). Change their conditions first.",
                keys=", ".join(d.key for d in dependants),
            )
        )


# --------------------------------------------------------------------------- questions


def add_question(actor, section, kind: QuestionKind, data):
    """A new question at the end of `section`; `data` comes from QuestionForm."""
    taken = set(db.session.scalars(select(SurveyQuestion.key).where(SurveyQuestion.survey_id == section.survey_id)))
    key = data.get("key") or make_key(data["text"], taken)
    if key in taken:
        raise SurveyRuleError(_l("The key %(key)s is already used in this survey.", key=key))
    position = (
        db.session.scalar(select(func.max(SurveyQuestion.position)).where(SurveyQuestion.section_id == section.id)) or 0
    )
    question = SurveyQuestion(
        survey_id=section.survey_id,
        section=section,
        key=key,
        position=position + 1,
        kind=kind,
        text={SOURCE_LANGUAGE: data["text"]},
        help={SOURCE_LANGUAGE: data["help"]} if data.get("help") else {},
        is_required=data.get("required", False),
        settings=data.get("settings") or {},
        condition=data.get("condition"),
    )
    db.session.add(question)
    _apply_options(question, data, answered=set())
    db.session.flush()
    _check_order(section.survey)
    log.info("Question %s added to survey %s by %s", question.id, section.survey_id, _actor_id(actor))
    return question


def update_question(actor, question, data):
    """Change a question; wording with answers is kept as a revision, answered options are retired."""
    answered_options = queries.answered_option_ids(question.id)
    has_answers = queries.question_has_answers(question.id)
    if has_answers or question.survey.has_started:
        _record_revision(actor, question, data)
    if data.get("key") and data["key"] != question.key:
        _change_key(question, data["key"], has_answers)
    question.text = {**(question.text or {}), SOURCE_LANGUAGE: data["text"]}
    help_texts = dict(question.help or {})
    if data.get("help"):
        help_texts[SOURCE_LANGUAGE] = data["help"]
    else:
        help_texts.pop(SOURCE_LANGUAGE, None)
    question.help = help_texts
    question.is_required = data.get("required", False)
    question.settings = _merged_settings(question.settings or {}, data.get("settings") or {})
    question.condition = data.get("condition")
    if data.get("section") is not None and data["section"] is not question.section:
        _move_to_section(question, data["section"])
    _apply_options(question, data, answered_options)
    db.session.flush()
    _check_order(question.survey)
    log.info("Question %s changed by %s", question.id, _actor_id(actor))


def _merged_settings(old, new):
    """Translations of scale labels survive a settings change when the German label stays."""
    merged = dict(new)
    for name in ("low_label", "high_label"):
        if name in new:
            old_texts, new_texts = old.get(name) or {}, new.get(name) or {}
            if old_texts.get(SOURCE_LANGUAGE) == new_texts.get(SOURCE_LANGUAGE):
                merged[name] = {**old_texts, **new_texts}
    return merged


def _change_key(question, key, has_answers):
    structure = Structure.load(question.survey)
    if has_answers:
        raise SurveyRuleError(_l("The key of a question with answers cannot change: waves are compared by it."))
    _ensure_no_dependants(structure, question)
    if key in structure.question_by_key:
        raise SurveyRuleError(_l("The key %(key)s is already used in this survey.", key=key))
    question.key = key


def _move_to_section(question, section):
    if section.survey_id != question.survey_id:
        raise SurveyRuleError(_l("Please choose a section of this survey."))
    position = (
        db.session.scalar(select(func.max(SurveyQuestion.position)).where(SurveyQuestion.section_id == section.id)) or 0
    )
    question.section = section
    question.position = position + 1


def _record_revision(actor, question, data):
    new_labels = {row["id"]: row["label"] for row in data.get("options") or [] if row.get("id")}
    changed = (
        (question.text or {}).get(SOURCE_LANGUAGE) != data["text"]
        or (question.help or {}).get(SOURCE_LANGUAGE, "") != (data.get("help") or "")
        or any(
            o.id in new_labels and (o.label or {}).get(SOURCE_LANGUAGE, "") != new_labels[o.id]
            for o in question.options
        )
    )
    if changed:
        db.session.add(
            SurveyQuestionRevision(
                question=question,
                text=dict(question.text or {}),
                help=dict(question.help or {}),
                options={o.key: dict(o.label or {}) for o in question.options},
                changed_by_id=_actor_id(actor),
            )
        )


def _apply_options(question, data, answered):
    if question.kind is QuestionKind.topic_choice:
        _apply_topic_options(question, data.get("topic_ids") or [], data.get("settings", {}).get("polarity"), answered)
    elif question.kind.has_options:
        _apply_option_rows(question, data.get("options") or [], answered)


def _apply_option_rows(question, rows, answered):
    existing = {o.id: o for o in question.options}
    taken = {o.key for o in question.options}
    position = 0
    for row in rows:
        option = existing.get(row["id"]) if row["id"] else None
        if row["id"] and option is None:
            raise SurveyRuleError(_l("An option does not belong to this question. Please reload the page."))
        if option is not None and row["remove"]:
            _remove_option(question, option, answered)
            continue
        if option is None:
            if row["remove"] or not row["label"]:
                continue
            option = SurveyOption(key=make_key(row["label"], taken, "option"))
            taken.add(option.key)
            question.options.append(option)
        position += 1
        option.position, option.is_retired = position, False
        option.label = {**(option.label or {}), SOURCE_LANGUAGE: row["label"]}
        option.topic_id, option.polarity = row["topic_id"], row["polarity"]
        option.is_other = row["is_other"] and question.kind is not QuestionKind.matrix


def _remove_option(question, option, answered):
    if option.id in answered:
        option.is_retired = True
    else:
        question.options.remove(option)


def _apply_topic_options(question, topic_ids, polarity, answered):
    from .models import Polarity

    topics = db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids)).order_by(Topic.sort_order)).all()
    by_topic = {o.topic_id: o for o in question.options if o.topic_id}
    chosen = {t.id for t in topics}
    for option in list(question.options):
        if option.topic_id not in chosen:
            _remove_option(question, option, answered)
    taken = {o.key for o in question.options}
    for position, topic in enumerate(topics, 1):
        option = by_topic.get(topic.id)
        if option is None:
            key = topic.key if topic.key not in taken else make_key(topic.key, taken)
            option = SurveyOption(key=key, topic=topic, label={})
            taken.add(key)
            question.options.append(option)
        option.position, option.is_retired = position, False
        option.polarity = Polarity(polarity) if polarity else None


def move_question(actor, question, delta):
    siblings = list(question.section.questions)
    index = siblings.index(question)
    target = index + delta
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, item in enumerate(siblings, 1):
        item.position = position
    db.session.flush()
    _check_order(question.survey, _l("Moving it would put a condition before the question it depends on."))


def retire_question(actor, question):
    """Hidden from new respondents; its answers stay in results and exports."""
    question.is_retired, question.retired_at = True, utcnow()
    log.info("Question %s retired by %s", question.id, _actor_id(actor))


def restore_question(actor, question):
    question.is_retired, question.retired_at = False, None


def delete_question(actor, question):
    if queries.question_has_answers(question.id):
        raise SurveyRuleError(_l("This question has answers. It can be retired, but not deleted."))
    _ensure_no_dependants(Structure.load(question.survey), question)
    section = question.section
    log.info("Question %s deleted by %s", question.id, _actor_id(actor))
    section.questions.remove(question)
    for position, item in enumerate(section.questions, 1):
        item.position = position
    db.session.flush()
