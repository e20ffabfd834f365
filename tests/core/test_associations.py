"""Identifying associations, their profiles, directory consent and representatives."""

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from core.models import Association, ConsentRecord, Field, OutboxMail, Token, User
from tests.conftest import PASSWORD


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def town(factory):
    return factory.municipality("Stadt X")


@pytest.fixture
def coordinator(factory, town):
    return factory.coordinator(town, email="k@example.org", locale="en", name="Koordination X")


def login(client, user, password=PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302
    return response


def field_error(html, field_id):
    match = re.search(rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else None


def field_value(html, field_id):
    match = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*value="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def checked_values(html, name):
    return {unescape(v) for v in re.findall(rf'<input[^>]*checked[^>]*name="{name}"[^>]*value="([^"]*)"', html)} | {
        unescape(v) for v in re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"[^>]*checked', html)
    }


def topic_ids(factory, *keys):
    return [factory.topic(key).id for key in keys]


def profile(**overrides):
    return {"name": "Türkischer Elternverein", "field": "education", **overrides}


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------------- create and edit


def test_coordinator_creates_a_full_profile(client, db, factory, town, coordinator):
    login(client, coordinator)
    data = profile(
        municipality_id=town.id,
        district="Weststadt",
        description="Elternarbeit und Unterricht.",
        topics=topic_ids(factory, "hsu-tr", "rooms"),
        languages=["tr", "de"],
        email="Info@Elternverein.example",
        phone="+49 7141 123456",
        website="https://elternverein.example/",
        founded_year="1989",
        members_approx="120",
        is_migrant_org="yes",
        directory_consent="y",
    )
    response = client.post("/associations/new", data=data)
    association = db.session.scalar(select(Association))
    assert response.status_code == 302 and response.headers["Location"] == f"/associations/{association.id}"
    assert association.municipality_id == town.id and association.field is Field.education
    assert {t.key for t in association.topics} == {"hsu-tr", "rooms"}
    assert association.languages == ["de", "tr"]
    assert (association.founded_year, association.members_approx, association.is_migrant_org) == (1989, 120, True)
    assert association.website == "https://elternverein.example/" and association.is_listed
    page = client.get(f"/associations/{association.id}").get_data(as_text=True)
    assert "Türkischer Elternverein" in page and "Weststadt" in page


def test_duplicate_name_in_the_same_town_is_refused_beside_the_field(client, db, factory, town, coordinator):
    factory.association(town, name="Müller-Verein")
    login(client, coordinator)
    for name in ("Müller-Verein", "  MÜLLER-VEREIN ", "Mueller-Verein"):
        response = client.post("/associations/new", data=profile(municipality_id=town.id, name=name, district="Nord"))
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert field_error(html, "name") == "An association with this name already exists in this municipality.", name
        assert field_value(html, "district") == "Nord"
    assert count(db, Association) == 1


def test_same_name_in_another_town_is_fine(client, db, factory, town):
    other = factory.municipality("Stadt Y")
    factory.association(other, name="Müller-Verein")
    both = factory.coordinator(town, other, email="kreis@example.org", locale="en")
    login(client, both)
    response = client.post("/associations/new", data=profile(municipality_id=town.id, name="Müller-Verein"))
    assert response.status_code == 302
    assert count(db, Association) == 2


def test_coordinator_edits_and_cannot_take_the_name_of_another(client, db, factory, town, coordinator):
    first = factory.association(town, name="Erster Verein")
    second = factory.association(town, name="Zweiter Verein")
    login(client, coordinator)
    html = client.post(f"/associations/{second.id}/edit", data=profile(name="erster verein")).get_data(as_text=True)
    assert field_error(html, "name") == "An association with this name already exists in this municipality."
    response = client.post(f"/associations/{second.id}/edit", data=profile(name="Zweiter Verein e.V.", district="Süd"))
    assert response.status_code == 302
    db.session.refresh(second)
    assert (second.name, second.district, second.field) == ("Zweiter Verein e.V.", "Süd", Field.education)
    db.session.refresh(first)
    assert first.name == "Erster Verein"


def test_keeping_the_own_name_is_not_a_duplicate(client, db, factory, town, coordinator):
    association = factory.association(town, name="Kulturverein")
    login(client, coordinator)
    assert client.post(f"/associations/{association.id}/edit", data=profile(name="Kulturverein")).status_code == 302


def test_representative_edits_their_own_association(client, db, factory, town):
    own = factory.association(town, name="Eigener Verein", topics=["rooms"], languages=["ar"])
    rep = factory.representative(own, email="rep@example.org", locale="en")
    login(client, rep)
    form = client.get(f"/associations/{own.id}/edit").get_data(as_text=True)
    assert 'name="municipality_id"' not in form
    assert checked_values(form, "languages") == {"ar"}
    assert checked_values(form, "topics") == {str(factory.topic("rooms").id)}
    response = client.post(
        f"/associations/{own.id}/edit",
        data=profile(
            name="Eigener Verein", topics=topic_ids(factory, "hsu-ar", "homework-help"), languages=["ar", "de"]
        ),
    )
    assert response.status_code == 302
    db.session.refresh(own)
    assert {t.key for t in own.topics} == {"hsu-ar", "homework-help"}
    assert own.languages == ["ar", "de"]
    assert own.municipality_id == town.id


def test_representative_cannot_edit_another_association(client, db, factory, town):
    own = factory.association(town, name="Eigener Verein")
    other = factory.association(town, name="Fremder Verein")
    login(client, factory.representative(own, email="rep@example.org"))
    assert client.get(f"/associations/{other.id}/edit").status_code == 404
    assert client.post(f"/associations/{other.id}/edit", data=profile(name="Übernommen")).status_code == 404
    assert client.get(f"/associations/{other.id}").status_code == 404
    db.session.refresh(other)
    assert other.name == "Fremder Verein"


def test_representative_cannot_move_the_association_to_another_town(client, db, factory, town):
    own = factory.association(town)
    other_town = factory.municipality("Stadt Y")
    login(client, factory.representative(own, email="rep@example.org"))
    client.post(f"/associations/{own.id}/edit", data=profile(municipality_id=other_town.id))
    db.session.refresh(own)
    assert own.municipality_id == town.id


def test_clearing_topics_and_languages(client, db, factory, town, coordinator):
    association = factory.association(town, topics=["rooms", "funding"], languages=["tr"])
    login(client, coordinator)
    client.post(f"/associations/{association.id}/edit", data=profile())
    db.session.refresh(association)
    assert association.topics == [] and association.languages == []


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"name": ""}, "name", "Please fill in this field."),
        ({"name": "x" * 201}, "name", "Please use at most 200 characters."),
        ({"name": "Verein\x00"}, "name", "Please remove invisible control characters."),
        ({"field": "cooking"}, "field", "Not a valid choice."),
        ({"website": "javascript:alert(1)"}, "website", None),
        (
            {"website": "javascript://example.org/%0Aalert(1)"},
            "website",
            "Please enter a full web address, e.g. https://example.org.",
        ),
        (
            {"website": "ftp://files.example.org/"},
            "website",
            "Please enter a full web address, e.g. https://example.org.",
        ),
        ({"website": "www.example.org"}, "website", None),
        ({"website": "https://example.org/\x00"}, "website", None),
        ({"website": "https://example.org/" + "a" * 300}, "website", None),
        ({"email": "kein-at"}, "email", "Please enter a valid e-mail address, e.g. name@example.org."),
        ({"phone": "call me"}, "phone", "Please enter a phone number with digits only, e.g. +49 7141 123456."),
        ({"founded_year": str(date.today().year + 1)}, "founded_year", None),
        ({"founded_year": "1799"}, "founded_year", None),
        ({"founded_year": "neunzehnhundert"}, "founded_year", None),
        ({"members_approx": "-1"}, "members_approx", None),
        ({"topics": ["abc"]}, "topics", None),
        ({"topics": ["999999"]}, "topics", None),
        ({"languages": ["klingon"]}, "languages", None),
        ({"is_migrant_org": "maybe"}, "is_migrant_org", "Not a valid choice."),
        ({"field": ""}, "field", "Please fill in this field."),
    ],
)
def test_bad_profile_values_are_refused_beside_the_field(
    client, db, factory, town, coordinator, changes, field, message
):
    association = factory.association(town, name="Alter Name", website="https://alt.example/")
    login(client, coordinator)
    response = client.post(f"/associations/{association.id}/edit", data={**profile(district="Nord"), **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    error = field_error(html, field)
    assert error, (changes, field)
    if message:
        assert error == message
    assert 'id="error-summary"' in html
    db.session.refresh(association)
    assert (association.name, association.website) == ("Alter Name", "https://alt.example/")


def test_a_new_association_starts_with_no_field_chosen(client, town, coordinator):
    """No field of activity is picked for the user: the list starts on "Please choose"."""
    login(client, coordinator)
    html = client.get("/associations/new").get_data(as_text=True)
    select = html[html.index('name="field"'):]
    options = re.findall(r"<option([^>]*)>", select[:select.index("</select>")])
    assert 'value=""' in options[0] and not any("selected" in option for option in options[1:])


def test_http_and_https_websites_are_accepted(client, db, factory, town, coordinator):
    association = factory.association(town)
    login(client, coordinator)
    for website in ("http://verein.example", "HTTPS://verein.example/seite?x=1"):
        assert client.post(f"/associations/{association.id}/edit", data=profile(website=website)).status_code == 302
        db.session.refresh(association)
        assert association.website == website


def test_website_is_only_linked_when_it_is_http(client, db, factory, town, coordinator):
    association = factory.association(town, website="javascript:alert(1)", listed=True)
    html = client.get(f"/directory/{association.id}").get_data(as_text=True)
    assert 'href="javascript:' not in html


# --------------------------------------------------------------------------- directory consent


def test_directory_consent_is_recorded_and_can_be_withdrawn(app, client, db, factory, town):
    association = factory.association(town, name="Kulturverein Mosaik")
    rep = factory.representative(association, email="rep@example.org")
    login(client, rep)
    client.post(f"/associations/{association.id}/edit", data=profile(name="Kulturverein Mosaik", directory_consent="y"))
    record = db.session.scalars(select(ConsentRecord).where(ConsentRecord.kind == "directory")).one()
    assert record.association_id == association.id and record.user_id == rep.id
    assert record.text_version == app.config["DIRECTORY_CONSENT_VERSION"] and record.withdrawn_at is None
    db.session.refresh(association)
    assert association.directory_consent_version == app.config["DIRECTORY_CONSENT_VERSION"]
    public = app.test_client()
    assert "Kulturverein Mosaik" in public.get("/directory/").get_data(as_text=True)
    assert public.get(f"/directory/{association.id}").status_code == 200

    # Saving again with consent does not record it twice.
    client.post(f"/associations/{association.id}/edit", data=profile(name="Kulturverein Mosaik", directory_consent="y"))
    assert count(db, ConsentRecord) == 1

    client.post(f"/associations/{association.id}/edit", data=profile(name="Kulturverein Mosaik"))
    db.session.refresh(record)
    db.session.refresh(association)
    assert record.withdrawn_at is not None, "withdrawal is recorded, never erased"
    assert not association.is_listed and association.directory_consent_version is None
    assert "Kulturverein Mosaik" not in public.get("/directory/").get_data(as_text=True)
    assert public.get(f"/directory/{association.id}").status_code == 404

    client.post(f"/associations/{association.id}/edit", data=profile(name="Kulturverein Mosaik", directory_consent="y"))
    records = db.session.scalars(select(ConsentRecord).order_by(ConsentRecord.id)).all()
    assert [r.withdrawn_at is None for r in records] == [False, True]


def test_creating_with_consent_records_the_coordinator(client, db, town, coordinator):
    login(client, coordinator)
    client.post("/associations/new", data=profile(municipality_id=town.id, directory_consent="y"))
    record = db.session.scalars(select(ConsentRecord)).one()
    assert record.user_id == coordinator.id and record.kind == "directory"


def test_without_consent_nothing_is_recorded(client, db, town, coordinator):
    login(client, coordinator)
    client.post("/associations/new", data=profile(municipality_id=town.id))
    assert count(db, ConsentRecord) == 0
    assert not db.session.scalar(select(Association)).is_listed


# --------------------------------------------------------------------------- representatives


def invite(client, association, **fields):
    data = {"name": "Aylin Demir", "email": "aylin@example.org", "locale": "ar", **fields}
    return client.post(f"/associations/{association.id}/representatives", data=data)


def test_inviting_a_representative(client, db, factory, town, coordinator):
    association = factory.association(town, name="Elternverein")
    login(client, coordinator)
    response = invite(client, association, email="Aylin@Example.org")
    assert response.status_code == 302
    user = User.by_email("aylin@example.org")
    assert user.association_id == association.id and user.locale == "ar" and user.password_hash is None
    mail = db.session.scalars(select(OutboxMail)).one()
    assert mail.to_addr == "aylin@example.org" and mail.locale == "ar" and "/invite/" in mail.body_text
    page = client.get(f"/associations/{association.id}").get_data(as_text=True)
    assert "aylin@example.org" in page and "invited, no password yet" in page


def test_representative_can_invite_a_colleague(client, db, factory, town):
    association = factory.association(town)
    login(client, factory.representative(association, email="rep@example.org"))
    assert invite(client, association).status_code == 302
    assert User.by_email("aylin@example.org").association_id == association.id


@pytest.mark.parametrize("email", ["rep@example.org", "REP@example.org ", "k@example.org"])
def test_inviting_an_existing_address_is_refused_beside_the_field(client, db, factory, town, coordinator, email):
    association = factory.association(town)
    factory.representative(factory.association(town), email="rep@example.org")
    login(client, coordinator)
    response = invite(client, association, email=email, name="Zweiter Versuch")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, "email") == "There is already an account with this e-mail address."
    assert field_value(html, "name") == "Zweiter Versuch"
    assert count(db, OutboxMail) == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"email": ""},
        {"email": "x" * 300 + "@example.org"},
        {"name": ""},
        {"locale": "xx"},
        {"email": "a\x00@example.org"},
        {"name": "\x07"},
    ],
)
def test_inviting_with_bad_values_is_refused(client, db, factory, town, coordinator, fields):
    association = factory.association(town)
    login(client, coordinator)
    response = invite(client, association, **fields)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), next(iter(fields)))
    assert count(db, User) == 1


