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
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cached_property
from itertools import chain, compress, islice

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
    # Millions of short-lived tuples and no cycles: the cyclic collector would only rescan them. It comes back
    # once _suggest has returned, so it finds the index and the groups already gone, not to be scanned.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _suggest(associations, facts, rules, topics, today, networks, dismissals, language_names)
    finally:
        if collecting:
            gc.enable()


def _suggest(associations, facts, rules, topics, today, networks, dismissals, language_names):
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
    suggestions.sort(key=lambda s: (-s.score, s.rule_id, s.group_key, s.network_id or 0))
    return Result(tuple(suggestions), held_back, tuple(warnings))


class _Context:
    def __init__(self, associations, topics, index, networks, dismissals, language_names):
        self.associations, self.topics, self.index = associations, topics, index
        self.networks, self.dismissals, self.language_names = networks, dismissals, language_names
        # Inside a run an association is its position in (name, id) order (see _Index).
        self.order = index.order
        self.names = [associations[aid].name for aid in self.order]
        self.districts = {aid: (a.district,) for aid, a in associations.items() if a.district}
        self._languages, self._parts = {}, {}
        # The groups of this rule and of the one before, by how they are read (see _sides).
        self.sides, self.previous_sides = {}, {}
        self.origins = {n.origin for n in networks if n.origin}
        self.manual_topics = {t for n in networks if n.origin is None for t in n.topics}

    @cached_property
    def position(self):
        """Association id -> position, for entries that name associations by id (see _bucket_suggestion)."""
        return {aid: at for at, aid in enumerate(self.order)}

    def languages(self, ignored):
        """Association id -> its languages apart from the ignored ones (cached per set of ignored ones)."""
        if ignored not in self._languages:
            skip = set(ignored)
            self._languages[ignored] = {
                aid: codes for aid, a in self.associations.items()
                # Each code once: an association joins a language's group once.
                if (codes := tuple(dict.fromkeys(c for c in a.languages if c not in skip)))
            }
        return self._languages[ignored]

    def parts(self, rule):
        """Position -> the association's partition values, or None when the rule does not partition."""
        if rule.partition is Partition.none:
            return None
        ignored = tuple(sorted(rule.ignored_languages)) if rule.partition is Partition.language else ()
        if (rule.partition, ignored) not in self._parts:
            by_id = self.districts if rule.partition is Partition.district else self.languages(ignored)
            self._parts[rule.partition, ignored] = [by_id.get(aid, ()) for aid in self.order]
        return self._parts[rule.partition, ignored]

    def may_extend(self, rule_id, group_key, group):
        """Could an existing sub-network take this group's members (so the minimum size does not apply)?"""
        return (rule_id, group_key) in self.origins or group in self.manual_topics


class _Index(dict):
    """(topic, polarity) -> _Facts. `order` lists the association ids by (name, id): inside a run an association
    is its position there, so the order of names breaks ties between candidates by a plain integer."""

    def __init__(self, columns, order):
        super().__init__(columns)
        self.order = order


class _Facts:
    """One (topic, polarity)'s facts sorted by age, as parallel lists, so a window is a slice of each.

    The rules read only positions, ages and statement numbers (facts sharing a ref share a number; `owners[number]`
    is its association); a Fact is opened again only to explain a kept member (`facts[where[i]]`). At 50,000
    associations the facts spread over far more memory than the caches hold: every field is read once, in input
    order, and the Fact objects are not even reordered.
    """

    __slots__ = ("ids", "ages", "statements", "facts", "where", "owners")

    def __init__(self, ids, ages, statements, facts, owners):
        self.where = sorted(range(len(ages)), key=ages.__getitem__)
        self.ids, self.ages, self.statements = (list(map(c.__getitem__, self.where)) for c in (ids, ages, statements))
        self.facts, self.owners = facts, owners

    def __getitem__(self, item):
        """(ages, [(association id, age, fact)]): the shape the benchmark's all-pairs reference reads."""
        facts = map(self.facts.__getitem__, self.where)
        return (self.ages, [(fact.association_id, age, fact) for age, fact in zip(self.ages, facts, strict=True)])[item]


