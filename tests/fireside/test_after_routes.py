"""The after-chat pages: attendance, minutes, decisions and follow-ups, with bad input and access."""

from datetime import date, timedelta

from sqlalchemy import select

from core.audit import AuditEvent
from core.models import utcnow
from exchange.models import Posting, PostingState
from fireside.models import ChatState, FollowUp, FollowUpState, InvitationState
from tests.fireside import conftest_after
from tests.fireside.conftest_after import build_past_chat, invitation_of

past_chat = conftest_after.past_chat


def main_of(html):
    return html[html.index("<main") : html.index("</main>")]


def attendance_data(chat, town, **overrides):
    first, second, third, fourth = (invitation_of(chat, a) for a in town.members)
    data = {
        f"attended_{first.id}": "yes",
        f"persons_{first.id}": "2",
        f"attended_{second.id}": "yes",
        f"persons_{second.id}": "1",
        f"attended_{third.id}": "no",
        f"persons_{third.id}": "",
        f"attended_{fourth.id}": "",
        f"persons_{fourth.id}": "",
    }
    data.update(overrides)
    return data


def test_coordinator_records_attendance_and_it_is_audited(client, auth, db, fs_town, past_chat):
    auth.login_as(fs_town.coordinator)
    page = client.get(f"/fireside/chats/{past_chat.id}/attendance")
    assert page.status_code == 200
    # Accepted associations are suggested as having come, with the persons they announced.
    first = invitation_of(past_chat, fs_town.members[0])
    assert (
        f'<input checked id="attended_{first.id}-0" name="attended_{first.id}" type="radio" value="yes">' in page.text
    )
    assert f'name="persons_{first.id}" type="number" value="2"' in page.text
    response = client.post(f"/fireside/chats/{past_chat.id}/attendance", data=attendance_data(past_chat, fs_town))
    assert response.status_code == 302
    db.session.refresh(past_chat)
    came = {i.association_id: (i.attended, i.attended_persons) for i in past_chat.invitations}
    members = fs_town.members
    assert came == {
        members[0].id: (True, 2),
        members[1].id: (True, 1),
        members[2].id: (False, 0),
        members[3].id: (None, None),
    }
    assert past_chat.attendance_recorded_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fireside.attendance"))
    assert event.details == {"associations": "2", "persons": "3"} and event.actor_id == fs_town.coordinator.id


def test_attendance_bad_input_shows_messages_and_keeps_everything(client, auth, db, fs_town, past_chat):
    auth.login_as(fs_town.coordinator)
    first, second, third, _fourth = (invitation_of(past_chat, a) for a in fs_town.members)
    data = attendance_data(
        past_chat,
        fs_town,
        **{
            f"persons_{first.id}": "-1",
            f"persons_{second.id}": "7",
            f"persons_{third.id}": "2",
        },
    )
    response = client.post(f"/fireside/chats/{past_chat.id}/attendance", data=data)
    assert response.status_code == 422
    text = response.text
    assert f'id="persons_{first.id}-error"' in text and f'id="persons_{second.id}-error"' in text
    assert "Please give a number from 0 to 2." in text
    assert "Persons can only be given for an association that came." in text
    assert 'value="-1"' in text and 'value="7"' in text  # what was typed is still there
    assert "error-summary" in text
    db.session.refresh(first)
    assert first.attended is None  # nothing saved


def test_attendance_with_nonsense_numbers_is_refused_without_500(client, auth, db, fs_town, past_chat):
    auth.login_as(fs_town.coordinator)
    first = invitation_of(past_chat, fs_town.members[0])
    for value in ("zwei", "1e9", "99999999999999999999", "<script>"):
        response = client.post(
            f"/fireside/chats/{past_chat.id}/attendance",
            data=attendance_data(past_chat, fs_town, **{f"persons_{first.id}": value}),
        )
        assert response.status_code == 422, value
        assert f'id="persons_{first.id}-error"' in response.text
    response = client.post(
        f"/fireside/chats/{past_chat.id}/attendance",
        data=attendance_data(past_chat, fs_town, **{f"attended_{first.id}": "perhaps"}),
    )
    assert response.status_code == 422
    response = client.post(
        f"/fireside/chats/{past_chat.id}/attendance",
        data=attendance_data(past_chat, fs_town, **{f"persons_{first.id}": ""}),
    )
    assert response.status_code == 422 and "Please give the number of persons who came (1 to 2)." in response.text