def test_reinvite_sends_a_fresh_link_and_ends_the_old_one(client, db, factory, town, coordinator):
    association = factory.association(town)
    login(client, coordinator)
    invite(client, association)
    user = User.by_email("aylin@example.org")
    first_link = re.search(
        r"http://localhost(/invite/\S+)", db.session.scalars(select(OutboxMail)).one().body_text
    ).group(1)
    response = client.post(f"/associations/{association.id}/representatives/{user.id}/reinvite")
    assert response.status_code == 302
    mails = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert len(mails) == 2 and mails[1].to_addr == "aylin@example.org"
    second_link = re.search(r"http://localhost(/invite/\S+)", mails[1].body_text).group(1)
    public = client.application.test_client()
    assert public.get(first_link).status_code == 410
    assert public.get(second_link).status_code == 200


def test_reinvite_does_nothing_once_a_password_is_set(client, db, factory, town, coordinator):
    association = factory.association(town)
    active = factory.representative(association, email="rep@example.org")
    login(client, coordinator)
    client.post(f"/associations/{association.id}/representatives/{active.id}/reinvite")
    assert count(db, OutboxMail) == 0 and count(db, Token) == 0


def test_removing_a_representative_disables_the_account(app, client, db, factory, town, coordinator):
    association = factory.association(town)
    leaving = factory.representative(association, email="leaving@example.org")
    their_client = app.test_client()
    login(their_client, leaving)
    login(client, coordinator)
    response = client.post(f"/associations/{association.id}/representatives/{leaving.id}/remove")
    assert response.status_code == 302
    db.session.refresh(leaving)
    assert not leaving.is_enabled and leaving.association_id is None
    assert their_client.get("/account").status_code == 302, "their session ends"
    assert their_client.post("/login", data={"email": leaving.email, "password": PASSWORD}).status_code == 200
    page = client.get(f"/associations/{association.id}").get_data(as_text=True)
    assert "leaving@example.org" not in page


