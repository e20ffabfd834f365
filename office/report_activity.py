"""Impact report figures of what the office and the associations did: exchanges, sub-networks, fireside
chats, consultations and follow-ups. Read-only queries returning plain data (see office/report.py).
"""

from sqlalchemy import func, select

from core.extensions import db

from .report_period import bounds as _bounds
from .report_period import local_day as _day
from .report_period import within as _within

# --------------------------------------------------------------------------- exchange, networks, chats


def exchange(figures, ids, start, end):
    from exchange.models import Category, Conversation, Moderation, Posting, PostingState

    by_category = {c.value: {"offers": 0, "requests": 0, "fulfilled": 0} for c in Category}
    created = db.session.execute(
        select(Posting.category, Posting.kind, func.count(Posting.id))
        .where(Posting.municipality_id.in_(ids), Posting.moderation != Moderation.removed,
               _within(Posting.created_at, start, end))
        .group_by(Posting.category, Posting.kind)
    ).all()
    for category, kind, count in created:
        kind = getattr(kind, "value", kind)
        by_category[getattr(category, "value", category)]["offers" if kind == "offer" else "requests"] += count
    done = db.session.execute(
        select(Posting.category, Posting.fulfilled_at)
        .where(Posting.municipality_id.in_(ids), Posting.state == PostingState.fulfilled,
               _within(Posting.fulfilled_at, start, end))
    ).all()
    for category, _at in done:
        by_category[getattr(category, "value", category)]["fulfilled"] += 1
    figures.exchange = by_category
    figures.fulfilled_days = [_day(at) for _c, at in done]
    figures.conversations = db.session.scalar(
        select(func.count(Conversation.id))
        .where(Conversation.municipality_id.in_(ids), _within(Conversation.created_at, start, end))
    ) or 0


def networks(ids, start, end):
    from matching.models import MembershipState, NetworkStatus, SubNetwork, SubNetworkMember

    _low, high = _bounds(start, end)
    rows = db.session.execute(
        select(SubNetwork.id, SubNetwork.status, SubNetwork.created_at)
        .where(SubNetwork.municipality_id.in_(ids), SubNetwork.created_at < high)
    ).all()
    active = [row.id for row in rows if getattr(row.status, "value", row.status) == NetworkStatus.active.value]
    members = db.session.scalar(
        select(func.count(func.distinct(SubNetworkMember.association_id)))
        .where(SubNetworkMember.sub_network_id.in_(active or [0]),
               SubNetworkMember.state == MembershipState.active, SubNetworkMember.added_at < high)
    ) or 0
    return {
        "formed": sum(1 for row in rows if _within_day(row.created_at, start, end)),
        "active": len(active),
        "dormant": len(rows) - len(active),
        "members": members,
    }


def _within_day(value, start, end):
    return start <= _day(value) <= end


def _held(ids, start, end, now):
    """Chats that took place: invitations sent, not cancelled, begun in the period and before now."""
    from fireside.models import ChatState, FiresideChat

    low, high = _bounds(start, end)
    return (FiresideChat.municipality_id.in_(ids), FiresideChat.state == ChatState.invited,
            FiresideChat.starts_at >= low, FiresideChat.starts_at < min(high, now))


def chats(figures, ids, start, end, now):
    """The fireside figures as the fireside package counts them, and the days of the chats (for the quarters)."""
    from fireside.models import FiresideChat
    from fireside.stats import chat_figures

    counted = chat_figures(ids, start, end, now=now)
    figures.chats = {
        "held": counted["chats_held"],
        "associations_invited": counted["associations_invited"],
        "associations": counted["associations_attended"],
        "persons": counted["persons_attended"] or 0,
    }
    return [_day(at) for at in db.session.scalars(select(FiresideChat.starts_at).where(*_held(ids, start, end, now)))]


# --------------------------------------------------------------------------- advice and follow-ups


def consultations(figures, ids, start, end):
    from .models import Consultation, ConsultationFormat, ConsultationTopic

    rows = db.session.execute(
        select(Consultation.held_on, Consultation.topics, Consultation.minutes_spent, Consultation.format,
               Consultation.association_id)
        .where(Consultation.municipality_id.in_(ids), Consultation.held_on >= start, Consultation.held_on <= end)
    ).all()
    topics = {t.value: {"count": 0, "minutes": 0.0} for t in ConsultationTopic}
    formats = {f.value: 0 for f in ConsultationFormat}
    for row in rows:
        keys = [t for t in dict.fromkeys(row.topics or []) if t in topics] or [ConsultationTopic.other.value]
        for key in keys:
            topics[key]["count"] += 1
            topics[key]["minutes"] += (row.minutes_spent or 0) / len(keys)
        formats[getattr(row.format, "value", row.format)] += 1
    figures.consultation_topics = topics
    figures.consultations = {
        "count": len(rows),
        "minutes": sum(row.minutes_spent or 0 for row in rows),
        "associations": len({row.association_id for row in rows}),
        "formats": formats,
    }
    return [(row.held_on, row.minutes_spent or 0) for row in rows]


def follow_ups(ids, start, end, now):
    """Follow-ups of the fireside chats held and next steps of the consultations held in the period, as they stand."""
    from fireside.models import FiresideChat, FollowUp, FollowUpState

    from .models import Consultation

    today = _day(now)
    chat_rows = db.session.execute(
        select(FollowUp.state, FollowUp.due_on)
        .join(FiresideChat, FiresideChat.id == FollowUp.chat_id)
        .where(*_held(ids, start, end, now))
    ).all()
    chats = {"done": 0, "open": 0, "overdue": 0, "dropped": 0}
    for state, due_on in chat_rows:
        state = getattr(state, "value", state)
        chats[state if state in chats else "open"] += 1
        chats["overdue"] += state == FollowUpState.open.value and due_on is not None and due_on < today
    advice_rows = db.session.execute(
        select(Consultation.next_step_done_at, Consultation.next_step_due)
        .where(Consultation.municipality_id.in_(ids), Consultation.held_on >= start, Consultation.held_on <= end,
               Consultation.next_step != "")
    ).all()
    advice = {"done": 0, "open": 0, "overdue": 0, "dropped": 0}
    for done_at, due in advice_rows:
        advice["done" if done_at else "open"] += 1
        advice["overdue"] += done_at is None and due is not None and due < today
    return {"chats": chats, "consultations": advice}
