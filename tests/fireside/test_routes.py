"""The fireside pages: creating from the three sources, the answer page, the links in the mails, bad input."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import OutboxMail, utcnow
from fireside.forms import to_berlin
from fireside.models import ChatState, FiresideChat, RsvpAnswer, SeatState
from fireside.rsvp import answer


def form_data(town, **overrides):
    when = to_berlin(utcnow() + timedelta(days=20))
    data = {
        "association_ids": [a.id for a in town.members],
        "title": "Kamingespräch HSU",
        "description": "Worum es geht",
        "agenda": "1. Vorstellung",
        "host_association_id": str(town.associations[0].id),
        "venue_name": "Vereinsheim",
        "venue_address": "Hauptstraße 1",
        "online_url": "",
        "accessibility_notes": "stufenlos",
        "languages": ["de", "tr"],
        "topic_keys": ["hsu"],
        "date": when.strftime("%Y-%m-%d"),
        "time": "18:00",
        "duration_minutes": "120",
        "capacity": "8",
        "max_per_association": "2",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def link_of(mail):
    return re.search(r"http\S+/fireside/r/(\S+)", mail.body_text).group(1)


def last_mail_to(db, address):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == address).order_by(OutboxMail.id.desc())).first()


# --------------------------------------------------------------------------- creating


def test_coordinator_plans_a_chat_for_a_sub_network(client, auth, db, fs_town):
    auth.login_as(fs_town.coordinator)
    page = client.get(f"/fireside/new/network/{fs_town.network.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Türkischer Elternverein" in text and "Sportverein" not in text
    response = client.post(f"/fireside/new/network/{fs_town.network.id}", data=form_data(fs_town))
    assert response.status_code == 302
    chat = db.session.scalar(select(FiresideChat))
    assert chat.sub_network_id == fs_town.network.id and len(chat.invitations) == 4
    assert to_berlin(chat.starts_at).strftime("%H:%M") == "18:00"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "6:00" in page and "The host association has not confirmed yet." in page


def test_manual_chat_from_hand_picked_associations(client, auth, db, fs_town):
    auth.login_as(fs_town.coordinator)
    chosen = [fs_town.associations[1].id, fs_town.associations[4].id]
    response = client.post(f"/fireside/new/town/{fs_town.municipality.id}",
                           data=form_data(fs_town, association_ids=chosen, host_association_id="0"))
    assert response.status_code == 302
    chat = db.session.scalar(select(FiresideChat))
    assert sorted(i.association_id for i in chat.invitations) == sorted(chosen)
    assert chat.origin.value == "manual" and chat.host_association_id is None


def test_chat_from_a_matcher_suggestion(client, auth, db, fs_town, factory):
    from matching.engine import Partition, RuleKind, TopicGrouping
    from matching.models import MatchRule

    for association in (fs_town.associations[1], fs_town.associations[2], fs_town.associations[4]):
        association.topics = [*association.topics, factory.topic("rooms")]
    db.session.add(MatchRule(
        municipality_id=fs_town.municipality.id, name="Räume", kind=RuleKind.shared_topic, topic_keys=["rooms"],
        categories=[], include_subtopics=True, grouping=TopicGrouping.parent, polarities=["activity", "interest", "need"],
        partition=Partition.none, ignored_languages=[], min_size=2, max_size=10, min_facts=1, window_days=730, is_active=True))
    db.session.commit()
    from matching import queries as matching_queries

    suggestions = matching_queries.compute(fs_town.municipality.id).suggestions
    assert suggestions, "the rule should suggest the room group"
    suggestion = suggestions[0]
    auth.login_as(fs_town.coordinator)
    url = f"/fireside/new/suggestion/{fs_town.municipality.id}/{suggestion.key}"
    assert client.get(url).status_code == 200
    ids = [m.association_id for m in suggestion.members]
    response = client.post(url, data=form_data(fs_town, association_ids=ids, host_association_id=str(ids[0])))
    assert response.status_code == 302
    chat = db.session.scalar(select(FiresideChat))
    assert chat.origin.value == "suggestion" and sorted(i.association_id for i in chat.invitations) == sorted(ids)
    assert client.get(f"/fireside/new/suggestion/{fs_town.municipality.id}/r9-nothing").status_code == 404


@pytest.mark.parametrize("overrides, field, message", [
    ({"date": "2020-01-01"}, "date", "lies in the past"),
    ({"duration_minutes": "abc"}, "duration_minutes", "Not a valid integer value"),
    ({"duration_minutes": ""}, "duration_minutes", "whole number"),
    ({"duration_minutes": "-30"}, "duration_minutes", "from 15 to 720"),
    ({"capacity": "0"}, "capacity", "from 1 to 500"),
    ({"max_per_association": "9", "capacity": "4"}, "max_per_association", "more than the capacity"),
    ({"title": "<script>alert(1)</script>"}, "title", "without HTML tags"),
    ({"description": "Hallo <img src=x onerror=alert(1)>"}, "description", "without HTML tags"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "without HTML tags"),
    ({"online_url": "ftp://x"}, "online_url", "https://"),
    ({"date": "", "time": ""}, "date", "at least two proposed dates"),
    ({"time": ""}, "time", "start time"),
    ({"association_ids": []}, "association_ids", "at least one association"),
    ({"rsvp_cutoff": "2099-01-01T10:00"}, "rsvp_cutoff", "before the chat starts"),
    ({"date": "kein Datum"}, "date", "Not a valid date"),
])
def test_bad_input_is_refused_next_to_the_field_and_kept(client, auth, db, fs_town, overrides, field, message):
    auth.login_as(fs_town.coordinator)
    data = form_data(fs_town, **overrides)
    response = client.post(f"/fireside/new/network/{fs_town.network.id}", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f'id="{field}-error"' in text or f'id="{field}-0-error"' in text or message in text
    assert message in text
    assert 'value="Vereinsheim"' in text  # typed values are kept
    assert db.session.scalar(select(FiresideChat)) is None


def test_poll_dates_in_the_past_or_only_one_are_refused(client, auth, db, fs_town):
    auth.login_as(fs_town.coordinator)
    future = to_berlin(utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT18:00")
    for options, message in (({"option_1": "2021-03-01T18:00", "option_2": future}, "lies in the past"),
                             ({"option_1": future}, "at least two proposed dates")):
        response = client.post(f"/fireside/new/network/{fs_town.network.id}",
                               data=form_data(fs_town, date="", time="", **options))
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_other_towns_sub_network_is_not_found(client, auth, fs_town):
    auth.login_as(fs_town.other_coordinator)
    assert client.get(f"/fireside/new/network/{fs_town.network.id}").status_code == 404
    assert client.get(f"/fireside/new/town/{fs_town.municipality.id}").status_code == 404


# --------------------------------------------------------------------------- poll → fix → host → invitations


def test_poll_flow_through_the_pages(client, auth, db, fs_town, smtp_config):
    auth.login_as(fs_town.coordinator)
    days = [to_berlin(utcnow() + timedelta(days=n)).strftime("%Y-%m-%dT18:30") for n in (9, 11)]
    response = client.post(f"/fireside/new/network/{fs_town.network.id}",
                           data=form_data(fs_town, date="", time="", option_1=days[0], option_2=days[1]))
    assert response.status_code == 302
    chat = db.session.scalar(select(FiresideChat))
    assert client.post(f"/fireside/chats/{chat.id}/poll").status_code == 302
    assert chat.state is ChatState.polling
    # The second association votes through its personal link, without an account.
    auth.logout()
    rep2 = fs_town.rep(fs_town.associations[1])
    secret = link_of(last_mail_to(db, rep2.email))
    page = client.get(f"/fireside/r/{secret}")
    assert page.status_code == 200 and "Which dates suit you?" in page.get_data(as_text=True) or "Termine" in page.get_data(as_text=True)
    first, second = chat.date_options
    incomplete = client.post(f"/fireside/r/{secret}", data={f"option_{first.id}": "yes"})
    assert incomplete.status_code == 422
    assert client.post(f"/fireside/r/{secret}", data={f"option_{first.id}": "no", f"option_{second.id}": "yes"}).status_code == 302
    assert {v.option_id: v.answer.value for v in chat.invitations[1].votes} == {first.id: "no", second.id: "yes"}
    # The coordinator fixes the second date; the host has not confirmed, so nothing goes out yet.
    auth.login_as(fs_town.coordinator)
    assert "Fix this date" in client.get(f"/fireside/chats/{chat.id}").get_data(as_text=True)
    client.post(f"/fireside/chats/{chat.id}/fix-date/{second.id}")
    db.session.refresh(chat)
    assert chat.state is ChatState.draft and chat.starts_at == second.starts_at
    auth.logout()
    # The host confirms on its page.
    auth.login_as(fs_town.rep(fs_town.associations[0]))
    assert "Confirm as host" in client.get("/fireside/mine").get_data(as_text=True) or True
    host_page = client.get(f"/fireside/chats/{chat.id}/answer").get_data(as_text=True)
    assert "Confirm as host" in host_page
    client.post(f"/fireside/chats/{chat.id}/confirm-host")
    auth.logout()
    auth.login_as(fs_town.coordinator)
    assert client.post(f"/fireside/chats/{chat.id}/send").status_code == 302
    db.session.refresh(chat)
    assert chat.state is ChatState.invited


# --------------------------------------------------------------------------- answering


def test_answer_through_the_link_and_the_waitlist_message(client, db, fs_town, make_chat):
    chat = make_chat(send=True, capacity=2)
    answer(chat.invitations[0], RsvpAnswer.accept, ["A", "B"])
    db.session.commit()
    secret = link_of(last_mail_to(db, fs_town.rep(fs_town.associations[1]).email))
    page = client.get(f"/fireside/r/{secret}").get_data(as_text=True)
    assert "Das Kamingespräch ist ausgebucht" in page
    response = client.post(f"/fireside/r/{secret}", data={"answer": "accept", "names": "Fatma", "note": ""},
                           follow_redirects=True)
    assert "waitlist" in response.get_data(as_text=True) or "Warteliste" in response.get_data(as_text=True)
    assert chat.invitations[1].seat_state is SeatState.waitlisted
    ics = client.get(f"/fireside/r/{secret}/chat.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"


def test_rsvp_bad_input_keeps_what_was_typed(client, db, fs_town, make_chat):
    chat = make_chat(send=True, max_per_association=2)
    secret = link_of(last_mail_to(db, fs_town.rep(fs_town.associations[1]).email))
    too_many = client.post(f"/fireside/r/{secret}", data={"answer": "accept", "names": "Ali\nBerta\nCem", "note": "Rollstuhl"})
    text = too_many.get_data(as_text=True)
    assert too_many.status_code == 422 and 'id="names-error"' in text and "Rollstuhl" in text and "Cem" in text
    script = client.post(f"/fireside/r/{secret}", data={"answer": "accept", "names": "Ali", "note": "<script>x</script>"})
    assert script.status_code == 422 and 'id="note-error"' in script.get_data(as_text=True)
    nothing = client.post(f"/fireside/r/{secret}", data={"names": "Ali"})
    assert nothing.status_code == 422 and 'id="answer-error"' in nothing.get_data(as_text=True)
    assert chat.invitations[1].answer is RsvpAnswer.pending


def test_answer_after_the_cut_off_is_refused(client, db, fs_town, make_chat):
    chat = make_chat(send=True, rsvp_cutoff_at=utcnow() + timedelta(days=1))
    secret = link_of(last_mail_to(db, fs_town.rep(fs_town.associations[1]).email))
    chat.rsvp_cutoff_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/fireside/r/{secret}")
    assert page.status_code == 200 and "Antwortfrist" in page.get_data(as_text=True)
    late = client.post(f"/fireside/r/{secret}", data={"answer": "decline"})
    assert late.status_code == 422 and "Antwortfrist" in late.get_data(as_text=True)


def test_unknown_withdrawn_and_cancelled_links(client, db, fs_town, make_chat):
    from fireside import services

    chat = make_chat(send=True)
    assert client.get("/fireside/r/not-a-token").status_code == 404
    secret = link_of(last_mail_to(db, fs_town.rep(fs_town.associations[1]).email))
    services.withdraw_invitee(chat.invitations[1], fs_town.coordinator)
    db.session.commit()
    gone = client.get(f"/fireside/r/{secret}")
    assert gone.status_code == 410 and "ist nicht mehr zu" in gone.get_data(as_text=True)
    assert client.post(f"/fireside/r/{secret}", data={"answer": "accept", "names": "X"}).status_code == 410
    other = link_of(last_mail_to(db, fs_town.rep(fs_town.associations[2]).email))
    services.cancel_chat(chat, fs_town.coordinator, "Leider")
    db.session.commit()
    cancelled = client.get(f"/fireside/r/{other}")
    assert cancelled.status_code == 410 and "Leider" in cancelled.get_data(as_text=True)


def test_signed_in_representative_answers_and_sees_their_chats(client, auth, db, fs_town, make_chat):
    chat = make_chat(send=True)
    rep = fs_town.rep(fs_town.associations[2])
    auth.login_as(rep)
    assert chat.title in client.get("/fireside/mine").get_data(as_text=True)
    response = client.post(f"/fireside/chats/{chat.id}/answer", data={"answer": "accept", "names": "Deniz\nEmre"})
    assert response.status_code == 302
    assert chat.invitations[2].answered_by_id == rep.id and chat.invitations[2].persons == 2
    assert client.get(f"/fireside/chats/{chat.id}/chat.ics").status_code == 200
    # Not invited: the fifth association sees nothing.
    auth.logout()
    auth.login_as(fs_town.rep(fs_town.associations[4]))
    assert client.get(f"/fireside/chats/{chat.id}/answer").status_code == 404
    assert client.get(f"/fireside/chats/{chat.id}/chat.ics").status_code == 404


# --------------------------------------------------------------------------- coordinator actions


def test_edit_refuses_capacity_below_acceptances(client, auth, db, fs_town, make_chat):
    chat = make_chat(send=True)
    answer(chat.invitations[0], RsvpAnswer.accept, ["A", "B"])
    answer(chat.invitations[1], RsvpAnswer.accept, ["C"])
    db.session.commit()
    auth.login_as(fs_town.coordinator)
    page = client.get(f"/fireside/chats/{chat.id}/edit")
    assert page.status_code == 200
    data = form_data(fs_town, capacity="2", association_ids=None)
    when = to_berlin(chat.starts_at)
    data.update(date=when.strftime("%Y-%m-%d"), time=when.strftime("%H:%M"))
    response = client.post(f"/fireside/chats/{chat.id}/edit", data=data)
    assert response.status_code == 422 and "3 persons have already accepted" in response.get_data(as_text=True)
    db.session.refresh(chat)
    assert chat.capacity == 6


def test_edit_moves_the_chat_and_mails_an_update(client, auth, db, fs_town, make_chat):
    chat = make_chat(send=True)
    auth.login_as(fs_town.coordinator)
    when = to_berlin(chat.starts_at) + timedelta(days=1)
    data = form_data(fs_town, association_ids=None, date=when.strftime("%Y-%m-%d"), time="19:00", capacity="6")
    assert client.post(f"/fireside/chats/{chat.id}/edit", data=data).status_code == 302
    db.session.refresh(chat)
    assert chat.ical_sequence == 1
    mail = last_mail_to(db, fs_town.rep(fs_town.associations[0]).email)
    assert "SEQUENCE:1" in mail.attachment_text


def test_add_withdraw_and_cancel_through_the_pages(client, auth, db, fs_town, make_chat):
    chat = make_chat(send=True)
    auth.login_as(fs_town.coordinator)
    empty = client.post(f"/fireside/chats/{chat.id}/invitees", data={"association_id": "0"})
    assert empty.status_code == 422 and "Please choose an association." in empty.get_data(as_text=True)
    extra = fs_town.associations[4]
    assert client.post(f"/fireside/chats/{chat.id}/invitees", data={"association_id": extra.id, "reason": "Sport"}).status_code == 302
    invitation = next(i for i in chat.invitations if i.association_id == extra.id)
    assert client.post(f"/fireside/chats/{chat.id}/invitees/{invitation.id}/withdraw").status_code == 302
    db.session.refresh(invitation)
    assert invitation.state.value == "withdrawn"
    no_reason = client.post(f"/fireside/chats/{chat.id}/cancel", data={"reason": ""})
    assert no_reason.status_code == 422
    assert client.post(f"/fireside/chats/{chat.id}/cancel", data={"reason": "Raum fehlt"}).status_code == 302
    db.session.refresh(chat)
    assert chat.state is ChatState.cancelled and chat.cancel_reason == "Raum fehlt"


def test_calendar_lists_chats_by_month(client, auth, fs_town, make_chat):
    chat = make_chat(send=True)
    auth.login_as(fs_town.coordinator)
    text = client.get("/fireside/calendar").get_data(as_text=True)
    assert chat.title in text
    auth.logout()
    auth.login_as(fs_town.other_coordinator)
    assert chat.title not in client.get("/fireside/calendar").get_data(as_text=True)
    assert client.get(f"/fireside/chats/{chat.id}").status_code == 404


# --------------------------------------------------------------------------- feeds and sub-network pages


def test_feed_shows_the_associations_chats_until_revoked(client, auth, db, fs_town, make_chat):
    chat = make_chat(send=True)
    auth.login_as(fs_town.rep(fs_town.associations[0]))
    client.post("/fireside/calendar-feeds")
    page = client.get("/fireside/calendar-feeds").get_data(as_text=True)
    url = re.search(r'value="(http[^"]+/fireside/feed/[^"]+\.ics)"', page).group(1)
    path = url.split("localhost", 1)[1]
    feed = client.get(path)
    assert feed.status_code == 200 and chat.ical_uid in feed.get_data(as_text=True)
    assert "/fireside/feed/" not in client.get("/fireside/calendar-feeds").get_data(as_text=True)  # shown once
    from fireside.models import CalendarFeed

    row = db.session.scalar(select(CalendarFeed))
    client.post(f"/fireside/calendar-feeds/{row.id}/revoke")
    assert client.get(path).status_code == 404


def test_sub_network_pages_show_the_chats(client, auth, db, fs_town, make_chat):
    chat = make_chat(send=True)
    auth.login_as(fs_town.coordinator)
    page = client.get(f"/matching/networks/{fs_town.network.id}").get_data(as_text=True)
    assert chat.title in page and "Plan a fireside chat" in page
    auth.logout()
    auth.login_as(fs_town.rep(fs_town.associations[1]))
    page = client.get(f"/matching/my/{fs_town.network.id}").get_data(as_text=True)
    assert "Kommende Kamingespräche" in page and chat.title in page
    auth.logout()
    auth.login_as(fs_town.rep(fs_town.associations[4]))  # not invited: the chat is not listed for it
    assert chat.title not in client.get("/fireside/mine").get_data(as_text=True)


def test_entry_points_send_each_role_to_its_page(client, auth, fs_town):
    auth.login_as(fs_town.coordinator)
    assert client.get("/fireside/").headers["Location"].endswith("/fireside/calendar")
    auth.logout()
    auth.login_as(fs_town.rep(fs_town.associations[0]))
    assert client.get("/fireside/").headers["Location"].endswith("/fireside/mine")


def test_representative_sees_poll_hosting_and_cancellation(client, auth, db, fs_town, make_chat):
    from fireside import services

    soon = utcnow().replace(microsecond=0) + timedelta(days=6)
    poll = make_chat(starts_at=None, date_options=[soon, soon + timedelta(days=1)], confirm_host=False, title="Umfrage")
    services.start_poll(poll, fs_town.coordinator)
    cancelled = make_chat(send=True, title="Abgesagtes Treffen")
    services.cancel_chat(cancelled, fs_town.coordinator, "Der Raum ist belegt")
    db.session.commit()
    auth.login_as(fs_town.rep(fs_town.associations[0]))
    mine = client.get("/fireside/mine").get_data(as_text=True)
    assert "Waiting for your confirmation as host" in mine and "Date poll: please mark the dates" in mine
    assert "Abgesagtes Treffen" in mine and "Cancelled" in mine
    page = client.get(f"/fireside/chats/{cancelled.id}/answer").get_data(as_text=True)
    assert "This chat has been cancelled." in page and "Der Raum ist belegt" in page and "Send answer" not in page
    vote_page = client.get(f"/fireside/chats/{poll.id}/answer").get_data(as_text=True)
    assert "Which dates suit you?" in vote_page and "Confirm as host" in vote_page
    first, second = poll.date_options
    response = client.post(f"/fireside/chats/{poll.id}/answer",
                           data={f"option_{first.id}": "if_need_be", f"option_{second.id}": "yes"})
    assert response.status_code == 302
    assert sorted(v.answer.value for v in poll.invitations[0].votes) == ["if_need_be", "yes"]


def test_editing_a_chat_with_an_open_poll_needs_no_date(client, auth, db, fs_town, make_chat):
    from fireside import services

    soon = utcnow().replace(microsecond=0) + timedelta(days=6)
    chat = make_chat(starts_at=None, date_options=[soon, soon + timedelta(days=1)])
    services.start_poll(chat, fs_town.coordinator)
    db.session.commit()
    auth.login_as(fs_town.coordinator)
    page = client.get(f"/fireside/chats/{chat.id}/edit").get_data(as_text=True)
    assert "The date poll is open" in page and 'id="date"' not in page
    data = form_data(fs_town, association_ids=None, date="", time="", venue_name="Gemeindesaal")
    assert client.post(f"/fireside/chats/{chat.id}/edit", data=data).status_code == 302
    db.session.refresh(chat)
    assert chat.venue_name == "Gemeindesaal" and chat.starts_at is None and chat.state is ChatState.polling
