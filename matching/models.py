"""Matching models: the coordinators' rules, sub-networks and their members, dismissals, consent, runs."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import Association, Municipality, User, enum_column, utcnow

from .engine import Partition, Polarity, RuleKind, TopicGrouping


class NetworkStatus(enum.Enum):
    active = "active"
    dormant = "dormant"


class MembershipSource(enum.Enum):
    #: Put there by the matcher (an accepted suggestion); the reason is the matcher's explanation.
    computed = "computed"
    #: Added by a coordinator by hand, with their reason.
    manual = "manual"


class MembershipState(enum.Enum):
    active = "active"
    #: Removed by a coordinator, with a reason; never suggested for this network again.
    removed = "removed"
    #: The association left by itself; never suggested for this network again.
    left = "left"


class RunTrigger(enum.Enum):
    auto = "auto"
    manual = "manual"
    cli = "cli"


class MatchRule(db.Model):
    """A rule coordinators edit in a form; the engine reads it as `engine.Rule`."""

    __tablename__ = "match_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[RuleKind] = enum_column(RuleKind, default=RuleKind.shared_topic)
    #: Topic keys (stable across towns); a key whose topic was deleted is reported, not silently dropped.
    topic_keys: Mapped[list] = mapped_column(JSON, default=list)
    #: TopicCategory values whose topics all count.
    categories: Mapped[list] = mapped_column(JSON, default=list)
    include_subtopics: Mapped[bool] = mapped_column(default=True)
    grouping: Mapped[TopicGrouping] = enum_column(TopicGrouping, default=TopicGrouping.parent)
    #: Polarity values that count for shared-topic rules; need-meets-offer rules always use need and offer.
    polarities: Mapped[list] = mapped_column(JSON, default=list)
    partition: Mapped[Partition] = enum_column(Partition, default=Partition.none)
    #: Language codes that do not form a group of their own (the town's common language).
    ignored_languages: Mapped[list] = mapped_column(JSON, default=list)
    min_size: Mapped[int] = mapped_column(default=3)
    max_size: Mapped[int] = mapped_column(default=12)
    #: Independent statements (profile, survey answer, posting) each member needs at least.
    min_facts: Mapped[int] = mapped_column(default=1)
    #: Facts older than this many days do not count.
    window_days: Mapped[int] = mapped_column(default=730)
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Name of the shipped default this rule was created from, so "restore defaults" adds only missing ones.
    default_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    municipality: Mapped[Municipality] = relationship()

    @property
    def polarity_values(self):
        return [Polarity(p) for p in self.polarities]

    def __repr__(self):
        return f"<MatchRule {self.id} {self.name!r}>"


class SubNetwork(db.Model):
    """A group of associations around shared topics that coordinators accepted or formed by hand."""

    __tablename__ = "sub_networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    topic_keys: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[NetworkStatus] = enum_column(NetworkStatus, default=NetworkStatus.active)
    #: The coordinators' notes (meetings, follow-ups); never shown to associations.
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The rule and group of the suggestion it was accepted from, so the matcher recognises it.
    origin_rule_id: Mapped[int | None] = mapped_column(ForeignKey("match_rules.id", ondelete="SET NULL"))
    origin_group_key: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship()
    origin_rule: Mapped[MatchRule | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    memberships: Mapped[list["SubNetworkMember"]] = relationship(
        back_populates="sub_network", cascade="all, delete-orphan", order_by="SubNetworkMember.id"
    )

    @property
    def active_members(self):
        return [m for m in self.memberships if m.state is MembershipState.active]

    def __repr__(self):
        return f"<SubNetwork {self.id} {self.name!r}>"


class SubNetworkMember(db.Model):
    """One association in a sub-network; computed and manual membership are kept apart, each with a reason.

    Rows are never deleted: a removed or departed member stays as history and is not suggested again.
    """

    __tablename__ = "sub_network_members"
    __table_args__ = (UniqueConstraint("sub_network_id", "association_id", name="uq_sub_network_members_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sub_network_id: Mapped[int] = mapped_column(ForeignKey("sub_networks.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    source: Mapped[MembershipSource] = enum_column(MembershipSource)
    state: Mapped[MembershipState] = enum_column(MembershipState, default=MembershipState.active)
    #: For manual members the coordinator's reason; for computed ones a one-line summary.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: For computed members: the facts that put them there, as the coordinator saw them when accepting.
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    end_reason: Mapped[str] = mapped_column(Text, default="")

    sub_network: Mapped[SubNetwork] = relationship(back_populates="memberships")
    association: Mapped[Association] = relationship()
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])
    ended_by: Mapped[User | None] = relationship(foreign_keys=[ended_by_id])

    def __repr__(self):
        return f"<SubNetworkMember {self.sub_network_id}:{self.association_id} {self.state.value}>"


class DismissedSuggestion(db.Model):
    """A suggestion a coordinator turned down; it stays away until its members change materially."""

    __tablename__ = "dismissed_suggestions"
    __table_args__ = (Index("ix_dismissed_suggestions_group", "municipality_id", "rule_id", "group_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("match_rules.id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(String(300))
    #: Set when the dismissed suggestion proposed new members for an existing sub-network.
    sub_network_id: Mapped[int | None] = mapped_column(ForeignKey("sub_networks.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300), default="")
    #: engine.fingerprint of rule, group and members: identifies exactly what was dismissed.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    #: The member ids, to tell a material change (Jaccard similarity below 0.8) from a small one.
    member_ids: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    dismissed_at: Mapped[datetime] = mapped_column(default=utcnow)

    rule: Mapped[MatchRule] = relationship()
    dismissed_by: Mapped[User | None] = relationship()

    def __repr__(self):
        return f"<DismissedSuggestion {self.id} {self.group_key!r}>"


class NetworkingConsent(db.Model):
    """What an association allows for networking. No row means: networking on, not visible to other members."""

    __tablename__ = "networking_consents"

    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True
    )
    #: Off: none of the association's data enters the matcher.
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: On: other members of its sub-networks see its name and contact.
    is_visible: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    association: Mapped[Association] = relationship()

    def __repr__(self):
        return f"<NetworkingConsent {self.association_id} enabled={self.is_enabled} visible={self.is_visible}>"


class MatchingRun(db.Model):
    """One computation of the suggestions of a municipality: when, why, and what it found."""

    __tablename__ = "matching_runs"
    __table_args__ = (Index("ix_matching_runs_latest", "municipality_id", "ran_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)
    trigger: Mapped[RunTrigger] = enum_column(RunTrigger)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Hash of everything the engine read (facts, rules, networks, dismissals, date): a change means stale.
    input_hash: Mapped[str] = mapped_column(String(64))
    #: Suggestion key -> fingerprint, to mark suggestions that are new since the run before.
    fingerprints: Mapped[dict] = mapped_column(JSON, default=dict)
    suggestion_count: Mapped[int] = mapped_column(default=0)
    duration_ms: Mapped[int] = mapped_column(default=0)

    user: Mapped[User | None] = relationship()

    def __repr__(self):
        return f"<MatchingRun {self.id} {self.municipality_id} {self.trigger.value}>"
