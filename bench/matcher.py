"""Benchmark of the matcher: 1,000 / 10,000 / 50,000 associations with about 10 facts each and 30 rules.

Prints the engine's time per size beside a naive all-pairs implementation that is kept here only as a
reference: it forms the same groups by comparing every pair of associations, then hands each group to the
engine's own per-group step. On the smallest size both must give exactly the same suggestions; on larger
sizes the all-pairs loop is timed on a sample of pairs and extrapolated (marked "est.").

    .venv/bin/python bench/matcher.py [--sizes 1000,10000,50000] [--repeat 3]

Not a test: it measures, it does not assert a time.
"""

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matching import engine  # noqa: E402
from matching.engine import (  # noqa: E402
    AssociationInfo,
    Fact,
    Partition,
    Polarity,
    Rule,
    RuleKind,
    TopicGrouping,
    TopicInfo,
)

TODAY = date(2026, 11, 21)
LANGUAGES = "tr ar ru uk fa it el hr pl ku sq es pt ro bs sr fr en ti so vi ta ps".split()
PROFILE_POLARITY = {"activities": Polarity.activity, "languages": Polarity.activity,
                    "target_groups": Polarity.interest, "resources": Polarity.interest}


def vocabulary():
    """The starter vocabulary's shape: 29 topics in 4 categories, 13 heritage-language sub-topics."""
    from core.topics import STARTER_TOPICS

    return [TopicInfo(key, parent, category.value, names["de"]) for key, category, parent, names, _ in STARTER_TOPICS]