def test_attendance_before_the_chat_is_not_possible(client, auth, db, fs_town):
    chat = build_past_chat(db, fs_town, days_ago=-5)
    auth.login_as(fs_town.coordinator)
    response = client.get(f"/fireside/chats/{chat.id}/attendance")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/fireside/chats/{chat.id}/after")
    response = client.post(f"/fireside/chats/{chat.id}/attendance", data=attendance_data(chat, fs_town))
    assert response.status_code == 302
    db.session.refresh(chat)
    assert all(i.attended is None for i in chat.invitations)
    assert "can be recorded once the chat has begun" in client.get(f"/fireside/chats/{chat.id}/after").text


def test_cancelled_chat_has_no_after(client, auth, db, fs_town):
    chat = build_past_chat(db, fs_town, state=ChatState.cancelled)
    auth.login_as(fs_town.coordinator)
    assert client.get(f"/fireside/chats/{chat.id}/minutes").status_code == 302
    response = client.post(f"/fireside/chats/{chat.id}/minutes", data={"minutes": "x"})
    assert response.status_code == 302
    db.session.refresh(chat)
    assert chat.minutes == ""


def test_minutes_are_saved_verbatim_and_script_never_runs(client, auth, db, fs_town, past_chat):
    auth.login_as(fs_town.coordinator)
    minutes = (
        "Wir treffen uns **zweimal im Jahr**.\n\n- Raumanfrage <script>alert(1)</script>\n"
        "- Infos: https://schulamt.example.org/hsu?x=1&y=2\n\n<img src=x onerror=alert(1)> javascript:alert(1)"
    )
    assert client.post(f"/fireside/chats/{past_chat.id}/minutes", data={"minutes": minutes}).status_code == 302
    db.session.refresh(past_chat)
    assert past_chat.minutes == minutes and past_chat.minutes_updated_by_id == fs_town.coordinator.id
    page = main_of(client.get(f"/fireside/chats/{past_chat.id}/after").text)
    assert "<strong>zweimal im Jahr</strong>" in page
    assert "<li>Raumanfrage &lt;script&gt;alert(1)&lt;/script&gt;</li>" in page
    assert '<a href="https://schulamt.example.org/hsu?x=1&amp;y=2" rel="nofollow noopener noreferrer">' in page
    assert "<script>alert" not in page and "<img" not in page and 'href="javascript' not in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "fireside.minutes"))
    assert event.details == {"characters": str(len(minutes))}  # the text itself never goes into the log


def test_minutes_too_long_or_with_control_characters_are_kept_with_a_message(client, auth, db, fs_town, past_chat):
    auth.login_as(fs_town.coordinator)
    response = client.post(f"/fireside/chats/{past_chat.id}/minutes", data={"minutes": "Anfang " + "x" * 20001})
    assert response.status_code == 422 and 'id="minutes-error"' in response.text and "Anfang xxx" in response.text
    response = client.post(f"/fireside/chats/{past_chat.id}/minutes", data={"minutes": "Bell\x07"})
    assert response.status_code == 422 and "invisible control characters" in response.text


def test_decisions_are_added_and_removed(client, auth, db, fs_town, past_chat):
    auth.login_as(fs_town.coordinator)
    response = client.post(f"/fireside/chats/{past_chat.id}/decisions", data={"text": ""})
    assert response.status_code == 422 and 'id="text-error"' in response.text
    assert (
        client.post(
            f"/fireside/chats/{past_chat.id}/decisions", data={"text": "Wir treffen uns zweimal im Jahr."}
        ).status_code
        == 302
    )
    db.session.refresh(past_chat)
    [decision] = past_chat.decisions
    assert "Wir treffen uns zweimal im Jahr." in client.get(f"/fireside/chats/{past_chat.id}/after").text
    assert client.post(f"/fireside/decisions/{decision.id}/delete").status_code == 302
    db.session.refresh(past_chat)
    assert past_chat.decisions == []


