"""Read-only queries of the exchange board, used by views, CLI commands and the office's reports.

The board's search and filters live in board.py, counterparts in matches.py.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload, selectinload

from core.access import in_scope
from core.extensions import db
from core.models import Association, Field

from .board import ordered
from .matches import related_topic_ids
from .models import (
    ACTIVE_STATES,
    Conversation,
    ConversationRead,
    Message,
    Moderation,
    Posting,
    PostingKind,
    PostingState,
    Report,
    posting_topics,
)

# --------------------------------------------------------------------------- the association's own


def own_postings(association_id):
    active_first = case((Posting.state.in_(ACTIVE_STATES), 0), else_=1)
    return (
        select(Posting)
        .where(Posting.association_id == association_id)
        .order_by(active_first, Posting.created_at.desc(), Posting.id.desc())
        .options(selectinload(Posting.topics), joinedload(Posting.partner))
    )


def awaiting_confirmation(association_id):
    """Postings of others marked fulfilled with this association, not yet confirmed."""
    return db.session.scalars(
        select(Posting)
        .where(
            Posting.partner_id == association_id,
            Posting.state == PostingState.fulfilled,
            Posting.partner_confirmed_at.is_(None),
        )
        .order_by(Posting.fulfilled_at.desc())
        .options(joinedload(Posting.association))
    ).all()


def partner_choices(posting):
    """Associations that talked about the posting first, then every other association of the town."""
    talked = db.session.scalars(
        select(Association)
        .join(Conversation, Conversation.replier_id == Association.id)
        .where(Conversation.posting_id == posting.id)
        .order_by(Association.name)
    ).all()
    others = db.session.scalars(
        select(Association)
        .where(
            Association.municipality_id == posting.municipality_id,
            Association.id != posting.association_id,
            Association.id.not_in([a.id for a in talked]) if talked else true(),
        )
        .order_by(Association.name)
    ).all()
    return talked, others


# --------------------------------------------------------------------------- conversations


def _unread(user):
    """(conversation id, unread count) of the user's association's conversations."""
    association_id = user.association_id
    return (
        select(Message.conversation_id, func.count(Message.id))
        .join(Conversation, Conversation.id == Message.conversation_id)
        .outerjoin(
            ConversationRead,
            and_(ConversationRead.conversation_id == Message.conversation_id, ConversationRead.user_id == user.id),
        )
        .where(
            or_(Conversation.poster_id == association_id, Conversation.replier_id == association_id),
            Message.association_id != association_id,
            Message.id > func.coalesce(ConversationRead.last_read_message_id, 0),
        )
        .group_by(Message.conversation_id)
    )


def unread_count(user):
    """Unread messages of the user in the conversations of their association (0 for everyone else)."""
    if not (user.is_authenticated and user.is_representative and user.association_id):
        return 0
    counts = _unread(user).subquery()
    return db.session.scalar(select(func.coalesce(func.sum(counts.c[1]), 0))) or 0


def unread_by_conversation(user, conversation_ids=None):
    stmt = _unread(user)
    if conversation_ids is not None:
        stmt = stmt.where(Message.conversation_id.in_(conversation_ids))
    return dict(db.session.execute(stmt).all())


def inbox(association_id):
    return (
        select(Conversation)
        .where(or_(Conversation.poster_id == association_id, Conversation.replier_id == association_id))
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .options(
            joinedload(Conversation.posting), joinedload(Conversation.poster), joinedload(Conversation.replier)
        )
    )


def conversations_of(posting):
    """Every conversation about a posting, with its number of messages (no message text)."""
    count = (
        select(func.count(Message.id)).where(Message.conversation_id == Conversation.id).correlate(Conversation).scalar_subquery()
    )
    return db.session.execute(
        select(Conversation, count)
        .where(Conversation.posting_id == posting.id)
        .order_by(Conversation.last_message_at.desc())
        .options(joinedload(Conversation.replier))
    ).all()


def conversation_with(posting, association_id):
    if association_id is None:
        return None
    return db.session.scalar(
        select(Conversation).where(Conversation.posting_id == posting.id, Conversation.replier_id == association_id)
    )


# --------------------------------------------------------------------------- moderation


def reports_in_scope(user, resolved=False):
    stmt = select(Report).where(in_scope(user, Report.municipality_id))
    stmt = stmt.where(Report.resolved_at.is_not(None) if resolved else Report.resolved_at.is_(None))
    order = Report.resolved_at.desc() if resolved else Report.created_at.asc()
    return stmt.order_by(order, Report.id).options(
        joinedload(Report.posting).joinedload(Posting.association),
        joinedload(Report.message).joinedload(Message.conversation).joinedload(Conversation.posting),
        joinedload(Report.reporter),
    )


def open_report_count(user):
    return db.session.scalar(
        select(func.count(Report.id)).where(in_scope(user, Report.municipality_id), Report.resolved_at.is_(None))
    )


# --------------------------------------------------------------------------- expiry and digest


def due_to_expire(now):
    return db.session.scalars(
        select(Posting)
        .where(Posting.state.in_(ACTIVE_STATES), Posting.expires_at <= now)
        .options(joinedload(Posting.association))
    ).all()


def due_for_reminder(now, until):
    return db.session.scalars(
        select(Posting)
        .where(
            Posting.state.in_(ACTIVE_STATES),
            Posting.expires_at > now,
            Posting.expires_at <= until,
            Posting.reminded_at.is_(None),
            Posting.moderation == Moderation.visible,
        )
        .options(joinedload(Posting.association))
    ).all()


DIGEST_LIMIT = 30


def digest_postings(association, since, now):
    """New open postings of other associations of the town that share one of the association's topics."""
    related = related_topic_ids([t.id for t in association.topics])
    if not related:
        return []
    return db.session.scalars(
        ordered(
            [
                Posting.municipality_id == association.municipality_id,
                Posting.association_id != association.id,
                Posting.created_at > since,
                Posting.created_at <= now,
                Posting.state.in_(ACTIVE_STATES),
                Posting.expires_at > now,
                Posting.moderation == Moderation.visible,
                Posting.id.in_(select(posting_topics.c.posting_id).where(posting_topics.c.topic_id.in_(related))),
            ]
        ).limit(DIGEST_LIMIT)
    ).all()


