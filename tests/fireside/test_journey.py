"""A fireside chat from the first idea to its follow-ups, in a real browser, with axe-core on every page.

The coordinator plans a chat for the heritage-language sub-network with a date poll; two associations
mark the dates through the links in their mails (no account); the coordinator fixes the date, the host
confirms, the invitations (with an .ics file) arrive at the real SMTP server. One association accepts
with two names, one declines, a third fills the chat, a fourth goes on the waitlist and moves up when
the third cancels. After the chat the coordinator records attendance, minutes, a decision and a
follow-up (with a mistake first); an association that came reads them and marks its follow-up done,
one that did not come gets "not found".
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import utcnow
from fireside.forms import to_berlin
from fireside.models import FiresideChat, FollowUpState, SeatState
from tests.browser.helpers import body_of, deliver, link_in, sign_in, sign_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(smtp_config):
    return smtp_config


def submit(page, form="main form.stack"):
    page.locator(form).locator("button[type=submit]").last.click()
    page.wait_for_load_state()


def click(page, name):
    page.locator("main").get_by_role("button", name=name).first.click()
    page.wait_for_load_state()


def by_recipient(mails):
    return {mail["To"]: mail for mail in mails}


def local_input(moment):
    """A naive UTC moment as the value of a datetime-local field (Europe/Berlin)."""
    return to_berlin(moment).strftime("%Y-%m-%dT%H:%M")


def answer_by_link(guest, link, check_a11y, answer, names=()):
    guest.goto(link)
    check_a11y(guest)
    guest.locator(f"input[name=answer][value={answer}]").check()
    guest.fill("#names", "\n".join(names))
    submit(guest)
    check_a11y(guest)
    return guest.locator("main").inner_text()


def test_fireside_chat_from_date_poll_to_follow_ups(
    page, browser, browser_context_args, live_server, smtp_server, check_a11y, db, fs_town
):
    base = live_server.url
    host, arabic, alevi, italian = fs_town.members
    reps = {a.name: fs_town.rep(a) for a in fs_town.members}
    guest = browser.new_context(**browser_context_args).new_page()

    # --- The coordinator plans the chat from the sub-network's page, with two proposed dates.
    sign_in(page, base, fs_town.coordinator.email, PASSWORD)
    page.goto(f"{base}/matching/networks/{fs_town.network.id}")
    check_a11y(page)
    page.locator("main a", has_text="Plan a fireside chat").click()
    page.wait_for_load_state()
    check_a11y(page)
    assert page.locator("input[name=association_ids]:checked").count() == 4
    first_date = (utcnow() + timedelta(days=14)).replace(hour=16, minute=0, second=0, microsecond=0)
    second_date = first_date + timedelta(days=7)
    page.fill("#title", "Kamingespräch Herkunftssprachen")
    page.fill("#description", "Räume für den Unterricht am Samstag.")
    page.select_option("#host_association_id", str(host.id))
    page.fill("#venue_name", "Vereinsheim")
    page.fill("#venue_address", "Hauptstraße 1, 71634 Kaminstadt")
    page.fill("#option_1", local_input(first_date))
    page.fill("#option_2", local_input(second_date))
    page.fill("#capacity", "4")
    page.fill("#max_per_association", "2")
    submit(page)
    assert page.locator("h1").inner_text() == "Kamingespräch Herkunftssprachen"
    check_a11y(page)
    chat = db.session.scalar(select(FiresideChat))

    # --- The date poll goes to the four associations; two of them answer through their links.
    click(page, "Send the date poll")
    check_a11y(page)
    polls = by_recipient(deliver(smtp_server, 4))
    for rep, answers in ((reps[host.name], ("yes", "no")), (reps[arabic.name], ("yes", "if_need_be"))):
        guest.goto(link_in(polls[rep.email], "/fireside/r/"))
        check_a11y(guest)
        for fieldset, value in zip(guest.locator("form.vote-form fieldset").all(), answers, strict=True):
            fieldset.locator(f"input[value={value}]").check()
        submit(guest, "form.vote-form")
        check_a11y(guest)

    # --- The coordinator sees the table and fixes the first date.
    page.reload()
    assert "2 / 0 / 0" in page.locator("table.poll tfoot").inner_text()
    check_a11y(page)
    page.locator("form.fix-date button").first.click()
    page.wait_for_load_state()
    check_a11y(page)

    # --- The host confirms venue and date; then the invitations go out with a calendar file.
    host_page = browser.new_context(**browser_context_args).new_page()
    sign_in(host_page, base, reps[host.name].email, PASSWORD)
    host_page.goto(base + "/fireside/mine")
    check_a11y(host_page)
    host_page.locator("main a", has_text="Kamingespräch Herkunftssprachen").first.click()
    host_page.wait_for_load_state()
    check_a11y(host_page)
    click(host_page, "Confirm as host")
    check_a11y(host_page)
    page.reload()
    click(page, "Send the invitations")
    check_a11y(page)
    invitations = by_recipient(deliver(smtp_server, 4))
    assert set(invitations) == {r.email for r in reps.values()}
    calendar = [
        part for part in invitations[reps[host.name].email].walk() if part.get_content_type() == "text/calendar"
    ]
    assert calendar and b"DTSTART;TZID=Europe/Berlin" in calendar[0].get_payload(decode=True)

    # --- Answers: two names, a decline, a full chat, the waitlist, a cancellation and a promotion.
    link = {name: link_in(invitations[rep.email], "/fireside/r/") for name, rep in reps.items()}
    answer_by_link(guest, link[host.name], check_a11y, "accept", ["Ayşe Demir", "Mehmet Kaya"])
    answer_by_link(guest, link[arabic.name], check_a11y, "decline")
    answer_by_link(guest, link[alevi.name], check_a11y, "accept", ["Cem Yıldız", "Elif Aydın"])
    text = answer_by_link(guest, link[italian.name], check_a11y, "accept", ["Giulia Rossi"])
    assert "Warteliste" in text  # the link pages speak the browser's language, German
    db.session.expire_all()
    assert db.session.get(FiresideChat, chat.id).seats_taken == 4
    answer_by_link(guest, link[alevi.name], check_a11y, "decline")
    [promoted] = deliver(smtp_server, 1)
    assert promoted["To"] == reps[italian.name].email and "Kamingespräch Herkunftssprachen" in body_of(promoted)
    db.session.expire_all()
    seats = {i.association_id: i.seat_state for i in db.session.get(FiresideChat, chat.id).invitations}
    assert seats[italian.id] is SeatState.confirmed and seats[alevi.id] is SeatState.none
    page.reload()
    check_a11y(page)

    # --- The chat takes place (its start moves into the past); the coordinator keeps the records.
    chat = db.session.get(FiresideChat, chat.id)
    chat.starts_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    page.reload()
    check_a11y(page)
    page.locator("main .after-chat a", has_text="Record attendance").click()
    page.wait_for_load_state()
    check_a11y(page)
    invitation_ids = {i.association_id: i.id for i in chat.invitations}
    page.fill(f"#persons_{invitation_ids[italian.id]}", "3")  # more than the two per association
    submit(page)
    assert "from 0 to 2" in page.locator(f"#persons_{invitation_ids[italian.id]}-error").inner_text()
    check_a11y(page)
    page.fill(f"#persons_{invitation_ids[italian.id]}", "1")
    submit(page)
    assert page.locator("h1").inner_text() == "Kamingespräch Herkunftssprachen"
    assert "2 associations came, 3 persons in all." in page.locator("main").inner_text()
    check_a11y(page)

    page.locator("main a", has_text="Write the minutes").click()
    page.wait_for_load_state()
    check_a11y(page)
    page.fill(
        "#minutes", "Wir brauchen **Räume am Samstag**.\n\n- Raumanfrage an die Stadt\n- <script>alert(1)</script>"
    )
    submit(page)
    minutes = page.locator("main .minutes")
    assert minutes.locator("strong").inner_text() == "Räume am Samstag"
    assert "<script>alert(1)</script>" in minutes.inner_text()
    check_a11y(page)
    page.fill("#text", "Wir treffen uns zweimal im Jahr.")
    submit(page, "main form[action$='/decisions']")
    check_a11y(page)

    page.locator("main a", has_text="Add a follow-up").click()
    page.wait_for_load_state()
    check_a11y(page)
    page.fill("#title", "Gemeinsame Raumanfrage stellen")
    page.select_option("#owner_association_id", str(host.id))
    page.fill("#due_on", (to_berlin(chat.starts_at) - timedelta(days=3)).date().isoformat())
    submit(page)
    assert "cannot be before the chat" in page.locator("#due_on-error").inner_text()
    assert page.locator("#title").input_value() == "Gemeinsame Raumanfrage stellen"
    check_a11y(page)
    page.fill("#due_on", (to_berlin(utcnow()) + timedelta(days=30)).date().isoformat())
    submit(page)
    assert "Gemeinsame Raumanfrage stellen" in page.locator("main #follow-ups-heading + ul").inner_text()
    check_a11y(page)
    page.goto(base + "/fireside/follow-ups")
    assert "Gemeinsame Raumanfrage stellen" in page.locator("main table").inner_text()
    check_a11y(page)

    # --- The host association came: it reads minutes, decision and follow-up and marks its follow-up done.
    host_page.goto(f"{base}/fireside/chats/{chat.id}/after")
    main = host_page.locator("main").inner_text()
    assert "Räume am Samstag" in main and "Wir treffen uns zweimal im Jahr." in main
    assert "Record attendance" not in main
    check_a11y(host_page)
    click(host_page, "Mark as done")
    assert "Gemeinsame Raumanfrage stellen" in host_page.locator(".flash-success").inner_text()
    check_a11y(host_page)
    db.session.expire_all()
    assert db.session.get(FiresideChat, chat.id).follow_ups[0].state is FollowUpState.done

    # --- The association that declined did not come: the page does not exist for it.
    sign_out(host_page)
    sign_in(host_page, base, reps[arabic.name].email, PASSWORD)
    response = host_page.goto(f"{base}/fireside/chats/{chat.id}/after")
    assert response.status == 404
    check_a11y(host_page)
