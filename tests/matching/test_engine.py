"""The engine on small hand-made cases: exact groups, exact explanations."""

from datetime import date, timedelta

from matching.engine import (
    AssociationInfo,
    Dismissal,
    Fact,
    NetworkInfo,
    Partition,
    Polarity,
    Rule,
    RuleKind,
    TopicGrouping,
    TopicInfo,
    fingerprint,
    need_meets_offer,
    resolve_topics,
    suggest,
)

TODAY = date(2025, 6, 1)
ACT, INT, NEED, OFFER = Polarity.activity, Polarity.interest, Polarity.need, Polarity.offer

TOPICS = [
    TopicInfo("hsu", None, "languages", "Heritage-language teaching"),
    TopicInfo("hsu-tr", "hsu", "languages", "Heritage-language teaching: Turkish"),
    TopicInfo("hsu-ar", "hsu", "languages", "Heritage-language teaching: Arabic"),
    TopicInfo("hsu-it", "hsu", "languages", "Heritage-language teaching: Italian"),
    TopicInfo("rooms", None, "resources", "Rooms"),
    TopicInfo("funding", None, "resources", "Funding"),
    TopicInfo("youth", None, "target_groups", "Youth"),
    TopicInfo("old", None, "activities", "Retired topic", is_active=False),
]


def assoc(id, name=None, district="", languages=(), networking=True):
    return AssociationInfo(id, name or f"A{id}", district, tuple(languages), networking)


def fact(aid, topic, polarity=ACT, ref=None, days_ago=10, source="profile", label=None):
    return Fact(aid, topic, polarity, source, ref or f"profile:{aid}", TODAY - timedelta(days=days_ago),
                label or f"{source} {topic}")


def run(associations, facts, rules, **kwargs):
    return suggest(associations, facts, rules, topics=TOPICS, today=TODAY, **kwargs)


def groups(result):
    return [(s.title, sorted(m.association_id for m in s.members)) for s in result.suggestions]


HSU = Rule(1, "HSU", topics=("hsu",), grouping=TopicGrouping.parent, min_size=2, max_size=10)
HSU_EACH = Rule(2, "HSU per language", topics=("hsu",), grouping=TopicGrouping.each, min_size=2, max_size=10)


def heritage_town():
    associations = [assoc(1, "Turkish parents"), assoc(2, "Arab school"), assoc(3, "Alevi community"), assoc(4, "Italian circle")]
    facts = [fact(1, "hsu-tr"), fact(2, "hsu-ar"), fact(3, "hsu-tr"), fact(4, "hsu-it"), fact(4, "youth")]
    return associations, facts


def test_parent_grouping_puts_every_heritage_language_into_one_group():
    result = run(*heritage_town(), [HSU])
    assert groups(result) == [("Heritage-language teaching", [1, 2, 3, 4])]
    suggestion = result.suggestions[0]
    assert suggestion.topics == ("hsu", "hsu-ar", "hsu-it", "hsu-tr")
    assert suggestion.group_key == "hsu"
    assert [(m.name, m.role, m.evidence, [f.label for f in m.facts]) for m in suggestion.members] == [
        ("Alevi community", "member", 1, ["profile hsu-tr"]),
        ("Arab school", "member", 1, ["profile hsu-ar"]),
        ("Italian circle", "member", 1, ["profile hsu-it"]),
        ("Turkish parents", "member", 1, ["profile hsu-tr"]),
    ]


def test_grouping_each_keeps_languages_apart_and_drops_groups_below_minimum():
    result = run(*heritage_town(), [HSU_EACH])
    # Only Turkish has two associations; Arabic and Italian stay below the minimum of 2.
    assert groups(result) == [("Heritage-language teaching: Turkish", [1, 3])]


def test_grouping_all_joins_the_rules_topics_under_the_rule_name():
    rule = Rule(3, "Rooms and money", topics=("rooms", "funding"), grouping=TopicGrouping.all,
                polarities=(INT,), min_size=2)
    associations = [assoc(1), assoc(2)]
    facts = [fact(1, "rooms", INT), fact(2, "funding", INT)]
    assert groups(run(associations, facts, [rule])) == [("Rooms and money", [1, 2])]