def test_representative_can_step_down_themselves(client, db, factory, town):
    association = factory.association(town)
    rep = factory.representative(association, email="rep@example.org")
    login(client, rep)
    response = client.post(f"/associations/{association.id}/representatives/{rep.id}/remove")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account").status_code == 302


def test_removing_an_invited_person_ends_their_link(client, db, factory, town, coordinator):
    association = factory.association(town)
    login(client, coordinator)
    invite(client, association)
    link = re.search(r"http://localhost(/invite/\S+)", db.session.scalars(select(OutboxMail)).one().body_text).group(1)
    user = User.by_email("aylin@example.org")
    client.post(f"/associations/{association.id}/representatives/{user.id}/remove")
    assert client.application.test_client().get(link).status_code == 410


def test_representatives_of_another_association_cannot_be_removed_through_this_one(client, db, factory, town):
    own = factory.association(town)
    other = factory.association(town)
    stranger = factory.representative(other, email="stranger@example.org")
    login(client, factory.representative(own, email="rep@example.org"))
    assert client.post(f"/associations/{own.id}/representatives/{stranger.id}/remove").status_code == 404
    assert client.post(f"/associations/{own.id}/representatives/{stranger.id}/reinvite").status_code == 404
    db.session.refresh(stranger)
    assert stranger.is_enabled and stranger.association_id == other.id


