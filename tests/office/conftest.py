"""Fixtures for the office's desk: two towns, associations, people, and consultations logged through the service.

Reusable by every office test (dashboard, advice log, handover, report):

    def test_something(office_world, client, auth):
        w = office_world
        w.consult(w.a, topics=["funding"], minutes_spent=45, held_on=date(2026, 3, 1))
        auth.login_as(w.coordinator)
"""

from datetime import timedelta

import pytest

from core.models import Field
from office import services
from office.models import ConsultationFormat
from surveys.models import local_today


def consultation_values(**overrides):
    """Valid service values for a consultation; override what the test is about."""
    values = {
        "held_on": local_today() - timedelta(days=3),
        "topics": ["funding"],
        "format": ConsultationFormat.in_person,
        "minutes_spent": 45,
        "summary": "Förderantrag besprochen",
        "outcome": "Antrag wird gestellt",
        "next_step": "",
        "next_step_due": None,
        "internal_notes": "",
    }
    values.update(overrides)
    if isinstance(values["format"], str):
        values["format"] = ConsultationFormat(values["format"])
    return values


def form_data(association_id, **overrides):
    """What the consultation form posts (strings, as a browser sends them)."""
    data = {
        "association_id": str(association_id),
        "held_on": (local_today() - timedelta(days=1)).isoformat(),
        "topics": ["funding"],
        "format": "phone",
        "minutes_spent": "30",
        "summary": "Förderantrag für das Sommerfest",
        "outcome": "Unterlagen sind vollständig",
        "next_step": "",
        "next_step_due": "",
        "internal_notes": "",
    }
    data.update(overrides)
    return data


class OfficeWorld:
    """Town X (associations A, B) with coordinator and representatives; town Y (association C) with its own."""

    def __init__(self, db, factory):
        self.db, self.factory = db, factory
        f = factory
        self.town = f.municipality("Stadt X")
        self.town_y = f.municipality("Stadt Y")
        self.a = f.association(self.town, "Türkischer Elternverein", field=Field.education, listed=True,
                               email="info@elternverein.example", phone="07141 123456")
        self.b = f.association(self.town, "Griechische Gemeinde", field=Field.religion,
                               email="kontakt@gemeinde.example")
        self.c = f.association(self.town_y, "Kulturverein Y", field=Field.culture)
        # English interface, so tests read the msgids.
        self.coordinator = f.coordinator(self.town, email="koordination@x.example", name="Kora Koordination",
                                         locale="en")
        self.coordinator_y = f.coordinator(self.town_y, email="koordination@y.example", locale="en")
        self.rep_a = f.representative(self.a, email="rep-a@x.example", name="Aylin Demir", locale="en")
        self.rep_b = f.representative(self.b, email="rep-b@x.example", locale="en")
        self.rep_c = f.representative(self.c, email="rep-c@y.example", locale="en")
        self.admin = f.admin(email="admin@example.org", locale="en")

    def consult(self, association, actor=None, **overrides):
        consultation = services.create_consultation(
            actor or self.coordinator, association, consultation_values(**overrides)
        )
        self.db.session.commit()
        return consultation


@pytest.fixture
def office_world(db, factory):
    return OfficeWorld(db, factory)


@pytest.fixture
def today():
    return local_today()


@pytest.fixture
def a_year_ago(today):
    return today - timedelta(days=365)

