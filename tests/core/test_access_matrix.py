"""Every route × every role: who gets the page, who is sent to sign in, who gets 403 or 404.

The table below is the contract. A rule registered in `app.url_map` without an entry fails
`test_every_route_has_an_entry`, so a new route cannot slip in unchecked.

Feature packages (surveys, exchange, matching, fireside) describe their own routes in
`tests/<feature>/access_spec.py`, loaded here when present:

    # tests/surveys/access_spec.py
    def build(world):                      # optional: add the feature's objects to the world
        world.survey_x = ...               # world.factory, world.db, world.town_x, world.a, world.users …

    SPEC = {
        "surveys.index": {"url": "/surveys/", "get": "L 403 403 403 200 200 200"},
        "surveys.close": [{"url": lambda w: f"/surveys/{w.survey_x.id}/close", "get": "405",
                           "post": "L 403 403 403 ok 404 ok", "data": lambda w: {}}],
    }

Expected outcomes are written per role in the order of ROLES (one token means: the same for all):
  GET:  200 / 403 / 404 / 405 / 410, L = redirect to the sign-in page, R = redirect elsewhere.
  POST: a status (L, 403, 404, 405, 200 for a form shown again) = refused, and the database must be
        exactly as before; ok = allowed (the first allowed role posts last and must change the
        database, which proves the payload would have worked); PUBLIC = anyone may post (covered
        by the feature's own tests).
"""

import importlib.util
import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.models import AccessRequest, ImportBatch, SitePage, Token, TokenPurpose, User
from tests.conftest import PASSWORD

ROLES = ("anonymous", "rep_a", "rep_b", "rep_c", "coord_x", "coord_y", "admin")

#: Blueprints whose routes the feature's own `tests/<folder>/access_spec.py` describes.
FEATURE_SPEC_FOLDERS = {
    "surveys": "surveys", "exchange": "exchange", "matching": "matching", "fireside": "fireside",
    "office": "office", "privacy": "privacy",
}

TESTS_DIR = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- the world


class World:
    """Town X with associations A (listed) and B (not listed), town Y with C (listed), and people."""

    def __init__(self, app, db, factory):
        self.app, self.db, self.factory = app, db, factory
        f = factory
        self.town_x = f.municipality("Stadt X")
        self.town_y = f.municipality("Stadt Y")
        self.a = f.association(self.town_x, "Verein A", listed=True)
        self.b = f.association(self.town_x, "Verein B")
        self.c = f.association(self.town_y, "Verein C", listed=True)
        self.users = {
            "anonymous": None,
            "rep_a": f.representative(self.a, email="rep-a@example.org"),
            "rep_b": f.representative(self.b, email="rep-b@example.org"),
            "rep_c": f.representative(self.c, email="rep-c@example.org"),
            "coord_x": f.coordinator(self.town_x, email="coord-x@example.org"),
            "coord_y": f.coordinator(self.town_y, email="coord-y@example.org"),
            "admin": f.admin(email="admin@example.org"),
        }
        #: Invited to speak for A, no password yet.
        self.pending_a = f.representative(self.a, email="pending-a@example.org", password=False)
        _, self.invite_secret = Token.issue(self.pending_a, TokenPurpose.invite, timedelta(days=3))
        _, self.reset_secret = Token.issue(self.users["rep_a"], TokenPurpose.reset, timedelta(hours=2))
        self.batch_x = ImportBatch(
            user_id=self.users["coord_x"].id,
            municipality_id=self.town_x.id,
            filename="liste.csv",
            rows={"rows": [{"line": 2, "data": _row("Importverein X"), "existing_id": None}], "errors": []},
        )
        self.request_x = _access_request(self.town_x, "Anfrage X", "anfrage-x@example.org")
        self.request_y = _access_request(self.town_y, "Anfrage Y", "anfrage-y@example.org")
        self.own_privacy_text = SitePage(slug="privacy", locale="en", body="Our own privacy text.")
        db.session.add_all([self.batch_x, self.request_x, self.request_y, self.own_privacy_text])
        db.session.commit()

    def user(self, role):
        return self.users[role]


