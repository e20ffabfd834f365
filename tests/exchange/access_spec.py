"""Every exchange route × every role, for tests/core/test_access_matrix.py (and tests/exchange/test_access.py).

Roles in order: anonymous, rep_a, rep_b, rep_c, coord_x, coord_y, admin. Association A and B are in town X,
C in town Y. The world gets: A's open request (network only), B's public offer, a conversation between
A and B about A's request with a message of each side (B's is reported), A's posting fulfilled with B
(waiting for B's confirmation), a closed conversation, a posting the office has hidden, and a draft of A.
"""

from datetime import timedelta

from core.models import utcnow
from exchange.models import (
    Category,
    Conversation,
    Message,
    Moderation,
    Posting,
    PostingKind,
    PostingState,
    Report,
    Visibility,
)


def _posting(world, association, title, **kwargs):
    now = utcnow()
    posting = Posting(
        municipality_id=association.municipality_id, association_id=association.id, kind=kwargs.pop("kind", PostingKind.request),
        category=Category.rooms, title=title, description="Beschreibung", expires_at=now + timedelta(days=60), **kwargs,
    )
    posting.refresh_search()
    world.db.session.add(posting)
    world.db.session.flush()
    return posting


def build(world):
    users = world.users
    world.posting_a = _posting(world, world.a, "Raum gesucht")
    world.public_b = _posting(world, world.b, "Saal frei", kind=PostingKind.offer, visibility=Visibility.public)
    world.hidden_a = _posting(world, world.a, "Versteckt", moderation=Moderation.hidden, moderation_reason="Werbung")
    world.fulfilled_a = _posting(world, world.a, "Erledigt", state=PostingState.fulfilled, partner_id=world.b.id,
                                 fulfilled_at=utcnow())
    world.draft_a = _posting(world, world.a, "Entwurf", state=PostingState.draft)
    world.conversation = Conversation(posting_id=world.posting_a.id, municipality_id=world.town_x.id,
                                      poster_id=world.a.id, replier_id=world.b.id)
    world.locked = Conversation(posting_id=world.public_b.id, municipality_id=world.town_x.id, poster_id=world.b.id,
                                replier_id=world.a.id, locked_at=utcnow(), lock_reason="Ton")
    world.db.session.add_all([world.conversation, world.locked])
    world.db.session.flush()
    world.message_b = Message(conversation_id=world.conversation.id, association_id=world.b.id,
                              author_id=users["rep_b"].id, body="Wir haben einen Saal.")
    world.message_a = Message(conversation_id=world.conversation.id, association_id=world.a.id,
                              author_id=users["rep_a"].id, body="Danke!")
    world.db.session.add_all([world.message_b, world.message_a])
    world.db.session.flush()
    # Reported by someone who has since left (so rep_a's own report in the matrix is a new one).
    world.report = Report(municipality_id=world.town_x.id, reporter_id=None,
                          message_id=world.message_b.id, reason="Unfreundlich")
    world.db.session.add(world.report)
    world.db.session.flush()


def _p(attribute, suffix=""):
    return lambda w: f"/exchange/{getattr(w, attribute).id}{suffix}"


POSTING_FORM = {"kind": "request", "category": "rooms", "title": "Neuer Titel", "description": "Neu",
                "district": "", "visibility": "network"}

SIGNED_IN = "L 200 200 200 200 200 200"
REPS_ONLY = "L 200 200 200 403 403 403"
REPS_ONLY_POST = "L ok ok ok 403 403 403"
STAFF_ONLY = "L 403 403 403 200 200 200"
#: A's posting in town X: A changes it; B and coordinator X see it but may not change it; C, Y: not found.
POSTER_A = "L 200 403 404 403 404 403"
POSTER_A_POST = "L ok 403 404 403 404 403"
VIEW_X = "L 200 200 404 200 404 200"
STAFF_X = "L 403 403 403 200 404 200"
STAFF_X_POST = "L 403 403 403 ok 404 ok"
#: The conversation of A and B: only their representatives.
PARTICIPANTS = "L 200 200 404 404 404 404"