def _index_facts(facts, associations, today):
    """(topic, polarity) -> _Facts sorted by age, so a rule's time window is a slice; an opted-out association's
    facts are only counted."""
    order = sorted(sorted(associations), key=lambda aid: associations[aid].name)
    enabled = {aid: at for at, aid in enumerate(order) if associations[aid].networking}
    columns: dict[tuple, tuple] = {}
    held_back: dict[int, int] = defaultdict(int)
    ordinal, ages_of, numbers, owners, next_statement = today.toordinal(), {}, {}, [], 0
    for fact in facts:
        at = enabled.get(fact.association_id)
        if at is None:
            if fact.association_id in associations:
                held_back[fact.association_id] += 1
            continue
        key = fact.topic, fact.polarity
        lists = columns.get(key)
        if lists is None:
            lists = columns[key] = ([], [], [], [])
        on = fact.on
        age = ages_of.get(on)
        if age is None:
            age = ages_of[on] = ordinal - on.toordinal()
        # Numbered per association: many small dicts stay in the caches, one big one would not.
        refs = numbers.get(at)
        if refs is None:
            refs = numbers[at] = {}
        statement = refs.setdefault(fact.ref, next_statement)
        if statement == next_statement:
            owners.append(at)
            next_statement += 1
        ids, ages, statements, found = lists
        ids.append(at)
        ages.append(age)
        statements.append(statement)
        found.append(fact)
    return _Index({key: _Facts(*lists, owners) for key, lists in columns.items()}, order), dict(held_back)


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


# A rule's work per group, in three steps. `_Pool` counts every association's evidence and freshest fact for the
# whole group with built-ins over the index's parallel lists (no list per association, no Fact opened) and gives
# each candidate one integer for its strength. Each partition value then sorts its candidates by that integer and
# keeps the first ones (`_pick`). Only the kept members' facts are looked up, to explain them.


def _apply_rule(rule, context):
    groups, problems = resolve_topics(rule, context.topics)
    topics_of = defaultdict(list)
    for topic, group in sorted(groups.items()):
        topics_of[group].append(topic)
    weights = [round(_weight(age, rule.window_days), 3) for age in range(rule.window_days + 1)]
    parts = context.parts(rule)
    found, seen_members = [], set()
    for group in sorted(topics_of):
        pool = _Pool(rule, context, weights, _sides(rule, context, topics_of[group]))
        for suggestion in _group_suggestions(rule, context, group, tuple(topics_of[group]), pool, parts):
            if (suggestion.network_id, suggestion.member_ids) not in seen_members:
                seen_members.add((suggestion.network_id, suggestion.member_ids))
                found.append(suggestion)
    context.previous_sides, context.sides = context.sides, {}
    return found, [(rule.id, problem, value) for problem, value in problems]


def _sides(rule, context, topics):
    """Side -> _Side inside the window: one side ("member") for shared topics; needs and offers apart for need
    meets offer. Rules that read the same group the same way (often one rule per partition) share the result."""
    polarities = (NEED, OFFER) if rule.kind is RuleKind.need_offer else tuple(dict.fromkeys(rule.polarities))
    key = rule.kind is RuleKind.need_offer, polarities, tuple(topics), rule.window_days
    sides = context.sides.get(key) or context.previous_sides.get(key)
    if sides is None:
        window, index = rule.window_days, context.index
        if rule.kind is RuleKind.need_offer:
            slices = {side: _window(index, topics, (side,), window) for side in polarities}
        else:
            slices = {"member": _window(index, topics, polarities, window)}
        sides = {side: _Side(found) for side, found in slices.items() if found}
    context.sides[key] = sides
    return sides


