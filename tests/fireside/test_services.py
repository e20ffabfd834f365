"""Fireside services: creating, the date poll, invitations, the list after sending, cancelling."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.models import OutboxMail, utcnow
from fireside import services
from fireside.models import ChatOrigin, ChatState, ChatToken, InvitationState, PollAnswer, RsvpAnswer, SeatState
from fireside.rsvp import answer
from tests.fireside.conftest import chat_data


def mails(db, to=None):
    query = select(OutboxMail).order_by(OutboxMail.id)
    if to:
        query = query.where(OutboxMail.to_addr == to)
    return db.session.scalars(query).all()


def actions(db):
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_create_from_sub_network_freezes_the_members_as_the_list(db, fs_town, make_chat):
    chat = make_chat()
    assert chat.state is ChatState.draft
    assert chat.origin is ChatOrigin.sub_network and chat.sub_network_id == fs_town.network.id
    assert [i.association_id for i in chat.invitations] == [a.id for a in fs_town.members]
    assert all(i.reason == "Unterrichtet Herkunftssprache" for i in chat.invitations)
    # A later member of the sub-network is not silently added.
    from matching import services as matching_services

    matching_services.add_member(fs_town.network, fs_town.associations[4], "Neu", fs_town.coordinator)
    db.session.commit()
    assert len(chat.invitations) == 4
    assert "fireside.create" in actions(db)
    assert mails(db) == []


def test_send_invitations_mails_every_representative_with_link_and_ics(db, fs_town, make_chat):
    chat = make_chat(send=True)
    assert chat.state is ChatState.invited and chat.invitations_sent_at is not None
    sent = mails(db)
    assert sorted(m.to_addr for m in sent) == sorted(fs_town.rep(a).email for a in fs_town.members)
    for mail in sent:
        assert "/fireside/r/" in mail.body_text
        assert mail.attachment_name == "fireside-chat.ics"
        assert mail.attachment_type == "text/calendar; method=REQUEST"
        assert chat.ical_uid in mail.attachment_text
    english = next(m for m in sent if m.to_addr == "rep1@verein.example.org")
    german = next(m for m in sent if m.to_addr == "rep2@verein.example.org")
    assert english.subject.startswith("Invitation to a fireside chat")
    assert english.locale == "en" and german.locale == "de"
    assert db.session.scalar(select(db.func.count(ChatToken.id))) == 4
    assert "fireside.invite" in actions(db)


def test_invitations_wait_for_the_host(db, fs_town, make_chat):
    chat = make_chat(confirm_host=False)
    with pytest.raises(services.ChatError, match="gastgebende Verein hat noch nicht bestätigt"):
        services.send_invitations(chat, fs_town.coordinator)
    services.confirm_host(chat, fs_town.rep(fs_town.associations[0]))
    services.send_invitations(chat, fs_town.coordinator)
    assert chat.state is ChatState.invited


def test_only_the_host_can_confirm(db, fs_town, make_chat):
    chat = make_chat(confirm_host=False)
    with pytest.raises(services.ChatError):
        services.confirm_host(chat, fs_town.rep(fs_town.associations[1]))
    assert chat.host_confirmed_at is None


def _poll_chat(make_chat, **kwargs):
    soon = (utcnow() + timedelta(days=10)).replace(second=0, microsecond=0)
    return make_chat(starts_at=None, date_options=[soon, soon + timedelta(days=2), soon + timedelta(days=4)], **kwargs)


def test_date_poll_votes_and_fixing_the_date_sends_invitations(db, fs_town, make_chat):
    chat = _poll_chat(make_chat)
    assert chat.starts_at is None and len(chat.date_options) == 3
    services.start_poll(chat, fs_town.coordinator)
    assert chat.state is ChatState.polling
    poll_mails = mails(db)
    assert len(poll_mails) == 4 and all(m.attachment_text is None for m in poll_mails)
    first, second = chat.invitations[:2]
    options = chat.date_options
    services.vote(first, {options[0].id: PollAnswer.yes, options[1].id: PollAnswer.no, options[2].id: PollAnswer.if_need_be})
    services.vote(second, {options[0].id: PollAnswer.if_need_be, options[1].id: PollAnswer.yes, options[2].id: PollAnswer.no})
    services.vote(second, {options[0].id: PollAnswer.yes})  # changed its mind
    rows, totals = services.poll_table(chat)
    assert totals[options[0].id] == {"yes": 2, "if_need_be": 0, "no": 0}
    assert totals[options[1].id] == {"yes": 1, "if_need_be": 0, "no": 1}
    assert services.fix_date(chat, options[0], fs_town.coordinator) is True
    assert chat.state is ChatState.invited and chat.starts_at == options[0].starts_at
    assert len(mails(db)) == 8
    with pytest.raises(services.ChatError):
        services.vote(first, {options[1].id: PollAnswer.yes})
    assert "fireside.fix_date" in actions(db)


def test_fixing_the_date_without_host_confirmation_waits(db, fs_town, make_chat):
    chat = _poll_chat(make_chat, confirm_host=False)
    services.start_poll(chat, fs_town.coordinator)
    assert services.fix_date(chat, chat.date_options[1], fs_town.coordinator) is False
    assert chat.state is ChatState.draft and chat.starts_at == chat.date_options[1].starts_at
    services.confirm_host(chat, fs_town.rep(fs_town.associations[0]))
    services.send_invitations(chat, fs_town.coordinator)
    assert chat.state is ChatState.invited


def test_poll_needs_two_dates(db, fs_town, make_chat):
    chat = make_chat()
    with pytest.raises(services.ChatError):
        services.start_poll(chat, fs_town.coordinator)


def test_add_and_withdraw_after_sending_mail_the_association(db, fs_town, invited_chat):
    chat, extra = invited_chat, fs_town.associations[4]
    before = len(mails(db))
    invitation = services.add_invitee(chat, extra, fs_town.coordinator, "Interessiert")
    assert invitation.invited_at is not None
    assert [m.to_addr for m in mails(db)[before:]] == [fs_town.rep(extra).email]
    with pytest.raises(services.ChatError):
        services.add_invitee(chat, extra, fs_town.coordinator)
    with pytest.raises(services.ChatError):
        services.add_invitee(chat, type(extra)(municipality_id=fs_town.other_town.id, name="Fremd"), fs_town.coordinator)
    services.withdraw_invitee(invitation, fs_town.coordinator)
    assert invitation.state is InvitationState.withdrawn
    last = mails(db)[-1]
    assert last.to_addr == fs_town.rep(extra).email and "No longer invited" in last.subject
    assert "METHOD:CANCEL" in last.attachment_text
    assert {"fireside.add_invitee", "fireside.withdraw_invitee"} <= set(actions(db))


def test_withdraw_before_sending_simply_removes(db, fs_town, make_chat):
    chat = make_chat()
    services.withdraw_invitee(chat.invitations[0], fs_town.coordinator)
    db.session.commit()
    assert len(chat.invitations) == 3 and mails(db) == []


def test_update_of_time_raises_sequence_and_mails_everyone(db, fs_town, invited_chat):
    chat = invited_chat
    before = len(mails(db))
    changed = services.update_chat(chat, {**chat_data(fs_town), "starts_at": chat.starts_at + timedelta(hours=1)},
                                   fs_town.coordinator)
    assert changed == ["starts_at"] and chat.ical_sequence == 1
    update_mails = mails(db)[before:]
    assert len(update_mails) == 4 and all("Changed:" in m.subject or "Geändert" in m.subject or m.locale == "de"
                                          for m in update_mails)
    # Nothing relevant changed: no mail, no new sequence.
    services.update_chat(chat, {"description": "Neu"}, fs_town.coordinator)
    assert chat.ical_sequence == 1 and len(mails(db)) == before + 4


def test_capacity_cannot_fall_below_the_accepted_persons(db, fs_town, invited_chat):
    answer(invited_chat.invitations[0], RsvpAnswer.accept, ["A", "B"])
    with pytest.raises(services.ChatError) as raised:
        services.update_chat(invited_chat, {"capacity": 1}, fs_town.coordinator)
    assert raised.value.field == "capacity"


def test_cancel_mails_a_cancellation(db, fs_town, invited_chat):
    before = len(mails(db))
    services.cancel_chat(invited_chat, fs_town.coordinator, "Krankheit")
    assert invited_chat.state is ChatState.cancelled and invited_chat.ical_sequence == 1
    cancel_mails = mails(db)[before:]
    assert len(cancel_mails) == 4
    assert all("METHOD:CANCEL" in m.attachment_text and m.attachment_type == "text/calendar; method=CANCEL"
               for m in cancel_mails)
    assert any("Krankheit" in m.body_text for m in cancel_mails)
    with pytest.raises(services.ChatError):
        services.cancel_chat(invited_chat, fs_town.coordinator, "nochmal")
    assert "fireside.cancel" in actions(db)


def test_cancelling_a_draft_tells_nobody(db, fs_town, make_chat):
    chat = make_chat()
    services.cancel_chat(chat, fs_town.coordinator, "doch nicht")
    assert mails(db) == []


def test_token_stops_working_when_withdrawn_cancelled_or_over(db, fs_town, invited_chat):
    invitation = invited_chat.invitations[0]
    token, secret = ChatToken.issue(invitation)
    db.session.flush()
    assert services.find_token(secret) is token and services.token_problem(token) is None
    assert services.find_token("nonsense") is None
    assert services.token_problem(token, now=invited_chat.starts_at + timedelta(hours=3)) == "over"
    services.withdraw_invitee(invitation, fs_town.coordinator)
    assert services.token_problem(token) == "withdrawn"
    token2, _ = ChatToken.issue(invited_chat.invitations[1])
    services.cancel_chat(invited_chat, fs_town.coordinator, "x")
    assert services.token_problem(token2) == "cancelled"


def test_feeds_are_secret_and_revocable(db, fs_town):
    association = fs_town.associations[0]
    feed, secret = services.create_feed(association, fs_town.rep(association))
    assert services.find_feed(secret) is feed and feed.token_hash != secret
    services.revoke_feed(feed, fs_town.rep(association))
    assert services.find_feed(secret) is None


def test_seat_state_after_invitation_is_none(invited_chat):
    assert all(i.seat_state is SeatState.none and i.answer is RsvpAnswer.pending for i in invited_chat.invitations)


def test_editing_an_open_poll_keeps_the_date_open(db, fs_town, make_chat):
    soon = (utcnow() + timedelta(days=10)).replace(second=0, microsecond=0)
    chat = make_chat(starts_at=None, date_options=[soon, soon + timedelta(days=1)])
    services.start_poll(chat, fs_town.coordinator)
    services.update_chat(chat, {**chat_data(fs_town), "starts_at": None, "date_options": [], "venue_name": "Saal"},
                         fs_town.coordinator)
    assert chat.starts_at is None and len(chat.date_options) == 2 and chat.venue_name == "Saal"


def test_a_returning_association_starts_afresh(db, fs_town, invited_chat):
    invitation = invited_chat.invitations[0]
    answer(invitation, RsvpAnswer.accept, ["A"], "Notiz")
    services.withdraw_invitee(invitation, fs_town.coordinator)
    again = services.add_invitee(invited_chat, invitation.association, fs_town.coordinator)
    assert again is invitation and invitation.answer is RsvpAnswer.pending and invitation.names == []
    assert invited_chat.seats_taken == 0


def test_asking_the_host_mails_its_representatives(db, fs_town, make_chat):
    chat = make_chat(confirm_host=False)
    assert services.ask_host(chat, fs_town.coordinator) == 1
    [mail] = mails(db)
    assert mail.to_addr == fs_town.rep(fs_town.associations[0]).email
    assert f"/fireside/chats/{chat.id}/answer" in mail.body_text and "Please confirm" in mail.subject
    assert "fireside.ask_host" in actions(db)
    services.confirm_host(chat, fs_town.rep(fs_town.associations[0]))
    with pytest.raises(services.ChatError):
        services.ask_host(chat, fs_town.coordinator)
