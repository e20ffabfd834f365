"""Who may use each fireside route: the fireside part of the access matrix (tests/core/test_access_matrix.py).

Roles in order: anonymous, rep_a, rep_b, rep_c, coord_x, coord_y, admin. Town X has A and B, town Y has C.
`build` gives town X a sub-network of A and B and chats in every state; the invited chat has A on its
list (B is not), hosted by A. The after-chat entries come from access_spec_after.py.
"""

from datetime import timedelta

from core.models import utcnow
from fireside import services
from fireside.forms import to_berlin
from fireside.models import ChatToken
from tests.fireside import access_spec_after as _after


def _data(world, **overrides):
    data = {
        "title": "Kamingespräch X", "topic_keys": [], "description": "", "agenda": "",
        "host_association_id": world.a.id, "venue_name": "Vereinsheim A", "venue_address": "Weg 1",
        "online_url": "", "accessibility_notes": "", "languages": ["de"],
        "starts_at": (utcnow() + timedelta(days=14)).replace(microsecond=0), "duration_minutes": 90,
        "capacity": 10, "max_per_association": 2, "rsvp_cutoff_at": None, "date_options": [],
    }
    data.update(overrides)
    return data


def _chat(world, associations, confirm=True, **overrides):
    coordinator = world.users["coord_x"]
    chat = services.create_chat(world.town_x, _data(world, **overrides), associations, coordinator)
    if confirm:
        services.confirm_host(chat, world.users["rep_a"])
    return chat


def build(world):
    from matching import services as matching_services

    coordinator = world.users["coord_x"]
    world.fs_network = matching_services.create_network(world.town_x.id, {"name": "Netz F", "topic_keys": []}, coordinator)
    matching_services.add_member(world.fs_network, world.a, "Dabei", coordinator)
    world.fs_chat = _chat(world, [world.a])
    services.send_invitations(world.fs_chat, coordinator)
    world.fs_invitation_a = world.fs_chat.invitations[0]
    _token, world.fs_secret_a = ChatToken.issue(world.fs_invitation_a)
    world.fs_ready = _chat(world, [world.a, world.b], title="Fertig")
    world.fs_unconfirmed = _chat(world, [world.a, world.b], confirm=False, title="Unbestätigt")
    soon = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    world.fs_poll_draft = _chat(world, [world.a, world.b], starts_at=None, date_options=[soon, soon + timedelta(days=1)])
    world.fs_polling = _chat(world, [world.a, world.b], starts_at=None, date_options=[soon, soon + timedelta(days=2)])
    services.start_poll(world.fs_polling, coordinator)
    world.fs_cancelled = _chat(world, [world.a], title="Abgesagt")
    services.send_invitations(world.fs_cancelled, coordinator)
    _token, world.fs_cancelled_secret = ChatToken.issue(world.fs_cancelled.invitations[0])
    services.cancel_chat(world.fs_cancelled, coordinator, "Grund")
    world.fs_feed, world.fs_feed_secret = services.create_feed(world.a, world.users["rep_a"])
    world.db.session.flush()
    _after.build(world)


def _form(world, **overrides):
    when = to_berlin(utcnow() + timedelta(days=21))
    data = {"association_ids": [world.a.id, world.b.id], "title": "Neues Gespräch", "host_association_id": "0",
            "venue_address": "Rathaus", "date": when.strftime("%Y-%m-%d"), "time": "18:00",
            "duration_minutes": "120", "capacity": "10", "max_per_association": "2"}
    data.update(overrides)
    return data


def _chat_url(attribute, suffix=""):
    return lambda w: f"/fireside/chats/{getattr(w, attribute).id}{suffix}"


STAFF = "L 403 403 403 200 200 200"
STAFF_X = "L 403 403 403 200 404 200"
STAFF_X_POST = "L 403 403 403 ok 404 ok"
NOT_FOUND = "L 403 403 403 404 404 404"
REPS = "L 200 200 200 403 403 403"
REP_A = "L 200 404 404 403 403 403"
REP_A_POST = "L ok 404 404 403 403 403"

