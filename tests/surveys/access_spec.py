"""Who may reach each survey route: loaded by tests/core/test_access_matrix.py (format in its docstring).

Roles, in order: anonymous, rep_a, rep_b, rep_c, coord_x, coord_y, admin.
The world: survey X (town X, open) invites A and B and shares its summary with the associations;
A has a complete draft; survey Y (town Y) invites C; a draft and a closed survey in town X.
"""

import io
import json
from datetime import timedelta

from surveys import distribution, services
from surveys.interchange import validate_definition
from surveys.models import ResponseState, ShareLevel, SurveyToken, local_today
from surveys.responding import Respondent, get_or_create_response, save_answers
from surveys.structure import Answer, Structure

DEFINITION = {
    "format": "vereinsnetz-survey",
    "version": 1,
    "title": {"de": "Kleine Bedarfserhebung", "en": "Small needs survey"},
    "languages": ["de", "en"],
    "sections": [
        {
            "key": "eins",
            "title": {"de": "Teil eins"},
            "questions": [
                {"key": "raeume", "kind": "yes_no", "text": {"de": "Brauchen Sie Räume?"}, "required": True},
                {
                    "key": "mitglieder",
                    "kind": "number",
                    "text": {"de": "Wie viele Mitglieder?"},
                    "settings": {"min": 0},
                },
                {
                    "key": "angebote",
                    "kind": "topic_choice",
                    "text": {"de": "Was bieten Sie an?"},
                    "options": [{"key": "rooms", "topic": "rooms", "polarity": "offer"}],
                },
            ],
        },
        {
            "key": "zwei",
            "title": {"de": "Teil zwei"},
            "questions": [
                {"key": "wunsch", "kind": "long_text", "text": {"de": "Was wünschen Sie sich?"}},
                {"key": "alt", "kind": "short_text", "text": {"de": "Alte Frage"}},
            ],
        },
    ],
}

STAFF = "L 403 403 403 200 200 200"
STAFF_X = "L 403 403 403 200 404 200"
STAFF_X_POST = "L 403 403 403 ok 404 ok"
NOBODY_STAFF = "L 403 403 403 404 404 404"
ANSWER_X = "L 200 200 404 403 403 403"


def _survey(world, town, invited, title, open_=True):
    definition = validate_definition({**DEFINITION, "title": {"de": title}})
    survey = services.create_survey(
        world.users["coord_x"],
        town.id,
        title=title,
        definition=definition,
        languages=["en"],
        closes_on=local_today() + timedelta(days=20),
        wave_label="2026",
    )
    world.db.session.flush()
    distribution.invite(None, survey, invited)
    if open_:
        services.open_survey(None, survey, local_today())
    world.db.session.flush()
    return survey


def _secret(world, survey, association):
    from surveys import queries

    _token, secret = SurveyToken.issue(queries.invitation_for(survey.id, association.id))
    world.db.session.flush()
    return secret


def build(world):
    world.d = world.factory.association(world.town_x, "Verein D")
    world.survey_x = _survey(world, world.town_x, [world.a, world.b], "Umfrage X")
    world.survey_x.share_level = ShareLevel.associations
    world.survey_y = _survey(world, world.town_y, [world.c], "Umfrage Y")
    world.draft_x = _survey(world, world.town_x, [world.a], "Entwurf X", open_=False)
    world.closed_x = _survey(world, world.town_x, [world.a], "Vorbei X")
    world.structure_x = Structure.load(world.survey_x)
    world.structure_y = Structure.load(world.survey_y)
    world.secret_a = _secret(world, world.survey_x, world.a)
    world.secret_closed = _secret(world, world.closed_x, world.a)
    services.close_survey(None, world.closed_x)
    world.retired_x = world.structure_x.question_by_key["alt"]
    services.retire_question(None, world.retired_x)
    respondent = Respondent(world.survey_x, world.a, None, user=world.users["rep_a"])
    world.response_a = get_or_create_response(respondent, "de")
    first = world.structure_x.sections[0]
    save_answers(
        world.response_a,
        first,
        {world.structure_x.question_by_key["raeume"].id: Answer(number=1.0)},
        respondent,
        "de",
        world.structure_x,
    )
    world.response_a.state = ResponseState.draft
    world.db.session.flush()