# --------------------------------------------------------------------------- bad input


GARBAGE = ["x" * 50_000, "\x00\x1b[31m", "' OR 1=1 --", "<img src=x onerror=alert(1)>", "٣", "1e400", "-0", "²"]


@pytest.mark.parametrize("target", ["create", "edit", "invite"])
def test_garbage_never_causes_a_server_error(client, db, factory, town, coordinator, target):
    association = factory.association(town, name="Bestand")
    login(client, coordinator)
    url = {
        "create": "/associations/new",
        "edit": f"/associations/{association.id}/edit",
        "invite": f"/associations/{association.id}/representatives",
    }[target]
    fields = [
        "municipality_id",
        "name",
        "field",
        "district",
        "description",
        "languages",
        "topics",
        "email",
        "phone",
        "website",
        "founded_year",
        "members_approx",
        "is_migrant_org",
        "directory_consent",
        "locale",
    ]
    payloads = [{}] + [{name: value for name in fields} for value in GARBAGE]
    payloads.append({name: ["1", "\x00", "x" * 1000] for name in fields})
    for payload in payloads:
        response = client.post(url, data=payload)
        assert response.status_code in (200, 422), (target, response.status_code, str(payload)[:80])
        db.session.rollback()
    assert count(db, Association) == 1 and count(db, User) == 1
    db.session.refresh(association)
    assert association.name == "Bestand"


