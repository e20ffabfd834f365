"""The matcher: explainable, rule-based suggestions of sub-networks from topic facts.

Pure Python on purpose — no Flask, no database. It takes plain data (`matching.data`: associations, facts,
rules, existing sub-networks, dismissals) and returns plain data, deterministically: the same input gives
the same suggestions in the same order. It works through an index from (topic, polarity) to facts, so the
work grows with the number of facts, never with the number of pairs of associations.

Facts older than a rule's window do not count; inside the window a fact counts fully for the first half and
then less, down to half weight at the window's edge. Facts that share a `ref` (one profile, one survey answer,
one posting) are one piece of independent evidence.
"""

import gc
import heapq
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from operator import itemgetter

from .data import (
    AssociationInfo,
    Counterpart,
    Dismissal,
    Fact,
    MemberReason,
    NetworkInfo,
    Partition,
    Polarity,
    Result,
    Rule,
    RuleKind,
    ScorePart,
    Suggestion,
    TopicGrouping,
    TopicInfo,
)
from .pairing import NeedOfferIndex, fact_order, has_counterpart, need_meets_offer
from .scoring import DISMISSAL_HOLDS_FROM, fingerprint, score_parts, similarity, suggestion_key, total

__all__ = [
    "AssociationInfo", "Counterpart", "Dismissal", "Fact", "MemberReason", "NeedOfferIndex", "NetworkInfo",
    "Partition", "Polarity", "Result", "Rule", "RuleKind", "ScorePart", "Suggestion", "TopicGrouping", "TopicInfo",
    "fingerprint", "has_counterpart", "need_meets_offer", "resolve_topics", "suggest", "suggestion_key",
]

NEED, OFFER = Polarity.need, Polarity.offer


# --------------------------------------------------------------------------- the matcher


def suggest(
    associations: Iterable[AssociationInfo],
    facts: Iterable[Fact],
    rules: Iterable[Rule],
    *,
    topics: Iterable[TopicInfo],
    today: date,
    networks: Iterable[NetworkInfo] = (),
    dismissals: Iterable[Dismissal] = (),
    language_names: Mapping[str, str] | None = None,
) -> Result:
    """Every suggestion the active rules find, best score first."""
    # Millions of short-lived tuples and no cycles: the cyclic collector would only rescan them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        members = {a.id: a for a in associations}
        index, held_back = _index_facts(facts, members, today)
        context = _Context(members, {t.key: t for t in topics}, index, sorted(networks, key=lambda n: n.id),
                           list(dismissals), language_names or {})
        suggestions, warnings = [], []
        for rule in sorted(rules, key=lambda r: r.id):
            if rule.is_active:
                found, problems = _apply_rule(rule, context)
                suggestions += found
                warnings += problems
    finally:
        if collecting:
            gc.enable()
    suggestions.sort(key=lambda s: (-s.score, s.rule_id, s.group_key, s.network_id or 0))
    return Result(tuple(suggestions), held_back, tuple(warnings))


class _Context:
    def __init__(self, associations, topics, index, networks, dismissals, language_names):
        self.associations, self.topics, self.index = associations, topics, index
        self.networks, self.dismissals, self.language_names = networks, dismissals, language_names
        self.names = {aid: a.name for aid, a in associations.items()}
        self.districts = {aid: (a.district,) for aid, a in associations.items() if a.district}
        self._languages = {}
        self.origins = {n.origin for n in networks if n.origin}
        self.manual_topics = {t for n in networks if n.origin is None for t in n.topics}

    def languages(self, ignored):
        """Association id -> its languages apart from the ignored ones (cached per set of ignored ones)."""
        if ignored not in self._languages:
            skip = set(ignored)
            self._languages[ignored] = {
                aid: codes for aid, a in self.associations.items()
                if (codes := tuple(c for c in a.languages if c not in skip))
            }
        return self._languages[ignored]

    def may_extend(self, rule_id, group_key, group):
        """Could an existing sub-network take this group's members (so the minimum size does not apply)?"""
        return (rule_id, group_key) in self.origins or group in self.manual_topics


def _index_facts(facts, associations, today):
    """(topic, polarity) -> (ages, [(association id, age in days, fact)]) sorted by age, so a rule's time window
    is a slice; an opted-out association's facts are only counted."""
    index: dict[tuple, list] = defaultdict(list)
    held_back: dict[int, int] = defaultdict(int)
    enabled = {aid for aid, a in associations.items() if a.networking}
    ordinal, ages = today.toordinal(), {}
    for fact in facts:
        aid = fact.association_id
        if aid not in enabled:
            if aid in associations:
                held_back[aid] += 1
            continue
        on = fact.on
        age = ages.get(on)
        if age is None:
            age = ages[on] = ordinal - on.toordinal()
        index[(fact.topic, fact.polarity)].append((aid, age, fact))
    by_age = itemgetter(1)
    for entries in index.values():
        entries.sort(key=by_age)
    return {key: ([e[1] for e in entries], entries) for key, entries in index.items()}, dict(held_back)


