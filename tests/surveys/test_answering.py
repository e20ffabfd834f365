"""Answering through the personal link and signed in: drafts, validation, submit, edit, nothing lost."""

from datetime import timedelta

from sqlalchemy import select

from surveys import queries
from surveys.models import ResponseState, SurveyAnswer, SurveyConflict, SurveyResponse, local_today
from surveys.responding import stored_answers

from .conftest import page_data


def _response(db, survey, association):
    db.session.expire_all()
    return queries.response_for(survey.id, association.id)


def _section(kit, survey, key):
    return next(s for s in kit.structure(survey).sections if s.key == key)


def test_invitation_link_opens_the_survey_without_an_account(client, kit, open_survey, associations):
    mails = kit.mails()
    assert {m.to_addr for m in mails} == {a.email for a in associations}
    page = client.get(kit.link_path(mails[0]))
    assert page.status_code == 200
    assert "Bedarfserhebung Test" in page.get_data(as_text=True)


def test_draft_is_saved_on_every_page_turn_and_shown_again(client, kit, db, open_survey, associations):
    token = kit.token(open_survey, associations[0])
    about = _section(kit, open_survey, "verein")
    data = page_data(
        kit,
        open_survey,
        {"taetigkeitsfelder": ["kultur", "sonstiges"], "taetigkeitsfelder__other": "Theater", "mitglieder": "120"},
        action="next",
    )
    response = client.post(f"/surveys/r/{token}/{about.id}", data=data)
    assert response.status_code == 302
    saved = _response(db, open_survey, associations[0])
    assert saved.state is ResponseState.draft and saved.version == 1
    answers = stored_answers(saved)
    question = kit.question(open_survey, "taetigkeitsfelder")
    assert answers[question.id].other == "Theater"
    assert answers[kit.question(open_survey, "mitglieder").id].number == 120
    again = client.get(f"/surveys/r/{token}/{about.id}").get_data(as_text=True)
    assert 'value="Theater"' in again and 'value="120"' in again


