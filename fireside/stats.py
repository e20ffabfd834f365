"""Read-only queries after the chat: the coordinators' list of follow-ups and the report figures."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, true
from sqlalchemy.orm import joinedload

from core.access import in_scope
from core.extensions import db
from core.models import utcnow

from .models import ChatInvitation, ChatState, FiresideChat, FollowUp, FollowUpState, InvitationState


def local_today(now=None):
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (now or utcnow()).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def local_day(moment):
    """The town's calendar day of a naive UTC moment."""
    return local_today(moment)


def _utc_start_of(day):
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _bounds(start, end):
    """Dates are whole local days, both included; datetimes are naive UTC, the end excluded."""
    low = start if isinstance(start, datetime) else _utc_start_of(start)
    high = end if isinstance(end, datetime) else _utc_start_of(end + timedelta(days=1))
    return low, high


# --------------------------------------------------------------------------- follow-ups


def follow_ups(user, overdue=False, owner_id=None, state=FollowUpState.open, today=None):
    """Follow-ups of every chat in the user's towns, soonest due first (no due date last)."""
    stmt = (
        select(FollowUp)
        .join(FiresideChat, FiresideChat.id == FollowUp.chat_id)
        .where(in_scope(user, FiresideChat.municipality_id), FollowUp.state == state)
    )
    if overdue:
        stmt = stmt.where(FollowUp.due_on < (today or local_today()))
    if owner_id:
        stmt = stmt.where(FollowUp.owner_association_id == owner_id)
    return stmt.order_by(FollowUp.due_on.is_(None), FollowUp.due_on, FollowUp.id).options(
        joinedload(FollowUp.chat), joinedload(FollowUp.owner_association)
    )


def follow_up_owners(user, state=FollowUpState.open):
    """The associations owning a follow-up in the list, for the owner filter."""
    from core.models import Association

    return db.session.scalars(
        select(Association)
        .join(FollowUp, FollowUp.owner_association_id == Association.id)
        .join(FiresideChat, FiresideChat.id == FollowUp.chat_id)
        .where(in_scope(user, FiresideChat.municipality_id), FollowUp.state == state)
        .distinct()
        .order_by(Association.name)
    ).all()


# --------------------------------------------------------------------------- report figures


def chat_figures(municipality_ids, start, end, now=None):
    """What came of the fireside chats held in a period, for the office's report to the council.

    `municipality_ids`: the towns (None: all). `start`/`end`: dates (local days, both included) or naive
    UTC datetimes (end excluded). A chat counts as held when its invitations went out, it was not
    cancelled and it began in the period (and not after `now`). Associations are counted once however
    many chats they were invited to; persons are summed over the chats; follow-ups are those of the chats held.
    """
    low, high = _bounds(start, end)
    high = min(high, now or utcnow())
    town = FiresideChat.municipality_id.in_(municipality_ids) if municipality_ids is not None else true()
    held = select(FiresideChat.id).where(
        town, FiresideChat.state == ChatState.invited, FiresideChat.starts_at >= low, FiresideChat.starts_at < high
    )
    invited = [ChatInvitation.chat_id.in_(held), ChatInvitation.state == InvitationState.invited]
    came = [*invited, ChatInvitation.attended.is_(True)]
    distinct = lambda *where: db.session.scalar(  # noqa: E731
        select(func.count(func.distinct(ChatInvitation.association_id))).where(*where)
    )
    states = dict(
        db.session.execute(
            select(FollowUp.state, func.count(FollowUp.id)).where(FollowUp.chat_id.in_(held)).group_by(FollowUp.state)
        ).all()
    )
    return {
        "chats_held": db.session.scalar(select(func.count()).select_from(held.subquery())),
        "associations_invited": distinct(*invited),
        "associations_attended": distinct(*came),
        "persons_attended": db.session.scalar(
            select(func.coalesce(func.sum(ChatInvitation.attended_persons), 0)).where(*came)
        ),
        "follow_ups_done": states.get(FollowUpState.done, 0),
        "follow_ups_open": states.get(FollowUpState.open, 0),
        "follow_ups_dropped": states.get(FollowUpState.dropped, 0),
    }


def is_overdue(follow_up, today=None):
    return (
        follow_up.state is FollowUpState.open
        and follow_up.due_on is not None
        and follow_up.due_on < (today or local_today())
    )