def follow_up_data(town, **overrides):
    data = {
        "title": "Gemeinsame Raumanfrage stellen",
        "description": "Beim Schulamt anfragen.",
        "owner_association_id": str(town.members[1].id),
        "due_on": (date.today() + timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def test_coordinator_adds_edits_and_closes_a_follow_up(client, auth, db, fs_town, past_chat):
    auth.login_as(fs_town.coordinator)
    assert client.get(f"/fireside/chats/{past_chat.id}/follow-ups/new").status_code == 200
    assert (
        client.post(f"/fireside/chats/{past_chat.id}/follow-ups/new", data=follow_up_data(fs_town)).status_code == 302
    )
    follow_up = db.session.scalar(select(FollowUp))
    assert (follow_up.owner_association_id, follow_up.state) == (fs_town.members[1].id, FollowUpState.open)
    page = client.get(f"/fireside/follow-ups/{follow_up.id}/edit")
    assert page.status_code == 200 and "Gemeinsame Raumanfrage" in page.text
    data = follow_up_data(fs_town, owner_association_id="0", state="dropped", due_on="")
    assert client.post(f"/fireside/follow-ups/{follow_up.id}/edit", data=data).status_code == 302
    db.session.refresh(follow_up)
    assert (follow_up.owner_association_id, follow_up.state, follow_up.due_on) == (None, FollowUpState.dropped, None)
    assert client.post(f"/fireside/follow-ups/{follow_up.id}/state", data={"state": "done"}).status_code == 302
    db.session.refresh(follow_up)
    assert follow_up.state is FollowUpState.done and follow_up.done_at is not None
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("fireside.follow_up%"))).all()
    assert actions == ["fireside.follow_up_add", "fireside.follow_up_change", "fireside.follow_up_state"]


def test_follow_up_bad_input(client, auth, db, fs_town, past_chat):
    auth.login_as(fs_town.coordinator)
    url = f"/fireside/chats/{past_chat.id}/follow-ups/new"
    not_invited = fs_town.associations[4]
    cases = {
        "owner_association_id": (
            follow_up_data(fs_town, owner_association_id=str(not_invited.id)),
            "Please choose one of the invited associations.",
        ),
        "due_on": (follow_up_data(fs_town, due_on="31.02.2027"), "Not a valid date value."),
    }
    for field_name, (data, message) in cases.items():
        response = client.post(url, data=data)
        assert response.status_code == 422, field_name
        assert f'id="{field_name}-error"' in response.text and message in response.text
        assert "Beim Schulamt anfragen." in response.text  # nothing lost
    long_ago = (past_chat.starts_at - timedelta(days=10)).date().isoformat()
    response = client.post(url, data=follow_up_data(fs_town, due_on=long_ago))
    assert response.status_code == 422 and "The due date cannot be before the chat." in response.text
    response = client.post(url, data=follow_up_data(fs_town, due_on="2999-01-01"))
    assert response.status_code == 422 and "within 5 years" in response.text
    response = client.post(url, data=follow_up_data(fs_town, owner_association_id="abc"))
    assert response.status_code == 422
    response = client.post(url, data=follow_up_data(fs_town, title="<script>alert(1)</script>"))
    assert response.status_code == 302
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/fireside/chats/{past_chat.id}/after").text
    assert db.session.scalar(select(FollowUp)).title == "<script>alert(1)</script>"


