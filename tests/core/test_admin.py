"""Administration: municipalities, staff accounts and their scope, legal page texts."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from core.models import Municipality, OutboxMail, Role, SitePage, User
from tests.conftest import PASSWORD


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def admin(client, factory):
    user = factory.admin(email="admin@example.org", locale="en")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return user


def new_client(app, user=None):
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        assert other.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return other


def field_error(html, field_id):
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else None


def field_value(html, field_id):
    match = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*value="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------- municipalities


def test_creating_a_municipality(client, db, admin):
    data = {
        "name": "Ditzingen",
        "office_name": "Integrationsbeauftragte",
        "office_email": "integration@ditzingen.example",
    }
    response = client.post("/admin/municipalities/new", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    town = db.session.scalars(select(Municipality)).one()
    assert (town.name, town.office_name, town.office_email) == tuple(data.values())
    assert "Ditzingen" in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("name", ["Ditzingen", "ditzingen", "  DITZINGEN "])
def test_duplicate_municipality_is_refused_beside_the_field(client, db, factory, admin, name):
    factory.municipality("Ditzingen")
    response = client.post("/admin/municipalities/new", data={"name": name, "office_name": "Büro"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "name") == "A municipality with this name exists already."
    assert field_value(html, "office_name") == "Büro"
    assert count(db, Municipality) == 1


def test_editing_a_municipality(client, db, factory, admin):
    town = factory.municipality("Ditzingen")
    factory.municipality("Gerlingen")
    html = client.post(f"/admin/municipalities/{town.id}", data={"name": "gerlingen"}).get_data(as_text=True)
    assert field_error(html, "name") == "A municipality with this name exists already."
    assert client.post(f"/admin/municipalities/{town.id}", data={"name": "Ditzingen"}).status_code == 302
    response = client.post(
        f"/admin/municipalities/{town.id}", data={"name": "Stadt Ditzingen", "office_email": "a@b.example"}
    )
    assert response.status_code == 302
    db.session.refresh(town)
    assert (town.name, town.office_email) == ("Stadt Ditzingen", "a@b.example")


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"name": ""}, "name", "Please fill in this field."),
        ({"name": "x" * 121}, "name", "Please use at most 120 characters."),
        ({"name": "Stadt\x00"}, "name", "Please remove invisible control characters."),
        (
            {"name": "Stadt", "office_email": "kein-at"},
            "office_email",
            "Please enter a valid e-mail address, e.g. name@example.org.",
        ),
        ({"name": "Stadt", "office_name": "y" * 201}, "office_name", "Please use at most 200 characters."),
    ],
)
def test_bad_municipality_values_are_refused(client, db, admin, data, field, message):
    html = client.post("/admin/municipalities/new", data=data).get_data(as_text=True)
    assert field_error(html, field) == message
    assert count(db, Municipality) == 0


# --------------------------------------------------------------------------- staff


def invite_staff(client, **fields):
    data = {"name": "Petra Koordination", "email": "petra@example.org", "locale": "en", "role": "coordinator", **fields}
    return client.post("/admin/staff/invite", data=data)


def test_inviting_a_coordinator_with_municipalities(client, db, factory, admin):
    x, y, z = factory.municipality("X-Stadt"), factory.municipality("Y-Dorf"), factory.municipality("Z-Stadt")
    response = invite_staff(client, email="Petra@Example.org", municipalities=[x.id, z.id])
    assert response.status_code == 302
    petra = User.by_email("petra@example.org")
    assert petra.role is Role.coordinator and petra.password_hash is None
    assert {m.name for m in petra.municipalities} == {"X-Stadt", "Z-Stadt"}
    mail = db.session.scalars(select(OutboxMail)).one()
    assert mail.to_addr == "petra@example.org" and "as a coordinator" in mail.body_text and "/invite/" in mail.body_text
    assert y not in petra.municipalities


def test_a_coordinator_needs_a_municipality(client, db, factory, admin):
    factory.municipality("X-Stadt")
    response = invite_staff(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "municipalities") == "A coordinator needs at least one municipality."
    assert field_value(html, "email") == "petra@example.org"
    assert User.by_email("petra@example.org") is None and count(db, OutboxMail) == 0


def test_inviting_an_admin_ignores_municipalities(client, db, factory, admin):
    town = factory.municipality("X-Stadt")
    assert invite_staff(client, role="admin", municipalities=[town.id]).status_code == 302
    other = User.by_email("petra@example.org")
    assert other.role is Role.admin and other.municipalities == []


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"email": "admin@EXAMPLE.org"}, "email"),
        ({"role": "representative"}, "role"),
        ({"municipalities": ["999999"]}, "municipalities"),
        ({"municipalities": ["abc"]}, "municipalities"),
        ({"email": "x"}, "email"),
        ({"name": ""}, "name"),
        ({"locale": "xx"}, "locale"),
    ],
)
def test_bad_staff_invitations_are_refused(client, db, factory, admin, fields, field):
    town = factory.municipality("X-Stadt")
    response = invite_staff(client, **{"municipalities": [town.id], **fields})
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), field)
    assert count(db, User) == 1 and count(db, OutboxMail) == 0


def test_changing_a_coordinators_scope(app, client, db, factory, admin):
    x, y = factory.municipality("X-Stadt"), factory.municipality("Y-Dorf")
    factory.association(y, name="Verein in Y")
    coordinator = factory.coordinator(x, email="k@example.org")
    their_client = new_client(app, coordinator)
    assert "Verein in Y" not in their_client.get("/associations/").get_data(as_text=True)

    form = client.get(f"/admin/staff/{coordinator.id}").get_data(as_text=True)
    assert re.search(rf'<input[^>]*checked[^>]*value="{x.id}"|<input[^>]*value="{x.id}"[^>]*checked', form)
    response = client.post(f"/admin/staff/{coordinator.id}", data={"municipalities": [x.id, y.id], "is_enabled": "y"})
    assert response.status_code == 302
    db.session.refresh(coordinator)
    assert {m.name for m in coordinator.municipalities} == {"X-Stadt", "Y-Dorf"}
    assert "Verein in Y" in their_client.get("/associations/").get_data(as_text=True)

    html = client.post(f"/admin/staff/{coordinator.id}", data={"is_enabled": "y"}).get_data(as_text=True)
    assert field_error(html, "municipalities") == "A coordinator needs at least one municipality."
    db.session.refresh(coordinator)
    assert len(coordinator.municipalities) == 2


def test_disabling_a_staff_account_ends_its_sessions(app, client, db, factory, admin):
    town = factory.municipality("X-Stadt")
    coordinator = factory.coordinator(town, email="k@example.org")
    their_client = new_client(app, coordinator)
    response = client.post(f"/admin/staff/{coordinator.id}", data={"municipalities": [town.id]})
    assert response.status_code == 302
    db.session.refresh(coordinator)
    assert not coordinator.is_enabled
    assert their_client.get("/associations/").headers["Location"].startswith("/login")
    assert new_client(app).post("/login", data={"email": "k@example.org", "password": PASSWORD}).status_code == 200
    assert "disabled" in client.get("/admin/").get_data(as_text=True)

    client.post(f"/admin/staff/{coordinator.id}", data={"municipalities": [town.id], "is_enabled": "y"})
    assert new_client(app).post("/login", data={"email": "k@example.org", "password": PASSWORD}).status_code == 302


def test_own_account_cannot_be_disabled(client, db, admin):
    response = client.post(f"/admin/staff/{admin.id}", data={"is_enabled": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "is_enabled") == "You cannot disable your own account."
    db.session.refresh(admin)
    assert admin.is_enabled
    assert client.get("/admin/").status_code == 200


def test_another_admin_can_be_disabled(client, db, factory, admin):
    other = factory.admin(email="other@example.org")
    assert client.post(f"/admin/staff/{other.id}", data={"is_enabled": ""}).status_code == 302
    db.session.refresh(other)
    assert not other.is_enabled


def test_representatives_are_not_staff(client, factory, admin):
    rep = factory.representative(email="rep@example.org")
    assert client.get(f"/admin/staff/{rep.id}").status_code == 404
    assert client.post(f"/admin/staff/{rep.id}", data={"is_enabled": ""}).status_code == 404


# --------------------------------------------------------------------------- legal pages


def test_legal_page_override_per_language_and_reset(app, client, db, admin):
    public_en, public_de = new_client(app), app.test_client()
    public_de.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    built_in = public_en.get("/legal/imprint").get_data(as_text=True)
    assert app.config["OPERATOR_ADDRESS"] in built_in

    response = client.post(
        "/admin/pages/imprint/en", data={"body": "Our own imprint.\n\nSecond paragraph <b>bold</b>."}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/legal/imprint"
    english = public_en.get("/legal/imprint").get_data(as_text=True)
    assert "<p>Our own imprint.</p>" in english and "&lt;b&gt;bold&lt;/b&gt;" in english
    assert app.config["OPERATOR_ADDRESS"] not in english
    assert "Our own imprint." not in public_de.get("/legal/imprint").get_data(as_text=True)

    assert "Our own imprint." in client.get("/admin/pages/imprint/en").get_data(as_text=True)
    client.post("/admin/pages/imprint/en", data={"body": "Updated imprint."})
    assert count(db, SitePage) == 1
    assert "Updated imprint." in public_en.get("/legal/imprint").get_data(as_text=True)

    response = client.post("/admin/pages/imprint/en/reset")
    assert response.status_code == 302
    assert count(db, SitePage) == 0
    assert app.config["OPERATOR_ADDRESS"] in public_en.get("/legal/imprint").get_data(as_text=True)
    assert client.post("/admin/pages/imprint/en/reset").status_code == 404


def test_german_text_is_the_fallback_for_other_languages(app, client, db, admin):
    client.post("/admin/pages/privacy/de", data={"body": "Unsere Datenschutzerklärung."})
    assert "Unsere Datenschutzerklärung." in new_client(app).get("/legal/privacy").get_data(as_text=True)


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "Please fill in this field."),
        ("x" * 20001, None),
        ("Text\x00", "Please remove invisible control characters."),
    ],
)
def test_bad_page_texts_are_refused(client, db, admin, body, message):
    response = client.post("/admin/pages/privacy/de", data={"body": body})
    error = field_error(response.get_data(as_text=True), "body")
    assert response.status_code == 200 and error
    if message:
        assert error == message
    assert count(db, SitePage) == 0


# --------------------------------------------------------------------------- bad input


GARBAGE = ["x" * 50_000, "\x00\x1b", "' OR 1=1 --", "<script>alert(1)</script>", "²", "99999999999999999999"]


@pytest.mark.parametrize("target", ["new_municipality", "edit_municipality", "invite", "staff", "page"])
def test_garbage_never_causes_a_server_error(client, db, factory, admin, target):
    town = factory.municipality("X-Stadt")
    coordinator = factory.coordinator(town, email="k@example.org")
    url, fields = {
        "new_municipality": ("/admin/municipalities/new", ["name", "office_name", "office_email"]),
        "edit_municipality": (f"/admin/municipalities/{town.id}", ["name", "office_name", "office_email"]),
        "invite": ("/admin/staff/invite", ["name", "email", "locale", "role", "municipalities"]),
        "staff": (f"/admin/staff/{coordinator.id}", ["municipalities", "is_enabled"]),
        "page": ("/admin/pages/privacy/de", ["body"]),
    }[target]
    payloads = [{}] + [{name: value for name in fields} for value in GARBAGE]
    payloads.append({name: [GARBAGE[1], GARBAGE[4]] for name in fields})
    for payload in payloads:
        response = client.post(url, data=payload)
        assert response.status_code in (200, 302), (target, response.status_code, str(payload)[:80])
        db.session.rollback()
    # Every payload had at least one bad value (the page text is free text and may be saved).
    assert count(db, Municipality) == 1
    db.session.refresh(town)
    assert town.name == "X-Stadt"
    assert count(db, User) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/admin/pages/privacy/%00",
        "/admin/pages/%00/de",
        "/admin/staff/99999999999999999999",
        "/admin/municipalities/abc",
    ],
)
def test_odd_urls_are_404(client, admin, path):
    assert client.get(path).status_code == 404
    assert client.post(path, data={"body": "x", "name": "y"}).status_code == 404
