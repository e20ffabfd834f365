"""Read-only queries: the engine's input for a municipality, the computation, and what pages list."""

import gc
import hashlib
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.access import municipality_ids
from core.extensions import db
from core.labels import LANGUAGE_LABELS
from core.models import Association, Municipality, Topic

from . import engine, facts
from .models import (
    DismissedSuggestion,
    MatchingRun,
    MatchRule,
    MembershipState,
    NetworkingConsent,
    SubNetwork,
    SubNetworkMember,
)


def rules_of(municipality_id):
    return db.session.scalars(
        select(MatchRule).where(MatchRule.municipality_id == municipality_id).order_by(MatchRule.id)
    ).all()


def engine_rule(rule: MatchRule) -> engine.Rule:
    return engine.Rule(
        id=rule.id,
        name=rule.name,
        kind=rule.kind,
        topics=tuple(rule.topic_keys or ()),
        categories=tuple(rule.categories or ()),
        include_subtopics=rule.include_subtopics,
        grouping=rule.grouping,
        polarities=tuple(engine.Polarity(p) for p in rule.polarities or ()),
        partition=rule.partition,
        ignored_languages=tuple(rule.ignored_languages or ()),
        min_size=rule.min_size,
        max_size=rule.max_size,
        min_facts=rule.min_facts,
        window_days=rule.window_days,
        is_active=rule.is_active,
    )


def networks_of(municipality_id):
    return db.session.scalars(
        select(SubNetwork)
        .where(SubNetwork.municipality_id == municipality_id)
        .options(selectinload(SubNetwork.memberships).selectinload(SubNetworkMember.association))
        .order_by(SubNetwork.status, SubNetwork.name, SubNetwork.id)
    ).all()


def network_info(network: SubNetwork) -> engine.NetworkInfo:
    active = frozenset(m.association_id for m in network.memberships if m.state is MembershipState.active)
    ended = frozenset(m.association_id for m in network.memberships if m.state is not MembershipState.active)
    origin = (network.origin_rule_id, network.origin_group_key) if network.origin_rule_id else None
    return engine.NetworkInfo(network.id, network.name, active, ended, origin, tuple(network.topic_keys or ()))


def dismissals_query(municipality_id):
    return (
        select(DismissedSuggestion)
        .where(DismissedSuggestion.municipality_id == municipality_id)
        .options(selectinload(DismissedSuggestion.rule), selectinload(DismissedSuggestion.dismissed_by))
        .order_by(DismissedSuggestion.dismissed_at.desc(), DismissedSuggestion.id.desc())
    )


def dismissals_of(municipality_id):
    return db.session.scalars(dismissals_query(municipality_id)).all()


def dismissal_info(row: DismissedSuggestion) -> engine.Dismissal:
    return engine.Dismissal(row.rule_id, row.group_key, frozenset(row.member_ids), row.sub_network_id, row.id,
                            row.dismissed_at.date())


@dataclass
class Computation:
    municipality_id: int
    result: engine.Result
    input_hash: str
    gathered: facts.Gathered
    topics: dict
    duration_ms: int

    @property
    def suggestions(self):
        return self.result.suggestions

    def find(self, key):
        return next((s for s in self.result.suggestions if s.key == key), None)

    @property
    def associations(self):
        return {a.id: a for a in self.gathered.associations}

    @property
    def opted_out(self):
        return sum(not a.networking for a in self.gathered.associations)


def compute(municipality_id, today=None) -> Computation:
    """Gather the engine's input from the database and run it (a handful of queries, whatever the size)."""
    # Tens of thousands of short-lived rows, objects and facts and no reference cycles: without this the cyclic
    # collector runs dozens of times per computation and rescans everything still alive (a third of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with facts.language_context():
            return _compute(municipality_id, today)
    finally:
        if collecting:
            gc.enable()


