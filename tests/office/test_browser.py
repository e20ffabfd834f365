"""The desk and the advice log in a real browser, with axe-core on every page (desktop and phone).

The coordinator starts on the desk, logs a consultation (first with a mistake), marks its next step
done from the desk, filters the log with a period that ends before it starts, and opens the handover
page; the representative then reads the consultation on the start page's link, without internal notes.
"""

from datetime import timedelta

import pytest

from surveys.models import local_today
from tests.browser.helpers import PHONE, sign_in, sign_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def submit(page):
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_load_state()


def test_coordinator_logs_a_consultation_and_the_association_reads_it(page, live_server, office_world, check_a11y):
    w, base = office_world, live_server.url
    w.consult(w.b, next_step="Satzung prüfen", next_step_due=local_today() - timedelta(days=2))
    sign_in(page, base, w.coordinator.email, PASSWORD)
    assert page.url == base + "/office/"
    check_a11y(page)

    page.locator("main a.button", has_text="Log a consultation").click()
    page.select_option("#association_id", str(w.a.id))
    page.check("#topics-0")
    page.check("#format-1")
    page.fill("#minutes_spent", "-20")
    page.fill("#summary", "Förderantrag für das Kinderfest")
    page.fill("#internal_notes", "Kassenwart neu im Amt")
    page.fill("#next_step", "Kostenplan schicken")
    page.fill("#next_step_due", (local_today() + timedelta(days=7)).isoformat())
    submit(page)
    assert page.locator("#minutes_spent-error").is_visible()
    assert page.input_value("#summary") == "Förderantrag für das Kinderfest"
    check_a11y(page)
    page.fill("#minutes_spent", "45")
    submit(page)
    assert page.locator(".flash-success").is_visible()
    assert "Kassenwart neu im Amt" in page.inner_text("main")
    check_a11y(page)

    page.goto(base + "/office/")
    row = page.locator("tr", has_text="Satzung prüfen")
    row.locator("button", has_text="Mark as done").click()
    page.wait_for_load_state()
    assert page.url == base + "/office/" and page.locator("tr", has_text="Satzung prüfen").count() == 0

    page.goto(base + "/office/consultations?date_from=2026-05-01&date_to=2026-04-01")
    assert page.locator("#date_to-error").is_visible()
    assert page.locator("main table").inner_text().count("Funding application") >= 1
    check_a11y(page)
    page.goto(base + "/office/handover")
    check_a11y(page)
    sign_out(page)

    page.set_viewport_size(PHONE)
    sign_in(page, base, w.rep_a.email, PASSWORD)
    assert page.url == base + "/office/start"
    assert "Kostenplan schicken" in page.inner_text("main")
    check_a11y(page)
    page.locator("main a", has_text="Advice from the coordination office").click()
    text = page.inner_text("main")
    assert "Förderantrag für das Kinderfest" in text and "Kassenwart" not in text
    check_a11y(page)


def test_phone_pages_of_the_coordinator_pass_axe(page, live_server, office_world, check_a11y):
    w, base = office_world, live_server.url
    consultation = w.consult(w.a, next_step="Belege schicken", next_step_due=local_today(), internal_notes="Notiz")
    page.set_viewport_size(PHONE)
    sign_in(page, base, w.coordinator.email, PASSWORD)
    for path in ("/office/", "/office/consultations", "/office/consultations/new",
                 f"/office/consultations/{consultation.id}", f"/office/consultations/{consultation.id}/edit",
                 f"/office/associations/{w.a.id}/consultations", f"/associations/{w.a.id}"):
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        check_a11y(page)
