"""Access matrix entries for the after-chat routes; merged into tests/fireside/access_spec.py.

Roles in order: anonymous, rep_a, rep_b, rep_c, coord_x, coord_y, admin. `build` adds a chat in town X
that began two days ago: A accepted and came, B declined and did not come. A owns a follow-up; there is
one decision. So A's representatives read the outcome (and mark A's follow-up done), B's and C's get 404,
coordinator Y gets 404, coordinator X and the admin keep the records.
"""

from datetime import timedelta

from core.models import utcnow
from fireside.models import (
    ChatDecision,
    ChatInvitation,
    ChatState,
    FiresideChat,
    FollowUp,
    InvitationState,
    RsvpAnswer,
    SeatState,
)


def build(world):
    """Add after-chat objects to the world (called at the end of access_spec.build)."""
    db, users = world.db, world.users
    starts_at = (utcnow() - timedelta(days=2)).replace(microsecond=0)
    chat = FiresideChat(
        municipality_id=world.town_x.id,
        title="Kamingespräch danach",
        host_association_id=world.a.id,
        starts_at=starts_at,
        capacity=10,
        max_per_association=2,
        seats_taken=1,
        state=ChatState.invited,
        invitations_sent_at=starts_at - timedelta(days=10),
        created_by_id=users["coord_x"].id,
        minutes="Protokoll",
        minutes_updated_at=starts_at + timedelta(hours=3),
        attendance_recorded_at=starts_at,
    )
    db.session.add(chat)
    world.after_inv_a = ChatInvitation(
        association_id=world.a.id,
        state=InvitationState.invited,
        answer=RsvpAnswer.accept,
        seat_state=SeatState.confirmed,
        persons=1,
        names=["Ayşe"],
        attended=True,
        attended_persons=1,
    )
    world.after_inv_b = ChatInvitation(
        association_id=world.b.id,
        state=InvitationState.invited,
        answer=RsvpAnswer.decline,
        attended=False,
        attended_persons=0,
    )
    chat.invitations.extend([world.after_inv_a, world.after_inv_b])
    world.after_decision = ChatDecision(text="Zweimal im Jahr treffen")
    world.after_follow_up = FollowUp(title="Raumanfrage", owner_association_id=world.a.id)
    chat.decisions.append(world.after_decision)
    chat.follow_ups.append(world.after_follow_up)
    db.session.flush()
    world.after_chat = chat


def _chat(suffix):
    return lambda w: f"/fireside/chats/{w.after_chat.id}{suffix}"


def _follow_up(suffix):
    return lambda w: f"/fireside/follow-ups/{w.after_follow_up.id}{suffix}"


def _attendance(w):
    return {
        f"attended_{w.after_inv_a.id}": "yes",
        f"persons_{w.after_inv_a.id}": "2",
        f"attended_{w.after_inv_b.id}": "no",
        f"persons_{w.after_inv_b.id}": "",
    }


STAFF_X = "L 403 403 403 200 404 200"
STAFF_X_POST = "L 403 403 403 ok 404 ok"

SPEC = {
    "fireside.after": [
        {"url": _chat("/after"), "get": "L 200 404 404 200 404 200"},
        {"url": "/fireside/chats/999999/after", "get": "L 404 404 404 404 404 404", "label": "missing"},
    ],
    "fireside.attendance": {"url": _chat("/attendance"), "get": STAFF_X, "post": STAFF_X_POST, "data": _attendance},
    "fireside.minutes": {
        "url": _chat("/minutes"),
        "get": STAFF_X,
        "post": STAFF_X_POST,
        "data": {"minutes": "Neues Protokoll"},
    },
    "fireside.add_decision": {
        "url": _chat("/decisions"),
        "get": "405",
        "post": STAFF_X_POST,
        "data": {"text": "Gemeinsame Raumanfrage"},
    },
    "fireside.delete_decision": {
        "url": lambda w: f"/fireside/decisions/{w.after_decision.id}/delete",
        "get": "405",
        "post": STAFF_X_POST,
    },
    "fireside.new_follow_up": {
        "url": _chat("/follow-ups/new"),
        "get": STAFF_X,
        "post": STAFF_X_POST,
        "data": {"title": "Schulamt anfragen", "owner_association_id": "0"},
    },
    "fireside.edit_follow_up": {
        "url": _follow_up("/edit"),
        "get": STAFF_X,
        "post": STAFF_X_POST,
        "data": lambda w: {"title": "Raumanfrage stellen", "owner_association_id": str(w.a.id), "state": "open"},
    },
    # A owns the follow-up and may mark it done; B did not come and owns nothing: not found.
    "fireside.follow_up_state": {
        "url": _follow_up("/state"),
        "get": "405",
        "post": "L ok 404 404 ok 404 ok",
        "data": {"state": "done"},
    },
    "fireside.follow_up_posting": {
        "url": _follow_up("/posting"),
        "get": STAFF_X,
        "post": STAFF_X_POST,
        "data": {
            "kind": "request",
            "category": "rooms",
            "title": "Raum gesucht",
            "description": "Zwei Klassenräume samstags",
        },
    },
    "fireside.follow_ups": {"url": "/fireside/follow-ups", "get": "L 403 403 403 200 200 200"},
}
