"""Which offers could meet a request, and which requests an offer could meet — pure Python.

No Flask, no database: the caller turns postings (or needs and offers from a survey) into `Item`s,
and gets back ranked `Counterpart`s with the structured reason behind each, which the view renders
as one line ("both: rooms · Saturday · Weststadt").

Candidates are found by the matcher's `need_meets_offer` (an index from topic to statements, never
every pair): an offer is an offer fact and a request a need fact per topic, and the category counts
as one more topic of its own. The board then applies what only postings have — dates, weekdays and
districts — and ranks what is left.

Rules: the two items are of opposite kind and from different associations; they share the category
or at least one topic (a topic also meets its parent or children, e.g. "hsu-tr" and "hsu"); their
dates overlap (open ends overlap everything) and so do their weekdays (none given = any day); their
districts are the same or one of them is anywhere in town. Some topics only describe *for whom*
(children, women): the caller names them as `context_topics`; shared, they count and are named, but
they alone do not make two items counterparts ("both: children" is no reason to talk).
"""

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime

from matching.data import Fact, Polarity, TopicInfo
from matching.pairing import need_meets_offer

OFFER, REQUEST = "offer", "request"

# Weights: a shared category says most; shared topics next; a shared concrete day or district
# only orders otherwise equal counterparts.
CATEGORY_WEIGHT = 3.0
TOPIC_WEIGHT = 2.0
MAX_TOPICS_COUNTED = 3
DISTRICT_WEIGHT = 1.0
WEEKDAY_WEIGHT = 1.0


@dataclass(frozen=True)
class Item:
    """One offer or request, as plain data."""

    id: object
    kind: str
    association_id: int
    category: str | None = None
    topics: frozenset[str] = frozenset()
    #: Empty means anywhere in town.
    district: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    #: Weekday numbers, Monday = 0; empty means any day.
    weekdays: frozenset[int] = frozenset()
    created_at: datetime | None = None
    #: Where the item comes from ("posting", "survey"); the caller decides what to do with it.
    source: str = "posting"
    #: Anything the caller wants back with the result (a title, a posting object, …).
    payload: object = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Reason:
    """What the two items have in common; every part may be empty."""

    category: str | None = None
    topics: tuple[str, ...] = ()
    weekdays: tuple[int, ...] = ()
    district: str = ""

    def is_empty(self):
        return not (self.category or self.topics or self.weekdays or self.district)


@dataclass(frozen=True)
class Counterpart:
    item: Item
    score: float
    reason: Reason


def opposite(kind):
    return REQUEST if kind == OFFER else OFFER


def dates_overlap(a: Item, b: Item) -> bool:
    """Closed date ranges overlap; a missing start or end is open."""
    a_start, a_end = a.starts_on or date.min, a.ends_on or date.max
    b_start, b_end = b.starts_on or date.min, b.ends_on or date.max
    return a_start <= b_end and b_start <= a_end


def shared_weekdays(a: Item, b: Item) -> tuple[int, ...] | None:
    """The concrete days both name; () when either takes any day; None when they exclude each other."""
    if not a.weekdays or not b.weekdays:
        return ()
    common = a.weekdays & b.weekdays
    return tuple(sorted(common)) if common else None


def time_compatible(a: Item, b: Item) -> bool:
    return dates_overlap(a, b) and shared_weekdays(a, b) is not None


def place_compatible(a: Item, b: Item) -> bool:
    return not a.district or not b.district or a.district == b.district


def shared_topics(a: Item, b: Item, parents: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Topics both items have, where a topic also meets its parent; the more specific key is named."""
    parents = parents or {}
    found = set(a.topics & b.topics)
    for x, y in ((a.topics, b.topics), (b.topics, a.topics)):
        # A child on one side meets its parent on the other: report the child.
        found |= {child for child in x if parents.get(child) in y}
    # Drop a parent when its child is already named.
    found -= {parents[t] for t in found if t in parents}
    return tuple(sorted(found))


def compare(
    a: Item, b: Item, parents: Mapping[str, str] | None = None, context_topics: AbstractSet[str] = frozenset()
) -> Counterpart | None:
    """b as a counterpart of a, or None when it cannot meet a."""
    if b.kind != opposite(a.kind) or b.association_id == a.association_id:
        return None
    same_category = a.category is not None and a.category == b.category
    topics = shared_topics(a, b, parents)
    if not same_category and not (set(topics) - set(context_topics)):
        return None
    days = shared_weekdays(a, b)
    if days is None or not dates_overlap(a, b) or not place_compatible(a, b):
        return None
    district = a.district if a.district and a.district == b.district else ""
    reason = Reason(category=a.category if same_category else None, topics=topics, weekdays=days, district=district)
    score = (
        (CATEGORY_WEIGHT if same_category else 0.0)
        + TOPIC_WEIGHT * min(len(topics), MAX_TOPICS_COUNTED)
        + (DISTRICT_WEIGHT if district else 0.0)
        + (WEEKDAY_WEIGHT if days else 0.0)
    )
    return Counterpart(item=b, score=score, reason=reason)


def _newest_first(item: Item):
    return -(item.created_at.timestamp() if item.created_at else 0.0)


def _category_key(category):
    # Its own namespace, so a category never collides with a topic of the same name.
    return f"category:{category}"


def _facts(item: Item) -> list[Fact]:
    """The item as the matcher's facts: one per topic and one for its category."""
    polarity = Polarity.offer if item.kind == OFFER else Polarity.need
    on = item.created_at.date() if item.created_at else date.min
    keys = sorted(item.topics) + ([_category_key(item.category)] if item.category else [])
    return [Fact(item.association_id, key, polarity, item.source, f"item:{item.id}", on) for key in keys]


def find_counterparts(
    item: Item,
    candidates: Iterable[Item],
    parents: Mapping[str, str] | None = None,
    limit: int | None = 10,
    context_topics: AbstractSet[str] = frozenset(),
) -> list[Counterpart]:
    """The candidates that could meet `item`, best first (then newest first).

    `need_meets_offer` finds the candidates sharing a topic or the category (a topic also meets its
    parent and children); `compare` then applies dates, weekdays, districts and target groups.
    """
    by_ref = {}
    candidate_facts = []
    for other in candidates:
        facts = _facts(other)
        by_ref.update((fact.ref, other) for fact in facts)
        candidate_facts += facts
    topics = {child: TopicInfo(child, parent) for child, parent in (parents or {}).items()}
    paired = need_meets_offer(_facts(item), candidate_facts, topics=topics, broaden=True)
    found = [c for c in (compare(item, by_ref[p.ref], parents, context_topics) for p in paired) if c is not None]
    found.sort(key=lambda c: (-c.score, _newest_first(c.item), str(c.item.id)))
    return found if limit is None else found[:limit]
