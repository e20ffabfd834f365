"""Survey access by role, and the guesses the matrix does not try: other associations' ids and tokens.

The full route × role matrix lives in tests/core/test_access_matrix.py (fed by access_spec.py);
here every survey route that names an object is tried with the objects of another town or
another association, for each role.
"""

import pytest

from surveys.models import SurveyResponse

from .conftest import page_data

ROLES = ("anonymous", "rep_a", "rep_b", "rep_other_town", "coord_x", "coord_other_town", "admin")


@pytest.fixture
def world(db, factory, kit):
    town_x, town_y = factory.municipality("Stadt X"), factory.municipality("Stadt Y")
    a = factory.association(town_x, "Verein A", email="a@example.org")
    b = factory.association(town_x, "Verein B", email="b@example.org")
    c = factory.association(town_y, "Verein C", email="c@example.org")
    users = {
        "anonymous": None,
        "rep_a": factory.representative(a),
        "rep_b": factory.representative(b),
        "rep_other_town": factory.representative(c),
        "coord_x": factory.coordinator(town_x),
        "coord_other_town": factory.coordinator(town_y),
        "admin": factory.admin(),
    }
    survey = kit.survey(town_x, users["coord_x"], invite=[a, b])
    token_a = kit.token(survey, a)
    about = next(s for s in kit.structure(survey).sections if s.key == "verein")
    return {
        "town_x": town_x,
        "a": a,
        "b": b,
        "c": c,
        "users": users,
        "survey": survey,
        "token_a": token_a,
        "about": about,
    }


def _client(app, user):
    """Signed in through the session itself, saving a password check per client."""
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


COORDINATOR_PAGES = [
    "",
    "/edit",
    "/settings",
    "/preview",
    "/translations",
    "/invite",
    "/tracking",
    "/results",
    "/responses",
    "/compare",
    "/share",
    "/wave",
    "/definition.json",
    "/export.csv",
    "/export.xlsx",
]


@pytest.mark.parametrize("role", ROLES)
def test_coordinator_pages_by_role(app, world, role):
    client = _client(app, world["users"][role])
    expected = {
        "anonymous": 302,
        "rep_a": 403,
        "rep_b": 403,
        "rep_other_town": 403,
        "coord_x": 200,
        "coord_other_town": 404,
        "admin": 200,
    }[role]
    for suffix in COORDINATOR_PAGES:
        response = client.get(f"/surveys/{world['survey'].id}{suffix}")
        assert response.status_code == expected, (role, suffix, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_answer_pages_by_role(app, world, role):
    client = _client(app, world["users"][role])
    expected = {
        "anonymous": 302,
        "rep_a": 200,
        "rep_b": 200,
        "rep_other_town": 404,
        "coord_x": 403,
        "coord_other_town": 403,
        "admin": 403,
    }[role]
    for suffix in ("/answer", f"/answer/{world['about'].id}", "/answer/review"):
        response = client.get(f"/surveys/{world['survey'].id}{suffix}")
        assert response.status_code == expected, (role, suffix, response.status_code)


def test_a_representative_never_sees_another_associations_response(app, db, kit, world):
    survey, a, b = world["survey"], world["a"], world["b"]
    client_a = _client(app, world["users"]["rep_a"])
    client_a.post(
        f"/surveys/{survey.id}/answer/{world['about'].id}",
        data=page_data(kit, survey, {"taetigkeitsfelder": ["kultur"], "mitglieder": "4711"}),
    )
    response_a = db.session.query(SurveyResponse).one()
    client_b = _client(app, world["users"]["rep_b"])
    seen = [
        client_b.get(f"/surveys/{survey.id}/answer{suffix}").get_data(as_text=True)
        for suffix in ("", f"/{world['about'].id}", "/review")
    ]
    assert not any("4711" in page for page in seen)
    for guess in (f"/surveys/{survey.id}/responses/{response_a.id}", f"/surveys/{survey.id}/export.csv"):
        assert client_b.get(guess).status_code == 403
    for guess in ("/surveys/r/" + world["token_a"][:-1] + "x", "/surveys/r/" + "A" * 43):
        assert client_b.get(guess).status_code == 404
    b_saves = client_b.post(
        f"/surveys/{survey.id}/answer/{world['about'].id}", data=page_data(kit, survey, {"mitglieder": "1"})
    )
    assert b_saves.status_code == 302
    db.session.expire_all()
    assert {r.association_id for r in db.session.query(SurveyResponse)} == {a.id, b.id}
    assert db.session.get(SurveyResponse, response_a.id).version == 1


def test_coordinator_lists_only_surveys_of_their_towns(app, db, kit, factory, world):
    other = kit.survey(factory.municipality("Stadt Z"), None, title="Fremde Umfrage")
    page = _client(app, world["users"]["coord_x"]).get("/surveys/").get_data(as_text=True)
    assert "Bedarfserhebung Test" in page and "Fremde Umfrage" not in page
    assert _client(app, world["users"]["coord_x"]).get(f"/surveys/{other.id}/results").status_code == 404
    new_form = _client(app, world["users"]["coord_x"]).get("/surveys/new").get_data(as_text=True)
    assert "Fremde Umfrage" not in new_form


def test_copying_a_survey_of_another_town_is_refused(app, db, kit, factory, world):
    other = kit.survey(factory.municipality("Stadt Z"), None, title="Fremde Umfrage")
    client = _client(app, world["users"]["coord_x"])
    response = client.post(
        "/surveys/new", data={"start": f"copy:{other.id}", "municipality_id": world["town_x"].id, "title": "Kopie"}
    )
    assert response.status_code in (200, 404)
    assert "Kopie" not in client.get("/surveys/").get_data(as_text=True)