SPEC = {
    "exchange.board": {"url": "/exchange/", "get": SIGNED_IN},
    "exchange.public_board": {"url": "/exchange/public", "get": "200"},
    "exchange.public_show": [
        {"url": lambda w: f"/exchange/public/{w.public_b.id}", "get": "200", "label": "public offer"},
        {"url": lambda w: f"/exchange/public/{w.posting_a.id}", "get": "404", "label": "network-only posting"},
    ],
    "exchange.feed": {"url": "/exchange/feed.atom", "get": "200"},
    "exchange.mine": {"url": "/exchange/mine", "get": REPS_ONLY},
    "exchange.create": {"url": "/exchange/new", "get": REPS_ONLY, "post": REPS_ONLY_POST, "data": POSTING_FORM},
    "exchange.show": [
        {"url": _p("posting_a"), "get": VIEW_X, "label": "A's posting"},
        {"url": _p("hidden_a"), "get": "L 200 404 404 200 404 200", "label": "hidden by the office"},
        {"url": _p("fulfilled_a"), "get": VIEW_X, "label": "fulfilled with B"},
        {"url": _p("draft_a"), "get": "L 200 404 404 200 404 200", "label": "draft: A and the office only"},
        {"url": "/exchange/999999", "get": "L 404 404 404 404 404 404", "label": "missing"},
    ],
    "exchange.publish": {"url": _p("draft_a", "/publish"), "get": "405", "post": "L ok 404 404 403 404 403"},
    "exchange.edit": {"url": _p("posting_a", "/edit"), "get": POSTER_A, "post": POSTER_A_POST, "data": POSTING_FORM},
    "exchange.set_state": {"url": _p("posting_a", "/state"), "get": "405", "post": POSTER_A_POST,
                           "data": {"state": "in_progress"}},
    "exchange.renew": {"url": _p("posting_a", "/renew"), "get": "405", "post": POSTER_A_POST},
    "exchange.fulfil": {"url": _p("posting_a", "/fulfil"), "get": POSTER_A, "post": POSTER_A_POST,
                        "data": lambda w: {"partner_id": w.b.id}},
    # Only the partner (B) confirms or denies; A, the poster, may not confirm for B.
    "exchange.confirm": {"url": _p("fulfilled_a", "/confirm"), "get": "405", "post": "L 403 ok 404 403 404 403"},
    "exchange.deny": {"url": _p("fulfilled_a", "/deny"), "get": "405", "post": "L 403 ok 404 403 404 403"},
    "exchange.report_posting": {"url": _p("posting_a", "/report"), "get": "L 403 200 404 200 404 200",
                                "post": "L 403 ok 404 ok 404 ok", "data": {"reason": "Sieht nach Werbung aus"}},
    "exchange.digest": {"url": "/exchange/digest", "get": REPS_ONLY, "post": REPS_ONLY_POST, "data": {"subscribe": "y"}},
    "exchange.reply": {"url": _p("posting_a", "/reply"), "get": "405", "post": "L 403 ok 404 403 403 403",
                       "data": {"body": "Noch eine Frage"}},
    "exchange.inbox": {"url": "/exchange/messages", "get": REPS_ONLY},
    "exchange.conversation": [
        {"url": lambda w: f"/exchange/conversations/{w.conversation.id}", "get": PARTICIPANTS,
         "post": "L ok ok 404 404 404 404", "data": {"body": "Passt Samstag?"}},
        {"url": "/exchange/conversations/999999", "get": "L 404 404 404 404 404 404",
         "post": "L 404 404 404 404 404 404", "data": {"body": "x"}, "label": "missing"},
    ],
    # A reports B's message; B cannot report its own message.
    "exchange.report_message": {"url": lambda w: f"/exchange/messages/{w.message_b.id}/report",
                                "get": "L 200 403 404 404 404 404", "post": "L ok 403 404 404 404 404",
                                "data": {"reason": "Unfreundlich"}},
    "exchange.manage": {"url": "/exchange/manage", "get": STAFF_ONLY},
    "exchange.export": [
        {"url": "/exchange/manage/export.csv", "get": STAFF_ONLY},
        {"url": "/exchange/manage/export.xlsx", "get": STAFF_ONLY},
        {"url": "/exchange/manage/export.pdf", "get": "L 403 403 403 404 404 404", "label": "unknown format"},
    ],
    "exchange.reports": {"url": "/exchange/reports", "get": STAFF_ONLY},
    "exchange.dismiss_report": {"url": lambda w: f"/exchange/reports/{w.report.id}/dismiss", "get": "405",
                                "post": STAFF_X_POST},
    "exchange.moderate": {"url": _p("posting_a", "/moderate"), "get": STAFF_X, "post": STAFF_X_POST,
                          "data": {"action": "hide", "reason": "Bitte sachlich bleiben"}},
    "exchange.hide_message": {"url": lambda w: f"/exchange/messages/{w.message_b.id}/hide", "get": STAFF_X,
                              "post": STAFF_X_POST, "data": {"reason": "Beleidigend"}},
    "exchange.lock": {"url": lambda w: f"/exchange/conversations/{w.conversation.id}/lock", "get": STAFF_X,
                      "post": STAFF_X_POST, "data": {"reason": "Bitte über die Koordinierungsstelle"}},
    "exchange.unlock": {"url": lambda w: f"/exchange/conversations/{w.locked.id}/unlock", "get": "405",
                        "post": STAFF_X_POST},
    "exchange.figures": {"url": "/exchange/figures", "get": STAFF_ONLY},
}