def _window(index, topics, polarities, window):
    """[(_Facts, start, stop)]: the slices of the index inside the window."""
    slices = []
    for topic in topics:
        for polarity in polarities:
            column = index.get((topic, polarity))
            if column is not None:
                # Sorted by age: the facts inside the window are one slice (future-dated ones come first).
                start, stop = bisect_left(column.ages, 0), bisect_right(column.ages, window)
                if start < stop:
                    slices.append((column, start, stop))
    return slices


class _Side:
    """One side of a group (its index slices), counted per association: evidence and freshest age."""

    def __init__(self, slices):
        self.slices = slices
        column = slices[0][0]
        if len(slices) == 1:
            _, start, stop = slices[0]
            ids, ages = column.ids[start:stop], column.ages[start:stop]
            self.statements = set(column.statements[start:stop])
            # Read from the oldest back, the last age written for an association is its freshest.
            self.freshest = dict(zip(reversed(ids), reversed(ages), strict=True))
        else:
            ids = list(chain.from_iterable(c.ids[start:stop] for c, start, stop in slices))
            ages = list(chain.from_iterable(c.ages[start:stop] for c, start, stop in slices))
            self.statements = set(chain.from_iterable(c.statements[start:stop] for c, start, stop in slices))
            oldest_first = sorted(range(len(ages)), key=ages.__getitem__, reverse=True)
            self.freshest = dict(zip(map(ids.__getitem__, oldest_first), map(ages.__getitem__, oldest_first),
                                     strict=True))
        if len(self.statements) == len(ids):
            self.evidence = Counter(ids)  # no two facts share a ref: each fact is one piece of evidence
        else:
            self.evidence = Counter(map(column.owners.__getitem__, self.statements))

    def facts(self, wanted):
        """Position -> its facts on this side, for the wanted associations only."""
        found = defaultdict(list)
        for column, start, stop in self.slices:
            ids, facts, where = column.ids, column.facts, column.where
            for i in compress(range(start, stop), map(wanted.__contains__, islice(ids, start, stop))):
                found[ids[i]].append(facts[where[i]])
        return found


class _Pool:
    """One group's associations before the partition splits it: each role's evidence and freshest age, and
    one integer per candidate that sorts like (-evidence, -freshness, name, id), strongest first."""

    def __init__(self, rule, context, weights, sides):
        self.rule, self.context, self.weights, self.sides = rule, context, weights, sides
        count = len(context.order)
        distinct = sorted(set(weights), reverse=True)
        freshness_class = {weight: n for n, weight in enumerate(distinct)}
        # strength = freshness class * count + position - evidence * scale: each part outweighs the next.
        self._fresh = [freshness_class[weight] * count for weight in weights]
        self._scale = len(distinct) * count
        self._roles, self.role_of, self.strength = {}, _MEMBERS, {}
        if "member" in sides:
            self.strength = self._strengths("member", sides["member"].freshest.keys())
            return
        # Need meets offer: the roles hold wherever an association has others on the other side (see ranked).
        self.role_of = {}
        needs = sides[NEED].freshest.keys() if NEED in sides else set()
        offers = sides[OFFER].freshest.keys() if OFFER in sides else set()
        for role, ids in (("both", needs & offers), ("needs", needs - offers), ("offers", offers - needs)):
            self.role_of.update(dict.fromkeys(ids, role))
            self.strength.update(self._strengths(role, ids))

    def role(self, role):
        """(evidence, freshest age) by position; "both" counts the facts of both sides."""
        if role not in self._roles:
            if role == "both":
                need, offer = self.sides[NEED], self.sides[OFFER]
                owners = need.slices[0][0].owners
                freshest = {at: min(need.freshest[at], offer.freshest[at])
                            for at in need.freshest.keys() & offer.freshest.keys()}
                self._roles[role] = Counter(map(owners.__getitem__, need.statements | offer.statements)), freshest
            else:
                side = self.sides[_SIDE_OF_ROLE[role]]
                self._roles[role] = side.evidence, side.freshest
        return self._roles[role]

    def _strengths(self, role, ids):
        """Position -> strength (smaller is stronger), for those of the ids with enough evidence."""
        if not ids:
            return {}
        evidence, freshest = self.role(role)
        fresh, scale, min_facts = self._fresh, self._scale, self.rule.min_facts
        return {at: fresh[freshest[at]] + at - count * scale for at in ids if (count := evidence[at]) >= min_facts}

    def ranked(self, sides):
        """The candidates of one partition value, strongest first, and their roles there."""
        strength = self.strength
        if "member" in sides:
            return sorted(filter(strength.__contains__, sides["member"]), key=strength.__getitem__), _MEMBERS
        needs, offers = set(sides.get(NEED, ())), set(sides.get(OFFER, ()))
        if len(needs) > 1 and len(offers) > 1:
            # Everyone has another association on the other side: the roles of the whole group hold.
            return sorted(filter(strength.__contains__, needs | offers), key=strength.__getitem__), self.role_of
        strength, role_of = {}, {}
        for role, ids in _roles(needs, offers).items():
            role_of.update(dict.fromkeys(ids, role))
            strength.update(self._strengths(role, ids))
        return sorted(strength, key=strength.__getitem__), role_of

    def reasons(self, kept):
        """(position, role) -> MemberReason, for the kept members only."""
        wanted = {at for at, _role in kept}
        by_side = {name: side.facts(wanted) for name, side in self.sides.items()}
        order, names, found = self.context.order, self.context.names, {}
        for at, role in kept:
            if role == "both":
                facts = by_side[NEED][at] + by_side[OFFER][at]
            else:
                facts = by_side[_SIDE_OF_ROLE[role]][at]
            evidence, freshest = self.role(role)
            # A set drops facts given twice; most members have one fact, which needs neither set nor sort.
            facts = tuple(facts) if len(facts) == 1 else tuple(sorted(set(facts), key=fact_order))
            found[at, role] = MemberReason(order[at], names[at], role, facts,
                                           evidence[at], self.weights[freshest[at]])
        return found