SPEC = {
    "fireside.index": {"url": "/fireside/", "get": "L R R R R R R"},
    "fireside.calendar": {"url": "/fireside/calendar", "get": STAFF},
    "fireside.mine": {"url": "/fireside/mine", "get": REPS},
    "fireside.new": [
        {"url": lambda w: f"/fireside/new/town/{w.town_x.id}", "get": STAFF_X, "post": STAFF_X_POST,
         "data": _form, "label": "hand-picked in town X"},
        {"url": lambda w: f"/fireside/new/network/{w.fs_network.id}", "get": STAFF_X, "post": STAFF_X_POST,
         "data": lambda w: _form(w, association_ids=[w.a.id]), "label": "sub-network of town X"},
        {"url": "/fireside/new/network/999999", "get": NOT_FOUND, "post": NOT_FOUND, "data": _form,
         "label": "missing sub-network"},
        {"url": lambda w: f"/fireside/new/suggestion/{w.town_x.id}/r1-000000000000", "get": NOT_FOUND,
         "post": NOT_FOUND, "data": _form, "label": "suggestion that is not current"},
    ],
    "fireside.chat": [
        {"url": _chat_url("fs_chat"), "get": STAFF_X},
        {"url": "/fireside/chats/999999", "get": NOT_FOUND, "label": "missing"},
    ],
    "fireside.edit": {"url": _chat_url("fs_chat", "/edit"), "get": STAFF_X, "post": STAFF_X_POST,
                      "data": lambda w: {k: v for k, v in _form(w, title="Geändert", host_association_id=str(w.a.id),
                                                                   venue_address="Weg 1").items()
                                         if k != "association_ids"}},
    "fireside.start_poll": {"url": _chat_url("fs_poll_draft", "/poll"), "get": "405", "post": STAFF_X_POST},
    "fireside.ask_host": {"url": _chat_url("fs_unconfirmed", "/ask-host"), "get": "405", "post": STAFF_X_POST},
    "fireside.send": {"url": _chat_url("fs_ready", "/send"), "get": "405", "post": STAFF_X_POST},
    "fireside.fix_date": {"url": lambda w: f"/fireside/chats/{w.fs_polling.id}/fix-date/{w.fs_polling.date_options[0].id}",
                          "get": "405", "post": STAFF_X_POST},
    "fireside.add_invitee": {"url": _chat_url("fs_chat", "/invitees"), "get": "405", "post": STAFF_X_POST,
                             "data": lambda w: {"association_id": w.b.id, "reason": "Passt"}},
    "fireside.withdraw_invitee": {
        "url": lambda w: f"/fireside/chats/{w.fs_chat.id}/invitees/{w.fs_invitation_a.id}/withdraw",
        "get": "405", "post": STAFF_X_POST},
    "fireside.cancel": {"url": _chat_url("fs_chat", "/cancel"), "get": STAFF_X, "post": STAFF_X_POST,
                        "data": {"reason": "Raum fehlt"}},
    "fireside.download": [
        {"url": _chat_url("fs_chat", "/chat.ics"), "get": "L 200 404 404 200 404 200"},
        {"url": _chat_url("fs_ready", "/chat.ics"), "get": "L 404 404 404 200 404 200", "label": "draft"},
    ],
    "fireside.invitation": [
        {"url": _chat_url("fs_chat", "/answer"), "get": REP_A, "post": REP_A_POST,
         "data": {"answer": "accept", "names": "Ayşe Yılmaz"}},
        {"url": _chat_url("fs_unconfirmed", "/answer"), "get": REP_A, "post": "L 404 404 404 403 403 403",
         "data": {"answer": "accept", "names": "Ayşe"}, "label": "draft: only the host sees it, nobody answers"},
    ],
    "fireside.confirm_host": {"url": _chat_url("fs_unconfirmed", "/confirm-host"), "get": "405", "post": REP_A_POST},
    "fireside.token_page": [
        {"url": lambda w: f"/fireside/r/{w.fs_secret_a}", "get": "200", "post": "PUBLIC"},
        {"url": "/fireside/r/not-a-real-token", "get": "404", "post": "PUBLIC", "label": "unknown"},
        {"url": lambda w: f"/fireside/r/{w.fs_cancelled_secret}", "get": "410", "post": "PUBLIC", "label": "cancelled"},
    ],
    "fireside.token_ics": [
        {"url": lambda w: f"/fireside/r/{w.fs_secret_a}/chat.ics", "get": "200"},
        {"url": "/fireside/r/not-a-real-token/chat.ics", "get": "404", "label": "unknown"},
    ],
    "fireside.feeds": {"url": "/fireside/calendar-feeds", "get": REPS, "post": "L ok ok ok 403 403 403"},
    "fireside.revoke_feed": {"url": lambda w: f"/fireside/calendar-feeds/{w.fs_feed.id}/revoke", "get": "405",
                             "post": REP_A_POST},
    "fireside.feed": [
        {"url": lambda w: f"/fireside/feed/{w.fs_feed_secret}.ics", "get": "200"},
        {"url": "/fireside/feed/not-a-real-token.ics", "get": "404", "label": "unknown"},
    ],
}
SPEC.update(_after.SPEC)
