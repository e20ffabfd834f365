"""Pieces without routes: definitions, conditions, form building, numbers, translations, charts, facts."""

import copy

import pytest
from werkzeug.datastructures import MultiDict

from surveys import queries, translations
from surveys.charts import bar_chart
from surveys.forms import make_response_form, parse_number
from surveys.interchange import DefinitionError, make_key, validate_definition
from surveys.models import Polarity, QuestionKind, ResponseState
from surveys.responding import answers_from_form
from surveys.structure import Answer
from surveys.template import template_definition

from .test_results import add_response


def test_template_is_a_valid_definition_covering_what_offices_ask(app):
    definition = validate_definition(template_definition())
    keys = [q["key"] for s in definition["sections"] for q in s["questions"]]
    assert len(keys) == len(set(keys))
    assert {s["key"] for s in definition["sections"]} == {
        "verein",
        "raeume",
        "finanzierung",
        "hsu",
        "veranstaltungen",
        "angebote",
        "kontakt",
    }
    kinds = {q["kind"] for s in definition["sections"] for q in s["questions"]}
    assert kinds == set(QuestionKind)
    polarities = {o["polarity"] for s in definition["sections"] for q in s["questions"] for o in q["options"]}
    assert {Polarity.need, Polarity.offer, Polarity.interest} <= polarities


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda d: d.update(format="other"), "not a Vereinsnetz survey"),
        (lambda d: d.update(version=99), "newer version"),
        (lambda d: d["sections"][0]["questions"][1].update(key=d["sections"][0]["questions"][0]["key"]), "used twice"),
        (lambda d: d["sections"][0]["questions"][0].update(text={"en": "Only English"}), "German text is missing"),
        (lambda d: d["sections"][0]["questions"][0].update(kind="slider"), "unknown question type"),
        (
            lambda d: d["sections"][0]["questions"][0].update(condition={"question": "anmerkungen", "op": "answered"}),
            "earlier question",
        ),
        (
            lambda d: d["sections"][1]["questions"][2].update(
                condition={"question": "raumbedarf", "op": "any_of", "values": ["vielleicht"]}
            ),
            "do not exist",
        ),
        (lambda d: d["sections"][0]["questions"][1]["options"][0].update(topic="no-such-topic"), "not known here"),
        (lambda d: d["sections"][0]["questions"][2].update(settings={"min": "zehn"}), "must be a number"),
        (lambda d: d["sections"][0]["questions"][0].update(key="Mit Leerzeichen"), "lower-case letters"),
        (lambda d: d["sections"][0]["questions"][0].update(options=[]), "needs options"),
    ],
)
def test_invalid_definitions_are_refused_with_a_reason(app, change, problem):
    definition = copy.deepcopy(template_definition())
    change(definition)
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(DefinitionError) as error:
        validate_definition(definition)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert any(problem in str(p) for p in error.value.problems), [str(p) for p in error.value.problems]


def test_keys_come_from_german_text():
    assert make_key("Räume für Samstag") == "raeume-fuer-samstag"
    assert make_key("Räume", taken={"raeume"}) == "raeume-2"
    assert make_key("???", fallback="option") == "option"


@pytest.mark.parametrize(
    "raw, number",
    [("12", 12), ("12,5", 12.5), ("1.234,5", 1234.5), (" 7 ", 7), ("", None), ("zwölf", None), ("inf", None)],
)
def test_numbers_typed_the_german_or_english_way(raw, number):
    assert parse_number(raw) == number


def test_conditions_chain_and_hidden_answers_do_not_count(kit, town, coordinator):
    survey = kit.survey(town, coordinator, open_=False)
    structure = kit.structure(survey)
    q = structure.question_by_key
    yes = {q["raumbedarf"].id: Answer(number=1.0)}
    _sections, visible = structure.visibility(yes)
    assert q["raumbedarf-zweck"].id in visible and q["raum-angebot"].id not in visible
    hsu = {q["hsu-angebot"].id: Answer(option_ids=[kit.option(survey, "hsu-angebot", "nein").id])}
    _sections, visible = structure.visibility(hsu)
    assert q["hsu-sprachen"].id not in visible and q["hsu-kinder"].id not in visible
    offers = {q["angebote"].id: Answer(option_ids=[kit.option(survey, "angebote", "rooms").id])}
    assert q["angebot-beschreibung"].id in structure.visibility(offers)[1]
    heritage = next(s for s in structure.sections if s.key == "hsu")
    heritage.condition = {"question": "raumbedarf", "op": "any_of", "values": ["yes"]}
    both = {**yes, q["hsu-angebot"].id: Answer(option_ids=[kit.option(survey, "hsu-angebot", "ja").id])}
    assert q["hsu-kinder"].id in structure.visibility(both)[1]
    no = {**both, q["raumbedarf"].id: Answer(number=0.0)}
    _sections, visible = structure.visibility(no)
    assert heritage.id not in _sections and q["hsu-kinder"].id not in visible, "a hidden section hides its chain"
    assert structure.order_problems() == []


