"""With CSRF protection on: an expired session or form never costs the respondent what they typed."""

import re

import pytest
from werkzeug.datastructures import MultiDict

from surveys import queries
from surveys.responding import stored_answers
from tests.conftest import PASSWORD

from .conftest import page_data


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def csrf_from(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def hidden_fields(html):
    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)


def about_section(kit, survey):
    return next(s for s in kit.structure(survey).sections if s.key == "verein")


def test_expired_form_on_a_personal_link_keeps_the_answers_and_saves_on_the_next_press(
    app, kit, db, open_survey, associations
):
    token = kit.token(open_survey, associations[0])
    section = about_section(kit, open_survey)
    url = f"/surveys/r/{token}/{section.id}"
    first = app.test_client()
    old_token = csrf_from(first.get(url).get_data(as_text=True))

    later = app.test_client()  # cookies gone: the session and its CSRF secret have expired
    data = page_data(
        kit,
        open_survey,
        {"taetigkeitsfelder": ["kultur"], "mitglieder": "140", "ehrenamtliche": "12"},
        action="next",
        csrf_token=old_token,
    )
    expired = later.post(url, data=data)
    assert expired.status_code == 400
    body = expired.get_data(as_text=True)
    assert 'value="140"' in body and 'value="12"' in body
    assert 'role="alert"' in body
    assert queries.response_for(open_survey.id, associations[0].id) is None

    data["csrf_token"] = csrf_from(body)
    saved = later.post(url, data=data)
    assert saved.status_code == 302
    answers = stored_answers(queries.response_for(open_survey.id, associations[0].id))
    assert answers[kit.question(open_survey, "mitglieder").id].number == 140


def _login(client, user):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_signed_in_session_ending_mid_page_offers_sign_in_and_then_saves(
    app, kit, db, factory, open_survey, associations
):
    rep = factory.representative(associations[0])
    section = about_section(kit, open_survey)
    url = f"/surveys/{open_survey.id}/answer/{section.id}"
    browser = app.test_client()
    _login(browser, rep)
    old_token = csrf_from(browser.get(url).get_data(as_text=True))

    browser.delete_cookie("session")
    data = page_data(
        kit,
        open_survey,
        {"mitglieder": "88", "taetigkeitsfelder": ["kultur", "bildung"]},
        action="next",
        csrf_token=old_token,
    )
    relogin = browser.post(url, data=data)
    assert relogin.status_code == 401
    html = relogin.get_data(as_text=True)
    kept = hidden_fields(html)
    mitglieder = f"q{kit.question(open_survey, 'mitglieder').id}"
    assert (mitglieder, "88") in kept
    assert sum(1 for name, _value in kept if name == f"q{kit.question(open_survey, 'taetigkeitsfelder').id}") == 2

    form = [(name, value) for name, value in kept if name != "csrf_token"]
    form += [("csrf_token", csrf_from(html)), ("email", rep.email), ("password", "wrong")]
    refused = browser.post(url, data=MultiDict(form))
    assert refused.status_code == 401 and (mitglieder, "88") in hidden_fields(refused.get_data(as_text=True))

    form = [(n, v) for n, v in form if n not in ("password", "csrf_token")]
    form += [("password", PASSWORD), ("csrf_token", csrf_from(refused.get_data(as_text=True)))]
    saved = browser.post(url, data=MultiDict(form))
    assert saved.status_code == 302, saved.get_data(as_text=True)[-1500:]
    answers = stored_answers(queries.response_for(open_survey.id, associations[0].id))
    assert answers[kit.question(open_survey, "mitglieder").id].number == 88
    assert len(answers[kit.question(open_survey, "taetigkeitsfelder").id].option_ids) == 2
    assert browser.get(url).status_code == 200


def test_relogin_of_another_association_does_not_reach_this_response(app, kit, db, factory, open_survey, associations):
    outsider = factory.representative(factory.association(name="Fremder Verein"))
    section = about_section(kit, open_survey)
    url = f"/surveys/{open_survey.id}/answer/{section.id}"
    browser = app.test_client()
    html = browser.post(url, data={"q1": "x"}).get_data(as_text=True)
    response = browser.post(
        url, data={"action": "relogin", "csrf_token": csrf_from(html), "email": outsider.email, "password": PASSWORD}
    )
    assert response.status_code == 404
    assert queries.response_for(open_survey.id, associations[0].id) is None
