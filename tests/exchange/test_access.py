"""Every exchange route for every role, from access_spec.SPEC, on this package's own world.

The shared matrix (tests/core/test_access_matrix.py) runs the same table; this test keeps the exchange
package honest on its own and adds what a status table cannot say.
"""

import pytest
from sqlalchemy import select

from core.models import Association
from tests.core.test_access_matrix import snapshot
from tests.exchange import access_spec

ROLES = ("anonymous", "rep_a", "rep_b", "rep_c", "coord_x", "coord_y", "admin")


class AccessWorld:
    """The shape access_spec expects: town_x with A and B, town_y with C, people by role."""

    def __init__(self, db, world):
        self.db, self.town_x, self.town_y = db, world.town_x, world.town_y
        self.a, self.b, self.c = world.a, world.b, world.c
        self.users = {"anonymous": None, "rep_a": world.rep_a, "rep_b": world.rep_b, "rep_c": world.rep_c,
                      "coord_x": world.coord_x, "coord_y": world.coord_y, "admin": world.admin}


def tokens(spec):
    parts = spec.split()
    return dict(zip(ROLES, parts * len(ROLES) if len(parts) == 1 else parts, strict=True))


def client_for(app, user):
    client = app.test_client()
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = user.get_id(), True
    return client


def check(response, token, where):
    if token == "L":
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), where
    else:
        assert response.status_code == int(token), (where, response.status_code)


CASES = [(endpoint, i) for endpoint, entry in sorted(access_spec.SPEC.items())
         for i in range(len(entry) if isinstance(entry, list) else 1)]


@pytest.mark.parametrize(("endpoint", "index"), CASES)
def test_route_for_every_role(app, db, world, endpoint, index):
    entry = access_spec.SPEC[endpoint]
    case = entry[index] if isinstance(entry, list) else entry
    w = AccessWorld(db, world)
    access_spec.build(w)
    db.session.commit()
    url = case["url"](w) if callable(case["url"]) else case["url"]
    for role, token in tokens(case["get"]).items():
        check(client_for(app, w.users[role]).get(url), token, (endpoint, url, "GET", role))
        db.session.rollback()
    if "post" not in case:
        return
    data = case.get("data") or {}
    allowed = []
    for role, token in tokens(case["post"]).items():
        if token == "ok":
            allowed.append(role)
            continue
        before = snapshot(db)
        check(client_for(app, w.users[role]).post(url, data=data(w) if callable(data) else data), token,
              (endpoint, url, "POST", role))
        assert snapshot(db) == before, (endpoint, role, "a refused POST changed the database")
        db.session.rollback()
    if allowed:
        before = snapshot(db)
        response = client_for(app, w.users[allowed[0]]).post(url, data=data(w) if callable(data) else data)
        assert response.status_code < 400 and snapshot(db) != before, (endpoint, allowed[0], response.status_code)


def test_every_exchange_route_is_in_the_spec(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("exchange.")}
    assert endpoints == set(access_spec.SPEC)


def test_lists_never_show_another_towns_postings(app, db, world, make_posting):
    make_posting(world.rep_c, title="Nur in Andersdorf")
    for role in (world.rep_a, world.coord_x):
        client = client_for(app, role)
        for url in ("/exchange/", "/exchange/manage", "/exchange/manage/export.csv"):
            response = client.get(url)
            assert response.status_code in (200, 403) and "Nur in Andersdorf" not in response.get_data(as_text=True)
    assert "Nur in Andersdorf" in client_for(app, world.admin).get("/exchange/manage").get_data(as_text=True)


def test_an_association_moved_out_of_town_loses_its_conversations_nowhere(app, db, world, make_posting):
    """A representative without an association sees no board and cannot post, reply or read."""
    from exchange import services

    posting = make_posting(world.rep_a)
    conversation, _message = services.reply(world.rep_b, posting, "Hallo")
    db.session.commit()
    world.rep_b.association_id = None
    db.session.commit()
    client = client_for(app, world.rep_b)
    assert "not linked to an association" in client.get("/exchange/").get_data(as_text=True) or \
        client.get("/exchange/").status_code == 200
    assert client.get("/exchange/new").status_code == 403
    assert client.get(f"/exchange/conversations/{conversation.id}").status_code == 404
    assert client.get(f"/exchange/{posting.id}").status_code == 404
    assert db.session.scalar(select(Association.id).where(Association.id == world.b.id)) == world.b.id
