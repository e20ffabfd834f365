"""Counterparts from the database: candidates for a posting, from the board and from the needs survey.

The rules themselves are pure Python in counterparts.py; this module only fetches and converts.
"""

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from core.extensions import db
from core.models import Association, Topic, TopicCategory

from .board import ordered
from .counterparts import Item, find_counterparts
from .models import ACTIVE_STATES, Moderation, Posting, PostingKind, posting_topics


def topic_parents():
    """{topic key: parent key} for the counterpart rules."""
    parent = aliased(Topic)
    return dict(db.session.execute(select(Topic.key, parent.key).join(parent, parent.id == Topic.parent_id)).all())


def related_topic_ids(topic_ids):
    """The topics, their parents and their children."""
    if not topic_ids:
        return []
    return db.session.scalars(
        select(Topic.id).where(
            or_(
                Topic.id.in_(topic_ids),
                Topic.parent_id.in_(topic_ids),
                Topic.id.in_(select(Topic.parent_id).where(Topic.id.in_(topic_ids))),
            )
        )
    ).all()


def as_item(posting):
    return Item(
        id=posting.id,
        kind=posting.kind.value,
        association_id=posting.association_id,
        category=posting.category.value,
        topics=frozenset(t.key for t in posting.topics),
        district=posting.district,
        starts_on=posting.starts_on,
        ends_on=posting.ends_on,
        weekdays=frozenset(posting.weekday_list),
        created_at=posting.created_at,
        payload=posting,
    )


def counterpart_candidates(posting, now, limit=200):
    """Open postings of the other kind in the town sharing the category or a topic (the rules then decide)."""
    opposite = PostingKind.request if posting.kind is PostingKind.offer else PostingKind.offer
    related = related_topic_ids([t.id for t in posting.topics])
    shared = [Posting.category == posting.category]
    if related:
        shared.append(Posting.id.in_(select(posting_topics.c.posting_id).where(posting_topics.c.topic_id.in_(related))))
    conditions = [
        Posting.municipality_id == posting.municipality_id,
        Posting.kind == opposite,
        Posting.association_id != posting.association_id,
        Posting.moderation == Moderation.visible,
        Posting.state.in_(ACTIVE_STATES),
        Posting.expires_at > now,
        or_(*shared),
    ]
    return db.session.scalars(ordered(conditions).limit(limit)).all()


def context_topics():
    """Topics that say for whom (target groups): shared, they support a match but do not make one."""
    return set(db.session.scalars(select(Topic.key).where(Topic.category == TopicCategory.target_groups)))


def counterparts_for(posting, now, limit=10):
    candidates = [as_item(p) for p in counterpart_candidates(posting, now)]
    return find_counterparts(as_item(posting), candidates, topic_parents(), limit, context_topics())


@dataclass(frozen=True)
class SurveyStatement:
    """What an association said in a needs survey, as the payload of a survey counterpart."""

    association: Association
    kind: PostingKind  #: offer: it can offer this; request: it needs this


def survey_counterparts_for(posting, limit=10):
    """Associations of the town whose answers in a needs survey meet the posting: what they said they
    can offer (for a request) or need (for an offer). Only answers they agreed to pass on are used."""
    from surveys.models import Polarity
    from surveys.queries import topic_facts

    wanted = Polarity.offer if posting.kind is PostingKind.request else Polarity.need
    topics_by_association = {}
    for association_id, key, polarity, _survey_id, shared in topic_facts({posting.municipality_id}, shared_only=True):
        if polarity is wanted and shared and association_id != posting.association_id:
            topics_by_association.setdefault(association_id, set()).add(key)
    if not topics_by_association:
        return []
    # Only associations of the posting's town, whichever survey they answered.
    associations = {a.id: a for a in db.session.scalars(select(Association).where(
        Association.id.in_(topics_by_association), Association.municipality_id == posting.municipality_id))}
    kind = PostingKind.offer if wanted is Polarity.offer else PostingKind.request
    items = [
        Item(id=f"survey-{association_id}", kind=kind.value, association_id=association_id, topics=frozenset(keys),
             source="survey", payload=SurveyStatement(associations[association_id], kind))
        for association_id, keys in sorted(topics_by_association.items()) if association_id in associations
    ]
    return find_counterparts(as_item(posting), items, topic_parents(), limit, context_topics())