@pytest.mark.parametrize(
    "path",
    [
        "/associations/abc",
        "/associations/-1/edit",
        "/associations/99999999999999999999",
        "/associations/1/representatives/x/remove",
    ],
)
def test_odd_ids_are_404(client, coordinator, path):
    login(client, coordinator)
    assert client.get(path).status_code in (404, 405)


def test_coordinator_list_query_count_does_not_grow(client, db, factory, town, coordinator):
    from tests.conftest import count_queries

    other = factory.municipality("Stadt Y")
    coordinator.municipalities = [town, other]
    db.session.commit()
    login(client, coordinator)

    def add(n):
        for i in range(n):
            association = factory.association(town if i % 2 else other)
            factory.representative(association)

    def queries():
        db.session.expire_all()
        with count_queries(db.engine) as statements:
            assert client.get("/associations/").status_code == 200
        return len(statements)

    add(3)
    few = queries()
    add(20)
    assert queries() == few


def test_a_removed_representative_can_be_invited_again(app, client, db, factory, town, coordinator):
    """Removed by mistake, or back after a year: the address is invited again; the old password no longer works."""
    first, second = factory.association(town), factory.association(town)
    returning = factory.representative(first, email="zurueck@example.org")
    login(client, coordinator)
    client.post(f"/associations/{first.id}/representatives/{returning.id}/remove")
    response = invite(client, second, email="Zurueck@example.org", name="Wieder da")
    assert response.status_code == 302
    db.session.refresh(returning)
    assert (returning.association_id, returning.is_enabled, returning.name) == (second.id, True, "Wieder da")
    assert returning.password_hash is None and count(db, User) == 2
    their_client = app.test_client()
    assert their_client.post("/login", data={"email": returning.email, "password": PASSWORD}).status_code == 200
    link = re.search(r"http://localhost(/invite/\S+)", db.session.scalars(select(OutboxMail)).one().body_text).group(1)
    assert their_client.get(link).status_code == 200


def test_staff_invitations_never_reuse_a_removed_representatives_account(client, db, factory, town):
    leaving = factory.representative(factory.association(town), email="weg@example.org")
    leaving.is_enabled, leaving.association = False, None
    db.session.commit()
    login(client, factory.admin(email="admin@example.org", locale="en"))
    response = client.post("/admin/staff/invite", data={"name": "Neu", "email": "weg@example.org", "locale": "de",
                                                        "role": "coordinator", "municipalities": [town.id]})
    assert response.status_code == 200 and count(db, User) == 2
    assert field_error(response.get_data(as_text=True), "email") == "There is already an account with this e-mail address."