def _compute(municipality_id, today):
    today = today or facts.today()
    gathered = facts.gather(municipality_id)
    topics = facts.topic_infos()
    rules = [engine_rule(r) for r in rules_of(municipality_id)]
    networks = [network_info(n) for n in networks_of(municipality_id)]
    dismissals = [dismissal_info(d) for d in dismissals_of(municipality_id)]
    started = time.perf_counter()
    result = engine.suggest(
        gathered.associations, gathered.facts, rules, topics=topics, today=today, networks=networks,
        dismissals=dismissals, language_names={code: str(label) for code, label in LANGUAGE_LABELS.items()},
    )
    duration_ms = round((time.perf_counter() - started) * 1000)
    digest = input_hash(gathered, topics, rules, networks, dismissals, today)
    return Computation(municipality_id, result, digest, gathered, {t.key: t for t in topics}, duration_ms)


def input_hash(gathered, topics, rules, networks, dismissals, today):
    """Everything that can change a suggestion, without wording that depends on the reader's language."""
    parts = [
        str(today),
        sorted((a.id, a.district, a.languages, a.networking) for a in gathered.associations),
        sorted((f.association_id, f.topic, f.polarity.value, f.source, f.ref, f.on.isoformat()) for f in gathered.facts),
        sorted((t.key, t.parent or "", t.category, t.is_active) for t in topics),
        [repr(r) for r in rules],
        sorted((n.id, sorted(n.member_ids), sorted(n.excluded_ids), n.origin or (), n.topics) for n in networks),
        sorted((d.id, d.rule_id, d.group_key, sorted(d.member_ids), d.network_id or 0) for d in dismissals),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def latest_runs(municipality_id, limit=2):
    return db.session.scalars(
        select(MatchingRun)
        .where(MatchingRun.municipality_id == municipality_id)
        .order_by(MatchingRun.ran_at.desc(), MatchingRun.id.desc())
        .limit(limit)
    ).all()


def has_any_run(municipality_id):
    return db.session.scalar(select(MatchingRun.id).where(MatchingRun.municipality_id == municipality_id).limit(1))


def municipalities_for(user):
    ids = municipality_ids(user)
    stmt = select(Municipality).order_by(Municipality.name)
    if ids is not None:
        stmt = stmt.where(Municipality.id.in_(ids))
    return db.session.scalars(stmt).all()


def topics_by_key():
    return {t.key: t for t in db.session.scalars(select(Topic).order_by(Topic.sort_order))}


def associations_for_adding(network):
    """Associations of the network's town that are not active members, by name."""
    active = {m.association_id for m in network.active_members}
    return [
        a for a in db.session.scalars(
            select(Association).where(Association.municipality_id == network.municipality_id).order_by(Association.name)
        )
        if a.id not in active
    ]


def memberships_of_association(association_id):
    """Active memberships of an association, with their networks, by network name."""
    return db.session.scalars(
        select(SubNetworkMember)
        .join(SubNetwork)
        .where(SubNetworkMember.association_id == association_id, SubNetworkMember.state == MembershipState.active)
        .options(selectinload(SubNetworkMember.sub_network))
        .order_by(SubNetwork.name, SubNetwork.id)
    ).all()


def membership(network_id, association_id):
    return db.session.scalar(
        select(SubNetworkMember).where(
            SubNetworkMember.sub_network_id == network_id, SubNetworkMember.association_id == association_id
        )
    )


def visible_ids(association_ids):
    """Which of these associations agreed to be seen by the other members of their sub-networks."""
    if not association_ids:
        return set()
    return set(db.session.scalars(
        select(NetworkingConsent.association_id).where(
            NetworkingConsent.association_id.in_(association_ids), NetworkingConsent.is_visible.is_(True)
        )
    ))


def consent_of(association_id):
    return db.session.get(NetworkingConsent, association_id)


def network_counts(municipality_id):
    """Sub-network id -> number of active members."""
    rows = db.session.execute(
        select(SubNetworkMember.sub_network_id, func.count())
        .join(SubNetwork)
        .where(SubNetwork.municipality_id == municipality_id, SubNetworkMember.state == MembershipState.active)
        .group_by(SubNetworkMember.sub_network_id)
    )
    return dict(rows.all())