def _row(name):
    return {
        "name": name,
        "field": "culture",
        "district": "",
        "phone": "",
        "website": "",
        "description": "",
        "email": "",
        "founded_year": None,
        "members_approx": None,
        "languages": [],
        "topics": [],
        "is_migrant_org": None,
    }


def _access_request(town, name, email):
    return AccessRequest(
        municipality_id=town.id,
        association_name=name,
        contact_name="Frau Beispiel",
        email=email,
        locale="de",
        privacy_version="test",
    )


# --------------------------------------------------------------------------- the spec


@dataclass
class Case:
    url: Any  # str or callable(world) -> str
    get: str
    post: str | None = None
    data: Any = None  # callable(world) -> dict, for POST
    label: str = ""

    def url_for(self, world):
        return self.url(world) if callable(self.url) else self.url

    def payload(self, world):
        return self.data(world) if callable(self.data) else dict(self.data or {})


def expect(tokens):
    parts = tokens.split()
    if len(parts) == 1:
        parts = parts * len(ROLES)
    assert len(parts) == len(ROLES), f"{tokens!r}: need one token or {len(ROLES)}"
    return dict(zip(ROLES, parts, strict=True))


STAFF_ONLY = "L 403 403 403 200 200 200"
ADMIN_ONLY = "L 403 403 403 403 403 200"
SIGNED_IN = "L 200 200 200 200 200 200"
EVERYONE = "200"
ANON_PAGE = "200 R R R R R R"
#: Association A (town X) as target: its representative, coordinator X and the admin.
OWN_A = "L 200 404 404 200 404 200"
OWN_A_POST = "L ok 404 404 ok 404 ok"


def _a(suffix=""):
    return lambda w: f"/associations/{w.a.id}{suffix}"


def _upload(w):
    return {
        "municipality_id": w.town_x.id,
        "file": (io.BytesIO(b"name;district\nNeuer Importverein;Weststadt\n"), "liste.csv"),
    }


