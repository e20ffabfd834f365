"""The counterpart rules, on plain data (no app, no database)."""

from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from exchange.counterparts import Item, Reason, compare, dates_overlap, find_counterparts, shared_topics

PARENTS = {"hsu-tr": "hsu", "hsu-ar": "hsu"}


def item(id, kind="offer", association=1, category="rooms", topics=(), **kwargs):
    return Item(id=id, kind=kind, association_id=association, category=category, topics=frozenset(topics), **kwargs)


def test_a_room_offer_meets_a_room_request_with_the_reason_named():
    request = item("r", "request", 1, district="Weststadt", weekdays=frozenset({5}))
    offer = item("o", "offer", 2, topics={"rooms"}, district="Weststadt", weekdays=frozenset({5, 6}))
    found = find_counterparts(request, [offer])
    assert [c.item.id for c in found] == ["o"]
    assert found[0].reason == Reason(category="rooms", topics=(), weekdays=(5,), district="Weststadt")


def test_same_kind_and_own_association_are_never_counterparts():
    request = item("r", "request", 1)
    assert compare(request, item("r2", "request", 2)) is None
    assert compare(request, item("o", "offer", 1)) is None


def test_a_shared_topic_is_enough_without_the_same_category():
    request = item("r", "request", 1, category="volunteers", topics={"homework-help"})
    offer = item("o", "offer", 2, category="knowhow", topics={"homework-help", "digital"})
    match = compare(request, offer)
    assert match is not None and match.reason.category is None and match.reason.topics == ("homework-help",)


def test_neither_category_nor_topic_shared_is_no_match():
    assert compare(item("r", "request", 1, topics={"rooms"}), item("o", "offer", 2, category="transport", topics={"sport"})) is None


def test_a_target_group_alone_is_no_reason_but_counts_with_a_real_one():
    request = item("r", "request", 1, category="rooms", topics={"children"})
    reader = item("o1", "offer", 2, category="other", topics={"children", "seniors"})
    assert compare(request, reader, context_topics={"children", "seniors"}) is None
    room = item("o2", "offer", 3, category="rooms", topics={"children"})
    match = compare(request, room, context_topics={"children"})
    assert match.reason.topics == ("children",)


def test_a_sub_topic_meets_its_parent_and_the_specific_one_is_named():
    request = item("r", "request", 1, category="knowhow", topics={"hsu-tr"})
    offer = item("o", "offer", 2, category="other", topics={"hsu"})
    assert shared_topics(request, offer, PARENTS) == ("hsu-tr",)
    assert compare(request, offer, PARENTS).reason.topics == ("hsu-tr",)
    # Two different languages under the same parent do not meet each other.
    sibling = item("s", "offer", 3, category="other", topics={"hsu-ar"})
    assert compare(request, sibling, PARENTS) is None


def test_date_ranges_must_overlap_and_open_ends_overlap_everything():
    spring = item("a", starts_on=date(2027, 3, 1), ends_on=date(2027, 4, 30))
    summer = item("b", starts_on=date(2027, 6, 1), ends_on=date(2027, 8, 31))
    ongoing = item("c")
    from_may = item("d", starts_on=date(2027, 5, 1))
    assert not dates_overlap(spring, summer)
    assert dates_overlap(spring, ongoing) and dates_overlap(summer, ongoing)
    assert dates_overlap(summer, from_may) and not dates_overlap(spring, from_may)
    request = item("r", "request", 1, starts_on=date(2027, 3, 1), ends_on=date(2027, 4, 30))
    assert compare(request, item("o", "offer", 2, starts_on=date(2027, 6, 1))) is None


def test_weekdays_must_share_a_day_unless_one_side_takes_any_day():
    saturday = item("r", "request", 1, weekdays=frozenset({5}))
    assert compare(saturday, item("o1", "offer", 2, weekdays=frozenset({0, 1}))) is None
    anyday = compare(saturday, item("o2", "offer", 2))
    assert anyday is not None and anyday.reason.weekdays == ()


def test_districts_must_match_unless_one_is_anywhere_in_town():
    west = item("r", "request", 1, district="Weststadt")
    assert compare(west, item("o1", "offer", 2, district="Oststadt")) is None
    anywhere = compare(west, item("o2", "offer", 2, district=""))
    assert anywhere is not None and anywhere.reason.district == ""


def test_ranking_prefers_more_in_common_then_newer():
    request = item("r", "request", 1, topics={"rooms", "children"}, district="Weststadt", weekdays=frozenset({5}))
    plain = item("plain", "offer", 2, created_at=datetime(2027, 1, 5))
    rich = item("rich", "offer", 3, topics={"rooms", "children"}, district="Weststadt", weekdays=frozenset({5}),
                created_at=datetime(2027, 1, 1))
    newer_plain = item("newer", "offer", 4, created_at=datetime(2027, 1, 9))
    found = find_counterparts(request, [plain, rich, newer_plain])
    assert [c.item.id for c in found] == ["rich", "newer", "plain"]
    assert found[0].score > found[1].score


def test_limit_and_no_limit():
    request = item("r", "request", 1)
    offers = [item(n, "offer", n + 2) for n in range(15)]
    assert len(find_counterparts(request, offers)) == 10
    assert len(find_counterparts(request, offers, limit=None)) == 15
    assert find_counterparts(request, []) == []


# --- The board finds its candidates through the matcher's index (need_meets_offer), never every pair.
# The property: whatever the input, that gives exactly what comparing every pair would give.

_items = st.builds(
    item,
    id=st.integers(0, 10_000),
    kind=st.sampled_from(["offer", "request"]),
    association=st.integers(1, 6),
    category=st.sampled_from([None, "rooms", "volunteers", "knowhow"]),
    topics=st.sets(st.sampled_from(["hsu", "hsu-tr", "hsu-ar", "rooms", "children", "digital"]), max_size=3),
    district=st.sampled_from(["", "Weststadt", "Oststadt"]),
    weekdays=st.frozensets(st.integers(0, 6), max_size=3),
    starts_on=st.sampled_from([None, date(2025, 1, 1), date(2025, 6, 1)]),
    ends_on=st.sampled_from([None, date(2025, 3, 1), date(2025, 12, 31)]),
    created_at=st.sampled_from([None, datetime(2025, 1, 1), datetime(2025, 2, 1)]),
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(wanted=_items, candidates=st.lists(_items, max_size=25, unique_by=lambda i: i.id))
def test_the_index_finds_exactly_what_comparing_every_pair_finds(wanted, candidates):
    context = {"children"}
    every_pair = [c for c in (compare(wanted, other, PARENTS, context) for other in candidates) if c is not None]
    every_pair.sort(key=lambda c: (-c.score, -(c.item.created_at.timestamp() if c.item.created_at else 0.0),
                                   str(c.item.id)))
    assert find_counterparts(wanted, candidates, PARENTS, None, context) == every_pair