def test_response_form_keeps_typed_values_and_reports_each_problem(app, kit, town, coordinator):
    survey = kit.survey(town, coordinator, open_=False)
    structure = kit.structure(survey)
    about = next(s for s in structure.sections if s.key == "verein")
    q = structure.question_by_key
    data = MultiDict(
        [
            (f"q{q['mitglieder'].id}", "-3"),
            (f"q{q['ehrenamtliche'].id}", "4,5"),
            (f"q{q['taetigkeitsfelder'].id}", str(kit.option(survey, "taetigkeitsfelder", "sport").id)),
            (f"q{q['ehrenamt-gesucht'].id}", "vielleicht"),
        ]
    )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        form = make_response_form(structure, about.questions, "de", formdata=data)
        form.validate()
        values, invalid = answers_from_form(form, about.questions)
        assert invalid == {q["mitglieder"].id, q["ehrenamtliche"].id, q["ehrenamt-gesucht"].id}
        assert form[f"q{q['mitglieder'].id}"].errors == ["Please enter a number between 0 and 100000."]
        assert form[f"q{q['ehrenamtliche'].id}"].errors == ["Please enter a whole number."]
        assert form[f"q{q['ehrenamt-gesucht'].id}"].errors == ["Please choose one of the options shown."]
        assert form[f"q{q['mitglieder'].id}"]._value() == "-3"
        assert values[q["taetigkeitsfelder"].id].option_ids == [kit.option(survey, "taetigkeitsfelder", "sport").id]


def test_translation_completeness_counts_topic_names_and_keeps_german_fallback(app, kit, town, coordinator):
    survey = kit.survey(town, coordinator, languages=("en", "ar", "tr"), open_=False)
    structure = kit.structure(survey)
    figures = translations.completeness(structure, survey.languages)
    done_ar, total_ar = figures["ar"]
    assert figures["tr"][0] == 0 and done_ar > 0, "Arabic topic names come from the vocabulary"
    assert figures["en"][1] == total_ar == figures["tr"][1]
    question = structure.question_by_key["raumbedarf"]
    translations.save(
        coordinator, structure, "tr", {f"q{question.id}-text": "Mekâna ihtiyacınız var mı?", "survey-title": ""}
    )
    assert question.text["tr"] == "Mekâna ihtiyacınız var mı?"
    assert translations.completeness(structure, survey.languages)["tr"][0] == 1
    rooms = kit.option(survey, "angebote", "rooms")
    translations.save(coordinator, structure, "ar", {f"o{rooms.id}": rooms.topic.names["ar"]})
    assert "ar" not in (rooms.label or {}), "the vocabulary's own name is not copied"


def test_chart_is_an_accessible_svg_with_escaped_labels(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        svg = str(bar_chart("Räume <b>", [("Ja & gern", [(3, 75.0)]), ("Nein", [(None, None)])]))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Räume &lt;b&gt;" in svg and "Ja &amp; gern" in svg
    assert "fewer than 3" in svg


def test_topic_facts_for_the_matcher_respect_consent(db, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations)
    add_response(db, kit, survey, associations[0], {"angebote": ["rooms"], "beratung": ["funding"]}, share=True)
    add_response(db, kit, survey, associations[1], {"angebote": ["translation"]}, share=False)
    add_response(db, kit, survey, associations[2], {"angebote": ["volunteers"]}, share=True, state=ResponseState.draft)
    shared = {(a, key, polarity.value) for a, key, polarity, _survey, _shared in queries.topic_facts([town.id])}
    assert shared == {(associations[0].id, "rooms", "offer"), (associations[0].id, "funding", "need")}
    everything = queries.topic_facts([town.id], shared_only=False)
    assert (associations[1].id, "translation", Polarity.offer, survey.id, False) in everything
