"""The matcher's plain data: enums and frozen dataclasses that go into and come out of `matching.engine`.

Pure Python like the engine: no Flask, no database.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


class Polarity(enum.StrEnum):
    need = "need"
    offer = "offer"
    activity = "activity"
    interest = "interest"


class RuleKind(enum.StrEnum):
    #: At least k associations with the same activity or interest.
    shared_topic = "shared_topic"
    #: Associations needing a topic together with associations offering it.
    need_offer = "need_offer"


class TopicGrouping(enum.StrEnum):
    each = "each"  # one group per topic (Turkish, Arabic … heritage-language teaching apart)
    parent = "parent"  # sub-topics join their parent's group (all heritage-language teaching together)
    all = "all"  # all of the rule's topics form one group


class Partition(enum.StrEnum):
    none = "none"
    district = "district"
    language = "language"


@dataclass(frozen=True, slots=True)
class TopicInfo:
    key: str
    parent: str | None = None
    category: str = ""
    name: str = ""
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class AssociationInfo:
    id: int
    name: str
    district: str = ""
    languages: tuple[str, ...] = ()
    #: False when the association switched networking off: none of its facts are used.
    networking: bool = True


@dataclass(frozen=True, slots=True)
class Fact:
    association_id: int
    topic: str
    polarity: Polarity
    #: "profile", "survey" or "posting".
    source: str
    #: Identity of the statement: facts with the same ref are one piece of evidence.
    ref: str
    on: date
    #: Human explanation, e.g. "Needs survey 2024, question 7: …".
    label: str = ""
    #: Where the statement can be read: (endpoint, ((argument, value), …)) or None.
    link: tuple | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    name: str
    kind: RuleKind = RuleKind.shared_topic
    topics: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    include_subtopics: bool = True
    grouping: TopicGrouping = TopicGrouping.parent
    polarities: tuple[Polarity, ...] = (Polarity.activity, Polarity.interest)
    partition: Partition = Partition.none
    #: Languages nearly everybody shares (the town's own) that should not form a group.
    ignored_languages: tuple[str, ...] = ()
    min_size: int = 3
    max_size: int = 12
    min_facts: int = 1
    window_days: int = 730
    is_active: bool = True


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """An existing sub-network, so the matcher neither suggests it again nor re-adds people who left it."""

    id: int
    name: str
    member_ids: frozenset[int]
    excluded_ids: frozenset[int] = frozenset()
    #: (rule id, group key) of the suggestion it grew from; None for one made by hand.
    origin: tuple[int, str] | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dismissal:
    rule_id: int
    group_key: str
    member_ids: frozenset[int]
    network_id: int | None = None
    id: int = 0
    on: date | None = None


@dataclass(frozen=True, slots=True)
class MemberReason:
    association_id: int
    name: str
    #: "member" for shared topics; "needs", "offers" or "both" for need meets offer.
    role: str
    facts: tuple[Fact, ...]
    #: Number of independent statements (distinct refs) behind the membership.
    evidence: int
    #: Weight of the freshest fact, 0.5 … 1.
    freshness: float


@dataclass(frozen=True, slots=True)
class ScorePart:
    name: str
    value: float
    weight: float
    #: The numbers behind the value, for the explanation: (("members", 6), ("full_from", 6)).
    detail: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    key: str
    rule_id: int
    rule_name: str
    kind: RuleKind
    group_key: str
    topics: tuple[str, ...]
    #: ("district", "Weststadt") or ("language", "tr"), None without partition.
    partition: tuple[str, str] | None
    title: str
    members: tuple[MemberReason, ...]
    score: int
    parts: tuple[ScorePart, ...]
    fingerprint: str
    #: Associations that qualified but did not fit under the rule's maximum size.
    overflow: int = 0
    #: Set when the suggestion proposes new members for an existing sub-network.
    network_id: int | None = None
    #: A dismissal this suggestion outgrew because its members changed materially.
    dismissed_before: Dismissal | None = None

    @property
    def member_ids(self):
        return frozenset(m.association_id for m in self.members)


@dataclass(frozen=True, slots=True)
class Result:
    suggestions: tuple[Suggestion, ...]
    #: Association id -> number of its facts left out because it switched networking off.
    held_back: Mapping[int, int] = field(default_factory=dict)
    #: (rule id, problem, value), e.g. (4, "unknown_topic", "hsu-xx").
    warnings: tuple[tuple[int, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Counterpart:
    """A statement on the other side of a need or offer (see `engine.need_meets_offer`)."""

    ref: str
    association_id: int
    #: Topics the counterpart shares with what was asked for.
    topics: tuple[str, ...]
    on: date
    facts: tuple[Fact, ...]