def test_required_answer_missing_blocks_next_but_keeps_other_answers(client, kit, db, open_survey, associations):
    token = kit.token(open_survey, associations[0])
    about = _section(kit, open_survey, "verein")
    data = page_data(kit, open_survey, {"mitglieder": "45"}, action="next")
    response = client.post(f"/surveys/r/{token}/{about.id}", data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Please answer this question." in body or "Bitte beantworten" in body
    assert 'value="45"' in body
    answers = stored_answers(_response(db, open_survey, associations[0]))
    assert answers[kit.question(open_survey, "mitglieder").id].number == 45


def test_number_out_of_range_is_not_saved_and_earlier_value_is_kept(client, kit, db, open_survey, associations):
    token = kit.token(open_survey, associations[0])
    about = _section(kit, open_survey, "verein")
    client.post(f"/surveys/r/{token}/{about.id}", data=page_data(kit, open_survey, {"mitglieder": "80"}))
    bad = page_data(kit, open_survey, {"mitglieder": "-5", "ehrenamtliche": "12,0"}, version=1)
    response = client.post(f"/surveys/r/{token}/{about.id}", data=bad)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="-5"' in body
    answers = stored_answers(_response(db, open_survey, associations[0]))
    assert answers[kit.question(open_survey, "mitglieder").id].number == 80
    assert answers[kit.question(open_survey, "ehrenamtliche").id].number == 12


def test_over_long_text_and_tampered_option_get_messages(client, kit, db, open_survey, associations):
    token = kit.token(open_survey, associations[0])
    events = _section(kit, open_survey, "veranstaltungen")
    contact = _section(kit, open_survey, "kontakt")
    long_text = page_data(kit, open_survey, {"kooperation-wunsch": "x" * 2001})
    response = client.post(f"/surveys/r/{token}/{events.id}", data=long_text)
    assert response.status_code == 422
    other_survey_option = 999999
    tampered = page_data(kit, open_survey, {"kontaktweg": str(other_survey_option), "anmerkungen": "Danke"})
    response = client.post(f"/surveys/r/{token}/{contact.id}", data=tampered)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Please choose one of the options shown." in body or "Bitte wählen Sie eine der angezeigten" in body
    answers = stored_answers(_response(db, open_survey, associations[0]))
    assert answers[kit.question(open_survey, "anmerkungen").id].text == "Danke"
    assert kit.question(open_survey, "kontaktweg").id not in answers


def test_answer_for_a_question_of_another_survey_is_ignored_with_a_message(
    client, kit, db, town, coordinator, open_survey, associations
):
    other = kit.survey(town, coordinator, invite=associations, title="Andere")
    foreign = kit.question(other, "mitglieder")
    token = kit.token(open_survey, associations[0])
    about = _section(kit, open_survey, "verein")
    data = page_data(kit, open_survey, {"mitglieder": "10"})
    data[f"q{foreign.id}"] = "99"
    response = client.post(f"/surveys/r/{token}/{about.id}", data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(SurveyAnswer).where(SurveyAnswer.question_id == foreign.id)) is None
    assert (
        stored_answers(_response(db, open_survey, associations[0]))[kit.question(open_survey, "mitglieder").id].number
        == 10
    )


def test_section_of_another_survey_is_not_found(client, kit, town, coordinator, open_survey, associations):
    other = kit.survey(town, coordinator, invite=associations, title="Andere")
    token = kit.token(open_survey, associations[0])
    assert client.get(f"/surveys/r/{token}/{other.sections[0].id}").status_code == 404


def test_invalid_and_expired_links(client, kit, db, open_survey, associations):
    assert client.get("/surveys/r/not-a-token").status_code == 404
    token = kit.token(open_survey, associations[0])
    open_survey.closes_on = local_today() - timedelta(days=1)
    db.session.commit()
    response = client.get(f"/surveys/r/{token}")
    assert response.status_code == 410
    about = _section(kit, open_survey, "verein")
    posted = client.post(f"/surveys/r/{token}/{about.id}", data=page_data(kit, open_survey, {"mitglieder": "3"}))
    assert posted.status_code == 410
    assert _response(db, open_survey, associations[0]) is None


def test_submit_requires_every_visible_required_answer_then_allows_edits(client, kit, db, open_survey, associations):
    token = kit.token(open_survey, associations[0])
    refused = client.post(f"/surveys/r/{token}/review", data={"action": "submit"})
    assert refused.status_code == 422
    _answer_required(client, kit, open_survey, token)
    submitted = client.post(f"/surveys/r/{token}/review", data={"action": "submit"})
    assert submitted.status_code == 302
    response = _response(db, open_survey, associations[0])
    assert response.state is ResponseState.submitted and response.submitted_at is not None
    rooms = _section(kit, open_survey, "raeume")
    edit = page_data(kit, open_survey, {"eigene-raeume": "keine", "raumbedarf": "no"}, version=response.version)
    assert client.post(f"/surveys/r/{token}/{rooms.id}", data=edit).status_code == 302
    response = _response(db, open_survey, associations[0])
    assert response.state is ResponseState.submitted
    assert stored_answers(response)[kit.question(open_survey, "eigene-raeume").id].option_ids == [
        kit.option(open_survey, "eigene-raeume", "keine").id
    ]
    cleared = page_data(kit, open_survey, {"raumbedarf": "no"}, version=response.version)
    assert client.post(f"/surveys/r/{token}/{rooms.id}", data=cleared).status_code == 422
    assert kit.question(open_survey, "eigene-raeume").id in stored_answers(_response(db, open_survey, associations[0]))


def _answer_required(client, kit, survey, token, version_start=0):
    pages = [
        ("verein", {"taetigkeitsfelder": ["kultur"]}),
        ("raeume", {"eigene-raeume": "eigene", "raumbedarf": "yes", "raumbedarf-zweck": ["unterricht"]}),
        ("hsu", {"hsu-angebot": "ja", "hsu-sprachen": ["hsu-tr"], "hsu-kinder": "25"}),
    ]
    for number, (key, values) in enumerate(pages):
        section = _section(kit, survey, key)
        result = client.post(
            f"/surveys/r/{token}/{section.id}", data=page_data(kit, survey, values, version=version_start + number)
        )
        assert result.status_code == 302, result.get_data(as_text=True)[-2000:]


def test_conditional_questions_follow_the_answers_on_the_server(client, kit, db, open_survey, associations):
    token = kit.token(open_survey, associations[0])
    rooms = _section(kit, open_survey, "raeume")
    purpose = kit.question(open_survey, "raumbedarf-zweck")
    page = client.get(f"/surveys/r/{token}/{rooms.id}").get_data(as_text=True)
    assert f'id="question-{purpose.id}" data-question="{purpose.id}" hidden' in page
    data = page_data(
        kit, open_survey, {"eigene-raeume": "keine", "raumbedarf": "no", "raumbedarf-zweck": ["unterricht"]}
    )
    client.post(f"/surveys/r/{token}/{rooms.id}", data=data)
    answers = stored_answers(_response(db, open_survey, associations[0]))
    assert purpose.id not in answers, "an answer to a hidden question is not saved"
    offer = kit.question(open_survey, "raum-angebot")
    page = client.get(f"/surveys/r/{token}/{rooms.id}").get_data(as_text=True)
    assert f'id="question-{offer.id}"' in page and f'id="question-{offer.id}" data-question="{offer.id}" hidden' in page


def test_without_javascript_newly_shown_questions_keep_the_respondent_on_the_page(
    client, kit, open_survey, associations
):
    token = kit.token(open_survey, associations[0])
    rooms = _section(kit, open_survey, "raeume")
    data = page_data(kit, open_survey, {"eigene-raeume": "keine", "raumbedarf": "yes"}, action="next", js="")
    data["visible"] = ",".join(str(kit.question(open_survey, k).id) for k in ("eigene-raeume", "raumbedarf"))
    response = client.post(f"/surveys/r/{token}/{rooms.id}", data=data)
    assert response.status_code == 302 and f"/surveys/r/{token}/{rooms.id}" in response.location


def test_hidden_sections_are_skipped(client, kit, db, open_survey, associations):
    heritage = _section(kit, open_survey, "hsu")
    heritage.condition = {"question": "taetigkeitsfelder", "op": "any_of", "values": ["bildung"]}
    db.session.commit()
    token = kit.token(open_survey, associations[0])
    funding = _section(kit, open_survey, "finanzierung")
    client.post(
        f"/surveys/r/{token}/{_section(kit, open_survey, 'verein').id}",
        data=page_data(kit, open_survey, {"taetigkeitsfelder": ["sport"]}),
    )
    response = client.post(
        f"/surveys/r/{token}/{funding.id}", data=page_data(kit, open_survey, {}, version=1, action="next")
    )
    assert response.location.endswith(f"/{_section(kit, open_survey, 'veranstaltungen').id}?lang=de")
    assert client.get(f"/surveys/r/{token}/{heritage.id}").status_code == 302


def test_language_switch_saves_and_shows_the_translation_with_german_fallback_marked(
    client, kit, db, open_survey, associations
):
    token = kit.token(open_survey, associations[0])
    about = _section(kit, open_survey, "verein")
    question = kit.question(open_survey, "ehrenamtliche")
    question.text = {"de": question.text["de"]}
    db.session.commit()
    data = page_data(kit, open_survey, {"mitglieder": "33"}, action="language", new_lang="en")
    response = client.post(f"/surveys/r/{token}/{about.id}", data=data)
    assert response.status_code == 302 and "lang=en" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "About how many members does your association have?" in page
    assert 'value="33"' in page
    assert '<span lang="de" dir="ltr">Wie viele Menschen engagieren sich regelmäßig ehrenamtlich?</span>' in page
    assert 'class="sv-fallback"' in page
    assert _response(db, open_survey, associations[0]).locale == "en"


def test_shared_response_shows_last_change_and_who(client, kit, db, factory, open_survey, associations, auth):
    rep = factory.representative(associations[0], name="Ayşe Demir")
    auth.login_as(rep)
    about = _section(kit, open_survey, "verein")
    client.post(f"/surveys/{open_survey.id}/answer/{about.id}", data=page_data(kit, open_survey, {"mitglieder": "70"}))
    response = _response(db, open_survey, associations[0])
    assert response.updated_by_id == rep.id and response.updated_by_name == "Ayşe Demir"
    auth.logout()
    token = kit.token(open_survey, associations[0])
    client.post(f"/surveys/r/{token}", data={"respondent_name": "Mehmet"})
    start = client.get(f"/surveys/r/{token}").get_data(as_text=True)
    assert "Ayşe Demir" in start
    client.post(f"/surveys/r/{token}/{about.id}", data=page_data(kit, open_survey, {"mitglieder": "71"}, version=1))
    response = _response(db, open_survey, associations[0])
    assert response.updated_by_id is None and response.updated_by_name == "Mehmet"


def test_two_representatives_editing_at_once_keep_both_versions(app, kit, db, factory, open_survey, associations):
    from tests.conftest import Auth

    first, second = app.test_client(), app.test_client()
    Auth(first).login_as(factory.representative(associations[0], name="Erste"))
    Auth(second).login_as(factory.representative(associations[0], name="Zweite"))
    about = _section(kit, open_survey, "verein")
    url = f"/surveys/{open_survey.id}/answer/{about.id}"
    assert first.post(url, data=page_data(kit, open_survey, {"mitglieder": "10"}, version=0)).status_code == 302
    late = second.post(url, data=page_data(kit, open_survey, {"mitglieder": "20"}, version=0))
    assert late.status_code == 409
    body = late.get_data(as_text=True)
    assert 'value="20"' in body and "Erste" in body
    conflict = db.session.scalar(select(SurveyConflict))
    assert conflict.data[f"q{kit.question(open_survey, 'mitglieder').id}"] == ["20"]
    assert (
        stored_answers(_response(db, open_survey, associations[0]))[kit.question(open_survey, "mitglieder").id].number
        == 10
    )
    version = _response(db, open_survey, associations[0]).version
    resolved = second.post(
        url, data=page_data(kit, open_survey, {"mitglieder": "20"}, version=version, conflict_id=str(conflict.id))
    )
    assert resolved.status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyConflict, conflict.id).resolution == "mine"
    assert (
        stored_answers(_response(db, open_survey, associations[0]))[kit.question(open_survey, "mitglieder").id].number
        == 20
    )


