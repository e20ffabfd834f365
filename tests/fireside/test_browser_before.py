"""The planning half of a fireside chat in a real browser, with axe-core on every page and screenshots.

The coordinator plans a chat for the heritage-language sub-network with a date poll, an association
votes through its mailed link (no account), the coordinator fixes the date, the host confirms, the
invitations arrive at the real SMTP server, associations answer through their links until the chat is
full and the next one lands on the waitlist. Pages are photographed at phone and desktop width into
/tmp/shots-fireside for review.
"""

from datetime import timedelta
from pathlib import Path

import pytest

from core.models import utcnow
from fireside.forms import to_berlin
from tests.browser.helpers import PHONE, de, deliver, link_in, sign_in, sign_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-fireside")


@pytest.fixture
def app_config(smtp_config):
    return smtp_config


def shoot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)


def test_plan_poll_invite_and_fill_up(page, live_server, db, fs_town, smtp_server, check_a11y):
    base = live_server.url
    sign_in(page, base, fs_town.coordinator.email, PASSWORD)
    page.goto(f"{base}/matching/networks/{fs_town.network.id}")
    page.get_by_role("link", name="Plan a fireside chat").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Plan a fireside chat"
    check_a11y(page)

    # A date in the past first: refused next to the field, everything typed kept.
    page.fill("#title", "Kamingespräch Herkunftssprachen")
    page.fill("#venue_name", "Vereinsheim Türkischer Elternverein")
    page.fill("#venue_address", "Hauptstraße 1, Kaminstadt")
    page.select_option("#host_association_id", label="Türkischer Elternverein")
    page.fill("#capacity", "4")
    page.fill("#option_1", "2020-05-05T18:00")
    page.fill("#option_2", "2020-05-06T18:00")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_load_state()
    assert "This date lies in the past" in page.locator("#option_1-error").inner_text()
    assert page.input_value("#venue_name") == "Vereinsheim Türkischer Elternverein"
    check_a11y(page)
    shoot(page, "01-form-error")

    days = [to_berlin(utcnow() + timedelta(days=n)) for n in (12, 14)]
    page.fill("#option_1", days[0].strftime("%Y-%m-%dT18:00"))
    page.fill("#option_2", days[1].strftime("%Y-%m-%dT17:30"))
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_load_state()
    assert "created as a draft" in page.locator(".flash-success").inner_text()
    check_a11y(page)
    page.get_by_role("button", name="Send the date poll").click()
    page.wait_for_load_state()
    check_a11y(page)
    poll_mails = deliver(smtp_server, 4)
    sign_out(page)

    # The Arabic school votes through its link, without an account.
    to_school = next(m for m in poll_mails if m["To"] == fs_town.rep(fs_town.associations[1]).email)
    page.goto(link_in(to_school, "/fireside/r/"))
    check_a11y(page)
    shoot(page, "02-vote")
    page.get_by_role("button", name=de("Save my answers")).click()  # nothing chosen: errors, nothing lost
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    radios = page.locator("fieldset.choices")
    radios.nth(0).locator("input[value=no]").check()
    radios.nth(1).locator("input[value=yes]").check()
    page.get_by_role("button", name=de("Save my answers")).click()
    page.wait_for_load_state()
    assert de("Thank you: your answers to the date poll have been saved. You can change them while the poll is open.") in page.locator(".flash-success").inner_text()
    check_a11y(page)

    # The coordinator fixes the second date; the host has not confirmed yet.
    sign_in(page, base, fs_town.coordinator.email, PASSWORD)
    page.goto(f"{base}/fireside/calendar")
    check_a11y(page)
    page.get_by_role("link", name="Kamingespräch Herkunftssprachen").click()
    page.wait_for_load_state()
    shoot(page, "03-chat-poll")
    page.locator("form.fix-date button").nth(1).click()
    page.wait_for_load_state()
    assert "Send the invitations once the host has confirmed" in page.locator(".flash-success").inner_text()
    check_a11y(page)
    chat_url = page.url
    sign_out(page)

    # The host confirms.
    sign_in(page, base, fs_town.rep(fs_town.associations[0]).email, PASSWORD)
    page.goto(f"{base}/fireside/mine")
    check_a11y(page)
    page.get_by_role("link", name="Kamingespräch Herkunftssprachen").click()
    page.wait_for_load_state()
    check_a11y(page)
    shoot(page, "04-host-confirm")
    page.get_by_role("button", name="Confirm as host").click()
    page.wait_for_load_state()
    sign_out(page)

    sign_in(page, base, fs_town.coordinator.email, PASSWORD)
    page.goto(chat_url)
    page.get_by_role("button", name="Send the invitations").click()
    page.wait_for_load_state()
    assert "The invitations have been sent." in page.locator(".flash-success").inner_text()
    invitations = {m["To"]: m for m in deliver(smtp_server, 4)}
    assert all(m.is_multipart() for m in invitations.values())
    sign_out(page)

    # Two associations take all four seats, the third lands on the waitlist. The link pages speak the
    # browser's language (German here), the coordinator's pages the coordinator's (English).
    def rsvp(association, names, expect):
        page.goto(link_in(invitations[fs_town.rep(association).email], "/fireside/r/"))
        page.locator("input[name=answer][value=accept]").check()
        page.fill("#names", names)
        page.get_by_role("button", name=de("Send answer")).click()
        page.wait_for_load_state()
        assert expect in page.locator(".flash").inner_text()
        check_a11y(page)

    rsvp(fs_town.associations[0], "Ayşe\nMehmet", "Plätze sind bestätigt")
    page.goto(link_in(invitations[fs_town.rep(fs_town.associations[1]).email], "/fireside/r/"))
    page.locator("input[name=answer][value=accept]").check()
    page.fill("#names", "Fatima\nOmar\nLeila")
    page.get_by_role("button", name=de("Send answer")).click()
    page.wait_for_load_state()
    assert "höchstens 2 Personen" in page.locator("#names-error").inner_text()
    assert page.input_value("#names") == "Fatima\nOmar\nLeila"
    check_a11y(page)
    shoot(page, "05-rsvp-error")
    rsvp(fs_town.associations[1], "Fatima\nOmar", "Plätze sind bestätigt")
    rsvp(fs_town.associations[2], "Cem", "Warteliste")
    shoot(page, "06-waitlisted")

    sign_in(page, base, fs_town.coordinator.email, PASSWORD)
    page.goto(chat_url)
    assert "waitlist: 1" in page.locator("main").inner_text()
    check_a11y(page)
    shoot(page, "07-chat-invited")
    page.goto(f"{base}/fireside/calendar")
    shoot(page, "08-calendar")


