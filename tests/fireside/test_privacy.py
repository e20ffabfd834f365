"""GDPR hooks: export of an association's fireside data, erasure of names, notes, links and feeds."""

import json

from sqlalchemy import select

from fireside import privacy, services
from fireside.models import CalendarFeed, ChatToken, PollAnswer, RsvpAnswer, SeatState
from fireside.rsvp import answer


def test_export_holds_answers_votes_and_feeds(db, fs_town, invited_chat):
    association = fs_town.associations[0]
    invitation = invited_chat.invitations[0]
    answer(invitation, RsvpAnswer.accept, ["Ayşe Yılmaz"], "Rollstuhl", actor=fs_town.rep(association))
    services.create_feed(association, fs_town.rep(association))
    data = privacy.export_association(association)
    json.dumps(data)  # serialisable
    [row] = data["fireside_invitations"]
    assert row["names"] == ["Ayşe Yılmaz"] and row["note"] == "Rollstuhl" and row["answer"] == "accept"
    assert len(data["fireside_calendar_feeds"]) == 1
    user_data = privacy.export_user(fs_town.rep(association))
    assert user_data["fireside_answers_given"][0]["chat"] == invited_chat.title
    assert user_data["fireside_host_confirmations"][0]["chat"] == invited_chat.title


def test_export_includes_poll_votes(db, fs_town, make_chat):
    from datetime import timedelta

    from core.models import utcnow

    soon = utcnow().replace(microsecond=0) + timedelta(days=5)
    chat = make_chat(starts_at=None, date_options=[soon, soon + timedelta(days=1)])
    services.start_poll(chat, fs_town.coordinator)
    services.vote(chat.invitations[0], {o.id: PollAnswer.yes for o in chat.date_options})
    rows = privacy.export_association(fs_town.associations[0])["fireside_date_votes"]
    assert [r["answer"] for r in rows] == ["yes", "yes"]


def test_erasure_removes_names_notes_links_and_feeds_but_keeps_counts(db, fs_town, invited_chat):
    association = fs_town.associations[0]
    invitation = invited_chat.invitations[0]
    answer(invitation, RsvpAnswer.accept, ["Ayşe", "Mehmet"], "vegetarisch", actor=fs_town.rep(association))
    services.create_feed(association, fs_town.rep(association))
    db.session.commit()
    privacy.erase_association(association, fs_town.coordinator)
    privacy.erase_user(fs_town.rep(association), fs_town.coordinator)
    db.session.commit()
    invitation = db.session.get(type(invitation), invitation.id)
    assert invitation.names == [] and invitation.note == "" and invitation.answered_by_id is None
    assert invitation.persons == 2 and invitation.seat_state is SeatState.confirmed
    assert invited_chat.seats_taken == 2
    assert db.session.scalars(select(ChatToken).where(ChatToken.invitation_id == invitation.id)).all() == []
    assert db.session.scalars(select(CalendarFeed)).all() == []
    assert invited_chat.host_confirmed_by_id is None and invited_chat.host_confirmed_at is not None