def test_editing_different_pages_at_once_is_no_conflict(app, kit, db, factory, open_survey, associations):
    from tests.conftest import Auth

    first, second = app.test_client(), app.test_client()
    Auth(first).login_as(factory.representative(associations[0]))
    Auth(second).login_as(factory.representative(associations[0]))
    about, events = _section(kit, open_survey, "verein"), _section(kit, open_survey, "veranstaltungen")
    assert (
        first.post(
            f"/surveys/{open_survey.id}/answer/{about.id}", data=page_data(kit, open_survey, {"mitglieder": "10"})
        ).status_code
        == 302
    )
    assert (
        second.post(
            f"/surveys/{open_survey.id}/answer/{events.id}",
            data=page_data(kit, open_survey, {"veranstaltungen-anzahl": "4"}),
        ).status_code
        == 302
    )
    assert db.session.scalar(select(SurveyConflict)) is None


def test_closed_survey_accepts_nothing_and_says_so(client, kit, db, factory, open_survey, associations, auth):
    from surveys import services

    auth.login_as(factory.representative(associations[0]))
    about = _section(kit, open_survey, "verein")
    services.close_survey(None, open_survey)
    db.session.commit()
    page = client.get(f"/surveys/{open_survey.id}/answer")
    assert page.status_code == 200 and 'id="survey-closed"' in page.get_data(as_text=True)
    posted = client.post(
        f"/surveys/{open_survey.id}/answer/{about.id}", data=page_data(kit, open_survey, {"mitglieder": "5"})
    )
    assert posted.status_code == 409
    assert db.session.scalar(select(SurveyResponse)) is None


