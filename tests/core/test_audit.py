"""The audit log: what is recorded for which action, what never is, and the administrators' viewer."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEvent, clean, record
from core.extensions import db as _db
from core.models import OutboxMail, Role, Token, TokenPurpose, User
from tests.conftest import PASSWORD
from tests.core.test_access_matrix import FEATURE_BUILDERS, SPEC, World, _multipart, client_for, expect


def events(action=None):
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    return _db.session.scalars(stmt).all()


def every_stored_value():
    """All columns of all audit rows as one text, to search for things that must never be there."""
    rows = _db.session.execute(select(AuditEvent.__table__)).all()
    return "\n".join(repr(tuple(row)) for row in rows)


# --------------------------------------------------------------------------- record()

HOSTILE = {
    "newline": ("a\nFAKE 2026-01-01 admin login.success", "a FAKE 2026-01-01 admin login.success"),
    "carriage return": ("a\r\nb", "a b"),
    "ansi escape": ("\x1b[31mred\x1b[0m", "[31mred [0m"),
    "bidi override": ("abc\u202etxt.exe", "abc txt.exe"),
    "bidi isolate": ("\u2066x\u2069", "x"),
    "line separator": ("a\u2028b\u2029c", "a b c"),
    "nul and delete": ("a\x00b\x7fc", "a b c"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_values_are_single_line_without_control_or_bidi_characters(app, db, name):
    raw, expected = HOSTILE[name]
    event = record(None, f"test.{raw}", value=raw, **{f"key{raw}": "x"})
    db.session.commit()
    stored = db.session.get(AuditEvent, event.id)
    assert stored.details["value"] == expected
    assert all(
        not re.search(r"[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]", text)
        for text in [stored.action, *stored.details, *stored.details.values()]
    )


def test_secret_keys_are_dropped_and_values_bounded(app, db):
    event = record(
        None,
        "test.secrets",
        password="hunter2",
        new_password="x",
        api_token="t",
        client_secret="s",
        csrf_token="c",
        Password="P",
        **{"pass\nword": "p2", "to-ken": "t2"},
        note="y" * 500,
    )
    db.session.commit()
    assert db.session.get(AuditEvent, event.id).details == {"note": "y" * 200}


def test_html_is_kept_as_text_and_the_viewer_escapes_it(app, db, factory, client, auth):
    record(None, "test.<b>x</b>", value='<script>alert("x")</script>', **{"<i>key</i>": "<img src=x onerror=alert(1)>"})
    db.session.commit()
    auth.login_as(factory.admin())
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "&lt;i&gt;key&lt;/i&gt;" in page


def test_clean_keeps_ordinary_text_in_any_script():
    assert clean("Türkischer Elternverein – مرحبا") == "Türkischer Elternverein – مرحبا"


# --------------------------------------------------------------------------- every wired action

#: endpoint -> (action, target type). The access matrix's payloads drive each as its first allowed role.
POSTED = {
    "associations.create": ("association.create", "Association"),
    "associations.edit": ("association.edit", "Association"),
    "associations.invite": ("representative.invite", "Association"),
    "associations.reinvite": ("representative.reinvite", "Association"),
    "associations.remove_representative": ("representative.remove", "Association"),
    "associations.import_preview": ("association.import", ""),
    "associations.approve_request": ("access_request.approve", "AccessRequest"),
    "associations.decline_request": ("access_request.decline", "AccessRequest"),
    "admin.create_municipality": ("municipality.create", "Municipality"),
    "admin.edit_municipality": ("municipality.edit", "Municipality"),
    "admin.invite_staff": ("staff.invite", "User"),
    "admin.edit_staff": ("staff.edit", "User"),
    "admin.edit_page": ("page.edit", "SitePage"),
    "admin.reset_page": ("page.reset", "SitePage"),
    "accounts.change_password": ("password.change", "User"),
    "surveys.create": ("survey.create", "Survey"),
    "surveys.import_definition": ("survey.import", "Survey"),
    "surveys.settings": ("survey.edit", "Survey"),
    "surveys.open_": ("survey.open", "Survey"),
    "surveys.close": ("survey.close", "Survey"),
    "surveys.delete": ("survey.delete", "Survey"),
    "surveys.new_wave": ("survey.wave", "Survey"),
    "surveys.invite": ("survey.invite", "Survey"),
    "surveys.remind": ("survey.remind", "Survey"),
    "surveys.remind_one": ("survey.remind", "Survey"),
    "surveys.personal_link": ("survey.personal_link", "Survey"),
    "surveys.share": ("survey.share", "Survey"),
    "surveys.section_new": ("survey.section_add", "Survey"),
    "surveys.section_edit": ("survey.section_edit", "Survey"),
    "surveys.section_move": ("survey.section_move", "Survey"),
    "surveys.section_delete": ("survey.section_delete", "Survey"),
    "surveys.question_new": ("survey.question_add", "Survey"),
    "surveys.question_edit": ("survey.question_edit", "Survey"),
    "surveys.question_move": ("survey.question_move", "Survey"),
    "surveys.translate": ("survey.translate", "Survey"),
    "surveys.question_delete": ("survey.question_delete", "Survey"),
    "surveys.question_retire": ("survey.question_retire", "Survey"),
    "surveys.question_restore": ("survey.question_restore", "Survey"),
    "exchange.dismiss_report": ("report.dismiss", "Report"),
    "exchange.moderate": (None, "Posting"),  # posting.hide / .remove / .restore, as chosen
    "exchange.hide_message": ("message.hide", "Message"),
    "exchange.lock": ("conversation.lock", "Conversation"),
    "exchange.unlock": ("conversation.unlock", "Conversation"),
    "matching.run": ("matching.run", "Municipality"),
    "matching.accept": ("suggestion.accept", "SubNetwork"),
    "matching.dismiss": ("suggestion.dismiss", "DismissedSuggestion"),
    "matching.restore": ("suggestion.restore", "DismissedSuggestion"),
    "matching.new_rule": ("rule.create", "MatchRule"),
    "matching.edit_rule": ("rule.edit", "MatchRule"),
    "matching.delete_rule": ("rule.delete", "MatchRule"),
    "matching.restore_defaults": ("rule.restore_defaults", ""),
    "matching.new_network": ("network.create", "SubNetwork"),
    "matching.edit_network": ("network.edit", "SubNetwork"),
    "matching.add_member": ("network.member_add", "SubNetwork"),
    "matching.remove_member": ("network.member_remove", "SubNetwork"),
}

#: Downloads (GET) that are audited, fetched by coordinator X (admin for the audit log itself).
DOWNLOADS = {
    "surveys.export_csv": ("survey.export", "Survey", "coord_x"),
    "surveys.export_xlsx": ("survey.export", "Survey", "coord_x"),
    "surveys.export_json": ("survey.export", "Survey", "coord_x"),
    "exchange.export": ("posting.export", "", "coord_x"),
    "admin.audit_export": ("audit.export", "", "admin"),
}


def _world(app, db, factory, endpoint):
    world = World(app, db, factory)
    if endpoint in FEATURE_BUILDERS:
        FEATURE_BUILDERS[endpoint](world)
        db.session.commit()
    return world


def _check_event(before_ids, action, target_type, actor):
    new = [e for e in events() if e.id not in before_ids and not e.action.startswith("login.")]
    assert len(new) == 1, [(e.action, e.target_type) for e in new]
    event = new[0]
    if action is not None:
        assert event.action == action
    assert event.actor_id == actor.id and event.actor_role == actor.role.value
    assert event.target_type == target_type
    assert (event.target_id is not None) == bool(target_type)
    assert event.ip_address == "127.0.0.1"
    return event


@pytest.mark.parametrize("endpoint", sorted(POSTED))
def test_each_action_creates_its_audit_event(app, db, factory, endpoint):
    action, target_type = POSTED[endpoint]
    world = _world(app, db, factory, endpoint)
    case = next(c for c in SPEC[endpoint] if c.post and "ok" in expect(c.post).values())
    role = next(role for role, token in expect(case.post).items() if token == "ok")
    before = {e.id for e in events()}
    data = case.payload(world)
    response = client_for(app, world.user(role)).post(
        case.url_for(world), data=data, content_type="multipart/form-data" if _multipart(data) else None
    )
    assert response.status_code < 400, response.status_code
    event = _check_event(before, action, target_type, world.user(role))
    if endpoint == "exchange.moderate":
        assert event.action in {"posting.hide", "posting.remove", "posting.restore"}


@pytest.mark.parametrize("endpoint", sorted(DOWNLOADS))
def test_each_download_creates_its_audit_event(app, db, factory, endpoint):
    action, target_type, role = DOWNLOADS[endpoint]
    world = _world(app, db, factory, endpoint)
    case = next(c for c in SPEC[endpoint] if expect(c.get)[role] == "200")
    before = {e.id for e in events()}
    response = client_for(app, world.user(role)).get(case.url_for(world))
    assert response.status_code == 200
    _check_event(before, action, target_type, world.user(role))


def test_every_audited_endpoint_still_exists(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not (set(POSTED) | set(DOWNLOADS)) - endpoints


def test_a_refused_survey_deletion_leaves_no_event(app, db, factory):
    """The event is added before the service call; a refused change rolls it back with everything else."""
    world = _world(app, db, factory, "surveys.delete")  # survey X has a draft answer of A
    response = client_for(app, world.user("coord_x")).post(f"/surveys/{world.survey_x.id}/delete")
    assert response.status_code == 302
    assert db.session.get(type(world.survey_x), world.survey_x.id) is not None
    assert events("survey.delete") == []


# --------------------------------------------------------------------------- sign-in, passwords, refusals


def test_failed_login_of_a_known_account_names_the_account_but_not_what_was_typed(app, db, factory, client):
    user = factory.coordinator(email="koord@example.org")
    client.post("/login", data={"email": "Koord@Example.ORG", "password": "Geheim-Versuch-1"})
    [event] = events("login.failed")
    assert event.actor_id is None and event.actor_role == "anonymous"
    assert (event.target_type, event.target_id) == ("User", user.id)
    assert event.details == {"account": "known"}
    assert "Geheim-Versuch-1" not in every_stored_value()


def test_failed_login_of_an_unknown_address_keeps_only_the_domain(app, db, client):
    client.post("/login", data={"email": "niemand.bekannt@beispiel-verein.de", "password": "irgendwas"})
    [event] = events("login.failed")
    assert event.target_type == "" and event.details == {"account": "unknown", "domain": "beispiel-verein.de"}
    assert "niemand.bekannt" not in every_stored_value()


@pytest.mark.parametrize("role, audited", [(Role.admin, True), (Role.coordinator, True), (Role.representative, False)])
def test_successful_sign_ins_of_staff_are_audited(app, db, factory, auth, role, audited):
    user = factory.user(
        role,
        municipalities=[factory.municipality()] if role is Role.coordinator else [],
        association=factory.association() if role is Role.representative else None,
    )
    auth.login_as(user)
    found = events("login.success")
    assert [(e.actor_id, e.target_id) for e in found] == ([(user.id, user.id)] if audited else [])


def _link(address, prefix):
    mail = _db.session.scalars(
        select(OutboxMail).where(OutboxMail.to_addr == address).order_by(OutboxMail.id.desc())
    ).first()
    return re.search(rf"http://localhost({re.escape(prefix)}\S+)", mail.body_text).group(1)


def test_no_password_or_token_ever_reaches_the_audit_log(app, db, factory, client, auth):
    """Sign-in failures with passwords, invitations, resets: then search every stored audit value."""
    secrets = ["Falsches-Passwort-42", "Neues-Kennwort-für-Tests-7", "Einladungs-Kennwort-9", PASSWORD]
    admin = factory.admin(email="admin@example.org")
    town = factory.municipality()
    client.post("/login", data={"email": admin.email, "password": secrets[0]})
    client.post("/login", data={"email": secrets[0] + "@example.org", "password": secrets[0]})
    auth.login_as(admin)
    client.post(
        "/admin/staff/invite",
        data={
            "name": "Neu",
            "email": "neu@example.org",
            "locale": "de",
            "role": "coordinator",
            "municipalities": [town.id],
        },
    )
    invite_path = _link("neu@example.org", "/invite/")
    auth.logout()
    client.post(invite_path, data={"name": "Neu", "password": secrets[2], "confirm": secrets[2], "privacy": "y"})
    auth.logout()
    client.post("/password/forgot", data={"email": admin.email})
    reset_path = _link(admin.email, "/password/reset/")
    client.post(reset_path, data={"password": secrets[1], "confirm": secrets[1]})
    client.post(
        "/account/password", data={"pw-current": secrets[1], "pw-password": secrets[2], "pw-confirm": secrets[2]}
    )
    actions = {e.action for e in events()}
    assert {
        "login.failed",
        "login.success",
        "staff.invite",
        "invite.accept",
        "password.reset",
        "password.change",
    } <= actions
    stored = every_stored_value()
    tokens = [invite_path.rsplit("/", 1)[1], reset_path.rsplit("/", 1)[1]]
    assert all(len(t) > 20 for t in tokens)
    for secret in secrets + tokens + [Token.hash(t) for t in tokens]:
        assert secret not in stored, secret


def test_password_change_and_reset_are_audited_for_the_person(app, db, factory, client, auth):
    user = factory.representative(email="rep@example.org")
    auth.login_as(user)
    client.post(
        "/account/password",
        data={"pw-current": PASSWORD, "pw-password": "ein neues Kennwort", "pw-confirm": "ein neues Kennwort"},
    )
    _, secret = Token.issue(user, TokenPurpose.reset, timedelta(hours=1))
    db.session.commit()
    auth.logout()
    client.post(f"/password/reset/{secret}", data={"password": "noch ein Kennwort", "confirm": "noch ein Kennwort"})
    found = [(e.action, e.actor_id, e.target_id) for e in events() if e.action.startswith("password.")]
    assert found == [("password.change", user.id, user.id), ("password.reset", user.id, user.id)]


def test_forbidden_pages_are_audited_with_the_route_not_the_path(app, db, factory, client, auth):
    coordinator = factory.coordinator()
    auth.login_as(coordinator)
    assert client.get("/admin/audit?action=secret-typed-text").status_code == 403
    [event] = events("access.denied")
    assert event.actor_id == coordinator.id
    assert event.details == {"endpoint": "admin.audit", "route": "/admin/audit", "method": "GET"}
    assert "secret-typed-text" not in every_stored_value()


def test_not_found_is_not_audited(app, db, client):
    for n in range(5):
        assert client.get(f"/no-such-page-{n}").status_code == 404
    assert events() == []


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_csrf_failures_are_audited_without_the_token_in_the_link(self, app, db, factory, client):
        user = factory.representative(password=False)
        _, secret = Token.issue(user, TokenPurpose.invite, timedelta(days=1))
        db.session.commit()
        response = client.post(f"/invite/{secret}", data={"name": "x", "password": "abc", "confirm": "abc"})
        assert response.status_code == 400
        [event] = events("csrf.failed")
        assert event.actor_role == "anonymous"
        assert event.details == {"endpoint": "accounts.accept_invite", "route": "/invite/<token>", "method": "POST"}
        assert secret not in every_stored_value()


class TestFloodOfRefusals:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "WTF_CSRF_ENABLED": True, "AUDIT_EVENTS_PER_ADDRESS": "3 per minute"}

    def test_refusals_from_one_address_are_recorded_only_up_to_the_limit(self, app, db, factory, client):
        for _ in range(8):
            assert client.post("/language", data={"lang": "en"}).status_code == 400  # no CSRF token
        assert len(events("csrf.failed")) == 3
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
        other.post("/language", data={"lang": "en"})
        assert [e.ip_address for e in events("csrf.failed")][-1] == "192.0.2.7"

    def test_staff_actions_are_never_throttled(self, app, db, factory):
        admin = factory.admin()
        client = client_for(app, admin)
        for _ in range(8):
            client.post("/language", data={"lang": "en"})  # refused: no CSRF token (counted for the address)
        token_page = client.get("/admin/municipalities/new").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page).group(1)
        for n in range(5):
            client.post("/admin/municipalities/new", data={"name": f"Ort {n}", "csrf_token": csrf})
        assert len(events("municipality.create")) == 5


# --------------------------------------------------------------------------- the viewer


@pytest.fixture
def log(db, factory):
    """A few events at known times, in two towns, by two people."""
    town_x, town_y = factory.municipality("Stadt X"), factory.municipality("Stadt Y")
    coord = factory.coordinator(town_x, email="koordination@stadt-x.example")
    admin = factory.admin(email="chefin@example.org")
    rows = [
        (coord, "survey.export", town_x, datetime(2026, 3, 1, 10)),
        (coord, "survey.close", town_x, datetime(2026, 3, 5, 10)),
        (admin, "staff.invite", None, datetime(2026, 3, 10, 10)),
        (None, "login.failed", None, datetime(2026, 3, 10, 22, 30)),  # 23:30 in Berlin, still 10 March
        (admin, "municipality.edit", town_y, datetime(2026, 3, 11, 9)),
    ]
    for actor, action, town, when in rows:
        event = record(actor, action, municipality_id=town.id if town else None, ip_address="198.51.100.4")
        event.created_at = when
    db.session.commit()
    return {"x": town_x, "y": town_y, "coord": coord, "admin": admin}


def listed(client, query=""):
    response = client.get("/admin/audit" + query, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    return re.findall(r"<code>([^<]+)</code>", response.get_data(as_text=True))


@pytest.fixture
def admin_client(app, log):
    return client_for(app, log["admin"])


def test_viewer_lists_newest_first(admin_client):
    assert listed(admin_client) == [
        "municipality.edit",
        "login.failed",
        "staff.invite",
        "survey.close",
        "survey.export",
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?action=survey", ["survey.close", "survey.export"]),
        ("?action=SURVEY.EXP", ["survey.export"]),
        ("?action=%25", []),  # a literal percent sign, not a wildcard
        ("?actor=koordination%40stadt", ["survey.close", "survey.export"]),
        ("?actor=CHEFIN", ["municipality.edit", "staff.invite"]),
        ("?since=2026-03-05&until=2026-03-10", ["login.failed", "staff.invite", "survey.close"]),
        ("?until=2026-03-01", ["survey.export"]),
        ("?action=login&since=2026-03-11", []),
    ],
)
def test_viewer_filters(admin_client, query, expected):
    assert listed(admin_client, query) == expected


def test_viewer_filters_by_municipality(admin_client, log):
    assert listed(admin_client, f"?municipality={log['y'].id}") == ["municipality.edit"]


def test_wrong_filter_values_are_explained_and_ignored(admin_client):
    response = admin_client.get(
        "/admin/audit?since=gestern&until=2026-02-30&municipality=abc", headers={"Accept-Language": "en"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="error-summary"' in page
    assert len(re.findall(r"<code>", page)) == 5


def test_until_before_since_is_refused_beside_the_field(admin_client):
    page = admin_client.get(
        "/admin/audit?since=2026-03-10&until=2026-03-01", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert '<p class="error" id="until-error">' in page and 'id="until" name="until"' in page


def test_viewer_paginates(app, db, admin_client):
    for n in range(55):
        record(None, f"bulk.{n:02d}")
    db.session.commit()
    first = listed(admin_client, "?action=bulk")
    second = listed(admin_client, "?action=bulk&page=2")
    assert len(first) == 50 and len(second) == 5
    assert first[0] == "bulk.54" and second[-1] == "bulk.00"
    page = admin_client.get("/admin/audit?action=bulk").get_data(as_text=True)
    assert "/admin/audit?page=2&amp;action=bulk" in page or "/admin/audit?action=bulk&amp;page=2" in page


def test_export_contains_the_filtered_list_and_is_audited(app, db, admin_client, log):
    record(None, "test.injection", value='=HYPERLINK("http://evil")', other="line\nbreak")
    db.session.commit()
    response = admin_client.get("/admin/audit/export.csv?action=survey")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert 'attachment; filename="audit-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["time_utc", "actor", "role", "action"]
    assert [r[3] for r in rows[1:]] == ["survey.close", "survey.export"]
    assert rows[1][1] == "koordination@stadt-x.example" and rows[1][6] == "Stadt X"
    [event] = events("audit.export")
    assert event.actor_id == log["admin"].id and event.details == {"rows": "2", "filters": "action"}
    everything = admin_client.get("/admin/audit/export.csv?action=test").get_data(as_text=True)
    data = list(csv.reader(io.StringIO(everything.lstrip("\ufeff")), delimiter=";"))
    assert len(data) == 2  # the line break became a space: one header, one row
    assert data[1][7] == 'other=line break value==HYPERLINK("http://evil")'  # starts with "other": plain text


def test_export_cells_that_look_like_formulas_stay_text(app, db, admin_client):
    record(None, "=cmd|' /C calc'!A0")
    db.session.commit()
    text = admin_client.get("/admin/audit/export.csv?action=%3D").get_data(as_text=True)
    assert ";'=cmd|" in text


def test_admin_page_links_to_the_audit_log(admin_client):
    assert 'href="/admin/audit"' in admin_client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("role", ["coordinator", "representative"])
def test_only_admins_see_the_log(app, db, factory, log, role):
    user = log["coord"] if role == "coordinator" else factory.representative()
    client = client_for(app, user)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.csv").status_code == 403
    assert events("audit.export") == []


def test_deleted_actor_keeps_the_event_without_the_person(app, db, factory):
    user = factory.coordinator()
    record(user, "survey.close")
    db.session.commit()
    db.session.delete(db.session.get(User, user.id))
    db.session.commit()
    db.session.expire_all()
    [event] = events("survey.close")
    assert event.actor_id is None and event.actor_role == "coordinator"


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_viewer_is_accessible_on_phone_and_desktop(page, live_server, log, check_a11y, width):
    from tests.browser.helpers import sign_in

    record(log["coord"], "survey.export", value='<script>alert("x")</script>\u202eevil')
    _db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, log["admin"].email, PASSWORD)
    page.goto(live_server.url + "/admin/audit")
    assert page.locator("table tbody tr").count() == 7  # and the admin's own sign-in
    check_a11y(page)
    page.goto(live_server.url + "/admin/audit?since=2026-03-10&until=2026-03-01")
    assert page.locator("#error-summary").is_visible()
    check_a11y(page)