def resolve_topics(rule: Rule, topics: Mapping[str, TopicInfo]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The rule's topics mapped to their group key, and the problems found (unknown or inactive topics)."""
    children = defaultdict(list)
    for info in topics.values():
        if info.parent:
            children[info.parent].append(info.key)
    chosen, problems = [], []
    for key in rule.topics:
        info = topics.get(key)
        if info is None:
            problems.append(("unknown_topic", key))
        elif not info.is_active:
            problems.append(("inactive_topic", key))
        else:
            chosen.append(key)
            if rule.include_subtopics:
                chosen += children.get(key, [])
    chosen += [t.key for t in topics.values() if t.category in rule.categories]
    keys = sorted({k for k in chosen if topics[k].is_active})
    if rule.grouping is TopicGrouping.each:
        return {k: k for k in keys}, problems
    if rule.grouping is TopicGrouping.parent:
        return {k: (topics[k].parent if topics[k].parent in topics else k) for k in keys}, problems
    return {k: "+".join(keys) for k in keys}, problems


def _weight(age, window):
    """1 for the first half of the window, then down to 0.5 at its edge."""
    half = window / 2
    return 1.0 if age <= half else 1.0 - 0.5 * (age - half) / half


def _apply_rule(rule, context):
    groups, problems = resolve_topics(rule, context.topics)
    buckets = _buckets(rule, context, groups)
    topics_of = defaultdict(list)
    for topic, group in sorted(groups.items()):
        topics_of[group].append(topic)
    weights = [round(_weight(age, rule.window_days), 3) for age in range(rule.window_days + 1)]
    found, seen_members = [], set()
    for group, part in sorted(buckets):
        suggestion = _bucket_suggestion(rule, context, group, tuple(topics_of[group]), part, buckets[(group, part)],
                                        weights)
        if suggestion is None or (suggestion.network_id, suggestion.member_ids) in seen_members:
            continue
        seen_members.add((suggestion.network_id, suggestion.member_ids))
        found.append(suggestion)
    return found, [(rule.id, problem, value) for problem, value in problems]


def _buckets(rule, context, groups):
    """(group, partition value) -> polarity -> association id -> [index entries], through the index only."""
    polarities = (NEED, OFFER) if rule.kind is RuleKind.need_offer else tuple(dict.fromkeys(rule.polarities))
    window, index = rule.window_days, context.index
    buckets: dict[tuple[str, str], dict] = {}
    if rule.partition is Partition.none:
        parts_of = None
    elif rule.partition is Partition.district:
        parts_of = context.districts
    else:
        parts_of = context.languages(tuple(sorted(rule.ignored_languages)))
    for topic, group in groups.items():
        for polarity in polarities:
            ages, entries = index.get((topic, polarity), ((), ()))
            # Sorted by age: the facts inside the window are one slice (future-dated ones come first).
            entries = entries[bisect_left(ages, 0):bisect_right(ages, window)]
            if not entries:
                continue
            if parts_of is None:
                _fill(buckets.setdefault((group, ""), {}).setdefault(polarity, {}), entries)
            else:
                _fill_parts(buckets, group, polarity, parts_of, entries)
    return buckets


def _fill(bucket, entries):
    get = bucket.get
    for entry in entries:
        found = get(entry[0])
        if found is None:
            bucket[entry[0]] = [entry]
        else:
            found.append(entry)


def _fill_parts(buckets, group, polarity, parts_of, entries):
    by_part = {}
    for entry in entries:
        for part in parts_of.get(entry[0], ()):
            bucket = by_part.get(part)
            if bucket is None:
                bucket = by_part[part] = buckets.setdefault((group, part), {}).setdefault(polarity, {})
            found = bucket.get(entry[0])
            if found is None:
                bucket[entry[0]] = [entry]
            else:
                found.append(entry)


def _merged(sides):
    """One association id -> entries mapping from the per-polarity ones."""
    dicts = list(sides.values())
    if len(dicts) == 1:
        return dicts[0]
    merged = dict(dicts[0])
    for other in dicts[1:]:
        for aid, entries in other.items():
            mine = merged.get(aid)
            merged[aid] = entries if mine is None else mine + entries
    return merged


def _candidates(rule, context, sides, weights):
    """(-evidence, -freshness, name, id, role, entries) of every association with enough independent evidence
    (and a counterpart, for need meets offer); sorting these tuples puts the strongest first."""
    if rule.kind is RuleKind.need_offer:
        return _paired_candidates(rule, context, sides, weights)
    min_facts, names, found = rule.min_facts, context.names, []
    append = found.append
    for aid, entries in _merged(sides).items():
        if len(entries) == 1:
            if min_facts <= 1:
                append((-1, -weights[entries[0][1]], names[aid], aid, "member", entries))
        elif len(entries) >= min_facts:
            _add_candidate(found, aid, entries, "member", min_facts, names, weights)
    return found


def _paired_candidates(rule, context, sides, weights):
    """Needs that meet an offer of another association, and offers that meet another's need."""
    need_ids, offer_ids = sides.get(NEED, {}), sides.get(OFFER, {})
    min_facts, names, found = rule.min_facts, context.names, []
    for aid, entries in _merged(sides).items():
        needs = aid in need_ids and has_counterpart(aid, offer_ids)
        offers = aid in offer_ids and has_counterpart(aid, need_ids)
        if needs and offers:
            role = "both"
        elif needs or offers:
            role, keep = ("needs", NEED) if needs else ("offers", OFFER)
            if aid in need_ids and aid in offer_ids:
                entries = [entry for entry in entries if entry[2].polarity == keep]
        else:
            continue
        if len(entries) >= min_facts:
            _add_candidate(found, aid, entries, role, min_facts, names, weights)
    return found


def _add_candidate(found, aid, entries, role, min_facts, names, weights):
    evidence = len({entry[2].ref for entry in entries}) if len(entries) > 1 else 1
    if evidence >= min_facts:
        found.append((-evidence, -weights[min(entry[1] for entry in entries)], names[aid], aid, role, entries))


def _limit(rule, candidates):
    """Keep the strongest members up to the maximum size; need/offer groups keep both sides represented."""
    if len(candidates) <= rule.max_size:
        return candidates, 0
    if rule.kind is RuleKind.need_offer:
        needs = heapq.nsmallest(rule.max_size, (c for c in candidates if c[4] in ("needs", "both")))
        offers = heapq.nsmallest(rule.max_size, (c for c in candidates if c[4] == "offers"))
        kept, turn = [], 0
        while len(kept) < rule.max_size and (needs or offers):
            side = (needs if turn % 2 == 0 else offers) or needs or offers
            kept.append(side.pop(0))
            turn += 1
        return kept, len(candidates) - len(kept)
    return heapq.nsmallest(rule.max_size, candidates), len(candidates) - rule.max_size


def _reason(candidate):
    evidence, freshness, name, aid, role, entries = candidate
    facts = tuple(sorted({entry[2] for entry in entries}, key=fact_order))
    return MemberReason(aid, name, role, facts, -evidence, -freshness)


def _bucket_suggestion(rule, context, group, topics, part, sides, weights):
    group_key = group if not part else f"{group}@{rule.partition.value}={part}"
    may_extend = context.may_extend(rule.id, group_key, group)
    if sum(map(len, sides.values())) < rule.min_size and not may_extend:
        return None
    candidates = _candidates(rule, context, sides, weights)
    network = _matching_network(context.networks, rule, group_key, group, candidates) if may_extend else None
    if network is not None:
        candidates = [c for c in candidates if c[3] not in network.member_ids | network.excluded_ids]
        if not candidates:
            return None
    elif len(candidates) < rule.min_size:
        return None
    elif rule.kind is RuleKind.need_offer:
        roles = {c[4] for c in candidates}
        if not ({"needs", "both"} & roles and {"offers", "both"} & roles):
            return None
    kept, overflow = _limit(rule, candidates)
    network_id = network.id if network is not None else None
    ids = frozenset(c[3] for c in kept)
    dismissal = _dismissal(context.dismissals, rule.id, group_key, network_id, ids)
    if dismissal is not None and similarity(ids, dismissal.member_ids) >= DISMISSAL_HOLDS_FROM:
        return None
    reasons = sorted((_reason(c) for c in kept), key=lambda r: (_ROLE_ORDER[r.role], r.name, r.association_id))
    parts = score_parts(rule, reasons)
    return Suggestion(
        key=suggestion_key(rule.id, group_key, network_id),
        rule_id=rule.id,
        rule_name=rule.name,
        kind=rule.kind,
        group_key=group_key,
        topics=topics,
        partition=(rule.partition.value, part) if part else None,
        title=_title(rule, context, group, part),
        members=tuple(reasons),
        score=total(parts),
        parts=parts,
        fingerprint=fingerprint(rule.id, group_key, network_id, ids),
        overflow=overflow,
        network_id=network_id,
        dismissed_before=dismissal,
    )


_ROLE_ORDER = {"both": 0, "needs": 1, "offers": 2, "member": 3}


def _title(rule, context, group, part):
    if rule.grouping is TopicGrouping.all:
        title = rule.name
    else:
        info = context.topics.get(group)
        title = (info.name or info.key) if info else group
    if part and rule.partition is Partition.language:
        part = context.language_names.get(part, part)
    return f"{title} – {part}" if part else title


def _matching_network(networks, rule, group_key, group, candidates):
    """The sub-network this group already is: grown from the same suggestion, or made by hand for the same
    topic with at least half of the members."""
    for network in networks:
        if network.origin == (rule.id, group_key):
            return network
    ids = {c[3] for c in candidates}
    for network in networks:
        if network.origin is None and group in network.topics and ids:
            if len(ids & network.member_ids) / len(ids) >= 0.5:
                return network
    return None


def _dismissal(dismissals, rule_id, group_key, network_id, ids):
    """The most similar dismissal of this group, if any."""
    candidates = [d for d in dismissals
                  if d.rule_id == rule_id and d.group_key == group_key and d.network_id == network_id]
    if not candidates:
        return None
    return max(candidates, key=lambda d: (similarity(ids, d.member_ids), d.id))