def sx(world, index=0):
    return world.structure_x.sections[index]


def qx(world, key):
    return world.structure_x.question_by_key[key]


def _x(suffix=""):
    return lambda w: f"/surveys/{w.survey_x.id}{suffix}"


def _import_file(world):
    body = json.dumps(DEFINITION).encode()
    return {"municipality_id": world.town_x.id, "file": (io.BytesIO(body), "umfrage.json")}


def _page_data(world):
    return {"version": str(world.response_a.version), "action": "save", f"q{qx(world, 'mitglieder').id}": "42"}


SPEC = {
    # --------------------------------------------------------------- building
    "surveys.index": {"url": "/surveys/", "get": STAFF},
    "surveys.create": {
        "url": "/surveys/new",
        "get": STAFF,
        "post": "L 403 403 403 ok 200 ok",
        "data": lambda w: {"start": "blank", "municipality_id": w.town_x.id, "title": "Neue Umfrage"},
    },
    "surveys.import_definition": {
        "url": "/surveys/import",
        "get": STAFF,
        "post": "L 403 403 403 ok 422 ok",
        "data": _import_file,
    },
    "surveys.show": [
        {"url": _x(), "get": STAFF_X},
        {"url": lambda w: f"/surveys/{w.survey_y.id}", "get": "L 403 403 403 404 200 200", "label": "survey Y"},
        {"url": "/surveys/999999", "get": NOBODY_STAFF, "label": "missing"},
    ],
    "surveys.settings": {
        "url": _x("/settings"),
        "get": STAFF_X,
        "post": STAFF_X_POST,
        "data": {"title": "Umfrage X (neu)", "languages": ["en"]},
    },
    "surveys.open_": {"url": lambda w: f"/surveys/{w.draft_x.id}/open", "get": "405", "post": STAFF_X_POST},
    "surveys.close": {"url": _x("/close"), "get": "405", "post": STAFF_X_POST},
    "surveys.delete": {"url": lambda w: f"/surveys/{w.draft_x.id}/delete", "get": "405", "post": STAFF_X_POST},
    "surveys.new_wave": {"url": _x("/wave"), "get": STAFF_X, "post": STAFF_X_POST, "data": {"wave_label": "2027"}},
    "surveys.export_json": {"url": _x("/definition.json"), "get": STAFF_X},
    "surveys.edit": {"url": _x("/edit"), "get": STAFF_X},
    "surveys.section_new": {
        "url": _x("/sections/new"),
        "get": STAFF_X,
        "post": STAFF_X_POST,
        "data": {"title": "Neuer Teil"},
    },
    "surveys.section_edit": [
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/sections/{sx(w).id}",
            "get": STAFF_X,
            "post": STAFF_X_POST,
            "data": {"title": "Teil eins (neu)"},
        },
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/sections/{w.structure_y.sections[0].id}",
            "get": NOBODY_STAFF,
            "post": NOBODY_STAFF,
            "data": {"title": "Gekapert"},
            "label": "section of survey Y under X",
        },
    ],
    "surveys.section_move": {
        "url": lambda w: f"/surveys/{w.survey_x.id}/sections/{sx(w).id}/move",
        "get": "405",
        "post": STAFF_X_POST,
        "data": {"direction": "down"},
    },
    "surveys.section_delete": [
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/sections/{sx(w, 1).id}/delete",
            "get": "405",
            "post": STAFF_X_POST,
        },
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/sections/{w.structure_y.sections[1].id}/delete",
            "get": "405",
            "post": NOBODY_STAFF,
            "label": "section of survey Y under X",
        },
    ],
    "surveys.question_new": {
        "url": lambda w: f"/surveys/{w.survey_x.id}/sections/{sx(w).id}/questions/new?kind=yes_no",
        "get": STAFF_X,
        "post": STAFF_X_POST,
        "data": lambda w: {"section_id": sx(w).id, "text": "Neue Frage?"},
    },
    "surveys.question_edit": [
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/questions/{qx(w, 'wunsch').id}",
            "get": STAFF_X,
            "post": STAFF_X_POST,
            "data": lambda w: {"section_id": sx(w, 1).id, "text": "Was wünschen Sie sich am meisten?"},
        },
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/questions/{w.structure_y.question_by_key['wunsch'].id}",
            "get": NOBODY_STAFF,
            "post": NOBODY_STAFF,
            "data": {"text": "Gekapert"},
            "label": "question of survey Y under X",
        },
    ],
    "surveys.question_move": {
        "url": lambda w: f"/surveys/{w.survey_x.id}/questions/{qx(w, 'mitglieder').id}/move",
        "get": "405",
        "post": STAFF_X_POST,
        "data": {"direction": "up"},
    },
    "surveys.question_retire": {
        "url": lambda w: f"/surveys/{w.survey_x.id}/questions/{qx(w, 'wunsch').id}/retire",
        "get": "405",
        "post": STAFF_X_POST,
    },
    "surveys.question_restore": {
        "url": lambda w: f"/surveys/{w.survey_x.id}/questions/{w.retired_x.id}/restore",
        "get": "405",
        "post": STAFF_X_POST,
    },
    "surveys.question_delete": [
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/questions/{qx(w, 'wunsch').id}/delete",
            "get": "405",
            "post": STAFF_X_POST,
        },
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/questions/{w.structure_y.question_by_key['wunsch'].id}/delete",
            "get": "405",
            "post": NOBODY_STAFF,
            "label": "question of survey Y under X",
        },
    ],
    "surveys.preview": [
        {"url": _x("/preview"), "get": STAFF_X},
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/preview/{sx(w, 1).id}?lang=en",
            "get": STAFF_X,
            "label": "page two",
        },
    ],
    "surveys.translations_index": {"url": _x("/translations"), "get": STAFF_X},
    "surveys.translate": [
        {
            "url": _x("/translations/en"),
            "get": STAFF_X,
            "post": STAFF_X_POST,
            "data": lambda w: {f"q{qx(w, 'wunsch').id}-text": "What do you wish for?"},
        },
        {
            "url": _x("/translations/fr"),
            "get": NOBODY_STAFF,
            "post": NOBODY_STAFF,
            "data": {"survey-title": "Enquête"},
            "label": "language not offered",
        },
    ],
    # --------------------------------------------------------------- distribution
    "surveys.invite": {"url": _x("/invite"), "get": STAFF_X, "post": STAFF_X_POST, "data": {"action": "send"}},
    "surveys.tracking": {"url": _x("/tracking"), "get": STAFF_X},
    "surveys.remind": {"url": _x("/remind"), "get": "405", "post": STAFF_X_POST},
    "surveys.remind_one": {
        "url": lambda w: f"/surveys/{w.survey_x.id}/invitations/{_invitation(w, w.survey_x, w.b)}/remind",
        "get": "405",
        "post": STAFF_X_POST,
    },
    "surveys.personal_link": [
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/invitations/{_invitation(w, w.survey_x, w.b)}/link",
            "get": "405",
            "post": STAFF_X_POST,
        },
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/invitations/{_invitation(w, w.survey_y, w.c)}/link",
            "get": "405",
            "post": NOBODY_STAFF,
            "label": "invitation of survey Y under X",
        },
    ],
    # --------------------------------------------------------------- results
    "surveys.results_page": {"url": _x("/results?by=district"), "get": STAFF_X},
    "surveys.responses": {"url": _x("/responses"), "get": STAFF_X},
    "surveys.response_detail": [
        {"url": lambda w: f"/surveys/{w.survey_x.id}/responses/{w.response_a.id}", "get": STAFF_X},
        {
            "url": lambda w: f"/surveys/{w.survey_y.id}/responses/{w.response_a.id}",
            "get": "L 403 403 403 404 404 404",
            "label": "response of X under survey Y",
        },
    ],
    "surveys.compare": {"url": _x("/compare"), "get": STAFF_X},
    "surveys.share": {"url": _x("/share"), "get": STAFF_X, "post": STAFF_X_POST, "data": {"share_level": "public"}},
    "surveys.summary": [
        {"url": _x("/summary"), "get": "404 200 200 404 200 404 200"},
        {
            "url": lambda w: f"/surveys/{w.survey_y.id}/summary",
            "get": "404 404 404 404 404 200 200",
            "label": "not shared",
        },
    ],
    "surveys.export_csv": {"url": _x("/export.csv"), "get": STAFF_X},
    "surveys.export_xlsx": {"url": _x("/export.xlsx"), "get": STAFF_X},
    # --------------------------------------------------------------- answering
    "surveys.mine": {"url": "/surveys/mine", "get": "L 200 200 200 403 403 403"},
    "surveys.answer_start": [
        {"url": _x("/answer"), "get": ANSWER_X},
        {"url": lambda w: f"/surveys/{w.draft_x.id}/answer", "get": "L 404 404 404 403 403 403", "label": "draft"},
        {"url": lambda w: f"/surveys/{w.survey_y.id}/answer", "get": "L 404 404 200 403 403 403", "label": "survey Y"},
    ],
    "surveys.answer_page": [
        # A session that ended shows a sign-in form carrying the answers (401), never a redirect that loses them.
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/answer/{sx(w).id}",
            "get": ANSWER_X,
            "post": "401 ok ok 404 403 403 403",
            "data": _page_data,
        },
        {
            "url": lambda w: f"/surveys/{w.survey_x.id}/answer/{w.structure_y.sections[0].id}",
            "get": "L 404 404 404 403 403 403",
            "post": "401 404 404 404 403 403 403",
            "data": _page_data,
            "label": "section of survey Y under X",
        },
    ],
    "surveys.answer_review": {
        "url": _x("/answer/review"),
        "get": ANSWER_X,
        "post": "401 ok ok 404 403 403 403",
        "data": {"action": "submit"},
    },
    # Whoever holds the association's personal link answers for it: that is what the link is for.
    "surveys.token_start": [
        {"url": lambda w: f"/surveys/r/{w.secret_a}", "get": "200", "post": "PUBLIC"},
        {"url": "/surveys/r/not-a-real-token", "get": "404", "post": "PUBLIC", "label": "unknown token"},
        {"url": lambda w: f"/surveys/r/{w.secret_closed}", "get": "410", "post": "PUBLIC", "label": "closed survey"},
    ],
    "surveys.token_page": [
        {"url": lambda w: f"/surveys/r/{w.secret_a}/{sx(w).id}", "get": "200", "post": "PUBLIC"},
        {
            "url": lambda w: f"/surveys/r/not-a-real-token/{sx(w).id}",
            "get": "404",
            "post": "404",
            "data": _page_data,
            "label": "unknown token",
        },
        {
            "url": lambda w: f"/surveys/r/{w.secret_a}/{w.structure_y.sections[0].id}",
            "get": "404",
            "post": "404",
            "data": _page_data,
            "label": "section of another survey",
        },
        {
            "url": lambda w: f"/surveys/r/{w.secret_closed}/{sx(w).id}",
            "get": "410",
            "post": "410",
            "data": _page_data,
            "label": "closed survey",
        },
    ],
    "surveys.token_review": [
        {"url": lambda w: f"/surveys/r/{w.secret_a}/review", "get": "200", "post": "PUBLIC"},
        {
            "url": "/surveys/r/not-a-real-token/review",
            "get": "404",
            "post": "404",
            "data": {"action": "submit"},
            "label": "unknown token",
        },
    ],
}


def _invitation(world, survey, association):
    from surveys import queries

    return queries.invitation_for(survey.id, association.id).id
