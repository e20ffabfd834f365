"""Fixtures for the after-chat tests: a chat that already took place, built from the models directly.

Use a fixture in a test module by naming it there: `past_chat = conftest_after.past_chat`.
"""

from datetime import timedelta

import pytest

from core.models import utcnow
from fireside.models import (
    ChatInvitation,
    ChatState,
    FiresideChat,
    InvitationState,
    RsvpAnswer,
    SeatState,
)


def build_past_chat(db, town, days_ago=3, associations=None, answers=None, **fields):
    """A chat of `town` (an FsTown) that began `days_ago` days ago, invitations out, answers given.

    `answers`: per association, (RsvpAnswer, persons); default: the first two accepted with 2 and 1
    persons, the third declined, the fourth did not answer.
    """
    now = utcnow()
    members = associations if associations is not None else town.members
    defaults = [(RsvpAnswer.accept, 2), (RsvpAnswer.accept, 1), (RsvpAnswer.decline, 0), (RsvpAnswer.pending, 0)]
    answers = answers or defaults
    starts_at = (now - timedelta(days=days_ago)).replace(microsecond=0)
    chat = FiresideChat(
        municipality_id=town.municipality.id,
        title=fields.pop("title", "Kamingespräch Räume"),
        host_association_id=members[0].id,
        venue_name="Vereinsheim",
        venue_address="Hauptstraße 1",
        starts_at=starts_at,
        capacity=fields.pop("capacity", 8),
        max_per_association=fields.pop("max_per_association", 2),
        state=fields.pop("state", ChatState.invited),
        invitations_sent_at=starts_at - timedelta(days=14),
        created_by_id=town.coordinator.id,
        **fields,
    )
    db.session.add(chat)
    seats = 0
    for association, (answer, persons) in zip(members, answers, strict=False):
        confirmed = answer is RsvpAnswer.accept
        seats += persons if confirmed else 0
        chat.invitations.append(
            ChatInvitation(
                association_id=association.id,
                state=InvitationState.invited,
                invited_at=chat.invitations_sent_at,
                answer=answer,
                seat_state=SeatState.confirmed if confirmed else SeatState.none,
                persons=persons if confirmed else 0,
                names=[f"Person {n}" for n in range(persons)] if confirmed else [],
            )
        )
    chat.seats_taken = seats
    db.session.commit()
    return chat


@pytest.fixture
def past_chat(db, fs_town):
    return build_past_chat(db, fs_town)


def invitation_of(chat, association):
    return next(i for i in chat.invitations if i.association_id == association.id)
