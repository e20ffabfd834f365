"""A posting draft made from a follow-up stays out of everything others see until its association publishes it."""

from datetime import timedelta

import pytest

from core.models import utcnow
from exchange import matches, queries, services
from exchange.board import BoardFilters, board_conditions, paginate, public_conditions
from exchange.models import Category, PostingKind, PostingState, Visibility
from exchange.services import ExchangeError


def _data(**overrides):
    data = {
        "kind": PostingKind.request,
        "category": Category.rooms,
        "title": "Zwei Klassenräume gesucht",
        "description": "Samstags, für den Herkunftssprachenunterricht.",
        "visibility": Visibility.public,
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft(db, fs_town):
    owner = fs_town.members[0]
    posting = services.create_draft(fs_town.coordinator, owner, _data())
    db.session.commit()
    return posting


def test_draft_is_nowhere_but_in_the_own_list(db, fs_town, draft):
    now = utcnow()
    neighbour = fs_town.members[1]
    offer = services.create_posting(fs_town.rep(neighbour), neighbour, _data(kind=PostingKind.offer, title="Raum frei"))
    db.session.commit()
    assert draft.state is PostingState.draft and draft.association_id == fs_town.members[0].id
    board = paginate(board_conditions(fs_town.rep(neighbour), BoardFilters(), now), 1, 50, 100).items
    public = paginate(public_conditions(BoardFilters(), now), 1, 50, 100).items
    assert draft not in board and draft not in public and offer in board
    assert draft not in [c.item.payload for c in matches.counterparts_for(offer, now)]
    assert draft not in queries.due_to_expire(draft.expires_at + timedelta(days=1))
    assert draft not in queries.due_for_reminder(now, draft.expires_at + timedelta(days=1))
    assert draft not in queries.digest_postings(neighbour, now - timedelta(days=7), now + timedelta(minutes=1))
    assert queries.figures([fs_town.municipality.id]).requests == 0
    own = db.session.scalars(queries.own_postings(fs_town.members[0].id)).all()
    assert own == [draft]


def test_draft_cannot_be_fulfilled_renewed_or_answered_and_publishes_once(db, fs_town, draft):
    owner_rep, other_rep = fs_town.rep(fs_town.members[0]), fs_town.rep(fs_town.members[1])
    with pytest.raises(ExchangeError):
        services.mark_fulfilled(owner_rep, draft)
    with pytest.raises(ExchangeError):
        services.renew(owner_rep, draft)
    with pytest.raises(ExchangeError):
        services.change_state(owner_rep, draft, PostingState.in_progress)
    with pytest.raises(ExchangeError):
        services.reply(other_rep, draft, "Hallo")
    created = draft.created_at
    published = services.publish(owner_rep, draft, now=created + timedelta(days=3))
    assert published.state is PostingState.open and published.created_at == created + timedelta(days=3)
    assert published.expires_at > published.created_at
    with pytest.raises(ExchangeError):
        services.publish(owner_rep, draft)


def test_unwanted_draft_can_be_withdrawn_by_its_association(db, fs_town, draft):
    services.change_state(fs_town.rep(fs_town.members[0]), draft, PostingState.withdrawn)
    assert draft.state is PostingState.withdrawn
    with pytest.raises(ExchangeError):
        services.publish(fs_town.rep(fs_town.members[0]), draft)
