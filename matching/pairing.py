"""Need meets offer: who offers what a need asks for, and the other way round — pure Python.

The matcher's need-meets-offer rules and the exchange board's counterparts share this logic: a need meets an
offer of another association on the same topic (optionally its parent or children), found through an index
by topic, never by comparing every pair.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from .data import Counterpart, Fact, Polarity, TopicInfo

NEED, OFFER = Polarity.need, Polarity.offer


def fact_order(fact):
    """Newest first, then a total order, so equal dates never depend on the input order."""
    return (-fact.on.toordinal(), fact.source, fact.ref, fact.association_id, fact.topic, fact.polarity.value,
            fact.label, repr(fact.link))


def has_counterpart(association_id, other_side_ids) -> bool:
    """A need meets an offer (and the other way round) only when another association stands on that side."""
    return len(other_side_ids) - (association_id in other_side_ids) > 0


class NeedOfferIndex:
    """Needs and offers by group key; answers "who offers what this need asks for" without comparing pairs.

    The matcher's need-meets-offer rules and the exchange board's counterparts share it.
    """

    def __init__(self, facts: Iterable[Fact], group_of: Callable[[Fact], object] = lambda fact: fact.topic):
        self._group_of = group_of
        self._by_side = {NEED: defaultdict(dict), OFFER: defaultdict(dict)}
        for fact in facts:
            if fact.polarity in self._by_side:
                side = self._by_side[fact.polarity][group_of(fact)]
                side.setdefault(fact.association_id, []).append(fact)

    def _other_side(self, fact):
        other = OFFER if fact.polarity == NEED else NEED
        return self._by_side[other].get(self._group_of(fact), {})

    def has_counterpart(self, fact: Fact) -> bool:
        return has_counterpart(fact.association_id, self._other_side(fact))

    def counterparts(self, fact: Fact) -> list[Fact]:
        """Facts of other associations on the other side, newest first."""
        others = self._other_side(fact)
        found = [f for aid, facts in others.items() if aid != fact.association_id for f in facts]
        return sorted(found, key=fact_order)


def need_meets_offer(
    wanted: Sequence[Fact], candidates: Iterable[Fact], *, topics: Mapping[str, TopicInfo] | None = None,
    broaden: bool = False,
) -> list[Counterpart]:
    """Statements on the other side of `wanted` (the facts of one request or one offer), best first.

    A need meets an offer of another association on the same topic. With `broaden`, a topic also meets its
    parent and its children ("hsu-tr" meets "hsu", never its sibling "hsu-ar"). Found through an index of
    the candidates by topic, not by comparing every pair. Ranking: most shared topics, newest, then ref.
    """
    parents = {key: info.parent for key, info in (topics or {}).items() if info.parent}
    children = defaultdict(set)
    for child, parent in parents.items():
        children[parent].add(child)
    index = NeedOfferIndex(candidates)
    own_refs = {w.ref for w in wanted}
    found: dict[str, set[Fact]] = defaultdict(set)
    shared: dict[str, set[str]] = defaultdict(set)
    for fact in wanted:
        keys = {fact.topic}
        if broaden:
            keys |= children.get(fact.topic, set()) | ({parents[fact.topic]} if fact.topic in parents else set())
        for key in sorted(keys):
            probe = Fact(fact.association_id, key, fact.polarity, fact.source, fact.ref, fact.on)
            for other in index.counterparts(probe):
                if other.ref not in own_refs:
                    found[other.ref].add(other)
                    # Name the more specific of the two topics, as a reader would.
                    shared[other.ref].add(fact.topic if parents.get(fact.topic) == other.topic else other.topic)
    result = []
    for ref, facts in found.items():
        ordered = tuple(sorted(facts, key=fact_order))
        result.append(Counterpart(ref, ordered[0].association_id, tuple(sorted(shared[ref])),
                                  max(f.on for f in ordered), ordered))
    return sorted(result, key=lambda c: (-len(c.topics), -c.on.toordinal(), c.ref))