def test_district_partition_forms_one_group_per_district_and_skips_associations_without_district():
    rule = Rule(4, "Rooms", topics=("rooms",), polarities=(INT,), partition=Partition.district, min_size=2)
    associations = [assoc(1, district="West"), assoc(2, district="West"), assoc(3, district="East"),
                    assoc(4, district="East"), assoc(5, district="East"), assoc(6, district="")]
    facts = [fact(i, "rooms", INT) for i in range(1, 7)]
    result = run(associations, facts, [rule])
    assert groups(result) == [("Rooms – East", [3, 4, 5]), ("Rooms – West", [1, 2])]
    assert result.suggestions[0].partition == ("district", "East")
    assert result.suggestions[0].group_key == "rooms@district=East"


def test_language_partition_uses_shared_languages_except_ignored_ones_and_names_them():
    rule = Rule(5, "HSU by language", topics=("hsu",), partition=Partition.language, ignored_languages=("de",),
                min_size=2)
    associations = [assoc(1, languages=("tr", "de")), assoc(2, languages=("tr", "ku", "de")),
                    assoc(3, languages=("ar", "de")), assoc(4, languages=("ku",))]
    facts = [fact(1, "hsu-tr"), fact(2, "hsu-tr"), fact(3, "hsu-ar"), fact(4, "hsu")]
    result = run(associations, facts, [rule], language_names={"tr": "Turkish", "ku": "Kurdish"})
    # "de" would put everybody together; it is ignored. Arabic alone is too small.
    assert groups(result) == [("Heritage-language teaching – Kurdish", [2, 4]),
                              ("Heritage-language teaching – Turkish", [1, 2])]


def test_same_members_from_two_languages_are_suggested_once():
    rule = Rule(5, "HSU by language", topics=("hsu",), partition=Partition.language, min_size=2)
    associations = [assoc(1, languages=("tr", "ku")), assoc(2, languages=("tr", "ku"))]
    result = run(associations, [fact(1, "hsu-tr"), fact(2, "hsu-tr")], [rule])
    assert [s.group_key for s in result.suggestions] == ["hsu@language=ku"]


def test_need_meets_offer_rule_needs_both_sides_and_names_the_roles():
    rule = Rule(6, "Rooms exchange", RuleKind.need_offer, topics=("rooms",), min_size=2)
    associations = [assoc(1, "Needy"), assoc(2, "Landlord"), assoc(3, "Also needy"), assoc(4, "Talker")]
    facts = [fact(1, "rooms", NEED, "posting:1", source="posting"), fact(2, "rooms", OFFER, "posting:2", source="posting"),
             fact(3, "rooms", NEED, "survey:3", source="survey"), fact(4, "rooms", INT)]
    result = run(associations, facts, [rule])
    assert groups(result) == [("Rooms", [1, 2, 3])]
    members = result.suggestions[0].members
    assert [(m.name, m.role) for m in members] == [("Also needy", "needs"), ("Needy", "needs"), ("Landlord", "offers")]
    balance = next(p for p in result.suggestions[0].parts if p.name == "balance")
    assert (balance.value, dict(balance.detail)) == (0.5, {"needs": 2, "offers": 1})


def test_need_meets_offer_without_an_offer_from_someone_else_finds_nothing():
    rule = Rule(6, "Rooms exchange", RuleKind.need_offer, topics=("rooms",), min_size=2)
    associations = [assoc(1), assoc(2)]
    # Association 1 needs and offers rooms itself; 2 only needs: 2 has a counterpart (1), 1 has one (2).
    facts = [fact(1, "rooms", OFFER, "p:1"), fact(2, "rooms", NEED, "p:2"), fact(2, "rooms", NEED, "p:3")]
    assert groups(run(associations, facts, [rule])) == [("Rooms", [1, 2])]
    lonely = [fact(1, "rooms", NEED, "p:1"), fact(1, "rooms", OFFER, "p:2"), fact(2, "rooms", NEED, "p:3")]
    found = run(associations, lonely, [rule])
    # 2 needs and 1 offers: a group; but if nobody else offers, 1's own offer does not count for 1's need.
    assert [(m.association_id, m.role) for m in found.suggestions[0].members] == [(2, "needs"), (1, "offers")]
    assert run(associations, [fact(1, "rooms", NEED), fact(2, "rooms", NEED, "p:2")], [rule]).suggestions == ()


