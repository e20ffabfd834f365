"""Fixtures for the fireside tests (shared with the after-chat tests).

`fs_town`: a town with five associations (each with one representative), a coordinator and a
sub-network "Herkunftssprachlicher Unterricht" of the first four; `make_chat(...)` builds a chat
through the services (so it is exactly what the UI would create), optionally with invitations sent.
Fixture names are stable: fs_town, make_chat, invited_chat.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from core.models import Municipality, User, utcnow

#: name -> (district, languages, topics)
FS_PROFILES = {
    "Türkischer Elternverein": ("Weststadt", ["tr", "de"], ["hsu-tr"]),
    "Arabische Schule": ("Weststadt", ["ar", "de"], ["hsu-ar"]),
    "Alevitische Gemeinde": ("Oststadt", ["tr", "de"], ["hsu-tr"]),
    "Italienischer Kreis": ("Oststadt", ["it", "de"], ["hsu-it"]),
    "Sportverein": ("Weststadt", ["de"], ["sport"]),
}


@dataclass
class FsTown:
    municipality: Municipality
    associations: list
    reps: dict  # association id -> representative User
    coordinator: User
    network: object
    other_town: Municipality = None
    other_coordinator: User = None
    extra: dict = field(default_factory=dict)

    def rep(self, association):
        return self.reps[association.id]

    @property
    def members(self):
        """The four sub-network members (host first)."""
        return self.associations[:4]


@pytest.fixture
def fs_town(db, factory):
    from matching import services as matching_services

    municipality = factory.municipality("Kaminstadt", office_email="buero@kaminstadt.example.org",
                                        office_name="Koordinierungsstelle Kaminstadt")
    associations, reps = [], {}
    for index, (name, (district, languages, topics)) in enumerate(FS_PROFILES.items(), start=1):
        association = factory.association(municipality, name, languages=languages, district=district)
        association.topics = [factory.topic(key) for key in topics]
        db.session.commit()
        associations.append(association)
        reps[association.id] = factory.representative(association, email=f"rep{index}@verein.example.org",
                                                      locale="en" if index % 2 else "de")
    coordinator = factory.coordinator(municipality, email="koord@kaminstadt.example.org", locale="en")
    network = matching_services.create_network(
        municipality.id, {"name": "Herkunftssprachlicher Unterricht", "topic_keys": ["hsu"]}, coordinator)
    for association in associations[:4]:
        matching_services.add_member(network, association, "Unterrichtet Herkunftssprache", coordinator)
    db.session.commit()
    other = factory.municipality("Anderstadt")
    other_coordinator = factory.coordinator(other, email="koord@anderstadt.example.org")
    return FsTown(municipality, associations, reps, coordinator, network, other, other_coordinator)


def chat_data(town, **overrides):
    """Valid create/edit data (plain Python values, as the form's `chat_data()` returns them)."""
    data = {
        "title": "Kamingespräch Herkunftssprachen",
        "topic_keys": ["hsu"],
        "description": "Wie geht es weiter mit dem Unterricht?",
        "agenda": "1. Runde\n2. Räume",
        "host_association_id": town.associations[0].id,
        "venue_name": "Vereinsheim",
        "venue_address": "Hauptstraße 1, 71634 Kaminstadt",
        "online_url": "",
        "accessibility_notes": "Erdgeschoss, stufenlos",
        "languages": ["de", "tr"],
        "starts_at": (utcnow() + timedelta(days=14)).replace(hour=16, minute=0, second=0, microsecond=0),
        "duration_minutes": 120,
        "capacity": 6,
        "max_per_association": 2,
        "rsvp_cutoff_at": None,
        "date_options": [],
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_chat(db, fs_town):
    """make_chat(send=False, associations=None, **fields) -> FiresideChat (committed)."""
    from fireside import services

    def build(send=False, associations=None, confirm_host=True, **overrides):
        town = fs_town
        members = associations if associations is not None else town.members
        data = chat_data(town, **overrides)
        chat = services.create_chat(town.municipality, data, members, town.coordinator,
                                    sub_network=town.network if associations is None else None)
        if confirm_host and chat.host_association_id:
            services.confirm_host(chat, town.reps[chat.host_association_id])
        if send:
            services.send_invitations(chat, town.coordinator)
        db.session.commit()
        return chat

    return build


@pytest.fixture
def invited_chat(make_chat):
    """A chat for the four sub-network members with invitations sent (capacity 6, 2 per association)."""
    return make_chat(send=True)
