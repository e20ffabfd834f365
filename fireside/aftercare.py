"""After the chat: attendance, minutes, decisions and follow-ups. Every function takes the acting user,
flushes and never commits; coordinator actions are written to the audit log."""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core import audit
from core.extensions import db
from core.models import utcnow

from .models import ChatDecision, ChatState, FollowUp, FollowUpState, InvitationState

log = logging.getLogger("vereinsnetz.fireside")


class AfterError(ValueError):
    """A rule of the after-chat records was broken; the message is shown to the user as is."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- reading


def has_started(chat, now=None):
    """Only a chat whose invitations went out, that was not cancelled and has begun has an "after"."""
    return chat.state is ChatState.invited and chat.starts_at is not None and chat.starts_at <= (now or utcnow())


def invited(chat):
    """The invitations still on the list (withdrawn ones are not), in the order they were added."""
    return [i for i in chat.invitations if i.state is InvitationState.invited]


def invited_association_ids(chat):
    return {i.association_id for i in invited(chat)}


def attended(chat):
    return [i for i in invited(chat) if i.attended]


def attending_association_ids(chat):
    return {i.association_id for i in attended(chat)}


def owned_follow_up_chat_ids(association_id):
    return set(db.session.scalars(select(FollowUp.chat_id).where(FollowUp.owner_association_id == association_id)))


def _ensure_started(chat, now=None):
    if not has_started(chat, now):
        raise AfterError(_l("This can only be recorded once the chat has begun."))


# --------------------------------------------------------------------------- attendance


def record_attendance(chat, entries, actor, now=None):
    """`entries`: {invitation id: (attended True/False/None, persons or None)}; None means not recorded."""
    _ensure_started(chat, now)
    by_id = {i.id: i for i in invited(chat)}
    for invitation_id, (came, persons) in entries.items():
        invitation = by_id.get(invitation_id)
        if invitation is None:
            raise AfterError(_l("This association is not invited to the chat."))
        if came and not 1 <= (persons or 0) <= chat.max_per_association:
            raise AfterError(_l("Please give between 1 and %(max)s persons.", max=chat.max_per_association))
        invitation.attended = came
        invitation.attended_persons = (persons or 0) if came else (0 if came is False else None)
    chat.attendance_recorded_at = now or utcnow()
    db.session.flush()
    came = attended(chat)
    audit.record(
        actor, "fireside.attendance", chat, associations=len(came), persons=sum(i.attended_persons or 0 for i in came)
    )
    log.info("Attendance of %s recorded by %s", chat, actor.id)


# --------------------------------------------------------------------------- minutes and decisions


def save_minutes(chat, text, actor, now=None):
    _ensure_started(chat, now)
    chat.minutes = text or ""
    chat.minutes_updated_at = now or utcnow()
    chat.minutes_updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "fireside.minutes", chat, characters=len(chat.minutes))


def add_decision(chat, text, actor, now=None):
    _ensure_started(chat, now)
    decision = ChatDecision(text=text)
    chat.decisions.append(decision)
    db.session.flush()
    audit.record(actor, "fireside.decision_add", chat, decision=decision.id)
    return decision


def delete_decision(decision, actor):
    chat = decision.chat
    audit.record(actor, "fireside.decision_delete", chat, decision=decision.id)
    chat.decisions.remove(decision)
    db.session.flush()


# --------------------------------------------------------------------------- follow-ups

FOLLOW_UP_FIELDS = ("title", "description", "owner_association_id", "due_on")


def _apply_follow_up(follow_up, chat, data):
    owner = data.get("owner_association_id")
    # An owner withdrawn from the list later may stay the owner; a new owner must be on the list.
    if owner and owner != follow_up.owner_association_id and owner not in invited_association_ids(chat):
        raise AfterError(_l("Please choose one of the invited associations."))
    for name in FOLLOW_UP_FIELDS:
        if name in data:
            setattr(follow_up, name, data[name] or (None if name in ("owner_association_id", "due_on") else ""))


def add_follow_up(chat, data, actor, now=None):
    """A new open follow-up of the chat, owned by one of the invited associations (or by the office)."""
    _ensure_started(chat, now)
    follow_up = FollowUp(created_by_id=actor.id, state=FollowUpState.open)
    _apply_follow_up(follow_up, chat, data)
    chat.follow_ups.append(follow_up)
    db.session.flush()
    audit.record(actor, "fireside.follow_up_add", chat, follow_up=follow_up.id, owner=follow_up.owner_association_id)
    return follow_up


def update_follow_up(follow_up, data, actor, now=None):
    _apply_follow_up(follow_up, follow_up.chat, data)
    if "state" in data:
        _set_state(follow_up, data["state"], now)
    db.session.flush()
    audit.record(
        actor,
        "fireside.follow_up_change",
        follow_up.chat,
        follow_up=follow_up.id,
        state=follow_up.state.value,
        owner=follow_up.owner_association_id,
    )
    return follow_up


def _set_state(follow_up, state, now=None):
    if state is follow_up.state:
        return
    follow_up.state = state
    follow_up.done_at = (now or utcnow()) if state is FollowUpState.done else None


def set_follow_up_state(follow_up, state, actor, now=None):
    """Coordinators open, close or drop a follow-up; the owner's representatives may only mark it done."""
    if actor.is_representative and (
        state is not FollowUpState.done or actor.association_id != follow_up.owner_association_id
    ):
        raise AfterError(_l("Only the coordination office can change this follow-up."))
    _set_state(follow_up, state, now)
    db.session.flush()
    audit.record(actor, "fireside.follow_up_state", follow_up.chat, follow_up=follow_up.id, state=state.value)
    return follow_up


def create_posting_draft(follow_up, data, actor, now=None):
    """An exchange posting draft for the follow-up's owner association: only it sees it until it publishes."""
    from exchange import services as exchange_services

    if follow_up.owner_association is None:
        raise AfterError(_l("Only a follow-up owned by an association can become a posting."))
    if follow_up.posting_id is not None:
        raise AfterError(_l("This follow-up already has a posting draft."))
    posting = exchange_services.create_draft(actor, follow_up.owner_association, data, now=now)
    follow_up.posting_id = posting.id
    db.session.flush()
    audit.record(actor, "fireside.follow_up_posting", follow_up.chat, follow_up=follow_up.id, posting=posting.id)
    return posting
