"""Friendly error pages for every error code in the user's language, no debug page outside
development, and uploads checked by size and by content (not by the file name).

`test_security.py` covers the 404/405/CSRF/429/500 basics; this module adds the codes and
situations it leaves out, and the uploads of every feature.
"""

import io
import json
import secrets
import zipfile

import pytest
from flask import abort
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from config import ProductionConfig
from core.errors import MESSAGES
from core.models import Association, ImportBatch
from surveys.interchange import FORMAT, FORMAT_VERSION
from surveys.models import Survey

GERMAN = {
    "The request could not be processed": "Die Anfrage konnte nicht verarbeitet werden",
    "Access denied": "Zugriff verweigert",
    "Page not found": "Seite nicht gefunden",
    "Not allowed": "Nicht erlaubt",
    "File too large": "Datei zu groß",
    "Too many attempts": "Zu viele Versuche",
    "Something went wrong": "Etwas ist schiefgelaufen",
}
TITLES = {
    400: "The request could not be processed",
    403: "Access denied",
    404: "Page not found",
    405: "Not allowed",
    413: "File too large",
    429: "Too many attempts",
    500: "Something went wrong",
}
CODES = tuple(TITLES)


@pytest.fixture
def app_config(own_catalogue):
    return {"BABEL_TRANSLATION_DIRECTORIES": str(own_catalogue(GERMAN))}


def text(response):
    return response.get_data(as_text=True)


def add_failing_routes(app):
    def explode():
        raise RuntimeError("secret detail: password=hunter2")

    app.add_url_rule("/test-explode", "test_explode", explode)
    app.add_url_rule("/test-abort/<int:code>", "test_abort", lambda code: abort(code))


def test_every_error_code_has_a_friendly_message():
    for code in CODES:
        title, message = MESSAGES[code]
        assert title._args[0] == TITLES[code] and len(message._args[0]) > 20, code


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("language", ["de", "en"])
def test_error_pages_in_the_browsers_language(app, client, code, language):
    add_failing_routes(app)
    url = "/test-explode" if code == 500 else f"/test-abort/{code}"
    response = client.get(url, headers={"Accept-Language": language})
    assert response.status_code == code
    expected = GERMAN[TITLES[code]] if language == "de" else TITLES[code]
    body = text(response)
    assert f"<h1>{expected}</h1>" in body
    assert f'<html lang="{language}"' in body
    assert "Traceback" not in body and "secret detail" not in body
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_real_403_page_for_the_wrong_role(client, factory, auth):
    auth.login_as(factory.representative(locale="de"))
    response = client.get("/associations/", headers={"Accept-Language": "en"})
    assert response.status_code == 403
    assert "<h1>Zugriff verweigert</h1>" in text(response)  # the account's language wins


