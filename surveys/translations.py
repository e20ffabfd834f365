"""Translating a survey's texts: every text respondents read, its German source and completeness."""

import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .models import SOURCE_LANGUAGE, QuestionKind

log = logging.getLogger("vereinsnetz.surveys")

KIND_NAMES = {
    "survey-title": _l("Survey title"),
    "survey-intro": _l("Introduction"),
    "section-title": _l("Section title"),
    "section-intro": _l("Section introduction"),
    "question": _l("Question"),
    "help": _l("Help text"),
    "low": _l("Label of the lowest value"),
    "high": _l("Label of the highest value"),
    "option": _l("Option"),
    "row": _l("Row"),
}


@dataclass
class TranslationItem:
    field_name: str
    kind: str
    source: str
    current: str
    long: bool
    owner: object
    attribute: str
    #: For scale labels: the name inside the settings dict.
    setting: str = ""
    #: Translation that exists without the survey (a topic's own name).
    inherent: str = ""
    section_key: str = ""

    @property
    def kind_name(self):
        return KIND_NAMES[self.kind]

    @property
    def is_done(self):
        return bool(self.current)


def _texts(item_owner, attribute, setting):
    if setting:
        return dict((item_owner.settings or {}).get(setting) or {})
    return dict(getattr(item_owner, attribute) or {})


def items(structure, lang):
    """Every text with a German source, in the order respondents meet them."""
    found = []

    def add(name, kind, owner, attribute, long=False, setting="", section_key=""):
        texts = _texts(owner, attribute, setting)
        source = (texts.get(SOURCE_LANGUAGE) or "").strip()
        if source:
            found.append(
                TranslationItem(
                    name, kind, source, texts.get(lang, ""), long, owner, attribute, setting, section_key=section_key
                )
            )

    survey = structure.survey
    add("survey-title", "survey-title", survey, "title")
    add("survey-intro", "survey-intro", survey, "intro", long=True)
    for section in structure.sections:
        add(f"s{section.id}-title", "section-title", section, "title", section_key=section.key)
        add(f"s{section.id}-intro", "section-intro", section, "intro", long=True, section_key=section.key)
        for question in structure.active_questions(section):
            add(f"q{question.id}-text", "question", question, "text", long=True, section_key=section.key)
            add(f"q{question.id}-help", "help", question, "help", long=True, section_key=section.key)
            if question.kind in (QuestionKind.scale, QuestionKind.matrix):
                add(f"q{question.id}-low", "low", question, "settings", setting="low_label", section_key=section.key)
                add(f"q{question.id}-high", "high", question, "settings", setting="high_label", section_key=section.key)
            kind = "row" if question.kind is QuestionKind.matrix else "option"
            for option in question.active_options:
                if option.topic is not None and not (option.label or {}).get(SOURCE_LANGUAGE):
                    found.append(_topic_item(option, lang, section.key))
                else:
                    add(f"o{option.id}", kind, option, "label", section_key=section.key)
    return found


def _topic_item(option, lang, section_key):
    names = option.topic.names or {}
    own = (option.label or {}).get(lang, "")
    return TranslationItem(
        f"o{option.id}",
        "option",
        option.topic.name(SOURCE_LANGUAGE),
        own or names.get(lang, ""),
        False,
        option,
        "label",
        inherent=names.get(lang, ""),
        section_key=section_key,
    )


def completeness(structure, languages):
    """{language: (translated, total)} for the survey's languages other than German."""
    result = {}
    for lang in languages:
        if lang == SOURCE_LANGUAGE:
            continue
        found = items(structure, lang)
        result[lang] = (sum(1 for item in found if item.is_done), len(found))
    return result


def save(actor, structure, lang, values):
    """Store the translations typed for `lang`; an emptied field removes the translation."""
    changed = 0
    for item in items(structure, lang):
        if item.field_name not in values:
            continue
        value = (values[item.field_name] or "").strip()
        if value == item.inherent:
            value = ""
        texts = _texts(item.owner, item.attribute, item.setting)
        if texts.get(lang, "") == value:
            continue
        if value:
            texts[lang] = value
        else:
            texts.pop(lang, None)
        if item.setting:
            item.owner.settings = {**(item.owner.settings or {}), item.setting: texts}
        else:
            setattr(item.owner, item.attribute, texts)
        changed += 1
    log.info("Survey %s: %s texts translated into %s by %s", structure.survey.id, changed, lang, actor.id)
    return changed
