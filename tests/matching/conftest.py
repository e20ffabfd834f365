"""A small town for the matching tests: heritage-language associations, rooms, a coordinator."""

from dataclasses import dataclass

import pytest

from core.models import Municipality, User


@dataclass
class Town:
    municipality: Municipality
    associations: dict
    coordinator: User

    def __getitem__(self, name):
        return self.associations[name]


#: name -> (district, languages, profile topics)
PROFILES = {
    "Türkischer Elternverein": ("Weststadt", ["tr", "de"], ["hsu-tr", "children", "rooms"]),
    "Arabische Schule": ("Weststadt", ["ar", "de"], ["hsu-ar", "rooms"]),
    "Alevitische Gemeinde": ("Oststadt", ["tr", "de"], ["hsu-tr", "faith"]),
    "Italienischer Kreis": ("Oststadt", ["it", "de"], ["hsu-it", "culture"]),
    "Sportverein": ("Weststadt", ["de"], ["sport", "youth", "rooms"]),
}


def make_association(factory, municipality, name, topics=(), **kwargs):
    """factory.association with topics (its own `topics=` autoflushes a half-built association and warns)."""
    association = factory.association(municipality, name, **kwargs)
    association.topics = [factory.topic(key) for key in topics]
    factory.db.session.commit()
    return association


@pytest.fixture
def town(factory):
    municipality = factory.municipality("Stadt X")
    associations = {
        name: make_association(factory, municipality, name, topics, languages=languages, district=district)
        for name, (district, languages, topics) in PROFILES.items()
    }
    return Town(municipality, associations, factory.coordinator(municipality, email="koord-x@example.org", locale="en"))


@pytest.fixture
def hsu_rule(db, town):
    """A heritage-language rule for the town (the defaults are not installed)."""
    from matching.engine import Partition, RuleKind, TopicGrouping
    from matching.models import MatchRule

    rule = MatchRule(
        municipality_id=town.municipality.id, name="Herkunftssprachlicher Unterricht", kind=RuleKind.shared_topic,
        topic_keys=["hsu"], categories=[], include_subtopics=True, grouping=TopicGrouping.parent,
        polarities=["activity", "interest", "offer"], partition=Partition.none, ignored_languages=[],
        min_size=3, max_size=10, min_facts=1, window_days=730, is_active=True,
    )
    db.session.add(rule)
    db.session.commit()
    return rule
