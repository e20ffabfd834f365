"""Answers, seats and the waitlist.

Seats are counted in `FiresideChat.seats_taken` and only ever changed by one conditional UPDATE
(`seats_taken + n <= capacity`). The database applies it atomically on SQLite and PostgreSQL, so
two associations answering at the same moment can never overbook: the one whose UPDATE matches no
row goes on the waitlist. Promotions use the same UPDATE, in order of `waitlisted_at`.
"""

from datetime import timedelta

from sqlalchemy import select, update

from core.extensions import db
from core.models import utcnow

from . import notify
from .models import ChatInvitation, ChatState, FiresideChat, InvitationState, RsvpAnswer, SeatState


class RsvpError(ValueError):
    """An answer that cannot be taken; `field` names the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message, self.field = message, field


def cutoff(chat):
    """Until when answers may be changed (naive UTC)."""
    return chat.rsvp_cutoff_at or chat.starts_at


def is_over(chat, now=None):
    if chat.starts_at is None:
        return False
    return (now or utcnow()) >= chat.starts_at + timedelta(minutes=chat.duration_minutes)


def can_answer(invitation, now=None):
    chat = invitation.chat
    return (
        chat.state is ChatState.invited
        and invitation.state is InvitationState.invited
        and (now or utcnow()) < cutoff(chat)
    )


def take_seats(chat, persons):
    """Take `persons` seats if they are free, atomically; True on success."""
    if persons <= 0:
        return True
    result = db.session.execute(
        update(FiresideChat)
        .where(FiresideChat.id == chat.id, FiresideChat.seats_taken + persons <= FiresideChat.capacity)
        .values(seats_taken=FiresideChat.seats_taken + persons)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(chat, ["seats_taken"])
    return result.rowcount == 1


def release_seats(chat, persons):
    if persons <= 0:
        return
    db.session.execute(
        update(FiresideChat)
        .where(FiresideChat.id == chat.id)
        .values(seats_taken=FiresideChat.seats_taken - persons)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(chat, ["seats_taken"])


def free_seats(chat):
    return max(chat.capacity - chat.seats_taken, 0)


def answer(invitation, reply, names=(), note="", actor=None, now=None):
    """Record an association's answer; returns its seat state afterwards.

    accept with n names takes n seats or joins the waitlist; decline/maybe give seats back, which
    promotes waiting associations. Raises RsvpError after the cut-off or with too many names.
    """
    now = now or utcnow()
    chat = invitation.chat
    if not can_answer(invitation, now):
        raise RsvpError(_closed_message(invitation, now))
    names = [n for n in (s.strip() for s in names) if n]
    if reply is RsvpAnswer.accept:
        _check_names(chat, names)
        _accept(invitation, len(names), now)
    else:
        _give_back(invitation)
        names = names if reply is RsvpAnswer.maybe else []
    invitation.answer, invitation.names, invitation.note = reply, names, note or ""
    invitation.answered_at, invitation.answered_by_id = now, getattr(actor, "id", None)
    db.session.flush()
    promote_waitlist(chat, now)
    return invitation.seat_state


def _closed_message(invitation, now):
    from flask_babel import lazy_gettext as _l

    if invitation.state is InvitationState.withdrawn:
        return _l("Your association is no longer invited to this chat.")
    if invitation.chat.state is ChatState.cancelled:
        return _l("This chat has been cancelled.")
    if invitation.chat.state is not ChatState.invited:
        return _l("Invitations for this chat have not gone out yet.")
    return _l("Answers could be changed until the cut-off, which has passed. Please contact the coordination office.")


def _check_names(chat, names):
    from flask_babel import lazy_gettext as _l

    if not names:
        raise RsvpError(_l("Please name at least one person who is coming."), "names")
    if len(names) > chat.max_per_association:
        raise RsvpError(_l("At most %(max)d persons per association can come; you named %(count)d.",
                           max=chat.max_per_association, count=len(names)), "names")


def _accept(invitation, persons, now):
    from flask_babel import lazy_gettext as _l

    chat = invitation.chat
    if invitation.seat_state is SeatState.confirmed:
        extra = persons - invitation.persons
        if extra > 0 and not take_seats(chat, extra):
            raise RsvpError(_l("Only %(free)d more seats are free, so you cannot add %(extra)d persons. Your %(kept)d seats are kept.",
                               free=free_seats(chat), extra=extra, kept=invitation.persons), "names")
        release_seats(chat, -extra)
        invitation.persons = persons
        return
    if take_seats(chat, persons):
        invitation.seat_state, invitation.waitlisted_at = SeatState.confirmed, None
    else:
        if invitation.seat_state is not SeatState.waitlisted:
            invitation.waitlisted_at = now
        invitation.seat_state = SeatState.waitlisted
    invitation.persons = persons


def _give_back(invitation):
    if invitation.seat_state is SeatState.confirmed:
        release_seats(invitation.chat, invitation.persons)
    invitation.seat_state, invitation.persons, invitation.waitlisted_at = SeatState.none, 0, None


def withdraw(invitation, now=None):
    """Take an invitation off the list (seats go back, waiting associations move up)."""
    _give_back(invitation)
    invitation.state, invitation.withdrawn_at = InvitationState.withdrawn, now or utcnow()
    db.session.flush()
    promote_waitlist(invitation.chat, now)


def promote_waitlist(chat, now=None):
    """Give freed seats to waiting associations, strictly in the order they joined; mails each one."""
    if chat.state is not ChatState.invited:
        return []
    promoted = []
    waiting = db.session.scalars(
        select(ChatInvitation)
        .where(ChatInvitation.chat_id == chat.id, ChatInvitation.seat_state == SeatState.waitlisted,
               ChatInvitation.state == InvitationState.invited)
        .order_by(ChatInvitation.waitlisted_at, ChatInvitation.id)
    ).all()
    for invitation in waiting:
        if not take_seats(chat, invitation.persons):
            break
        # Guard against a concurrent promotion of the same row: only one of them flips it.
        flipped = db.session.execute(
            update(ChatInvitation)
            .where(ChatInvitation.id == invitation.id, ChatInvitation.seat_state == SeatState.waitlisted)
            .values(seat_state=SeatState.confirmed, promoted_at=now or utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.expire(invitation)
        if not flipped:
            release_seats(chat, invitation.persons)
            continue
        notify.promoted(invitation)
        promoted.append(invitation)
    return promoted