def test_other_pages_pass_axe(page, live_server, db, fs_town, make_chat, check_a11y):
    base = live_server.url
    chat = make_chat(send=True)
    sign_in(page, base, fs_town.coordinator.email, PASSWORD)
    for name, path in (("09-network", f"/matching/networks/{fs_town.network.id}"),
                       ("10-cancel", f"/fireside/chats/{chat.id}/cancel")):
        page.goto(base + path)
        check_a11y(page)
        shoot(page, name)
    page.get_by_role("button", name="Cancel the chat").click()  # no reason: refused next to the field
    page.wait_for_load_state()
    assert page.locator("#reason-error").is_visible()
    check_a11y(page)
    sign_out(page)
    sign_in(page, base, fs_town.rep(fs_town.associations[1]).email, PASSWORD)
    page.goto(base + "/fireside/mine")
    check_a11y(page)
    shoot(page, "11-mine")
    page.goto(base + f"/matching/my/{fs_town.network.id}")
    assert chat.title in page.locator("main").inner_text()
    check_a11y(page)
    page.goto(base + "/fireside/calendar-feeds")
    page.get_by_role("button", name=de("Create a new calendar address")).click()
    page.wait_for_load_state()
    feed_url = page.input_value("#new-feed-url")
    check_a11y(page)
    shoot(page, "12-feeds")
    assert page.request.get(feed_url).status == 200
    page.goto(base + "/fireside/r/no-such-link")
    check_a11y(page)
    shoot(page, "13-link-problem")
