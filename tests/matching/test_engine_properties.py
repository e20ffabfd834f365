"""Properties that hold for any input: evidence minimum, size limits, consent, determinism."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import (
    AssociationInfo,
    Fact,
    Partition,
    Polarity,
    Rule,
    RuleKind,
    TopicGrouping,
    TopicInfo,
    suggest,
)

TODAY = date(2025, 6, 1)
TOPICS = [
    TopicInfo("hsu", None, "languages", "HSU"),
    TopicInfo("hsu-tr", "hsu", "languages", "HSU tr"),
    TopicInfo("hsu-ar", "hsu", "languages", "HSU ar"),
    TopicInfo("rooms", None, "resources", "Rooms"),
    TopicInfo("funding", None, "resources", "Funding"),
    TopicInfo("youth", None, "target_groups", "Youth"),
]
KEYS = [t.key for t in TOPICS]

associations_st = st.lists(
    st.builds(
        AssociationInfo,
        id=st.integers(1, 40),
        name=st.text(min_size=1, max_size=6),
        district=st.sampled_from(["", "West", "East", "North"]),
        languages=st.lists(st.sampled_from(["de", "tr", "ar", "ru"]), max_size=3, unique=True).map(tuple),
        networking=st.booleans(),
    ),
    max_size=25,
    unique_by=lambda a: a.id,
)

facts_st = st.lists(
    st.builds(
        Fact,
        association_id=st.integers(1, 40),
        topic=st.sampled_from(KEYS),
        polarity=st.sampled_from(list(Polarity)),
        source=st.sampled_from(["profile", "survey", "posting"]),
        ref=st.integers(1, 60).map(lambda n: f"ref:{n}"),
        on=st.integers(-5, 900).map(lambda days: TODAY - timedelta(days=days)),
    ),
    max_size=120,
)


@st.composite
def rules_st(draw):
    count = draw(st.integers(1, 4))
    rules = []
    for number in range(1, count + 1):
        low = draw(st.integers(2, 6))
        rules.append(Rule(
            id=number,
            name=f"R{number}",
            kind=draw(st.sampled_from(list(RuleKind))),
            topics=tuple(draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))),
            include_subtopics=draw(st.booleans()),
            grouping=draw(st.sampled_from(list(TopicGrouping))),
            polarities=tuple(draw(st.lists(st.sampled_from(list(Polarity)), min_size=1, unique=True))),
            partition=draw(st.sampled_from(list(Partition))),
            ignored_languages=("de",),
            min_size=low,
            max_size=draw(st.integers(low, 10)),
            min_facts=draw(st.integers(1, 3)),
            window_days=draw(st.integers(1, 800)),
        ))
    return rules


def compute(associations, facts, rules):
    return suggest(associations, facts, rules, topics=TOPICS, today=TODAY)


@settings(max_examples=250, deadline=None)
@given(associations_st, facts_st, rules_st())
def test_every_member_has_at_least_the_rules_minimum_of_independent_facts(associations, facts, rules):
    by_id = {r.id: r for r in rules}
    for suggestion in compute(associations, facts, rules).suggestions:
        rule = by_id[suggestion.rule_id]
        for member in suggestion.members:
            assert member.evidence >= rule.min_facts
            assert len({f.ref for f in member.facts}) == member.evidence
            assert all(f.association_id == member.association_id for f in member.facts)
            assert all(0 <= (TODAY - f.on).days <= rule.window_days for f in member.facts)


@settings(max_examples=250, deadline=None)
@given(associations_st, facts_st, rules_st())
def test_no_suggestion_breaks_its_rules_size_limits(associations, facts, rules):
    by_id = {r.id: r for r in rules}
    for suggestion in compute(associations, facts, rules).suggestions:
        rule = by_id[suggestion.rule_id]
        assert rule.min_size <= len(suggestion.members) <= rule.max_size
        assert len(suggestion.member_ids) == len(suggestion.members)


@settings(max_examples=150, deadline=None)
@given(associations_st, facts_st, rules_st())
def test_associations_without_networking_never_appear(associations, facts, rules):
    off = {a.id for a in associations if not a.networking}
    result = compute(associations, facts, rules)
    assert not any(off & s.member_ids for s in result.suggestions)
    assert set(result.held_back) <= off


@settings(max_examples=150, deadline=None)
@given(associations_st, facts_st, rules_st())
def test_need_offer_groups_have_both_sides_and_facts_match_the_polarities(associations, facts, rules):
    by_id = {r.id: r for r in rules}
    for suggestion in compute(associations, facts, rules).suggestions:
        rule = by_id[suggestion.rule_id]
        polarities = {f.polarity for m in suggestion.members for f in m.facts}
        if rule.kind is RuleKind.need_offer:
            roles = {m.role for m in suggestion.members}
            assert {"needs", "both"} & roles and {"offers", "both"} & roles
            assert polarities <= {Polarity.need, Polarity.offer}
        else:
            assert polarities <= set(rule.polarities)


@settings(max_examples=100, deadline=None)
@given(associations_st, facts_st, rules_st(), st.randoms(use_true_random=False))
def test_same_input_in_any_order_gives_the_same_output(associations, facts, rules, random):
    first = compute(associations, facts, rules)
    shuffled = [list(associations), list(facts), list(rules)]
    for items in shuffled:
        random.shuffle(items)
    assert compute(*shuffled) == first