def generate(count, topics, seed=2026):
    """Associations with about 10 facts: a profile (4–6 topics) and 4–6 survey answers or postings."""
    rng = random.Random(seed)
    districts = [f"Stadtteil {n}" for n in range(max(12, count // 250))]
    resources = [t.key for t in topics if t.category == "resources"]
    weights = [3.0 if t.key in ("rooms", "funding", "hsu") or t.parent == "hsu" else 1.0 for t in topics]
    associations, facts = [], []
    for aid in range(1, count + 1):
        languages = tuple(rng.sample(LANGUAGES, rng.randint(1, 3))) + ("de",)
        associations.append(AssociationInfo(aid, f"Verein {aid:06d}", rng.choice(districts) if rng.random() > 0.1 else "",
                                            languages, rng.random() > 0.03))
        profile_on = TODAY - timedelta(days=rng.randint(0, 900))
        for topic in set(rng.choices(topics, weights, k=rng.randint(4, 6))):
            facts.append(Fact(aid, topic.key, PROFILE_POLARITY[topic.category], "profile", f"profile:{aid}", profile_on))
        for n in range(rng.randint(4, 6)):
            source = "survey" if n % 2 else "posting"
            key = rng.choice(resources) if rng.random() < 0.7 else rng.choices(topics, weights)[0].key
            polarity = rng.choice((Polarity.need, Polarity.need, Polarity.offer, Polarity.interest))
            facts.append(Fact(aid, key, polarity, source, f"{source}:{aid}:{n}", TODAY - timedelta(days=rng.randint(0, 900))))
    return associations, facts


def rules_for(topics):
    """30 rules of every kind, grouping and partition, like a busy coordination office might keep."""
    roots = [t.key for t in topics if t.parent is None]
    rules, number = [], 0

    def add(**kwargs):
        nonlocal number
        number += 1
        rules.append(Rule(id=number, name=f"Regel {number}", **kwargs))

    add(topics=("hsu",), grouping=TopicGrouping.parent, polarities=(Polarity.activity, Polarity.offer), min_size=3, max_size=60)
    add(topics=("hsu",), grouping=TopicGrouping.each, min_size=2, max_size=20)
    add(topics=("hsu",), partition=Partition.language, ignored_languages=("de",), min_size=3, max_size=15)
    add(topics=("rooms",), polarities=(Polarity.interest, Polarity.need, Polarity.offer), partition=Partition.district,
        min_size=2, max_size=8, window_days=365)
    add(kind=RuleKind.need_offer, topics=("rooms",), min_size=2, max_size=10, window_days=365)
    add(kind=RuleKind.need_offer, topics=("rooms",), partition=Partition.district, min_size=2, max_size=10)
    add(topics=("funding",), polarities=(Polarity.interest, Polarity.need), min_size=3, max_size=15, min_facts=2)
    add(kind=RuleKind.need_offer, categories=("resources",), grouping=TopicGrouping.each, min_size=2, max_size=10)
    add(kind=RuleKind.need_offer, categories=("resources",), grouping=TopicGrouping.each,
        partition=Partition.district, min_size=2, max_size=10)
    add(categories=("target_groups",), grouping=TopicGrouping.each, partition=Partition.district,
        polarities=(Polarity.interest,), min_size=3, max_size=12)
    add(categories=("activities",), grouping=TopicGrouping.each, partition=Partition.language,
        ignored_languages=("de",), polarities=(Polarity.activity,), min_size=3, max_size=12)
    add(topics=("children", "families"), grouping=TopicGrouping.all, partition=Partition.language,
        ignored_languages=("de",), min_size=3, max_size=12)
    while len(rules) < 30:
        key = roots[len(rules) % len(roots)]
        add(topics=(key,), polarities=(Polarity.activity, Polarity.interest, Polarity.need, Polarity.offer),
            partition=(Partition.none, Partition.district, Partition.language)[len(rules) % 3],
            ignored_languages=("de",), min_size=3, max_size=15, min_facts=1 + len(rules) % 2)
    return rules


# --------------------------------------------------------------------------- the naive reference


def naive_suggest(associations, facts, rules, topics, pair_budget=None):
    """All pairs of associations are compared to form the groups; returns (result, pairs compared, total pairs).

    With `pair_budget`, only that many pairs per rule are compared and the result is incomplete: the time
    is then extrapolated by the caller.
    """
    members = {a.id: a for a in associations}
    topic_map = {t.key: t for t in topics}
    index, held_back = engine._index_facts(facts, members, TODAY)
    context = engine._Context(members, topic_map, index, [], [], {})
    ids = sorted(members)
    total_pairs = len(ids) * (len(ids) - 1) // 2
    compared, suggestions = 0, []
    for rule in sorted(rules, key=lambda r: r.id):
        groups, _problems = engine.resolve_topics(rule, topic_map)
        entries = _entries_by_association(rule, context, groups)
        keys = {aid: set(by_key) for aid, by_key in entries.items()}
        buckets = defaultdict(set)
        budget = pair_budget
        for position, first in enumerate(ids):
            mine = keys.get(first)
            for second in ids[position + 1:]:
                compared += 1
                if mine:
                    theirs = keys.get(second)
                    if theirs:
                        for key in mine & theirs:
                            buckets[key].update((first, second))
                if budget is not None:
                    budget -= 1
                    if budget == 0:
                        break
            if budget == 0:
                break
        suggestions += _suggestions_from_buckets(rule, context, groups, buckets, entries)
    suggestions.sort(key=lambda s: (-s.score, s.rule_id, s.group_key, s.network_id or 0))
    return engine.Result(tuple(suggestions), held_back, ()), compared, total_pairs * len(rules)


def _entries_by_association(rule, context, groups):
    """Association -> (group, partition) -> [(fact, age)], the same filtering as the engine."""
    polarities = (Polarity.need, Polarity.offer) if rule.kind is RuleKind.need_offer else tuple(dict.fromkeys(rule.polarities))
    if rule.partition is Partition.district:
        parts_of = context.districts
    elif rule.partition is Partition.language:
        parts_of = context.languages(tuple(sorted(rule.ignored_languages)))
    else:
        parts_of = defaultdict(lambda: ("",))
    entries = defaultdict(lambda: defaultdict(list))
    for topic, group in groups.items():
        for polarity in polarities:
            for aid, age, fact in context.index.get((topic, polarity), ((), ()))[1]:
                if 0 <= age <= rule.window_days:
                    for part in parts_of.get(aid, ()) if rule.partition is not Partition.none else ("",):
                        entries[aid][(group, part)].append((aid, age, fact))
    return entries


def _suggestions_from_buckets(rule, context, groups, buckets, entries):
    topics_of = defaultdict(list)
    for topic, group in sorted(groups.items()):
        topics_of[group].append(topic)
    weights = [round(engine._weight(age, rule.window_days), 3) for age in range(rule.window_days + 1)]
    found, seen = [], set()
    for group, part in sorted(buckets):
        sides = defaultdict(lambda: defaultdict(list))
        for aid in sorted(buckets[(group, part)]):
            for entry in entries[aid][(group, part)]:
                sides[entry[2].polarity][aid].append(entry)
        suggestion = engine._bucket_suggestion(rule, context, group, tuple(topics_of[group]), part,
                                               {p: dict(d) for p, d in sides.items()}, weights)
        if suggestion is None or (suggestion.network_id, suggestion.member_ids) in seen:
            continue
        seen.add((suggestion.network_id, suggestion.member_ids))
        found.append(suggestion)
    return found


# --------------------------------------------------------------------------- running


def timed(function, repeat):
    """Best CPU time of `repeat` runs (process time: other processes on the machine do not count)."""
    times, result = [], None
    for _ in range(repeat):
        started = time.process_time()
        result = function()
        times.append(time.process_time() - started)
    return min(times), result


def calibration():
    """CPU seconds of a fixed 1M-step dict/list loop, to compare machines and moments of load."""
    started, counts = time.process_time(), {}
    for number in range(1_000_000):
        found = counts.get(number % 5000)
        if found is None:
            counts[number % 5000] = [number]
        else:
            found.append(number)
    return time.process_time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=3, help="engine runs per size (the best is shown)")
    parser.add_argument("--full-pairs", type=int, default=20_000_000,
                        help="run the all-pairs reference completely up to this many pair comparisons")
    parser.add_argument("--pair-sample", type=int, default=3_000_000,
                        help="above that, compare this many pairs and extrapolate")
    args = parser.parse_args()
    topics, sizes = vocabulary(), [int(s) for s in args.sizes.split(",")]
    rules = rules_for(topics)
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{len(rules)} rules, {len(topics)} topics; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs, "
          f"load average {load}; calibration loop {min(calibration() for _ in range(3)):.3f} s CPU")
    print(f"engine: best CPU time of {args.repeat} runs; all-pairs: one run, or extrapolated from a sample (est.)")
    print(f"{'associations':>12} {'facts':>9} {'suggestions':>11} {'engine s':>9} {'µs/fact':>8} {'all-pairs s':>14}")
    previous = None
    for size in sizes:
        associations, facts = generate(size, topics)
        seconds, result = timed(
            lambda associations=associations, facts=facts: engine.suggest(
                associations, facts, rules, topics=topics, today=TODAY),
            args.repeat)
        naive = _naive_column(associations, facts, rules, topics, result, args)
        print(f"{size:>12,} {len(facts):>9,} {len(result.suggestions):>11,} {seconds:>9.3f} "
              f"{seconds / len(facts) * 1e6:>8.2f} {naive:>14}")
        if previous:
            print(f"{'':>12} ×{len(facts) / previous[0]:.1f} facts -> ×{seconds / previous[1]:.1f} engine time")
        previous = (len(facts), seconds)


def _naive_column(associations, facts, rules, topics, engine_result, args):
    total = len(associations) * (len(associations) - 1) // 2 * len(rules)
    if total <= args.full_pairs:
        seconds, (result, _compared, _total) = timed(lambda: naive_suggest(associations, facts, rules, topics), 1)
        if result.suggestions != engine_result.suggestions:
            raise SystemExit("the all-pairs reference and the engine disagree")
        return f"{seconds:.2f} (same)"
    seconds, (_result, compared, total) = timed(
        lambda: naive_suggest(associations, facts, rules, topics, pair_budget=max(1, args.pair_sample // len(rules))), 1)
    return f"{seconds * total / compared:,.0f} est."


if __name__ == "__main__":
    main()