def test_min_facts_counts_independent_statements_not_topics():
    rule = Rule(7, "HSU strong", topics=("hsu",), min_size=2, min_facts=2)
    associations = [assoc(1), assoc(2), assoc(3)]
    facts = [
        fact(1, "hsu-tr"), fact(1, "hsu"),  # one profile, two topics: one statement
        fact(2, "hsu-ar"), fact(2, "hsu-ar", ref="survey:7", source="survey"),  # two statements
        fact(3, "hsu-it"), fact(3, "hsu-it", ref="posting:9", source="posting"),
    ]
    result = run(associations, facts, [rule])
    assert groups(result) == [("Heritage-language teaching", [2, 3])]
    assert [m.evidence for m in result.suggestions[0].members] == [2, 2]


def test_window_excludes_old_facts_and_ages_the_rest():
    rule = Rule(8, "Funding", topics=("funding",), polarities=(INT,), min_size=2, window_days=100)
    associations = [assoc(1), assoc(2), assoc(3)]
    facts = [fact(1, "funding", INT, days_ago=10), fact(2, "funding", INT, days_ago=75), fact(3, "funding", INT, days_ago=101)]
    result = run(associations, facts, [rule])
    assert groups(result) == [("Funding", [1, 2])]
    assert [m.freshness for m in result.suggestions[0].members] == [1.0, 0.75]
    recency = next(p for p in result.suggestions[0].parts if p.name == "recency")
    assert recency.value == 0.875


def test_polarities_of_the_rule_filter_the_facts():
    rule = Rule(9, "Youth work", topics=("youth",), polarities=(ACT,), min_size=2)
    facts = [fact(1, "youth", ACT), fact(2, "youth", INT), fact(3, "youth", ACT)]
    assert groups(run([assoc(1), assoc(2), assoc(3)], facts, [rule])) == [("Youth", [1, 3])]


def test_max_size_keeps_the_strongest_members_and_reports_the_rest():
    rule = Rule(10, "HSU", topics=("hsu",), min_size=2, max_size=3)
    associations = [assoc(i, f"A{i}") for i in range(1, 6)]
    facts = [fact(i, "hsu-tr") for i in range(1, 6)] + [fact(5, "hsu-tr", ref="survey:5"), fact(4, "hsu", ref="survey:4")]
    suggestion = run(associations, facts, [rule]).suggestions[0]
    assert sorted(m.association_id for m in suggestion.members) == [1, 4, 5]
    assert suggestion.overflow == 2


def test_score_parts_and_total_are_explained_numbers():
    suggestion = run(*heritage_town(), [HSU]).suggestions[0]
    parts = {p.name: (p.value, dict(p.detail)) for p in suggestion.parts}
    assert parts == {
        "size": (1.0, {"members": 4, "full_from": 4}),
        "evidence": (0.5, {"mean": 1.0, "full_from": 2}),
        "recency": (1.0, {"window_days": 730}),
    }
    assert suggestion.score == round(100 * (0.3 * 1 + 0.35 * 0.5 + 0.15 * 1) / 0.8)


def test_associations_that_switched_networking_off_are_held_back_and_counted():
    associations, facts = heritage_town()
    associations[0] = assoc(1, "Turkish parents", networking=False)
    result = run(associations, facts, [HSU])
    assert groups(result) == [("Heritage-language teaching", [2, 3, 4])]
    assert result.held_back == {1: 1}


