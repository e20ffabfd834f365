"""A small world for the exchange tests: two associations in town X, one in town Y, their people."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from core.models import Association, Field, User, utcnow
from exchange import services
from exchange.models import Category, PostingKind, Visibility


@dataclass
class World:
    town_x: object
    town_y: object
    a: Association
    b: Association
    c: Association
    rep_a: User
    rep_b: User
    rep_c: User
    coord_x: User
    coord_y: User
    admin: User


def association(factory, town, topics=(), **kwargs):
    # The shared factory's topics= argument autoflushes a half-built association; set topics afterwards.
    created = factory.association(town, **kwargs)
    created.topics = [factory.topic(key) for key in topics]
    factory.db.session.commit()
    return created


@pytest.fixture
def world(factory):
    town_x, town_y = factory.municipality("Musterstadt"), factory.municipality("Andersdorf")
    a = association(factory, town_x, name="Türkischer Elternverein", district="Weststadt", topics=["rooms", "hsu-tr"],
                    field=Field.education, email="info@elternverein.example")
    b = association(factory, town_x, name="Griechische Gemeinde", district="Oststadt", topics=["rooms", "culture"],
                    field=Field.religion)
    c = association(factory, town_y, name="Verein in Andersdorf", district="Mitte", topics=["rooms"])
    return World(
        town_x=town_x, town_y=town_y, a=a, b=b, c=c,
        rep_a=factory.representative(a, name="Ayşe A.", email="rep-a@example.org"),
        rep_b=factory.representative(b, name="Giorgos B.", email="rep-b@example.org", locale="en"),
        rep_c=factory.representative(c, name="Clara C.", email="rep-c@example.org"),
        coord_x=factory.coordinator(town_x, email="coord-x@example.org"),
        coord_y=factory.coordinator(town_y, email="coord-y@example.org"),
        admin=factory.admin(email="admin@example.org"),
    )


def posting_data(factory=None, **overrides):
    data = {
        "kind": PostingKind.request,
        "category": Category.rooms,
        "title": "Raum für Samstagsunterricht gesucht",
        "description": "Wir suchen einen Raum für 20 Kinder, samstags 10–13 Uhr.",
        "district": "",
        "starts_on": None,
        "ends_on": None,
        "weekdays": [5],
        "visibility": Visibility.network,
        "share_contact": False,
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "topics": [],
        "languages": ["tr", "de"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_posting(db, factory):
    """make_posting(rep, **fields) creates a posting through the service and commits."""

    def make(rep, topics=(), now=None, **overrides):
        data = posting_data(**overrides)
        data["topics"] = [factory.topic(key).id for key in topics]
        posting = services.create_posting(rep, rep.association, data, now=now)
        db.session.commit()
        return posting

    return make


@pytest.fixture
def days_ago():
    return lambda n: utcnow() - timedelta(days=n)


@pytest.fixture
def as_user(client):
    """Switch the test client to a user (None: signed out) without paying for a password check each time.
    Signing in through the login form is covered by the core tests and the browser journey."""

    def switch(user):
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session["_user_id"], session["_fresh"] = user.get_id(), True

    return switch
