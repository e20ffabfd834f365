"""Answers, seats and the waitlist: never overbooked, promoted in order, changes until the cut-off."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import OutboxMail, utcnow
from fireside import rsvp, services
from fireside.models import ChatInvitation, FiresideChat, RsvpAnswer, SeatState
from fireside.rsvp import RsvpError, answer

ACCEPT, DECLINE, MAYBE = RsvpAnswer.accept, RsvpAnswer.decline, RsvpAnswer.maybe


def subjects_to(db, address):
    return [m.subject for m in db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == address))]


@pytest.fixture
def small_chat(make_chat):
    """Capacity 3, at most 2 per association, invitations sent to four associations."""
    return make_chat(send=True, capacity=3, max_per_association=2)


def test_accept_takes_seats_and_decline_gives_them_back(db, small_chat):
    first = small_chat.invitations[0]
    assert answer(first, ACCEPT, ["Ayşe", "Mehmet"], "vegetarisch") is SeatState.confirmed
    assert small_chat.seats_taken == 2 and first.persons == 2 and first.names == ["Ayşe", "Mehmet"]
    assert answer(first, ACCEPT, ["Ayşe"]) is SeatState.confirmed
    assert small_chat.seats_taken == 1
    assert answer(first, DECLINE) is SeatState.none
    assert small_chat.seats_taken == 0 and first.names == [] and first.persons == 0


def test_maybe_holds_no_seat(db, small_chat):
    assert answer(small_chat.invitations[0], MAYBE, ["Vielleicht Jemand"]) is SeatState.none
    assert small_chat.seats_taken == 0


def test_full_chat_puts_the_next_on_the_waitlist_and_promotes_in_order(db, fs_town, small_chat):
    a, b, c, d = small_chat.invitations
    answer(a, ACCEPT, ["A1", "A2"])
    assert answer(b, ACCEPT, ["B1", "B2"]) is SeatState.waitlisted  # one seat left, two asked for
    assert answer(c, ACCEPT, ["C1"]) is SeatState.confirmed  # fits the last seat
    assert answer(d, ACCEPT, ["D1"]) is SeatState.waitlisted
    assert small_chat.seats_taken == 3
    assert b.waitlisted_at <= d.waitlisted_at
    # C declines: one seat free, but B (first in line) needs two: strict order, nobody moves yet.
    answer(c, DECLINE)
    assert b.seat_state is SeatState.waitlisted and d.seat_state is SeatState.waitlisted
    # A declines: three seats free; B moves up, then D.
    answer(a, DECLINE)
    db.session.refresh(b), db.session.refresh(d)
    assert b.seat_state is SeatState.confirmed and d.seat_state is SeatState.confirmed
    assert b.promoted_at is not None and small_chat.seats_taken == 3
    promoted = subjects_to(db, fs_town.rep(b.association).email)
    assert any("seat is free" in s or "Platz" in s for s in promoted), promoted


def test_raising_capacity_promotes_the_waitlist(db, fs_town, small_chat):
    a, b = small_chat.invitations[:2]
    answer(a, ACCEPT, ["A1", "A2"])
    answer(b, ACCEPT, ["B1", "B2"])
    assert b.seat_state is SeatState.waitlisted
    services.update_chat(small_chat, {"capacity": 4}, fs_town.coordinator)
    db.session.refresh(b)
    assert b.seat_state is SeatState.confirmed and small_chat.seats_taken == 4


def test_withdrawing_a_confirmed_association_promotes_the_next(db, fs_town, small_chat):
    a, b = small_chat.invitations[:2]
    answer(a, ACCEPT, ["A1", "A2"])
    answer(b, ACCEPT, ["B1", "B2"])
    services.withdraw_invitee(a, fs_town.coordinator)
    db.session.refresh(b)
    assert b.seat_state is SeatState.confirmed and small_chat.seats_taken == 2


def test_more_persons_than_free_keeps_the_old_seats(db, small_chat):
    a, b = small_chat.invitations[:2]
    answer(a, ACCEPT, ["A1"])
    answer(b, ACCEPT, ["B1", "B2"])
    db.session.commit()
    with pytest.raises(RsvpError) as raised:
        answer(a, ACCEPT, ["A1", "A2"])
    assert raised.value.field == "names"
    db.session.rollback()
    db.session.refresh(a)
    assert a.persons == 1 and a.seat_state is SeatState.confirmed


def test_too_many_names_and_no_names_are_refused(db, small_chat):
    with pytest.raises(RsvpError, match="höchstens 2 Personen"):
        answer(small_chat.invitations[0], ACCEPT, ["A", "B", "C"])
    with pytest.raises(RsvpError, match="mindestens eine Person"):
        answer(small_chat.invitations[0], ACCEPT, ["  "])
    assert small_chat.seats_taken == 0


def test_no_answers_after_the_cut_off(db, fs_town, make_chat):
    chat = make_chat(send=True, rsvp_cutoff_at=utcnow() + timedelta(days=1))
    invitation = chat.invitations[0]
    answer(invitation, ACCEPT, ["A"])
    with pytest.raises(RsvpError, match="Antwortfrist"):
        answer(invitation, DECLINE, now=utcnow() + timedelta(days=2))
    assert rsvp.can_answer(invitation) and not rsvp.can_answer(invitation, utcnow() + timedelta(days=2))


def test_no_answers_before_the_invitations_or_when_withdrawn(db, fs_town, make_chat):
    draft = make_chat()
    with pytest.raises(RsvpError):
        answer(draft.invitations[0], ACCEPT, ["A"])
    chat = make_chat(send=True)
    services.withdraw_invitee(chat.invitations[0], fs_town.coordinator)
    with pytest.raises(RsvpError, match="nicht mehr zu diesem Kamingespräch eingeladen"):
        answer(chat.invitations[0], ACCEPT, ["A"])


def test_two_associations_accepting_the_last_seat_at_once(app, db, fs_town, make_chat):
    """Two threads, two connections, one seat: exactly one gets it, the other waits (SQLite and PostgreSQL)."""
    chat = make_chat(send=True, capacity=3, max_per_association=2)
    answer(chat.invitations[0], ACCEPT, ["A1", "A2"])
    db.session.commit()
    contenders = [chat.invitations[1].id, chat.invitations[2].id]
    barrier, results, errors = threading.Barrier(2), {}, []

    def accept(invitation_id):
        with app.app_context():
            try:
                invitation = db.session.get(ChatInvitation, invitation_id)
                assert invitation.chat.capacity == 3  # loaded before the race
                barrier.wait(timeout=10)
                results[invitation_id] = answer(invitation, ACCEPT, ["Eine Person"])
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=accept, args=(i,)) for i in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(s.value for s in results.values()) == ["confirmed", "waitlisted"]
    db.session.expire_all()
    assert db.session.get(FiresideChat, chat.id).seats_taken == 3
