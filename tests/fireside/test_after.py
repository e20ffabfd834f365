"""After-chat services, the minutes renderer and the report figures, without the web layer."""

from datetime import date, datetime, timedelta

import pytest
from markupsafe import Markup

from core.models import utcnow
from fireside import aftercare, stats
from fireside.aftercare import AfterError
from fireside.minutes import render
from fireside.models import ChatState, FollowUp, FollowUpState, InvitationState, RsvpAnswer
from tests.fireside import conftest_after
from tests.fireside.conftest_after import build_past_chat, invitation_of

past_chat = conftest_after.past_chat

# --------------------------------------------------------------------------- minutes


def test_minutes_render_paragraphs_lists_bold_and_links():
    html = render("Erste Zeile\nzweite **fett**\n\n- eins\n* zwei\nDanach Text\n\nSiehe https://example.org/a.")
    assert html == Markup(
        "<p>Erste Zeile<br>zweite <strong>fett</strong></p>"
        "<ul><li>eins</li><li>zwei</li></ul><p>Danach Text</p>"
        '<p>Siehe <a href="https://example.org/a" rel="nofollow noopener noreferrer">https://example.org/a</a>.</p>'
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "**<b onmouseover=alert(1)>x</b>**",
        'https://example.org/"><script>alert(1)</script>',
        "javascript:alert(1)",
        "[klick](javascript:alert(1))",
        "- <iframe src=//evil.example>",
        "data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_minutes_never_contain_markup_from_the_text(hostile):
    html = str(render(hostile))
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<b " not in html
    assert 'href="javascript' not in html and 'href="data' not in html
    # Only the renderer's own tags are left.
    import re

    assert set(re.findall(r"</?([a-z]+)", html)) <= {"p", "br", "ul", "li", "strong", "a"}


def test_minutes_render_empty_and_windows_line_breaks():
    assert render("") == Markup("")
    assert render(None) == Markup("")
    assert render("a\r\n\r\nb") == Markup("<p>a</p><p>b</p>")


# --------------------------------------------------------------------------- services


def test_attendance_service_checks_start_persons_and_invitation(db, fs_town, past_chat):
    coordinator = fs_town.coordinator
    first, second = (invitation_of(past_chat, a) for a in fs_town.members[:2])
    with pytest.raises(AfterError):
        aftercare.record_attendance(past_chat, {first.id: (True, 3)}, coordinator)
    with pytest.raises(AfterError):
        aftercare.record_attendance(past_chat, {first.id: (True, 0)}, coordinator)
    with pytest.raises(AfterError):
        aftercare.record_attendance(past_chat, {999999: (True, 1)}, coordinator)
    second.state = InvitationState.withdrawn
    with pytest.raises(AfterError):
        aftercare.record_attendance(past_chat, {second.id: (True, 1)}, coordinator)
    aftercare.record_attendance(past_chat, {first.id: (True, 2)}, coordinator)
    assert aftercare.attending_association_ids(past_chat) == {fs_town.members[0].id}
    future = build_past_chat(db, fs_town, days_ago=-1)
    with pytest.raises(AfterError):
        aftercare.record_attendance(future, {}, coordinator)
    with pytest.raises(AfterError):
        aftercare.save_minutes(future, "Zu früh", coordinator)


def test_follow_up_owner_must_be_invited(db, fs_town, past_chat):
    with pytest.raises(AfterError):
        aftercare.add_follow_up(
            past_chat, {"title": "X", "owner_association_id": fs_town.associations[4].id}, fs_town.coordinator
        )
    follow_up = aftercare.add_follow_up(
        past_chat, {"title": "X", "owner_association_id": fs_town.members[2].id}, fs_town.coordinator
    )
    assert follow_up.owner_association_id == fs_town.members[2].id and follow_up.state is FollowUpState.open


def test_representative_may_only_mark_own_follow_up_done(db, fs_town, past_chat):
    owner = fs_town.members[1]
    follow_up = aftercare.add_follow_up(
        past_chat, {"title": "X", "owner_association_id": owner.id}, fs_town.coordinator
    )
    with pytest.raises(AfterError):
        aftercare.set_follow_up_state(follow_up, FollowUpState.done, fs_town.rep(fs_town.members[0]))
    with pytest.raises(AfterError):
        aftercare.set_follow_up_state(follow_up, FollowUpState.dropped, fs_town.rep(owner))
    aftercare.set_follow_up_state(follow_up, FollowUpState.done, fs_town.rep(owner))
    assert follow_up.done_at is not None
    aftercare.set_follow_up_state(follow_up, FollowUpState.open, fs_town.coordinator)
    assert follow_up.done_at is None


# --------------------------------------------------------------------------- report figures


def _attend(chat, association, persons):
    invitation = invitation_of(chat, association)
    invitation.attended, invitation.attended_persons = (persons > 0), persons


def test_chat_figures_count_held_chats_attendance_and_follow_ups(db, fs_town):
    members = fs_town.members
    first = build_past_chat(db, fs_town, days_ago=10, title="Erstes")
    _attend(first, members[0], 2)
    _attend(first, members[1], 1)
    _attend(first, members[2], 0)
    second = build_past_chat(
        db, fs_town, days_ago=3, title="Zweites", associations=members[:3], answers=[(RsvpAnswer.accept, 1)] * 3
    )
    _attend(second, members[0], 1)
    _attend(second, members[2], 2)
    invitation_of(second, members[1]).state = InvitationState.withdrawn
    db.session.add_all(
        [
            FollowUp(chat_id=first.id, title="a", state=FollowUpState.done),
            FollowUp(chat_id=first.id, title="b"),
            FollowUp(chat_id=second.id, title="c"),
            FollowUp(chat_id=second.id, title="d", state=FollowUpState.dropped),
        ]
    )
    # Not counted: cancelled, still to come, another town, before the period.
    build_past_chat(db, fs_town, days_ago=4, state=ChatState.cancelled, title="Abgesagt")
    upcoming = build_past_chat(db, fs_town, days_ago=-2, title="Kommt noch")
    _attend(upcoming, members[3], 2)
    elsewhere = build_past_chat(db, fs_town, days_ago=5, title="Anderswo")
    elsewhere.municipality_id = fs_town.other_town.id
    _attend(elsewhere, members[3], 2)
    old = build_past_chat(db, fs_town, days_ago=400, title="Alt")
    _attend(old, members[3], 2)
    db.session.add(FollowUp(chat_id=old.id, title="alt"))
    db.session.commit()

    today = date.today()
    figures = stats.chat_figures([fs_town.municipality.id], today - timedelta(days=30), today + timedelta(days=30))
    assert figures == {
        "chats_held": 2,
        "associations_invited": 4,  # A–D in the first; A, C in the second (B withdrawn)
        "associations_attended": 3,  # A, B, C
        "persons_attended": 6,  # 2 + 1 + 1 + 2
        "follow_ups_done": 1,
        "follow_ups_open": 2,
        "follow_ups_dropped": 1,
    }
    everywhere = stats.chat_figures(None, today - timedelta(days=30), today)
    assert everywhere["chats_held"] == 3 and everywhere["persons_attended"] == 8
    narrow = stats.chat_figures([fs_town.municipality.id], utcnow() - timedelta(days=5), utcnow())
    assert narrow["chats_held"] == 1 and narrow["associations_invited"] == 2
    nothing = stats.chat_figures([fs_town.municipality.id], datetime(2001, 1, 1), datetime(2002, 1, 1))
    assert nothing == dict.fromkeys(figures, 0)
