"""Signing in and out, invitations, password reset, access requests, language and account settings."""

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from core.models import (
    AccessRequest,
    Association,
    ConsentRecord,
    OutboxMail,
    RequestState,
    Role,
    Token,
    TokenPurpose,
    User,
    utcnow,
)
from tests.conftest import PASSWORD

NEW_PASSWORD = "Sonnenblumen am Neckar 7"


@pytest.fixture
def client(app):
    """English pages, so the assertions read the messages as written in the code."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def new_client(app):
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return other


def login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def field_error(html, field_id):
    """The error shown beside a field (the `field()` macro), or None."""
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else None


def field_value(html, field_id):
    match = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*value="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def signed_in(client):
    return client.get("/account").status_code == 200


def mails_to(db, address):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == address).order_by(OutboxMail.id)).all()


def link_in(mail, prefix):
    match = re.search(rf"http://localhost({re.escape(prefix)}\S+)", mail.body_text)
    assert match, mail.body_text
    return match.group(1)


# --------------------------------------------------------------------------- sign in and out


def test_email_is_case_insensitive(client, factory):
    factory.representative(email="aylin@example.org", locale="en")
    response = login(client, "  Aylin@EXAMPLE.org ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/office/start"
    assert signed_in(client)


def test_wrong_password_is_reported_beside_the_password_field(client, factory):
    factory.representative(email="aylin@example.org")
    response = login(client, "aylin@example.org", "not-the-password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "password") == "E-mail address or password is not correct."
    assert field_value(html, "email") == "aylin@example.org"
    assert 'id="error-summary"' in html
    assert not signed_in(client)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, factory):
    response = login(client, "nobody@example.org", "whatever-password")
    assert field_error(response.get_data(as_text=True), "password") == "E-mail address or password is not correct."


@pytest.mark.parametrize("kind", ["disabled", "invited without password"])
def test_accounts_that_are_not_active_cannot_sign_in(client, factory, kind):
    if kind == "disabled":
        factory.representative(email="p@example.org", is_enabled=False)
    else:
        factory.representative(email="p@example.org", password=False)
    response = login(client, "p@example.org")
    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "password") == "E-mail address or password is not correct."
    assert not signed_in(client)


def test_empty_login_form_shows_errors_beside_both_fields(client):
    html = client.post("/login", data={}).get_data(as_text=True)
    assert field_error(html, "email") == "Please fill in this field."
    assert field_error(html, "password") == "Please fill in this field."


def test_signing_in_starts_a_new_session(client, factory, db):
    user = factory.coordinator(email="k@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "ar"
    login(client, "k@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session and "lang" not in session
        assert session["_user_id"] == user.get_id()
    db.session.refresh(user)
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    "target, followed",
    [
        ("/account", True),
        ("/directory/?q=a", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("\\\\evil.example", False),
        ("/\t/evil.example", False),
        ("/\n/evil.example", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_next_only_follows_local_paths(client, factory, target, followed):
    factory.coordinator(email="k@example.org")
    response = login(client, "k@example.org", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == (target if followed else "/office/")


def test_next_from_the_login_redirect_is_kept_in_the_form(client, factory):
    factory.coordinator(email="k@example.org")
    page = client.get("/associations/new")
    assert page.status_code == 302
    form = client.get(page.headers["Location"]).get_data(as_text=True)
    assert 'value="/associations/new"' in form
    assert login(client, "k@example.org", next="/associations/new").headers["Location"] == "/associations/new"


def test_signed_in_person_opening_login_goes_to_their_start_page(client, factory):
    admin = factory.admin(email="a@example.org")
    login(client, admin.email)
    assert client.get("/login").headers["Location"] == "/admin/"


def test_logout_is_post_only(client, factory):
    factory.coordinator(email="k@example.org")
    login(client, "k@example.org")
    assert client.get("/logout").status_code == 405
    assert signed_in(client)
    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not signed_in(client)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}])
def test_login_attempts_are_rate_limited(client, factory):
    factory.coordinator(email="k@example.org")
    for _ in range(3):
        assert login(client, "k@example.org", "wrong-password").status_code == 200
    response = login(client, "k@example.org")
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- invitations


def invite_via_association(client, db, association, email="aylin.demir@example.org", name="Aylin Demir"):
    response = client.post(
        f"/associations/{association.id}/representatives", data={"name": name, "email": email, "locale": "en"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    (mail,) = mails_to(db, email)
    return link_in(mail, "/invite/")


def test_invitation_end_to_end(app, client, factory, db):
    association = factory.association(name="Elternverein Weststadt")
    coordinator = factory.coordinator(association.municipality, email="k@example.org", locale="en")
    login(client, coordinator.email)
    link = invite_via_association(client, db, association)
    client.post("/logout")

    (mail,) = mails_to(db, "aylin.demir@example.org")
    assert mail.subject == "Invitation to Vereinsnetz" and "Elternverein Weststadt" in mail.body_text
    form = client.get(link)
    assert form.status_code == 200 and "aylin.demir@example.org" in form.get_data(as_text=True)

    attempts = [
        ({"password": "kurz", "confirm": "kurz"}, "password", "Use at least 8 characters."),
        ({"password": "passwort123", "confirm": "passwort123"}, "password", "too common"),
        ({"password": "Aylin.Demir 2024", "confirm": "Aylin.Demir 2024"}, "password", "must not contain your e-mail"),
        ({"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"}, "confirm", "The two passwords do not match."),
    ]
    for passwords, field, message in attempts:
        response = client.post(link, data={"name": "Aylin D.", "privacy": "y", **passwords})
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (passwords, response.headers.get("Location"))
        assert message in (field_error(html, field) or ""), (passwords, field_error(html, field))
        assert field_value(html, "name") == "Aylin D."
    html = client.post(link, data={"name": "Aylin D.", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).get_data(
        as_text=True
    )
    assert "privacy notice" in field_error(html, "privacy")

    response = client.post(
        link, data={"name": "Aylin D.", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "privacy": "y"}
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/associations/{association.id}"
    assert signed_in(client)
    user = User.by_email("aylin.demir@example.org")
    assert user.name == "Aylin D." and user.is_active and user.check_password(NEW_PASSWORD)
    consent = db.session.scalar(select(ConsentRecord).where(ConsentRecord.user_id == user.id))
    assert consent.kind == "privacy" and consent.text_version == app.config["PRIVACY_NOTICE_VERSION"]

    # Single use: the link now shows the "no longer works" page, with a way to ask for a new one.
    client.post("/logout")
    for method in (client.get, client.post):
        again = method(
            link,
            data={"name": "X", "password": "Anderes Kennwort 99", "confirm": "Anderes Kennwort 99", "privacy": "y"},
        )
        html = again.get_data(as_text=True)
        assert again.status_code == 410
        assert "This link no longer works" in html and "already been used" in html
        assert 'href="/password/forgot"' in html
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)


def test_expired_invitation_shows_the_link_page(client, factory, db):
    user = factory.representative(email="p@example.org", password=False)
    token, secret = Token.issue(user, TokenPurpose.invite, timedelta(days=14))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/invite/{secret}")
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert "has expired or is not valid" in html and 'href="/password/forgot"' in html


def test_invitation_is_valid_for_the_configured_days(client, factory, db):
    association = factory.association()
    login(client, factory.coordinator(association.municipality, email="k@example.org").email)
    invite_via_association(client, db, association)
    token = db.session.scalar(select(Token).where(Token.purpose == TokenPurpose.invite))
    assert token.expires_at - token.created_at == pytest.approx(timedelta(days=14), abs=timedelta(seconds=5))


def test_invitation_of_a_disabled_account_no_longer_works(client, factory, db):
    user = factory.representative(email="p@example.org", password=False, is_enabled=False)
    _, secret = Token.issue(user, TokenPurpose.invite, timedelta(days=14))
    db.session.commit()
    assert client.get(f"/invite/{secret}").status_code == 410


def test_invited_person_can_ask_for_a_new_link(client, factory, db):
    """The link page sends people to "forgot password", which also works before a password exists."""
    association = factory.association()
    login(client, factory.coordinator(association.municipality, email="k@example.org").email)
    old_link = invite_via_association(client, db, association)
    client.post("/logout")
    db.session.execute(Token.__table__.update().values(expires_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    assert client.get(old_link).status_code == 410

    assert client.post("/password/forgot", data={"email": "aylin.demir@example.org"}).status_code == 200
    reset_link = link_in(mails_to(db, "aylin.demir@example.org")[-1], "/password/reset/")
    response = client.post(reset_link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)
    assert User.by_email("aylin.demir@example.org").is_active


# --------------------------------------------------------------------------- password reset


def test_forgot_password_does_not_reveal_who_has_an_account(client, factory, db):
    factory.representative(email="known@example.org")
    known = client.post("/password/forgot", data={"email": "known@example.org"})
    unknown = client.post("/password/forgot", data={"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 200
    strip_csrf = re.compile(r'name="csrf_token" value="[^"]*"')
    known_html = strip_csrf.sub("", known.get_data(as_text=True)).replace("known@example.org", "ADDRESS")
    unknown_html = strip_csrf.sub("", unknown.get_data(as_text=True)).replace("unknown@example.org", "ADDRESS")
    assert known_html == unknown_html
    assert len(mails_to(db, "known@example.org")) == 1
    assert mails_to(db, "unknown@example.org") == []


def test_disabled_account_gets_no_reset_mail(client, factory, db):
    factory.representative(email="off@example.org", is_enabled=False)
    assert client.post("/password/forgot", data={"email": "off@example.org"}).status_code == 200
    assert mails_to(db, "off@example.org") == []


def request_reset(client, db, email):
    client.post("/password/forgot", data={"email": email})
    return link_in(mails_to(db, email)[-1], "/password/reset/")


def test_reset_link_is_valid_for_two_hours(client, factory, db):
    factory.representative(email="p@example.org", locale="en")
    link = request_reset(client, db, "p@example.org")
    token = db.session.scalar(select(Token).where(Token.purpose == TokenPurpose.reset))
    assert token.expires_at - token.created_at == pytest.approx(timedelta(hours=2), abs=timedelta(seconds=5))
    assert "2 hours" in mails_to(db, "p@example.org")[-1].body_text
    assert client.get(link).status_code == 200
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(link).status_code == 410


def test_reset_sets_the_password_once_and_ends_other_sessions(app, client, factory, db):
    user = factory.representative(email="p@example.org")
    elsewhere = new_client(app)
    login(elsewhere, "p@example.org")
    assert signed_in(elsewhere)

    older = request_reset(client, db, "p@example.org")
    link = request_reset(client, db, "p@example.org")
    replaced = client.get(older)
    assert replaced.status_code == 410, "asking again replaces the older link"
    assert "has expired or is not valid" in replaced.get_data(as_text=True)

    html = client.post(link, data={"password": "12345678", "confirm": "12345678"}).get_data(as_text=True)
    assert "too common" in field_error(html, "password")
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(elsewhere), "the session on the other device must end"
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)

    assert client.get(link).status_code == 410
    assert login(new_client(app), "p@example.org", NEW_PASSWORD).status_code == 302


# --------------------------------------------------------------------------- access requests


def request_data(municipality, **overrides):
    return {
        "municipality_id": municipality.id,
        "association_name": "Eritreischer Kulturverein",
        "field": "culture",
        "district": "Oststadt",
        "contact_name": "Semhar Tesfay",
        "email": "Semhar@Example.org",
        "locale": "en",
        "message": "Wir treffen uns jeden Samstag.",
        "privacy": "y",
        **overrides,
    }


def test_access_request_errors_keep_what_was_typed(client, factory, db):
    town = factory.municipality("Stadt X")
    response = client.post(
        "/access-request", data=request_data(town, contact_name="", email="kein-at-zeichen", privacy="")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "contact_name") == "Please fill in this field."
    assert "valid e-mail address" in field_error(html, "email")
    assert "privacy notice" in field_error(html, "privacy")
    assert field_value(html, "association_name") == "Eritreischer Kulturverein"
    assert field_value(html, "email") == "kein-at-zeichen"
    assert "Wir treffen uns jeden Samstag." in html
    assert db.session.scalar(select(func.count(AccessRequest.id))) == 0


def test_access_request_refuses_a_municipality_that_is_not_offered(client, factory, db):
    town = factory.municipality("Stadt X")
    for tampered in ("999999", "abc", "-1", ""):
        response = client.post("/access-request", data={**request_data(town), "municipality_id": tampered})
        assert response.status_code == 200
        assert field_error(response.get_data(as_text=True), "municipality_id"), tampered
    assert db.session.scalar(select(func.count(AccessRequest.id))) == 0


def test_access_request_is_mailed_to_the_coordinators_of_that_town(client, factory, db):
    town_x, town_y = factory.municipality("Stadt X"), factory.municipality("Stadt Y")
    factory.coordinator(town_x, email="kx@example.org", locale="en")
    factory.coordinator(town_x, email="kx-off@example.org", is_enabled=False)
    factory.coordinator(town_y, email="ky@example.org")
    response = client.post("/access-request", data=request_data(town_x))
    assert response.status_code == 200 and "Your request has reached the coordination office." in response.get_data(
        as_text=True
    )
    stored = db.session.scalars(select(AccessRequest)).one()
    assert (stored.municipality_id, stored.email, stored.state) == (
        town_x.id,
        "semhar@example.org",
        RequestState.pending,
    )
    (mail,) = mails_to(db, "kx@example.org")
    assert "Eritreischer Kulturverein" in mail.subject and "http://localhost/associations/requests" in mail.body_text
    assert mails_to(db, "kx-off@example.org") == [] and mails_to(db, "ky@example.org") == []


def make_request(db, town, **fields):
    values = {
        "association_name": "Eritreischer Kulturverein",
        "contact_name": "Semhar Tesfay",
        "email": "semhar@example.org",
        "locale": "en",
        "privacy_version": "test",
        "district": "Oststadt",
        **fields,
    }
    access_request = AccessRequest(municipality_id=town.id, **values)
    db.session.add(access_request)
    db.session.commit()
    return access_request


def test_approving_creates_the_association_and_invites_the_requester(client, factory, db):
    town = factory.municipality()
    login(client, factory.coordinator(town, email="k@example.org").email)
    access_request = make_request(db, town)
    response = client.post(f"/associations/requests/{access_request.id}/approve", data={"association_id": "0"})
    association = db.session.scalar(select(Association).where(Association.name == "Eritreischer Kulturverein"))
    assert response.status_code == 302 and response.headers["Location"] == f"/associations/{association.id}"
    assert association.municipality_id == town.id and association.district == "Oststadt"
    user = User.by_email("semhar@example.org")
    assert user.association_id == association.id and user.role is Role.representative and user.password_hash is None
    (mail,) = mails_to(db, "semhar@example.org")
    assert mail.locale == "en" and "/invite/" in mail.body_text
    db.session.refresh(access_request)
    assert access_request.state is RequestState.approved and access_request.association_id == association.id


def test_approving_can_link_an_association_that_is_already_known(client, factory, db):
    town = factory.municipality()
    known = factory.association(town, name="Eritreische Gemeinde")
    login(client, factory.coordinator(town, email="k@example.org").email)
    access_request = make_request(db, town)
    client.post(f"/associations/requests/{access_request.id}/approve", data={"association_id": known.id})
    assert User.by_email("semhar@example.org").association_id == known.id
    assert db.session.scalar(select(func.count(Association.id))) == 1


def test_approving_a_name_that_exists_asks_to_link_instead(client, factory, db):
    town = factory.municipality()
    factory.association(town, name="Eritreischer Kulturverein")
    login(client, factory.coordinator(town, email="k@example.org", locale="en").email)
    access_request = make_request(db, town)
    response = client.post(
        f"/associations/requests/{access_request.id}/approve", data={"association_id": "0"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "exists already" in response.get_data(as_text=True)
    db.session.refresh(access_request)
    assert access_request.state is RequestState.pending
    assert db.session.scalar(select(func.count(Association.id))) == 1


@pytest.mark.parametrize("holder", ["staff", "other association"])
def test_approving_refuses_an_address_that_has_an_account(client, factory, db, holder):
    town = factory.municipality()
    if holder == "staff":
        factory.coordinator(town, email="semhar@example.org")
    else:
        factory.representative(factory.association(town), email="semhar@example.org")
    login(client, factory.coordinator(town, email="k@example.org", locale="en").email)
    access_request = make_request(db, town)
    response = client.post(
        f"/associations/requests/{access_request.id}/approve", data={"association_id": "0"}, follow_redirects=True
    )
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    db.session.refresh(access_request)
    assert access_request.state is RequestState.pending
    assert mails_to(db, "semhar@example.org") == []


def test_declining_mails_the_reason(client, factory, db):
    town = factory.municipality()
    login(client, factory.coordinator(town, email="k@example.org").email)
    access_request = make_request(db, town)
    response = client.post(
        f"/associations/requests/{access_request.id}/decline", data={"note": "Bitte wenden Sie sich an den Kreis."}
    )
    assert response.status_code == 302
    (mail,) = mails_to(db, "semhar@example.org")
    assert "Bitte wenden Sie sich an den Kreis." in mail.body_text and "Hello Semhar Tesfay," in mail.body_text
    db.session.refresh(access_request)
    assert access_request.state is RequestState.declined and access_request.decided_at is not None
    assert User.by_email("semhar@example.org") is None


def test_an_invalid_reason_is_reported_and_nothing_is_decided(client, factory, db):
    town = factory.municipality()
    login(client, factory.coordinator(town, email="k@example.org", locale="en").email)
    access_request = make_request(db, town)
    response = client.post(
        f"/associations/requests/{access_request.id}/decline", data={"note": "x" * 1001}, follow_redirects=True
    )
    assert "has not been declined" in response.get_data(as_text=True)
    db.session.refresh(access_request)
    assert access_request.state is RequestState.pending and mails_to(db, "semhar@example.org") == []


@pytest.mark.parametrize("first, second", [("approve", "approve"), ("approve", "decline"), ("decline", "approve")])
def test_deciding_twice_is_refused(client, factory, db, first, second):
    town = factory.municipality()
    login(client, factory.coordinator(town, email="k@example.org", locale="en").email)
    access_request = make_request(db, town)
    data = {"approve": {"association_id": "0"}, "decline": {"note": "Nein"}}
    client.post(f"/associations/requests/{access_request.id}/{first}", data=data[first])
    associations, mails = (
        db.session.scalar(select(func.count(Association.id))),
        db.session.scalar(select(func.count(OutboxMail.id))),
    )
    response = client.post(
        f"/associations/requests/{access_request.id}/{second}", data=data[second], follow_redirects=True
    )
    assert "already been decided" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Association.id))) == associations
    assert db.session.scalar(select(func.count(OutboxMail.id))) == mails
    db.session.refresh(access_request)
    assert access_request.state is {"approve": RequestState.approved, "decline": RequestState.declined}[first]


# --------------------------------------------------------------------------- language


def test_language_switch_is_post_only(client):
    assert client.get("/language?lang=ar").status_code == 405


def test_language_switch_for_visitors_lasts_the_session(client):
    response = client.post("/language", data={"lang": "ar", "next": "/directory/"})
    assert response.status_code == 302 and response.headers["Location"] == "/directory/"
    html = client.get("/directory/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    client.post("/language", data={"lang": "en", "next": "/"})
    assert '<html lang="en" dir="ltr">' in client.get("/directory/").get_data(as_text=True)


def test_language_switch_is_stored_on_the_account(app, client, factory, db):
    user = factory.coordinator(email="k@example.org", locale="de")
    login(client, user.email)
    client.post("/language", data={"lang": "ar", "next": "/account"})
    db.session.refresh(user)
    assert user.locale == "ar"
    # A new session on another device starts in the stored language.
    other = new_client(app)
    login(other, user.email)
    assert '<html lang="ar" dir="rtl">' in other.get("/account").get_data(as_text=True)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\t/evil.example", "/\\evil.example"])
def test_language_switch_refuses_open_redirects(client, target):
    response = client.post("/language", data={"lang": "de", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client, factory, db):
    user = factory.coordinator(email="k@example.org", locale="en")
    login(client, user.email)
    response = client.post("/language", data={"lang": "xx", "next": "/account"})
    assert response.headers["Location"] == "/account"
    db.session.refresh(user)
    assert user.locale == "en"


# --------------------------------------------------------------------------- settings


def test_settings_save_name_and_language(client, factory, db):
    user = factory.representative(email="p@example.org", locale="en")
    login(client, user.email)
    response = client.post("/account", data={"name": "Neuer Name", "locale": "ar"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.locale) == ("Neuer Name", "ar")
    assert '<html lang="ar" dir="rtl">' in client.get("/account").get_data(as_text=True)


def test_settings_errors_are_shown_beside_the_field(client, factory, db):
    user = factory.representative(email="p@example.org", locale="en", name="Alt")
    login(client, user.email)
    html = client.post("/account", data={"name": "", "locale": "xx"}).get_data(as_text=True)
    assert field_error(html, "name") == "Please fill in this field."
    assert field_error(html, "locale") == "Not a valid choice."
    db.session.refresh(user)
    assert (user.name, user.locale) == ("Alt", "en")


def test_change_password_checks_the_current_one(client, factory, db):
    user = factory.representative(email="p@example.org", locale="en")
    login(client, user.email)
    response = client.post(
        "/account/password",
        data={"pw-current": "falsch-falsch", "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(html, "pw-current") == "The current password is not correct."
    html = client.post(
        "/account/password", data={"pw-current": PASSWORD, "pw-password": "qwertzuiop", "pw-confirm": "qwertzuiop"}
    ).get_data(as_text=True)
    assert "too common" in field_error(html, "pw-password")
    db.session.refresh(user)
    assert user.check_password(PASSWORD)


def test_change_password_keeps_this_session_and_ends_the_others(app, client, factory, db):
    user = factory.representative(email="p@example.org", locale="en")
    login(client, user.email)
    elsewhere = new_client(app)
    login(elsewhere, user.email)
    response = client.post(
        "/account/password", data={"pw-current": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(elsewhere)
    assert login(new_client(app), user.email, NEW_PASSWORD).status_code == 302


def test_settings_need_sign_in(client):
    assert client.get("/account").headers["Location"].startswith("/login")
    assert client.post("/account/password", data={}).headers["Location"].startswith("/login")


# --------------------------------------------------------------------------- bad input


GARBAGE = [
    "x" * 100_000,
    "\x00\x01\x02",
    "\u202e\u0000evil",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "😀" * 500,
    "%s%n{0}",
]


def garbage_payloads(fields):
    yield {}
    for value in GARBAGE:
        yield {name: value for name in fields}
    yield {name: [GARBAGE[1], GARBAGE[3]] for name in fields}


@pytest.mark.parametrize(
    "url, fields, who",
    [
        ("/login", ["email", "password", "next"], None),
        ("/password/forgot", ["email"], None),
        (
            "/access-request",
            [
                "municipality_id",
                "association_name",
                "field",
                "district",
                "contact_name",
                "email",
                "locale",
                "message",
                "privacy",
            ],
            None,
        ),
        ("/language", ["lang", "next"], None),
        ("/account", ["name", "locale"], "user"),
        ("/account/password", ["pw-current", "pw-password", "pw-confirm"], "user"),
        ("invite", ["name", "password", "confirm", "privacy"], None),
        ("reset", ["password", "confirm"], None),
    ],
)
def test_garbage_never_causes_a_server_error(client, factory, db, url, fields, who):
    factory.municipality()
    user = factory.representative(email="p@example.org", locale="en")
    if who:
        login(client, user.email)
    if url in ("invite", "reset"):
        invited = factory.representative(email="i@example.org", password=False)
        purpose = TokenPurpose.invite if url == "invite" else TokenPurpose.reset
        _, secret = Token.issue(invited, purpose, timedelta(days=1))
        db.session.commit()
        url = f"/invite/{secret}" if purpose is TokenPurpose.invite else f"/password/reset/{secret}"
    for payload in garbage_payloads(fields):
        response = client.post(url, data=payload)
        assert response.status_code < 500, (url, {k: str(v)[:20] for k, v in payload.items()})
        db.session.rollback()
    assert db.session.scalar(select(func.count(AccessRequest.id))) == 0
    assert db.session.get(User, user.id).check_password(PASSWORD)


@pytest.mark.parametrize("token", ["x" * 5000, "%00", "..%2F..%2Fetc", "\u0000"])
def test_garbage_tokens_show_the_link_page(client, token):
    for prefix in ("/invite/", "/password/reset/"):
        assert client.get(prefix + token).status_code in (404, 410)


@pytest.mark.parametrize(
    "action, data, outcome",
    [
        ("approve", {"association_id": "abc"}, RequestState.pending),
        ("approve", {"association_id": "99999999999999999999"}, RequestState.pending),
        ("approve", {"association_id": "-1"}, RequestState.pending),
        ("approve", {"association_id": "\x00"}, RequestState.pending),
        ("approve", {"association_id": ["0", "1"]}, RequestState.approved),  # the first value counts
        ("decline", {"note": "\x00"}, RequestState.pending),
        ("decline", {"note": "x" * 100_000}, RequestState.pending),
        ("decline", {"note": ["a", "b"]}, RequestState.declined),
    ],
)
def test_garbage_decisions_never_fail(client, factory, db, action, data, outcome):
    town = factory.municipality()
    login(client, factory.coordinator(town, email="k@example.org", locale="en").email)
    access_request = make_request(db, town)
    response = client.post(f"/associations/requests/{access_request.id}/{action}", data=data)
    assert response.status_code == 302
    db.session.refresh(access_request)
    assert access_request.state is outcome