# --------------------------------------------------------------------------- report figures


@dataclass
class Figures:
    """What came of the board in a period, for the office's report to the council."""

    year: int | None
    postings: dict = field(default_factory=dict)
    conversations: int = 0
    fulfilled: int = 0
    with_partner: int = 0
    confirmed: int = 0
    by_category: list = field(default_factory=list)
    #: (giving field, receiving field, count): who helped whom.
    between_fields: list = field(default_factory=list)
    exchanges: list = field(default_factory=list)

    @property
    def offers(self):
        return self.postings.get(PostingKind.offer, 0)

    @property
    def requests(self):
        return self.postings.get(PostingKind.request, 0)


def _period(column, year):
    if year is None:
        return []
    return [column >= datetime(year, 1, 1), column < datetime(year + 1, 1, 1)]


def figures(municipality_ids=None, year=None):
    """Counts of postings and exchanges in the towns given (None: all), optionally in one year."""
    town = (lambda column: column.in_(municipality_ids)) if municipality_ids is not None else (lambda column: true())
    result = Figures(year=year)
    result.postings = dict(
        db.session.execute(
            select(Posting.kind, func.count(Posting.id))
            .where(town(Posting.municipality_id), Posting.state != PostingState.draft, *_period(Posting.created_at, year))
            .group_by(Posting.kind)
        ).all()
    )
    result.conversations = db.session.scalar(
        select(func.count(Conversation.id)).where(town(Conversation.municipality_id), *_period(Conversation.created_at, year))
    )
    done = [Posting.state == PostingState.fulfilled, town(Posting.municipality_id), *_period(Posting.fulfilled_at, year)]
    result.fulfilled, result.with_partner, result.confirmed = db.session.execute(
        select(func.count(Posting.id), func.count(Posting.partner_id), func.count(Posting.partner_confirmed_at)).where(*done)
    ).one()
    result.by_category = db.session.execute(
        select(Posting.category, func.count(Posting.id)).where(*done).group_by(Posting.category).order_by(func.count(Posting.id).desc(), Posting.category)
    ).all()
    poster, partner = aliased(Association), aliased(Association)
    offered = Posting.kind == PostingKind.offer
    giver = case((offered, poster.field), else_=partner.field)
    receiver = case((offered, partner.field), else_=poster.field)
    pairs = db.session.execute(
        select(giver, receiver, func.count(Posting.id))
        .join(poster, poster.id == Posting.association_id)
        .join(partner, partner.id == Posting.partner_id)
        .where(*done)
        .group_by(giver, receiver)
        .order_by(func.count(Posting.id).desc())
    ).all()
    result.between_fields = [(Field(g), Field(r), n) for g, r, n in pairs]
    result.exchanges = db.session.scalars(
        select(Posting)
        .where(*done)
        .order_by(Posting.fulfilled_at.desc())
        .limit(100)
        .options(joinedload(Posting.association), joinedload(Posting.partner))
    ).all()
    return result


def years_with_postings(municipality_ids=None):
    town = Posting.municipality_id.in_(municipality_ids) if municipality_ids is not None else true()
    first = db.session.scalar(select(func.min(Posting.created_at)).where(town))
    return first.year if first else None