class _Members(dict):
    """Everyone's role in a shared-topic group."""

    def __missing__(self, key):
        return "member"


_MEMBERS = _Members()
_SIDE_OF_ROLE = {"member": "member", "needs": NEED, "offers": OFFER}


def _roles(needs, offers):
    """Role -> positions: a need or offer counts only with another association on the other side."""
    needing = {at for at in needs if has_counterpart(at, offers)}
    offering = {at for at in offers if has_counterpart(at, needs)}
    return {"both": needing & offering, "needs": needing - offering, "offers": offering - needing}


def _group_suggestions(rule, context, group, topics, pool, parts):
    """The group's suggestions, one per partition value at most, in the order of the partition values."""
    picks = [pick for part, sides in _split(pool, parts)
             if (pick := _pick(rule, context, group, part, pool, sides)) is not None]
    if not picks:
        return []
    reasons = pool.reasons({member for pick in picks for member in pick[3]})
    return [_suggestion(rule, context, group, topics, pick, reasons) for pick in picks]


def _split(pool, parts):
    """[(partition value, side -> positions)] sorted by partition value; `parts` is position -> values."""
    if parts is None:
        return [("", {name: side.freshest.keys() for name, side in pool.sides.items()})] if pool.sides else []
    by_part = defaultdict(dict)
    for name, side in pool.sides.items():
        lists = defaultdict(list)
        for at in side.freshest:
            for part in parts[at]:
                lists[part].append(at)
        for part, ids in lists.items():
            by_part[part][name] = ids
    return sorted(by_part.items())