CORE_SPEC = {
    "pages.home": Case("/", ANON_PAGE),
    "pages.legal": [
        Case("/legal/privacy", EVERYONE),
        Case("/legal/imprint", EVERYONE),
        Case("/legal/accessibility", EVERYONE),
        Case("/legal/nothing", "404", label="unknown page"),
    ],
    "pages.health": Case("/healthz", EVERYONE),
    "directory.index": Case("/directory/", EVERYONE),
    "directory.show": [
        Case(lambda w: f"/directory/{w.a.id}", EVERYONE, label="listed A"),
        Case(lambda w: f"/directory/{w.b.id}", "404", label="unlisted B"),
        Case("/directory/999999", "404", label="missing"),
    ],
    "accounts.login": Case("/login", ANON_PAGE, post="PUBLIC"),
    "accounts.logout": Case("/logout", "405", post="PUBLIC"),
    "accounts.set_language": Case("/language", "405", post="PUBLIC"),
    "accounts.forgot_password": Case("/password/forgot", EVERYONE, post="PUBLIC"),
    "accounts.access_request": Case("/access-request", EVERYONE, post="PUBLIC"),
    "accounts.accept_invite": [
        Case(lambda w: f"/invite/{w.invite_secret}", EVERYONE, post="PUBLIC"),
        Case("/invite/not-a-real-token", "410", post="PUBLIC", label="unknown token"),
        Case(lambda w: f"/invite/{w.reset_secret}", "410", post="PUBLIC", label="reset token used as invitation"),
    ],
    "accounts.reset_password": [
        Case(lambda w: f"/password/reset/{w.reset_secret}", EVERYONE, post="PUBLIC"),
        Case("/password/reset/not-a-real-token", "410", post="PUBLIC", label="unknown token"),
        Case(lambda w: f"/password/reset/{w.invite_secret}", "410", post="PUBLIC", label="invitation used as reset"),
    ],
    "accounts.settings": Case(
        "/account", SIGNED_IN, post="L ok ok ok ok ok ok", data={"name": "Neuer Name", "locale": "en"}
    ),
    "accounts.change_password": Case(
        "/account/password",
        "405",
        post="L ok ok ok ok ok ok",
        data={
            "pw-current": PASSWORD,
            "pw-password": "ein ganz neues Kennwort",
            "pw-confirm": "ein ganz neues Kennwort",
        },
    ),
    "associations.index": Case("/associations/", STAFF_ONLY),
    "associations.create": Case(
        "/associations/new",
        STAFF_ONLY,
        # Coordinator Y may not create in town X: the choice is refused and the form shown again.
        post="L 403 403 403 ok 200 ok",
        data=lambda w: {"municipality_id": w.town_x.id, "name": "Ganz neuer Verein", "field": "culture"},
    ),
    "associations.show": [
        Case(_a(), OWN_A, label="A"),
        Case(lambda w: f"/associations/{w.b.id}", "L 404 200 404 200 404 200", label="B"),
        Case(lambda w: f"/associations/{w.c.id}", "L 404 404 200 404 200 200", label="C"),
        Case("/associations/999999", "L 404 404 404 404 404 404", label="missing"),
    ],
    "associations.edit": [
        Case(_a("/edit"), OWN_A, post=OWN_A_POST, data={"name": "Verein A (neu)", "field": "sport"}, label="A"),
        Case(
            lambda w: f"/associations/{w.c.id}/edit",
            "L 404 404 200 404 200 200",
            post="L 404 404 ok 404 ok ok",
            data={"name": "Verein C (neu)", "field": "sport"},
            label="C",
        ),
    ],
    "associations.invite": Case(
        _a("/representatives"),
        "405",
        post=OWN_A_POST,
        data={"name": "Neue Person", "email": "neu@example.org", "locale": "de"},
    ),
    "associations.reinvite": [
        Case(lambda w: f"/associations/{w.a.id}/representatives/{w.pending_a.id}/reinvite", "405", post=OWN_A_POST),
        Case(
            lambda w: f"/associations/{w.a.id}/representatives/{w.users['rep_b'].id}/reinvite",
            "405",
            post="L 404 404 404 404 404 404",
            label="someone of B under A's address",
        ),
    ],
    "associations.remove_representative": [
        Case(lambda w: f"/associations/{w.a.id}/representatives/{w.pending_a.id}/remove", "405", post=OWN_A_POST),
        Case(
            lambda w: f"/associations/{w.a.id}/representatives/{w.users['rep_b'].id}/remove",
            "405",
            post="L 404 404 404 404 404 404",
            label="someone of B under A's address",
        ),
        Case(
            lambda w: f"/associations/{w.a.id}/representatives/{w.users['coord_x'].id}/remove",
            "405",
            post="L 404 404 404 404 404 404",
            label="a coordinator under A's address",
        ),
    ],
    "associations.import_upload": Case(
        "/associations/import", STAFF_ONLY, post="L 403 403 403 ok 200 ok", data=_upload
    ),
    "associations.import_preview": [
        # Only the coordinator who uploaded the batch sees it: another coordinator and the admin get 404.
        Case(
            lambda w: f"/associations/import/{w.batch_x.id}",
            "L 403 403 403 200 404 404",
            post="L 403 403 403 ok 404 404",
        ),
        Case(
            "/associations/import/999999",
            "L 403 403 403 404 404 404",
            post="L 403 403 403 404 404 404",
            label="missing",
        ),
    ],
    "associations.access_requests": Case("/associations/requests", STAFF_ONLY),
    "associations.approve_request": [
        Case(
            lambda w: f"/associations/requests/{w.request_x.id}/approve",
            "405",
            post="L 403 403 403 ok 404 ok",
            data={"association_id": "0"},
            label="town X",
        ),
        Case(
            lambda w: f"/associations/requests/{w.request_y.id}/approve",
            "405",
            post="L 403 403 403 404 ok ok",
            data={"association_id": "0"},
            label="town Y",
        ),
    ],
    "associations.decline_request": [
        Case(
            lambda w: f"/associations/requests/{w.request_x.id}/decline",
            "405",
            post="L 403 403 403 ok 404 ok",
            data={"note": "Nicht bei uns."},
            label="town X",
        ),
        Case(
            lambda w: f"/associations/requests/{w.request_y.id}/decline",
            "405",
            post="L 403 403 403 404 ok ok",
            data={"note": "Nicht bei uns."},
            label="town Y",
        ),
    ],
    "admin.index": Case("/admin/", ADMIN_ONLY),
    "admin.create_municipality": Case(
        "/admin/municipalities/new", ADMIN_ONLY, post="L 403 403 403 403 403 ok", data={"name": "Stadt Z"}
    ),
    "admin.edit_municipality": [
        Case(
            lambda w: f"/admin/municipalities/{w.town_x.id}",
            ADMIN_ONLY,
            post="L 403 403 403 403 403 ok",
            data={"name": "Stadt X an der Enz"},
        ),
        Case(
            "/admin/municipalities/999999",
            "L 403 403 403 403 403 404",
            post="L 403 403 403 403 403 404",
            data={"name": "Stadt Q"},
            label="missing",
        ),
    ],
    "admin.invite_staff": Case(
        "/admin/staff/invite",
        ADMIN_ONLY,
        post="L 403 403 403 403 403 ok",
        data=lambda w: {
            "name": "Neue Koordination",
            "email": "neu-koord@example.org",
            "locale": "de",
            "role": "coordinator",
            "municipalities": [w.town_x.id],
        },
    ),
    "admin.edit_staff": [
        Case(
            lambda w: f"/admin/staff/{w.users['coord_x'].id}",
            ADMIN_ONLY,
            post="L 403 403 403 403 403 ok",
            data=lambda w: {"municipalities": [w.town_x.id, w.town_y.id], "is_enabled": "y"},
        ),
        Case(
            lambda w: f"/admin/staff/{w.users['rep_a'].id}",
            "L 403 403 403 403 403 404",
            post="L 403 403 403 403 403 404",
            data={"is_enabled": ""},
            label="a representative",
        ),
    ],
    "admin.edit_page": [
        Case(
            "/admin/pages/imprint/de", ADMIN_ONLY, post="L 403 403 403 403 403 ok", data={"body": "Eigenes Impressum"}
        ),
        Case(
            "/admin/pages/nothing/de",
            "L 403 403 403 403 403 404",
            post="L 403 403 403 403 403 404",
            data={"body": "x"},
            label="unknown page",
        ),
        Case(
            "/admin/pages/imprint/xx",
            "L 403 403 403 403 403 404",
            post="L 403 403 403 403 403 404",
            data={"body": "x"},
            label="unknown language",
        ),
    ],
    "admin.audit": Case("/admin/audit", ADMIN_ONLY),
    "admin.audit_export": Case("/admin/audit/export.csv", ADMIN_ONLY),
    "admin.reset_page": [
        Case("/admin/pages/privacy/en/reset", "405", post="L 403 403 403 403 403 ok"),
        Case("/admin/pages/nothing/en/reset", "405", post="L 403 403 403 403 403 404", label="unknown page"),
    ],
}