def test_facts_of_unknown_associations_are_ignored():
    associations, facts = heritage_town()
    result = run(associations[:2], facts, [HSU])
    assert groups(result) == [("Heritage-language teaching", [1, 2])]


def test_dismissed_suggestion_stays_away_until_members_change_materially():
    associations, facts = heritage_town()
    first = run(associations, facts, [HSU]).suggestions[0]
    dismissal = Dismissal(1, first.group_key, first.member_ids, id=5, on=TODAY)
    assert run(associations, facts, [HSU], dismissals=[dismissal]).suggestions == ()

    # Four of five still the same (similarity 0.8): the dismissal holds.
    more = associations + [assoc(5, "Newcomer")]
    assert run(more, facts + [fact(5, "hsu-tr")], [HSU], dismissals=[dismissal]).suggestions == ()

    # Two newcomers (similarity 4/6): a material change, suggested again with a note.
    most = more + [assoc(6, "Second newcomer")]
    again = run(most, facts + [fact(5, "hsu-tr"), fact(6, "hsu-ar")], [HSU], dismissals=[dismissal]).suggestions
    assert [sorted(s.member_ids) for s in again] == [[1, 2, 3, 4, 5, 6]]
    assert again[0].dismissed_before == dismissal


def test_dismissal_of_one_group_does_not_hide_another():
    associations, facts = heritage_town()
    dismissal = Dismissal(1, "rooms", frozenset({1, 2, 3, 4}))
    assert len(run(associations, facts, [HSU], dismissals=[dismissal]).suggestions) == 1


def test_existing_network_is_not_suggested_again_but_newcomers_are_proposed_for_it():
    associations, facts = heritage_town()
    network = NetworkInfo(7, "HSU network", frozenset({1, 2, 3}), frozenset({4}), origin=(1, "hsu"), topics=("hsu",))
    assert run(associations, facts, [HSU], networks=[network]).suggestions == ()

    newcomer = run(associations + [assoc(5, "New school")], facts + [fact(5, "hsu-ar")], [HSU], networks=[network])
    [suggestion] = newcomer.suggestions
    assert (suggestion.network_id, sorted(suggestion.member_ids)) == (7, [5])


def test_network_made_by_hand_is_recognised_by_topic_and_members():
    associations, facts = heritage_town()
    network = NetworkInfo(8, "By hand", frozenset({1, 2, 3, 4}), topics=("hsu",))
    assert run(associations, facts, [HSU], networks=[network]).suggestions == ()


def test_unknown_and_inactive_topics_are_reported_not_fatal():
    rule = Rule(11, "Broken", topics=("hsu", "gone", "old"), min_size=2)
    result = run(*heritage_town(), [rule])
    assert result.warnings == ((11, "unknown_topic", "gone"), (11, "inactive_topic", "old"))
    assert len(result.suggestions) == 1


def test_inactive_rules_find_nothing():
    inactive = Rule(1, "HSU", topics=("hsu",), min_size=2, is_active=False)
    assert run(*heritage_town(), [inactive]).suggestions == ()


def test_categories_select_all_their_topics():
    rule = Rule(12, "Languages", categories=("languages",), grouping=TopicGrouping.all, min_size=4)
    mapping, problems = resolve_topics(rule, {t.key: t for t in TOPICS})
    assert sorted(mapping) == ["hsu", "hsu-ar", "hsu-it", "hsu-tr"] and problems == []
    assert groups(run(*heritage_town(), [rule])) == [("Languages", [1, 2, 3, 4])]


def test_result_is_deterministic_whatever_the_input_order():
    associations, facts = heritage_town()
    rules = [HSU_EACH, HSU, Rule(3, "Youth", topics=("youth",), polarities=(ACT,), min_size=1)]
    forward = run(associations, facts, rules)
    backward = run(list(reversed(associations)), list(reversed(facts)), list(reversed(rules)))
    assert forward == backward
    assert [s.key for s in forward.suggestions] == [s.key for s in run(associations, facts, rules).suggestions]