def _pick(rule, context, group, part, pool, sides):
    """(group key, partition value, network id, kept (position, role) pairs, overflow, dismissal), or None."""
    group_key = group if not part else f"{group}@{rule.partition.value}={part}"
    may_extend = context.may_extend(rule.id, group_key, group)
    # No candidate list can reach the minimum size (a shortcut: the same groups are dropped below).
    if sum(map(len, sides.values())) < rule.min_size and not may_extend:
        return None
    ranked, role_of = pool.ranked(sides)
    order = context.order
    network = None
    if may_extend:
        network = _matching_network(context.networks, rule, group_key, group, {order[at] for at in ranked})
    if network is not None:
        taken = network.member_ids | network.excluded_ids
        ranked = [at for at in ranked if order[at] not in taken]
        if not ranked:
            return None
    elif len(ranked) < rule.min_size:
        return None
    elif rule.kind is RuleKind.need_offer:
        roles = {role_of[at] for at in ranked}
        if not ({"needs", "both"} & roles and {"offers", "both"} & roles):
            return None
    kept, overflow = _limit(rule, ranked, role_of)
    network_id = network.id if network is not None else None
    ids = frozenset(order[at] for at in kept)
    dismissal = _dismissal(context.dismissals, rule.id, group_key, network_id, ids)
    if dismissal is not None and similarity(ids, dismissal.member_ids) >= DISMISSAL_HOLDS_FROM:
        return None
    return group_key, part, network_id, [(at, role_of[at]) for at in kept], overflow, dismissal


def _limit(rule, ranked, role_of):
    """Keep the strongest members up to the maximum size; need/offer groups keep both sides represented."""
    if len(ranked) <= rule.max_size:
        return ranked, 0
    if rule.kind is RuleKind.need_offer:
        needs = list(islice((at for at in ranked if role_of[at] != "offers"), rule.max_size))
        offers = list(islice((at for at in ranked if role_of[at] == "offers"), rule.max_size))
        kept, turn = [], 0
        while len(kept) < rule.max_size and (needs or offers):
            side = (needs if turn % 2 == 0 else offers) or needs or offers
            kept.append(side.pop(0))
            turn += 1
        return kept, len(ranked) - len(kept)
    return ranked[:rule.max_size], len(ranked) - rule.max_size


def _bucket_suggestion(rule, context, group, topics, part, sides, weights):
    """The suggestion of one group formed elsewhere (the benchmark's all-pairs reference), from its entries as
    polarity -> association id -> [(association id, age, fact)]."""
    if rule.kind is RuleKind.need_offer:
        entries = {side: [e for es in sides.get(side, {}).values() for e in es] for side in (NEED, OFFER)}
    else:
        entries = {"member": [e for by_id in sides.values() for es in by_id.values() for e in es]}
    position, numbers = context.position, {}
    for aid, _age, fact in chain.from_iterable(entries.values()):
        numbers.setdefault((aid, fact.ref), len(numbers))
    owners, pool_sides = [position[aid] for aid, _ref in numbers], {}
    for name, found in entries.items():
        if found:
            rows = ((position[aid], age, numbers[aid, fact.ref], fact) for aid, age, fact in found)
            column = _Facts(*map(list, zip(*rows, strict=True)), owners)
            pool_sides[name] = _Side([(column, 0, len(found))])
    parts = [(part,)] * len(context.order) if part else None
    found = _group_suggestions(rule, context, group, topics, _Pool(rule, context, weights, pool_sides), parts)
    return found[0] if found else None


def _suggestion(rule, context, group, topics, pick, reasons):
    group_key, part, network_id, kept, overflow, dismissal = pick
    members = sorted((reasons[member] for member in kept),
                     key=lambda r: (_ROLE_ORDER[r.role], r.name, r.association_id))
    parts = score_parts(rule, members)
    return Suggestion(
        key=suggestion_key(rule.id, group_key, network_id),
        rule_id=rule.id,
        rule_name=rule.name,
        kind=rule.kind,
        group_key=group_key,
        topics=topics,
        partition=(rule.partition.value, part) if part else None,
        title=_title(rule, context, group, part),
        members=tuple(members),
        score=total(parts),
        parts=parts,
        fingerprint=fingerprint(rule.id, group_key, network_id, frozenset(m.association_id for m in members)),
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


def _matching_network(networks, rule, group_key, group, ids):
    """The sub-network this group already is: grown from the same suggestion, or made by hand for the same
    topic with at least half of the candidates."""
    for network in networks:
        if network.origin == (rule.id, group_key):
            return network
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