def test_survey_not_open_yet(client, kit, db, open_survey, associations):
    open_survey.opens_on = local_today() + timedelta(days=3)
    db.session.commit()
    token = kit.token(open_survey, associations[0])
    page = client.get(f"/surveys/r/{token}")
    assert page.status_code == 200
    about = _section(kit, open_survey, "verein")
    assert (
        client.post(f"/surveys/r/{token}/{about.id}", data=page_data(kit, open_survey, {"mitglieder": "5"})).status_code
        == 409
    )


def test_representatives_list_their_surveys(client, kit, factory, open_survey, associations, auth):
    auth.login_as(factory.representative(associations[0]))
    page = client.get("/surveys/mine")
    assert page.status_code == 200 and "Bedarfserhebung Test" in page.get_data(as_text=True)
    assert client.get(f"/surveys/{open_survey.id}/answer").status_code == 200


def test_consent_to_pass_on_is_stored_per_answer(client, kit, db, open_survey, associations):
    token = kit.token(open_survey, associations[0])
    offers = _section(kit, open_survey, "angebote")
    data = page_data(kit, open_survey, {"angebote": ["rooms", "translation"], "angebote__share": "y"})
    client.post(f"/surveys/r/{token}/{offers.id}", data=data)
    rows = db.session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.question_id == kit.question(open_survey, "angebote").id)
    ).all()
    assert len(rows) == 2 and all(r.share_consent for r in rows)