def test_suggestions_are_sorted_by_score_then_rule():
    associations, facts = heritage_town()
    result = run(associations, facts, [HSU_EACH, HSU])
    assert [(s.rule_id, s.score) for s in result.suggestions] == [(1, 78), (2, 59)]


def test_fingerprint_depends_on_members_only_through_their_ids():
    assert fingerprint(1, "hsu", None, {3, 1, 2}) == fingerprint(1, "hsu", None, [1, 2, 3])
    assert fingerprint(1, "hsu", None, {1, 2}) != fingerprint(1, "hsu", None, {1, 2, 3})


class TestNeedMeetsOffer:
    """The function the exchange board's counterparts use."""

    def test_offers_of_other_associations_ranked_by_shared_topics_then_recency(self):
        request = [fact(1, "rooms", NEED, "req:1"), fact(1, "funding", NEED, "req:1")]
        offers = [
            fact(2, "rooms", OFFER, "off:2", days_ago=30),
            fact(3, "rooms", OFFER, "off:3", days_ago=5),
            fact(4, "rooms", OFFER, "off:4", days_ago=50), fact(4, "funding", OFFER, "off:4", days_ago=50),
            fact(1, "rooms", OFFER, "off:own"),  # own association
            fact(5, "youth", OFFER, "off:5"),  # other topic
            fact(6, "rooms", NEED, "req:6"),  # another request
        ]
        found = need_meets_offer(request, offers)
        assert [(c.ref, c.association_id, c.topics) for c in found] == [
            ("off:4", 4, ("funding", "rooms")), ("off:3", 3, ("rooms",)), ("off:2", 2, ("rooms",)),
        ]

    def test_broaden_lets_a_topic_meet_its_parent_and_children_but_not_siblings(self):
        topics = {t.key: t for t in TOPICS}
        request = [fact(1, "hsu-tr", NEED, "req:1")]
        offers = [fact(2, "hsu", OFFER, "off:2"), fact(3, "hsu-ar", OFFER, "off:3"), fact(4, "rooms", OFFER, "off:4")]
        assert need_meets_offer(request, offers, topics=topics) == []
        [found] = need_meets_offer(request, offers, topics=topics, broaden=True)
        assert (found.ref, found.topics) == ("off:2", ("hsu-tr",))
        general = [fact(1, "hsu", NEED, "req:1")]
        specific = [fact(2, "hsu-tr", OFFER, "off:2"), fact(3, "hsu-ar", OFFER, "off:3", days_ago=1)]
        assert [(c.ref, c.topics) for c in need_meets_offer(general, specific, topics=topics, broaden=True)] == [
            ("off:3", ("hsu-ar",)), ("off:2", ("hsu-tr",))]

    def test_an_offer_finds_requests_too(self):
        offer = [fact(2, "rooms", OFFER, "off:2")]
        requests = [fact(1, "rooms", NEED, "req:1"), fact(3, "rooms", NEED, "req:3", days_ago=1)]
        assert [c.ref for c in need_meets_offer(offer, requests)] == ["req:3", "req:1"]


def test_facts_dated_in_the_future_do_not_count():
    rule = Rule(13, "Funding", topics=("funding",), polarities=(INT,), min_size=2)
    facts = [fact(1, "funding", INT), fact(2, "funding", INT, days_ago=-1), fact(3, "funding", INT)]
    assert groups(run([assoc(1), assoc(2), assoc(3)], facts, [rule])) == [("Funding", [1, 3])]


def test_repeated_statements_with_different_dates_give_the_same_result_in_any_order():
    associations = [assoc(1), assoc(2)]
    facts = [fact(1, "hsu-tr", days_ago=10), fact(1, "hsu-tr", days_ago=400), fact(2, "hsu-ar"), fact(2, "hsu-ar")]
    rule = Rule(1, "HSU", topics=("hsu",), min_size=2, window_days=500)
    forward, backward = run(associations, facts, [rule]), run(associations, facts[::-1], [rule])
    assert forward == backward
    first = forward.suggestions[0].members[0]
    assert (first.evidence, len(first.facts), first.freshness) == (1, 2, 1.0)
