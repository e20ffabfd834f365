"""Building a survey through the coordinator's pages: start, sections, questions, retiring, waves, JSON."""

import io
import json

from sqlalchemy import select

from surveys.models import QuestionKind, Survey, SurveyQuestion, SurveyQuestionRevision, SurveyState

from .conftest import page_data


def _new_survey(client, town, start="template", **extra):
    data = {
        "start": start,
        "municipality_id": town.id,
        "title": "Bedarfserhebung 2026",
        "languages": ["en", "tr"],
        **extra,
    }
    response = client.post("/surveys/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    return int(response.location.split("/surveys/")[1].split("/")[0])


def test_coordinator_starts_from_the_template_with_stable_keys(client, db, auth, town, coordinator):
    auth.login_as(coordinator)
    survey = db.session.get(Survey, _new_survey(client, town))
    assert survey.state is SurveyState.draft and survey.languages == ["de", "en", "tr"]
    keys = {q.key for q in survey.questions}
    assert {"raumbedarf", "hsu-sprachen", "beratung", "angebote", "wichtigkeit"} <= keys
    assert survey.title == {"de": "Bedarfserhebung 2026"}
    assert {q.kind for q in survey.questions} == set(QuestionKind)


def test_empty_survey_gets_sections_and_every_question_type(client, db, auth, town, coordinator, factory):
    auth.login_as(coordinator)
    survey_id = _new_survey(client, town, start="blank")
    assert client.post(f"/surveys/{survey_id}/sections/new", data={"title": "Allgemeines"}).status_code == 302
    section = db.session.get(Survey, survey_id).sections[0]
    base = f"/surveys/{survey_id}/sections/{section.id}/questions/new"
    rooms = factory.topic("rooms")
    posts = {
        "single_choice": {
            "text": "Rechtsform?",
            "options-0-text": "e.V.",
            "options-1-text": "Initiative",
            "options-2-text": "Andere",
            "options-2-is_other": "y",
            "options-1-topic_id": str(rooms.id),
            "options-1-polarity": "need",
        },
        "multiple_choice": {"text": "Angebote?", "options-0-text": "Kurse"},
        "short_text": {"text": "Name der Ansprechperson?", "max_length": "80"},
        "long_text": {"text": "Was wünschen Sie sich?"},
        "number": {"text": "Wie viele Kinder?", "number_min": "0", "number_max": "500", "integer": "y"},
        "yes_no": {"text": "Haben Sie Räume?", "is_required": "y"},
        "scale": {
            "text": "Zufrieden?",
            "scale_min": "1",
            "scale_max": "5",
            "low_label": "gar nicht",
            "high_label": "sehr",
        },
        "matrix": {
            "text": "Wie wichtig?",
            "scale_min": "1",
            "scale_max": "4",
            "options-0-text": "Räume",
            "options-1-text": "Geld",
        },
        "date": {"text": "Gründungsdatum?"},
        "topic_choice": {
            "text": "Was brauchen Sie?",
            "topics": [str(rooms.id), str(factory.topic("funding").id)],
            "topic_polarity": "need",
        },
    }
    for kind, data in posts.items():
        response = client.post(f"{base}?kind={kind}", data={"section_id": section.id, **data})
        assert response.status_code == 302, (kind, response.get_data(as_text=True)[-2500:])
    questions = db.session.scalars(
        select(SurveyQuestion).where(SurveyQuestion.survey_id == survey_id).order_by(SurveyQuestion.position)
    ).all()
    assert [q.kind.value for q in questions] == list(posts)
    single = questions[0]
    assert [o.label["de"] for o in single.options] == ["e.V.", "Initiative", "Andere"]
    assert (
        single.options[1].topic_id == rooms.id
        and single.options[1].polarity.value == "need"
        and single.options[2].is_other
    )
    assert questions[4].settings == {"min": 0, "max": 500, "integer": True}
    topic_q = questions[9]
    assert {o.topic.key for o in topic_q.options} == {"rooms", "funding"} and {
        o.polarity.value for o in topic_q.options
    } == {"need"}
    assert client.get(f"/surveys/{survey_id}/preview").status_code == 200
    edit_form = client.get(f"/surveys/{survey_id}/questions/{single.id}").get_data(as_text=True)
    assert 'name="options-0-text"' in edit_form and 'value="e.V."' in edit_form
    assert 'name="options-3-text"' in edit_form, "empty rows for new options"


def test_invalid_question_input_is_shown_beside_the_fields_and_kept(client, db, auth, town, coordinator):
    auth.login_as(coordinator)
    survey_id = _new_survey(client, town, start="blank")
    client.post(f"/surveys/{survey_id}/sections/new", data={"title": "Teil"})
    section = db.session.get(Survey, survey_id).sections[0]
    response = client.post(
        f"/surveys/{survey_id}/sections/{section.id}/questions/new?kind=number",
        data={"section_id": section.id, "text": "Wie viele?", "number_min": "10", "number_max": "zwei"},
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="zwei"' in body and 'id="error-summary"' in body
    response = client.post(
        f"/surveys/{survey_id}/sections/{section.id}/questions/new?kind=single_choice",
        data={"section_id": section.id, "text": "Ohne Optionen"},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(SurveyQuestion)) is None


def test_condition_must_refer_to_an_earlier_question(client, db, auth, kit, town, coordinator):
    auth.login_as(coordinator)
    survey = kit.survey(town, coordinator, open_=False)
    first = kit.question(survey, "taetigkeitsfelder")
    later = kit.question(survey, "raumbedarf")
    data = {
        "section_id": first.section_id,
        "text": first.text["de"],
        "cond_question": later.key,
        "cond_op": "any_of",
        "cond_values": ["raumbedarf=yes"],
    }
    for n, option in enumerate(first.options):
        data |= {f"options-{n}-option_id": str(option.id), f"options-{n}-text": option.label["de"]}
    response = client.post(f"/surveys/{survey.id}/questions/{first.id}", data=data)
    assert response.status_code == 422
    db.session.expire_all()
    assert kit.question(survey, "taetigkeitsfelder").condition is None


def test_moving_a_question_above_its_condition_is_refused(client, db, auth, kit, town, coordinator):
    auth.login_as(coordinator)
    survey = kit.survey(town, coordinator, open_=False)
    dependent = kit.question(survey, "raumbedarf-zweck")
    siblings = [q.key for q in dependent.section.questions]
    client.post(f"/surveys/{survey.id}/questions/{dependent.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [q.key for q in kit.question(survey, "raumbedarf-zweck").section.questions] == siblings
    purpose_times = kit.question(survey, "raumbedarf-zeiten")
    client.post(f"/surveys/{survey.id}/questions/{purpose_times.id}/move", data={"direction": "up"})
    db.session.expire_all()
    moved = [q.key for q in kit.question(survey, "raumbedarf-zweck").section.questions]
    assert moved.index("raumbedarf-zeiten") < moved.index("raumbedarf-zweck")


def test_question_with_answers_is_retired_not_deleted_and_old_wording_kept(
    client, db, auth, kit, town, coordinator, associations, factory
):
    survey = kit.survey(town, coordinator, invite=associations)
    token = kit.token(survey, associations[0])
    about = next(s for s in kit.structure(survey).sections if s.key == "verein")
    client.post(
        f"/surveys/r/{token}/{about.id}",
        data=page_data(kit, survey, {"taetigkeitsfelder": ["kultur"], "mitglieder": "5"}),
    )
    auth.login_as(coordinator)
    question = kit.question(survey, "mitglieder")
    assert client.post(f"/surveys/{survey.id}/questions/{question.id}/delete").status_code == 302
    assert db.session.get(SurveyQuestion, question.id) is not None
    client.post(f"/surveys/{survey.id}/questions/{question.id}/retire")
    db.session.expire_all()
    assert db.session.get(SurveyQuestion, question.id).is_retired
    assert f"q{question.id}" not in client.get(f"/surveys/r/{token}/{about.id}").get_data(as_text=True)

    fields = kit.question(survey, "taetigkeitsfelder")
    data = {"section_id": fields.section_id, "text": "In welchen Bereichen ist Ihr Verein tätig?", "is_required": "y"}
    for n, option in enumerate(fields.options):
        data |= {f"options-{n}-option_id": str(option.id), f"options-{n}-text": option.label["de"]}
    kultur = next(n for n, o in enumerate(fields.options) if o.key == "kultur")
    sport = next(n for n, o in enumerate(fields.options) if o.key == "sport")
    data[f"options-{kultur}-remove"] = data[f"options-{sport}-remove"] = "y"
    data["options-9-text"] = "Umwelt"
    response = client.post(f"/surveys/{survey.id}/questions/{fields.id}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    db.session.expire_all()
    fields = db.session.get(SurveyQuestion, fields.id)
    options = {o.key: o for o in fields.options}
    assert options["kultur"].is_retired, "an answered option is retired"
    assert "sport" not in options, "an unanswered option is removed"
    assert options["umwelt"].label == {"de": "Umwelt"}
    assert fields.text["de"] == "In welchen Bereichen ist Ihr Verein tätig?"
    revision = db.session.scalar(select(SurveyQuestionRevision).where(SurveyQuestionRevision.question_id == fields.id))
    assert revision.text["de"] == "In welchen Feldern ist Ihr Verein aktiv?"
    assert revision.text["en"] == "In which fields is your association active?"


def test_new_wave_copies_questions_with_their_keys(client, db, auth, kit, town, coordinator):
    survey = kit.survey(town, coordinator)
    retired = kit.question(survey, "zufriedenheit")
    retired.is_retired = True
    db.session.commit()
    auth.login_as(coordinator)
    response = client.post(f"/surveys/{survey.id}/wave", data={"wave_label": "2027"})
    assert response.status_code == 302
    wave = db.session.get(Survey, int(response.location.rstrip("/").split("/")[-1]))
    assert wave.previous_id == survey.id and wave.series_key == survey.series_key and wave.state is SurveyState.draft
    old_keys = {q.key for q in survey.questions if not q.is_retired}
    assert {q.key for q in wave.questions} == old_keys
    assert "zufriedenheit" not in {q.key for q in wave.questions}
    assert wave.title == survey.title and wave.languages == survey.languages
    assert client.get(f"/surveys/{wave.id}/compare").status_code == 200


def test_definition_json_export_and_import_round_trip(client, db, auth, kit, town, coordinator):
    survey = kit.survey(town, coordinator)
    auth.login_as(coordinator)
    exported = client.get(f"/surveys/{survey.id}/definition.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    data = json.loads(exported.get_data(as_text=True))
    response = client.post(
        "/surveys/import", data={"municipality_id": town.id, "file": (io.BytesIO(exported.data), "survey.json")}
    )
    assert response.status_code == 302
    imported = db.session.scalars(select(Survey).order_by(Survey.id.desc())).first()
    assert imported.id != survey.id and [q.key for q in imported.questions] == [q.key for q in survey.questions]
    assert kit.option(imported, "angebote", "rooms").topic.key == "rooms"

    data["sections"][0]["questions"][0]["options"][0]["topic"] = "unknown-topic"
    data["sections"][1]["questions"][0]["condition"] = {"question": "anmerkungen", "op": "answered"}
    broken = client.post(
        "/surveys/import", data={"municipality_id": town.id, "file": (io.BytesIO(json.dumps(data).encode()), "x.json")}
    )
    assert broken.status_code == 422
    body = broken.get_data(as_text=True)
    assert "unknown-topic" in body and body.count("<li>") >= 2
    not_json = client.post(
        "/surveys/import", data={"municipality_id": town.id, "file": (io.BytesIO(b"\xff\xfe"), "x.json")}
    )
    assert not_json.status_code == 422


def test_open_sends_invitations_and_close_stops_answers(client, db, auth, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, open_=False, invite=associations[:2])
    assert kit.mails() == []
    auth.login_as(coordinator)
    client.post(f"/surveys/{survey.id}/open")
    assert len(kit.mails()) == 2
    client.post(f"/surveys/{survey.id}/close")
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).state is SurveyState.closed


def test_a_survey_with_answers_cannot_be_deleted(client, db, auth, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations)
    token = kit.token(survey, associations[0])
    about = next(s for s in kit.structure(survey).sections if s.key == "verein")
    client.post(f"/surveys/r/{token}/{about.id}", data=page_data(kit, survey, {"mitglieder": "5"}))
    auth.login_as(coordinator)
    client.post(f"/surveys/{survey.id}/delete")
    assert db.session.get(Survey, survey.id) is not None
    empty = kit.survey(town, coordinator, open_=False, title="Leer")
    client.post(f"/surveys/{empty.id}/delete")
    db.session.expire_all()
    assert db.session.get(Survey, empty.id) is None


def test_translations_show_completeness_and_fall_back_to_german(client, db, auth, kit, town, coordinator):
    survey = kit.survey(town, coordinator, languages=("en", "tr"))
    auth.login_as(coordinator)
    overview = client.get(f"/surveys/{survey.id}/translations").get_data(as_text=True)
    assert 'value="0.0"' in overview and 'value="100.0"' not in overview
    client.post(f"/surveys/{survey.id}/translations/en", data={"survey-title": "Needs survey test"})
    assert 'value="100.0"' in client.get(f"/surveys/{survey.id}/translations").get_data(as_text=True)
    form = client.get(f"/surveys/{survey.id}/translations/tr").get_data(as_text=True)
    question = kit.question(survey, "raumbedarf")
    assert f'name="q{question.id}-text"' in form
    response = client.post(
        f"/surveys/{survey.id}/translations/tr",
        data={f"q{question.id}-text": "Derneğinizin (ek) odalara ihtiyacı var mı?"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert kit.question(survey, "raumbedarf").text["tr"].startswith("Derneğinizin")
    assert client.get(f"/surveys/{survey.id}/translations/de").status_code == 404
    assert client.get(f"/surveys/{survey.id}/translations/fr").status_code == 404