def test_owner_representative_marks_own_follow_up_done_but_nothing_else(client, auth, db, fs_town, past_chat):
    owner, other = fs_town.members[1], fs_town.members[0]
    first = FollowUp(chat_id=past_chat.id, title="Raumanfrage", owner_association_id=owner.id)
    second = FollowUp(chat_id=past_chat.id, title="Schulamt fragen", owner_association_id=other.id)
    db.session.add_all([first, second])
    invitation_of(past_chat, owner).attended = True
    db.session.commit()
    auth.login_as(fs_town.rep(owner))
    page = client.get(f"/fireside/chats/{past_chat.id}/after").text
    assert page.count("Als erledigt markieren") == 1
    assert client.post(f"/fireside/follow-ups/{second.id}/state", data={"state": "done"}).status_code == 403
    assert client.post(f"/fireside/follow-ups/{first.id}/state", data={"state": "dropped"}).status_code == 403
    assert client.get(f"/fireside/follow-ups/{first.id}/edit").status_code == 403
    assert client.post(f"/fireside/follow-ups/{first.id}/state", data={"state": "done"}).status_code == 302
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.state, second.state) == (FollowUpState.done, FollowUpState.open)


def test_attending_association_sees_outcome_others_do_not(client, auth, db, fs_town, past_chat):
    came, declined, outsider = fs_town.members[0], fs_town.members[2], fs_town.associations[4]
    invitation_of(past_chat, came).attended, invitation_of(past_chat, came).attended_persons = True, 2
    invitation_of(past_chat, declined).attended = False
    past_chat.minutes = "Protokoll für alle, die da waren."
    db.session.add(FollowUp(chat_id=past_chat.id, title="Raumanfrage", owner_association_id=came.id))
    db.session.commit()
    auth.login_as(fs_town.rep(came))
    page = client.get(f"/fireside/chats/{past_chat.id}/after")
    assert page.status_code == 200 and "Protokoll für alle" in page.text and "Raumanfrage" in page.text
    assert "Record attendance" not in page.text and "Add a follow-up" not in page.text
    for association in (declined, outsider):
        auth.logout()
        auth.login_as(fs_town.rep(association))
        assert client.get(f"/fireside/chats/{past_chat.id}/after").status_code == 404
    auth.logout()
    auth.login_as(fs_town.other_coordinator)
    assert client.get(f"/fireside/chats/{past_chat.id}/after").status_code == 404
    assert client.get(f"/fireside/chats/{past_chat.id}/attendance").status_code == 404


def test_follow_up_becomes_a_draft_posting_only_the_owner_sees_until_published(client, auth, db, fs_town, past_chat):
    owner, neighbour = fs_town.members[1], fs_town.members[0]
    follow_up = FollowUp(
        chat_id=past_chat.id,
        title="Gemeinsame Raumanfrage",
        description="Zwei Klassenräume samstags.",
        owner_association_id=owner.id,
    )
    db.session.add(follow_up)
    db.session.commit()
    auth.login_as(fs_town.coordinator)
    url = f"/fireside/follow-ups/{follow_up.id}/posting"
    page = client.get(url)
    assert page.status_code == 200 and "Zwei Klassenräume samstags." in page.text
    response = client.post(url, data={"kind": "request", "category": "", "title": "Raum", "description": "Zwei Räume"})
    assert response.status_code == 422 and 'id="category-error"' in response.text
    response = client.post(
        url,
        data={
            "kind": "request",
            "category": "rooms",
            "title": "Gemeinsame Raumanfrage",
            "description": "Zwei Klassenräume samstags.",
        },
    )
    assert response.status_code == 302
    posting = db.session.scalar(select(Posting))
    assert (posting.state, posting.association_id) == (PostingState.draft, owner.id)
    db.session.refresh(follow_up)
    assert follow_up.posting_id == posting.id
    assert client.get(url).status_code == 302  # one draft per follow-up

    auth.logout()
    auth.login_as(fs_town.rep(neighbour))
    assert client.get(f"/exchange/{posting.id}").status_code == 404
    assert "Gemeinsame Raumanfrage" not in client.get("/exchange/").text
    auth.logout()
    auth.login_as(fs_town.rep(owner))
    mine = client.get("/exchange/mine").text
    assert "Gemeinsame Raumanfrage" in mine and "veröffentlichen" in mine
    assert client.post(f"/exchange/{posting.id}/publish").status_code == 302
    db.session.refresh(posting)
    assert posting.state is PostingState.open and posting.expires_at > utcnow()
    assert client.post(f"/exchange/{posting.id}/publish").status_code == 302  # a second click changes nothing
    auth.logout()
    auth.login_as(fs_town.rep(neighbour))
    assert client.get(f"/exchange/{posting.id}").status_code == 200
    assert "Gemeinsame Raumanfrage" in client.get("/exchange/").text