def test_too_large_upload_gets_the_friendly_page(app, client, factory, auth):
    town = factory.municipality()
    auth.login_as(factory.coordinator(town, locale="de"))
    big = io.BytesIO(b"name\n" + b"Verein\n" * (app.config["MAX_CONTENT_LENGTH"] // 7 + 10))
    response = client.post(
        "/associations/import",
        data={"municipality_id": town.id, "file": (big, "liste.csv")},
        content_type="multipart/form-data",
    )
    # The test client spools a body this large to a temporary file and leaves it open.
    response.request.environ["wsgi.input"].close()
    assert response.status_code == 413
    assert "<h1>Datei zu groß</h1>" in text(response)
    assert app.config["MAX_CONTENT_LENGTH"] <= 10 * 1024 * 1024


class TestProduction:
    @pytest.fixture
    def app_config(self):
        settings_ = {name: value for name, value in vars(ProductionConfig).items() if name.isupper()}
        return {**settings_, "SECRET_KEY": secrets.token_hex(32), "MAIL_BACKEND": "outbox-only"}

    def test_no_debug_page_even_when_debug_is_switched_on(self, app):
        """`flask run --debug` or FLASK_DEBUG=1 on a production config must not expose tracebacks."""
        assert app.config["DEBUG"] is False
        add_failing_routes(app)
        app.debug = True  # what FLASK_DEBUG=1 does to the app when the CLI loads it
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        response = client.get("/test-explode", headers={"Accept-Language": "en"})
        assert response.status_code == 500
        assert "<h1>Something went wrong</h1>" in text(response)
        assert "Traceback" not in text(response) and "hunter2" not in text(response)


# --------------------------------------------------------------------------- uploads by content


def _zip(name="x.txt", content=b"hello"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def _json(data):
    return json.dumps(data).encode()


def _definition(**overrides):
    return {"format": FORMAT, "version": FORMAT_VERSION, **overrides}


@pytest.fixture
def coordinator_client(client, factory, auth):
    town = factory.municipality()
    auth.login_as(factory.coordinator(town, locale="en"))
    client.town = town
    return client


def _upload(client, url, content, filename):
    return client.post(
        url,
        data={"municipality_id": client.town.id, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _field_error(response):
    """The message beside the file field (the form is shown again, with the error summary)."""
    body = text(response)
    assert '<div class="error-summary"' in body, body[:500]
    return body


ASSOCIATION_FILES = {
    "zip named csv": (_zip(), "liste.csv", "not a CSV text file"),
    "elf binary named csv": (b"\x7fELF\x02\x01\x01" + bytes(range(256)), "liste.csv", "not a CSV text file"),
    "text named xlsx": (b"name\nVerein\n", "liste.xlsx", "not a valid XLSX file"),
    "zip of a text file named xlsx": (_zip(), "liste.xlsx", "not a valid XLSX file"),
    "pdf named xlsx": (b"%PDF-1.7\n" + b"\x00" * 100, "liste.xlsx", "not a valid XLSX file"),
    "exe": (b"MZ\x90\x00" + b"\x00" * 100, "liste.exe", "Please choose a CSV or XLSX file"),
}


@pytest.mark.parametrize("case", ASSOCIATION_FILES)
def test_association_import_checks_the_content(coordinator_client, db, case):
    content, filename, message = ASSOCIATION_FILES[case]
    response = _upload(coordinator_client, "/associations/import", content, filename)
    assert response.status_code in (200, 422)
    assert message in _field_error(response)
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert db.session.scalar(select(func.count()).select_from(Association)) == 0


SURVEY_FILES = {
    "zip": (_zip("definition.json", b"{}"), "definition.json", "not a JSON file"),
    "png": (b"\x89PNG\r\n\x1a\n" + b"\x00\xff" * 100, "definition.json", "not a JSON file"),
    "empty": (b"", "definition.json", "not a JSON file"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "definition.json", "not a JSON file"),
    "deeply nested object": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "definition.json", "not a JSON file"),
    "utf-16": ('{"format": "x"}'.encode("utf-16"), "definition.json", "not a JSON file"),
    "other json": (_json({"name": "x"}), "definition.json", "see the list below"),
    "list": (_json([1, 2, 3]), "definition.json", "see the list below"),
    "wrong types": (
        _json(_definition(title=5, intro=[None], languages="de", sections={"a": 1})),
        "definition.json",
        "see the list below",
    ),
    "wrong section types": (
        _json(_definition(title={"de": "T"}, sections=[None, 5, "x", {"questions": "x"}, {"questions": [None, 7]}])),
        "definition.json",
        "see the list below",
    ),
}


@pytest.mark.parametrize("case", SURVEY_FILES)
def test_survey_import_checks_the_content(coordinator_client, db, case):
    content, filename, message = SURVEY_FILES[case]
    response = _upload(coordinator_client, "/surveys/import", content, filename)
    assert response.status_code == 422
    assert message in _field_error(response)
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)
DEFINITION_KEYS = ("title", "intro", "languages", "sections", "key", "kind", "questions", "options", "required")


def _shaped(draw_value, keys):
    return st.fixed_dictionaries({}, optional={key: draw_value for key in keys})


@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=_shaped(
        JSON_VALUES | st.lists(_shaped(JSON_VALUES, DEFINITION_KEYS), max_size=3),
        DEFINITION_KEYS,
    )
)
def test_survey_import_of_any_json_is_never_a_500(coordinator_client, db, body):
    response = _upload(coordinator_client, "/surveys/import", _json(_definition(**body)), "definition.json")
    assert response.status_code in (302, 422), response.status_code
    db.session.rollback()
