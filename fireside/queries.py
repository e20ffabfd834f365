"""Read-only queries for the fireside pages, the sub-network pages and the calendar feeds."""

from collections import OrderedDict
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from core.access import in_scope
from core.extensions import db
from core.models import Association, utcnow

from .ics import local
from .models import ChatInvitation, ChatState, FiresideChat, InvitationState


def chats_in_scope(user, upcoming_only=False):
    """Chats of the user's towns: upcoming and undated first by date, then past ones."""
    query = select(FiresideChat).where(in_scope(user, FiresideChat.municipality_id))
    if upcoming_only:
        query = query.where(or_(FiresideChat.starts_at.is_(None), FiresideChat.starts_at >= utcnow() - timedelta(days=1)))
    return db.session.scalars(query.order_by(FiresideChat.starts_at.is_(None).desc(), FiresideChat.starts_at, FiresideChat.id)).all()


def by_month(chats):
    """OrderedDict of (year, month) or None (no date yet) -> chats; undated first."""
    months = OrderedDict()
    for chat in chats:
        key = None
        if chat.starts_at is not None:
            when = local(chat.starts_at)
            key = (when.year, when.month)
        months.setdefault(key, []).append(chat)
    return months


def invitation_of(chat, association_id):
    """The association's current (not withdrawn) invitation to the chat, or None."""
    if association_id is None:
        return None
    return db.session.scalar(select(ChatInvitation).where(
        ChatInvitation.chat_id == chat.id, ChatInvitation.association_id == association_id,
        ChatInvitation.state == InvitationState.invited))


def invitations_for(association_id):
    """The association's invitations to chats that were sent (poll or invitation), newest chats first."""
    return db.session.scalars(
        select(ChatInvitation).join(ChatInvitation.chat)
        .where(ChatInvitation.association_id == association_id,
               FiresideChat.state != ChatState.draft)
        .options(selectinload(ChatInvitation.chat))
        .order_by(FiresideChat.starts_at.is_(None).desc(), FiresideChat.starts_at.desc(), FiresideChat.id.desc())
    ).all()


def feed_chats(association_id):
    """Upcoming (and recent) chats the association is invited to, for its calendar feed."""
    since = utcnow() - timedelta(days=30)
    return db.session.scalars(
        select(FiresideChat).join(ChatInvitation)
        .where(ChatInvitation.association_id == association_id,
               ChatInvitation.state == InvitationState.invited,
               FiresideChat.state.in_([ChatState.invited, ChatState.cancelled]),
               FiresideChat.starts_at >= since)
        .order_by(FiresideChat.starts_at)
    ).all()


def chats_of_network(network_id, upcoming_only=False, association_id=None):
    """A sub-network's chats; with `association_id` only sent chats that association is (still) invited to."""
    query = select(FiresideChat).where(FiresideChat.sub_network_id == network_id)
    if upcoming_only:
        query = query.where(or_(FiresideChat.starts_at.is_(None), FiresideChat.starts_at >= utcnow()))
    if association_id is not None:
        query = query.join(ChatInvitation).where(
            ChatInvitation.association_id == association_id, ChatInvitation.state == InvitationState.invited,
            FiresideChat.state.in_([ChatState.invited, ChatState.polling]))
    return db.session.scalars(query.order_by(FiresideChat.starts_at.is_(None).desc(), FiresideChat.starts_at)).all()


def town_associations(municipality_id):
    return db.session.scalars(
        select(Association).where(Association.municipality_id == municipality_id).order_by(Association.name_key, Association.id)
    ).all()


def counts(chat):
    """Answers of the active invitations: accepted (with persons), waitlisted, maybe, declined, open."""
    from .models import RsvpAnswer, SeatState

    active = [i for i in chat.invitations if i.state is InvitationState.invited]
    return {
        "invited": len(active),
        "confirmed": sum(1 for i in active if i.seat_state is SeatState.confirmed),
        "persons": sum(i.persons for i in active if i.seat_state is SeatState.confirmed),
        "waitlisted": sum(1 for i in active if i.seat_state is SeatState.waitlisted),
        "maybe": sum(1 for i in active if i.answer is RsvpAnswer.maybe),
        "declined": sum(1 for i in active if i.answer is RsvpAnswer.decline),
        "pending": sum(1 for i in active if i.answer is RsvpAnswer.pending),
    }


def hosted_by(association_id):
    """Chats (not cancelled) the association hosts."""
    return db.session.scalars(
        select(FiresideChat).where(FiresideChat.host_association_id == association_id,
                                   FiresideChat.state != ChatState.cancelled)
        .order_by(FiresideChat.starts_at.is_(None).desc(), FiresideChat.starts_at)
    ).all()