def test_follow_up_list_filters_overdue_and_owner(client, auth, db, fs_town, past_chat):
    today = date.today()
    owner, other = fs_town.members[0], fs_town.members[1]
    db.session.add_all(
        [
            FollowUp(
                chat_id=past_chat.id,
                title="Überfällig",
                owner_association_id=owner.id,
                due_on=today - timedelta(days=2),
            ),
            FollowUp(
                chat_id=past_chat.id, title="Später", owner_association_id=other.id, due_on=today + timedelta(days=20)
            ),
            FollowUp(chat_id=past_chat.id, title="Ohne Datum"),
            FollowUp(chat_id=past_chat.id, title="Erledigt", state=FollowUpState.done),
        ]
    )
    elsewhere = build_past_chat(db, fs_town, title="Andere Stadt")
    elsewhere.municipality_id = fs_town.other_town.id
    db.session.add(FollowUp(chat_id=elsewhere.id, title="Fremd"))
    db.session.commit()
    auth.login_as(fs_town.coordinator)
    page = client.get("/fireside/follow-ups").text
    assert page.index("Überfällig") < page.index("Später") < page.index("Ohne Datum")
    assert "Erledigt" not in page and "Fremd" not in page
    overdue = client.get("/fireside/follow-ups?overdue=1").text
    assert "Überfällig" in overdue and "Später" not in overdue
    by_owner = client.get(f"/fireside/follow-ups?owner={other.id}").text
    assert "Später" in by_owner and "Überfällig" not in by_owner
    assert client.get("/fireside/follow-ups?owner=abc&page=x&overdue=<script>").status_code == 200


def test_chat_page_shows_the_after_part_once_the_chat_has_begun(client, auth, db, fs_town, past_chat):
    upcoming = build_past_chat(db, fs_town, days_ago=-3, title="Kommt noch")
    auth.login_as(fs_town.coordinator)
    page = main_of(client.get(f"/fireside/chats/{past_chat.id}").text)
    assert 'id="after-chat-heading"' in page and f'href="/fireside/chats/{past_chat.id}/after"' in page
    assert "Attendance not recorded yet." in page
    page = main_of(client.get(f"/fireside/chats/{upcoming.id}").text)
    assert 'id="after-chat-heading"' not in page
    assert "can be recorded once the chat has begun" in page


def test_follow_up_of_an_association_withdrawn_later_can_still_be_edited(client, auth, db, fs_town, past_chat):
    owner = fs_town.members[3]
    follow_up = FollowUp(chat_id=past_chat.id, title="Alte Aufgabe", owner_association_id=owner.id)
    db.session.add(follow_up)
    invitation_of(past_chat, owner).state = InvitationState.withdrawn
    db.session.commit()
    auth.login_as(fs_town.coordinator)
    data = {"title": "Alte Aufgabe, neu", "owner_association_id": str(owner.id), "state": "open", "due_on": ""}
    assert client.post(f"/fireside/follow-ups/{follow_up.id}/edit", data=data).status_code == 302
    db.session.refresh(follow_up)
    assert (follow_up.title, follow_up.owner_association_id) == ("Alte Aufgabe, neu", owner.id)
    # …but nobody new can be made owner who is not on the list.
    response = client.post(f"/fireside/chats/{past_chat.id}/follow-ups/new", data={**data, "title": "Neu"})
    assert response.status_code == 422 and 'id="owner_association_id-error"' in response.text
