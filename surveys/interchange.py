"""Survey definitions as plain data: JSON export and import, templates and copies for new waves.

Topics are referenced by their stable key, so a definition moves between towns unchanged.
"""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.models import Topic

from .models import (
    SOURCE_LANGUAGE,
    Polarity,
    QuestionKind,
    SurveyOption,
    SurveyQuestion,
    SurveySection,
)
from .structure import CONDITION_OPS

FORMAT = "vereinsnetz-survey"
FORMAT_VERSION = 1
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_TEXT = 2000
SETTING_NUMBERS = ("min", "max", "scale_min", "scale_max", "max_length")
SETTING_FLAGS = ("integer",)
SETTING_TEXTS = ("low_label", "high_label", "unit")


class DefinitionError(ValueError):
    """The definition cannot be imported; `problems` lists every reason found."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problems in the survey definition")
        self.problems = problems


def make_key(text, taken=(), fallback="q"):
    """A stable key from a (German) text: "Räume für Samstag" → "raeume-fuer-samstag"."""
    transliterated = (text or "").casefold().translate(UMLAUTS)
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", transliterated) if not unicodedata.combining(ch))
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40].strip("-") or fallback
    key, number = base, 2
    while key in taken:
        key = f"{base}-{number}"
        number += 1
    return key


# --------------------------------------------------------------------------- export


def export_definition(structure, include_retired=False):
    survey = structure.survey
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "title": dict(survey.title or {}),
        "intro": dict(survey.intro or {}),
        "languages": list(survey.languages or [SOURCE_LANGUAGE]),
        "sections": [
            {
                "key": section.key,
                "title": dict(section.title or {}),
                "intro": dict(section.intro or {}),
                "condition": section.condition,
                "questions": [
                    _export_question(q, include_retired)
                    for q in section.questions
                    if include_retired or not q.is_retired
                ],
            }
            for section in structure.sections
        ],
    }


def _export_question(question, include_retired):
    return {
        "key": question.key,
        "kind": question.kind.value,
        "text": dict(question.text or {}),
        "help": dict(question.help or {}),
        "required": question.is_required,
        "settings": dict(question.settings or {}),
        "condition": question.condition,
        "options": [
            {
                "key": o.key,
                "label": dict(o.label or {}),
                "topic": o.topic.key if o.topic else None,
                "polarity": o.polarity.value if o.polarity else None,
                "other": o.is_other,
            }
            for o in question.options
            if include_retired or not o.is_retired
        ],
    }


# --------------------------------------------------------------------------- validation


class _Checker:
    def __init__(self, topics):
        self.topics = topics
        self.problems = []

    def add(self, message):
        if len(self.problems) < 50:
            self.problems.append(message)

    def texts(self, value, where, required=False):
        if value is None:
            value = {}
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            self.add(_l('%(where)s: texts must be given per language, e.g. {"de": "…"}.', where=where))
            return {}
        cleaned = {k.strip().lower()[:8]: v.strip()[:MAX_TEXT] for k, v in value.items() if v and v.strip()}
        if required and not cleaned.get(SOURCE_LANGUAGE):
            self.add(_l("%(where)s: the German text is missing.", where=where))
        return cleaned

    def key(self, value, taken, where):
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            self.add(_l("%(where)s: the key must consist of lower-case letters, digits, - and _.", where=where))
            return None
        if value in taken:
            self.add(_l("%(where)s: the key %(key)s is used twice.", where=where, key=value))
            return None
        taken.add(value)
        return value

    def settings(self, value, where):
        if not isinstance(value, dict):
            return {}
        cleaned = {}
        for name in SETTING_NUMBERS:
            if value.get(name) is not None:
                number = value[name]
                if isinstance(number, bool) or not isinstance(number, int | float):
                    self.add(_l("%(where)s: the setting %(name)s must be a number.", where=where, name=name))
                else:
                    cleaned[name] = number
        for name in SETTING_FLAGS:
            if name in value:
                cleaned[name] = bool(value[name])
        for name in SETTING_TEXTS:
            if value.get(name):
                cleaned[name] = self.texts(value[name], where)
        if value.get("polarity") in {p.value for p in Polarity}:
            cleaned["polarity"] = value["polarity"]
        return cleaned


def validate_definition(data, topics=None):
    """Clean, complete definition data, or DefinitionError listing every problem."""
    if topics is None:
        topics = {t.key: t for t in db.session.scalars(select(Topic))}
    check = _Checker(topics)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DefinitionError([_l("This is not a Vereinsnetz survey definition.")])
    if data.get("version") != FORMAT_VERSION:
        raise DefinitionError([_l("This definition was made by a newer version of Vereinsnetz.")])
    result = {
        "title": check.texts(data.get("title"), _l("Title"), required=True),
        "intro": check.texts(data.get("intro"), _l("Introduction")),
        "languages": _languages(data.get("languages")),
        "sections": [],
    }
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        check.add(_l("The survey has no sections."))
        sections = []
    section_keys, question_keys, seen = set(), set(), {}
    for number, raw in enumerate(sections, 1):
        result["sections"].append(_check_section(check, raw, number, section_keys, question_keys, seen))
    if check.problems:
        raise DefinitionError(check.problems)
    return result


def _languages(value):
    codes = (
        [c.strip().lower()[:8] for c in value if isinstance(c, str) and c.strip()] if isinstance(value, list) else []
    )
    return [SOURCE_LANGUAGE] + [c for c in dict.fromkeys(codes) if c != SOURCE_LANGUAGE]


def _check_section(check, raw, number, section_keys, question_keys, seen):
    where = _l("Section %(number)s", number=number)
    if not isinstance(raw, dict):
        check.add(_l("%(where)s is not valid.", where=where))
        return {"questions": []}
    section = {
        "key": check.key(raw.get("key"), section_keys, where),
        "title": check.texts(raw.get("title"), where, required=True),
        "intro": check.texts(raw.get("intro"), where),
        "condition": _check_condition(check, raw.get("condition"), seen, where),
        "questions": [],
    }
    questions = raw.get("questions") if isinstance(raw.get("questions"), list) else []
    for q_number, raw_question in enumerate(questions, 1):
        q_where = _l("Question %(section)s.%(number)s", section=number, number=q_number)
        question = _check_question(check, raw_question, q_where, question_keys, seen)
        if question is not None:
            section["questions"].append(question)
            seen[question["key"]] = question
    return section


def _check_question(check, raw, where, question_keys, seen):
    if not isinstance(raw, dict):
        check.add(_l("%(where)s is not valid.", where=where))
        return None
    try:
        kind = QuestionKind(raw.get("kind"))
    except ValueError:
        check.add(_l("%(where)s: unknown question type.", where=where))
        return None
    question = {
        "key": check.key(raw.get("key"), question_keys, where),
        "kind": kind,
        "text": check.texts(raw.get("text"), where, required=True),
        "help": check.texts(raw.get("help"), where),
        "required": bool(raw.get("required")),
        "settings": check.settings(raw.get("settings") or {}, where),
        "condition": _check_condition(check, raw.get("condition"), seen, where),
        "options": [],
    }
    raw_options = raw.get("options") if isinstance(raw.get("options"), list) else []
    if kind.has_options and not raw_options:
        check.add(_l("%(where)s: this question type needs options.", where=where))
    option_keys = set()
    for raw_option in raw_options if kind.has_options else []:
        option = _check_option(check, raw_option, where, option_keys)
        if option is not None:
            question["options"].append(option)
    return question if question["key"] else None


def _check_option(check, raw, where, option_keys):
    if not isinstance(raw, dict):
        check.add(_l("%(where)s: an option is not valid.", where=where))
        return None
    topic_key = raw.get("topic")
    if topic_key is not None and topic_key not in check.topics:
        check.add(_l("%(where)s: the topic %(topic)s is not known here.", where=where, topic=str(topic_key)[:64]))
    polarity = raw.get("polarity")
    if polarity is not None and polarity not in {p.value for p in Polarity}:
        check.add(_l("%(where)s: unknown polarity %(value)s.", where=where, value=str(polarity)[:20]))
        polarity = None
    return {
        "key": check.key(raw.get("key"), option_keys, where),
        "label": check.texts(raw.get("label"), where, required=topic_key is None),
        "topic": topic_key if topic_key in check.topics else None,
        "polarity": Polarity(polarity) if polarity else None,
        "other": bool(raw.get("other")),
    }


def _check_condition(check, raw, seen, where):
    if not raw:
        return None
    if not isinstance(raw, dict) or raw.get("op", "any_of") not in CONDITION_OPS:
        check.add(_l("%(where)s: the condition is not valid.", where=where))
        return None
    target = seen.get(raw.get("question"))
    if target is None:
        check.add(_l("%(where)s: a condition may only refer to an earlier question.", where=where))
        return None
    condition = {"question": target["key"], "op": raw.get("op", "any_of")}
    if condition["op"] == "any_of":
        allowed = allowed_condition_values(target["kind"], target["options"], target["settings"])
        values = [v for v in raw.get("values") or [] if isinstance(v, str)]
        if not values or any(v not in allowed for v in values):
            check.add(_l("%(where)s: the condition refers to answers that do not exist.", where=where))
        condition["values"] = [v for v in values if v in allowed]
    elif condition["op"] in ("gte", "lte"):
        number = raw.get("number")
        if isinstance(number, bool) or not isinstance(number, int | float):
            check.add(_l("%(where)s: the condition needs a number.", where=where))
            return None
        condition["number"] = number
    return condition


def allowed_condition_values(kind, options, settings):
    """Values an "any of" condition on a question of this kind may name."""
    if kind is QuestionKind.yes_no:
        return {"yes", "no"}
    if kind is QuestionKind.scale:
        low, high = int(settings.get("scale_min", 1)), int(settings.get("scale_max", 5))
        return {str(v) for v in range(low, high + 1)}
    if kind in (QuestionKind.single_choice, QuestionKind.multiple_choice, QuestionKind.topic_choice):
        return {o["key"] if isinstance(o, dict) else o.key for o in options}
    return set()


# --------------------------------------------------------------------------- building


def build_sections(survey, definition, topics=None):
    """Create sections, questions and options on `survey` from validated definition data."""
    if topics is None:
        topics = {t.key: t for t in db.session.scalars(select(Topic))}
    for s_position, raw_section in enumerate(definition["sections"], 1):
        section = SurveySection(
            survey=survey,
            key=raw_section["key"],
            position=s_position,
            title=raw_section["title"],
            intro=raw_section["intro"],
            condition=raw_section["condition"],
        )
        db.session.add(section)
        for position, raw in enumerate(raw_section["questions"], 1):
            question = SurveyQuestion(
                survey=survey,
                section=section,
                key=raw["key"],
                position=position,
                kind=raw["kind"],
                text=raw["text"],
                help=raw["help"],
                is_required=raw["required"],
                settings=raw["settings"],
                condition=raw["condition"],
            )
            question.options = [
                SurveyOption(
                    key=o["key"],
                    position=o_position,
                    label=o["label"],
                    topic=topics.get(o["topic"]) if o["topic"] else None,
                    polarity=o["polarity"],
                    is_other=o["other"],
                )
                for o_position, o in enumerate(raw["options"], 1)
            ]
            db.session.add(question)
    db.session.flush()