def _load_feature_specs():
    """Specs and world builders that feature packages keep beside their own tests."""
    specs, builders, problems = {}, {}, []
    for blueprint, folder in FEATURE_SPEC_FOLDERS.items():
        path = TESTS_DIR / folder / "access_spec.py"
        if not path.exists():
            continue
        module_spec = importlib.util.spec_from_file_location(f"_access_spec_{folder}", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        for endpoint, cases in getattr(module, "SPEC", {}).items():
            if endpoint.partition(".")[0] != blueprint:
                problems.append(f"{path}: {endpoint} is not an endpoint of the {blueprint} blueprint")
                continue
            specs[endpoint] = cases
            if hasattr(module, "build"):
                builders[endpoint] = module.build
    return specs, builders, problems


def _as_cases(entry):
    entries = entry if isinstance(entry, list) else [entry]
    return [e if isinstance(e, Case) else Case(**e) for e in entries]


FEATURE_SPEC, FEATURE_BUILDERS, FEATURE_SPEC_PROBLEMS = _load_feature_specs()
SPEC = {**{k: _as_cases(v) for k, v in FEATURE_SPEC.items()}, **{k: _as_cases(v) for k, v in CORE_SPEC.items()}}


# --------------------------------------------------------------------------- helpers


def client_for(app, user):
    """A client with the user's session, without paying for a password check per request."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    return client


def snapshot(db):
    """Every row of every table, so a refused POST can be shown to have changed nothing."""
    state = {}
    for table in db.metadata.sorted_tables:
        if table.name == "audit_events":
            continue  # refusals are audited on purpose (tests/core/test_audit.py checks the events)
        rows = db.session.execute(select(table)).all()
        if table.name == "data_generations":  # the page cache's write counters: audit_events' moves with the audit
            rows = [row for row in rows if row.name != "audit_events"]
        state[table.name] = sorted(tuple(repr(v) for v in row) for row in rows)
    return state


def diff(before, after):
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def check_status(response, token, where):
    location = response.headers.get("Location", "")
    if token == "L":
        assert response.status_code == 302 and location.startswith("/login"), (where, response.status_code, location)
    elif token == "R":
        assert response.status_code == 302 and not location.startswith("/login"), (
            where,
            response.status_code,
            location,
        )
    else:
        assert response.status_code == int(token), (
            where,
            response.status_code,
            location,
            response.get_data(as_text=True)[:300],
        )


def _multipart(data):
    return any(isinstance(v, tuple) for v in data.values())


def run_case(world, endpoint, case):
    app, db = world.app, world.db
    url = case.url_for(world)
    name = f"{endpoint} [{case.label or url}]"
    clients = {role: client_for(app, world.user(role)) for role in ROLES}
    for role, token in expect(case.get).items():
        check_status(clients[role].get(url), token, (name, "GET", role))
        db.session.rollback()
    if case.post is None or case.post == "PUBLIC":
        return
    posts = expect(case.post)
    for role, token in posts.items():
        if token == "ok":
            continue
        before = snapshot(db)
        data = case.payload(world)
        response = clients[role].post(url, data=data, content_type="multipart/form-data" if _multipart(data) else None)
        check_status(response, token, (name, "POST", role))
        after = snapshot(db)
        assert before == after, (name, role, diff(before, after))
        db.session.rollback()
    allowed = [role for role, token in posts.items() if token == "ok"]
    if allowed:
        before = snapshot(db)
        data = case.payload(world)
        response = clients[allowed[0]].post(
            url, data=data, content_type="multipart/form-data" if _multipart(data) else None
        )
        assert response.status_code < 400, (name, allowed[0], response.status_code)
        assert snapshot(db) != before, (
            f"{name}: the payload changed nothing for {allowed[0]}, so refusals prove nothing"
        )


# --------------------------------------------------------------------------- tests


def test_every_route_has_an_entry(app):
    rules = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            rules.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    missing = sorted(endpoint for endpoint in rules if endpoint not in SPEC)
    hints = sorted(
        f"tests/{FEATURE_SPEC_FOLDERS[bp]}/access_spec.py"
        for bp in {e.partition(".")[0] for e in missing}
        if bp in FEATURE_SPEC_FOLDERS
    )
    assert not missing, (
        "new route without an entry in the access matrix: "
        + ", ".join(missing)
        + ("; describe feature routes in " + ", ".join(hints) + " (see this module's docstring)" if hints else "")
    )
    stale = sorted(endpoint for endpoint in SPEC if endpoint not in rules)
    assert not stale, "entries for routes that no longer exist: " + ", ".join(stale)
    assert not FEATURE_SPEC_PROBLEMS, FEATURE_SPEC_PROBLEMS
    for endpoint, methods in rules.items():
        cases = SPEC[endpoint]
        for case in cases:
            expect(case.get)
            if "POST" in methods:
                assert case.post is not None, f"{endpoint} accepts POST: say who may post ({case.label})"
                if case.post != "PUBLIC":
                    expect(case.post)
            else:
                assert case.post is None, f"{endpoint} does not accept POST"
            if "GET" not in methods:
                assert set(expect(case.get).values()) == {"405"}, f"{endpoint} has no GET: expect 405"


def test_core_routes_are_not_left_to_feature_specs():
    for endpoint in FEATURE_SPEC:
        assert endpoint.partition(".")[0] in FEATURE_SPEC_FOLDERS
        assert endpoint not in CORE_SPEC


@pytest.mark.parametrize("endpoint", sorted(SPEC))
def test_access(endpoint, app, db, factory):
    world = World(app, db, factory)
    if endpoint in FEATURE_BUILDERS:
        FEATURE_BUILDERS[endpoint](world)
        db.session.commit()
    for case in SPEC[endpoint]:
        run_case(world, endpoint, case)


# --------------------------------------------------------------------------- what lists show


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_coordinator_lists_only_associations_of_their_towns(app, db, factory):
    world = World(app, db, factory)
    page_x = _page(client_for(app, world.user("coord_x")), "/associations/")
    assert "Verein A" in page_x and "Verein B" in page_x and "Verein C" not in page_x
    page_y = _page(client_for(app, world.user("coord_y")), "/associations/")
    assert "Verein C" in page_y and "Verein A" not in page_y and "Verein B" not in page_y
    page_admin = _page(client_for(app, world.user("admin")), "/associations/")
    assert all(name in page_admin for name in ("Verein A", "Verein B", "Verein C"))


def test_coordinator_cannot_filter_into_another_town(app, db, factory):
    world = World(app, db, factory)
    page = _page(client_for(app, world.user("coord_x")), f"/associations/?municipality={world.town_y.id}")
    assert "Verein C" not in page


def test_access_requests_list_only_the_towns_in_scope(app, db, factory):
    world = World(app, db, factory)
    page_x = _page(client_for(app, world.user("coord_x")), "/associations/requests")
    assert "Anfrage X" in page_x and "Anfrage Y" not in page_x
    page_admin = _page(client_for(app, world.user("admin")), "/associations/requests")
    assert "Anfrage X" in page_admin and "Anfrage Y" in page_admin


def test_association_form_offers_only_towns_in_scope(app, db, factory):
    world = World(app, db, factory)
    page = _page(client_for(app, world.user("coord_x")), "/associations/new")
    assert "Stadt X" in page and "Stadt Y" not in page
    page = _page(client_for(app, world.user("coord_x")), "/associations/import")
    assert "Stadt X" in page and "Stadt Y" not in page


def test_approving_cannot_link_an_association_of_another_town(app, db, factory):
    """Coordinator of X and Y: a request in X must not be attached to C in town Y."""
    world = World(app, db, factory)
    both = factory.coordinator(world.town_x, world.town_y)
    client = client_for(app, both)
    response = client.post(f"/associations/requests/{world.request_x.id}/approve", data={"association_id": world.c.id})
    assert response.status_code in (302, 422)
    db.session.expire_all()
    assert db.session.get(AccessRequest, world.request_x.id).association_id is None
    assert User.by_email("anfrage-x@example.org") is None


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_posts_without_csrf_token_change_nothing(app, db, factory):
    world = World(app, db, factory)
    posts = [
        (world.user("rep_a"), f"/associations/{world.a.id}/edit", {"name": "Gekapert", "field": "sport"}),
        (world.user("rep_a"), f"/associations/{world.a.id}/representatives/{world.pending_a.id}/remove", {}),
        (world.user("coord_x"), f"/associations/requests/{world.request_x.id}/approve", {"association_id": "0"}),
        (world.user("admin"), "/admin/municipalities/new", {"name": "Stadt Z"}),
        (world.user("admin"), "/admin/pages/privacy/en/reset", {}),
        (world.user("rep_a"), "/account", {"name": "Gekapert", "locale": "en"}),
        (world.user("rep_a"), "/language", {"lang": "ar", "next": "/"}),
    ]
    for user, url, data in posts:
        before = snapshot(db)
        response = client_for(app, user).post(url, data=data)
        assert response.status_code in (302, 400), (url, response.status_code)
        assert snapshot(db) == before, url
        db.session.rollback()
