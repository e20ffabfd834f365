"""The whole needs survey in a real browser, with real SMTP and CSRF on; axe-core on every page.

Coordinator builds the survey from the template, translates one question and invites; a
representative answers through the personal link in two sittings (the second after the
session expired), submits and edits; the coordinator sees 1 of 3, reminds the others and
exports XLSX, which openpyxl reads back.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.models import Field
from surveys.models import local_today
from tests.browser.helpers import PHONE, deliver, link_in, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-surveys")


@pytest.fixture
def app_config(smtp_config):
    return {**smtp_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def town(factory):
    town = factory.municipality("Musterstadt", office_name="Koordinierungsstelle Musterstadt")
    a = factory.association(
        town, name="Türkischer Elternverein", field=Field.education, district="Weststadt", email="eltern@example.org"
    )
    factory.association(
        town, name="Griechische Gemeinde", field=Field.culture, district="Oststadt", email="gemeinde@example.org"
    )
    factory.association(town, name="FC Internationale", field=Field.sport, district="Weststadt", email="fc@example.org")
    factory.representative(a, email="ayse@example.org", name="Ayşe Demir", locale="de")
    return town


def shoot(page, name):
    """Desktop and phone screenshots for the visual review."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)


def visit(page, check_a11y, name):
    page.wait_for_load_state()
    check_a11y(page)
    shoot(page, name)


def test_survey_journey(
    page, browser, browser_context_args, live_server, smtp_server, check_a11y, factory, town, tmp_path
):
    base = live_server.url
    coordinator = factory.coordinator(town, email="koordination@example.org", name="Koordination")
    page.set_viewport_size({"width": 1280, "height": 900})

    # ---------------------------------------------------------------- the coordinator builds
    sign_in(page, base, coordinator.email, PASSWORD)
    page.goto(base + "/surveys/")
    visit(page, check_a11y, "01-index")
    page.click("a[href='/surveys/new']")
    visit(page, check_a11y, "02-new")
    page.check("input[name=start][value=template]")
    page.fill("#title", "Bedarfserhebung Vereine 2026")
    page.check("input[name=languages][value=tr]")
    page.fill("#closes_on", (local_today() + timedelta(days=30)).isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/surveys/\d+/edit$"))
    survey_id = int(re.search(r"/surveys/(\d+)/edit", page.url).group(1))
    visit(page, check_a11y, "03-builder")
    page.goto(f"{base}/surveys/{survey_id}/preview")
    visit(page, check_a11y, "04-preview")

    page.goto(f"{base}/surveys/{survey_id}/translations")
    visit(page, check_a11y, "05-translations")
    page.click(f"a[href='/surveys/{survey_id}/translations/tr']")
    visit(page, check_a11y, "06-translate")
    question_label = page.locator("p.sv-source", has_text="Braucht Ihr Verein (weitere) Räume?")
    field = page.locator(f"#{question_label.get_attribute('id').removesuffix('-source')}")
    field.fill("Derneğinizin (ek) mekâna ihtiyacı var mı?")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/surveys/{survey_id}/translations")
    assert page.locator("meter").count() == 2

    page.goto(f"{base}/surveys/{survey_id}/invite")
    visit(page, check_a11y, "07-invite")
    page.click("button[name=action][value=send]")
    page.wait_for_url(f"{base}/surveys/{survey_id}/tracking")
    page.goto(f"{base}/surveys/{survey_id}")
    visit(page, check_a11y, "08-overview")
    page.click(f"form[action='/surveys/{survey_id}/open'] button")
    page.wait_for_load_state()
    invitations = deliver(smtp_server, 3)
    mail = next(m for m in invitations if m["To"] == "ayse@example.org")
    link = link_in(mail, "/surveys/r/")

    # ---------------------------------------------------------------- the representative, first sitting
    context = browser.new_context(**browser_context_args)
    rep = context.new_page()
    rep.set_viewport_size({"width": 1280, "height": 900})
    rep.goto(link)
    visit(rep, check_a11y, "10-start")
    rep.fill("#respondent_name", "Ayşe")
    rep.locator("main form.stack button[type=submit]").click()
    rep.wait_for_load_state()
    rep.locator("main .actions a.button").first.click()
    visit(rep, check_a11y, "11-page-about")
    rep.locator("label", has_text="Bildung und Sprache").click()
    rep.locator("label", has_text="Kinder").click()
    rep.locator("input.sv-number").first.fill("120")
    rep.click("button[name=action][value=next]")
    rep.wait_for_load_state()
    assert rep.locator("h1", has_text="Räume").count() == 1
    visit(rep, check_a11y, "12-page-rooms")
    purpose = rep.locator(".sv-question", has_text="Wofür brauchen Sie Räume?")
    assert purpose.is_hidden(), "shown only when rooms are needed"
    rep.locator("label", has_text="Keine festen Räume").click()
    rep.locator(".sv-question", has_text="Braucht Ihr Verein").locator("label", has_text="Ja").click()
    assert purpose.is_visible(), "the script shows the follow-up question at once"
    purpose.locator("label", has_text="Unterricht und Kurse").click()
    rep.click("button[name=action][value=save]")
    rep.wait_for_load_state()
    visit(rep, check_a11y, "13-start-draft")
    assert "Ayşe" in rep.locator("main").inner_text()

    # ---------------------------------------------------------------- second sitting, after the session expired
    rep.goto(link)
    rep.locator("ol.sv-progress-list a", has_text="Herkunftssprachlicher Unterricht").click()
    rep.wait_for_load_state()
    rep.locator(".sv-question", has_text="Bietet Ihr Verein Unterricht").locator("label", has_text="Ja").first.click()
    rep.locator(".sv-question", has_text="In welchen Sprachen").locator("label", has_text="Türkisch").click()
    rep.locator(".sv-question", has_text="Wie viele Kinder").locator("input").fill("35")
    context.clear_cookies()
    rep.click("button[name=action][value=next]")
    rep.wait_for_load_state()
    assert rep.locator("main [role=alert]").count() >= 1
    assert rep.locator(".sv-question", has_text="Wie viele Kinder").locator("input").input_value() == "35"
    visit(rep, check_a11y, "14-expired-kept")
    rep.click("button[name=action][value=next]")
    rep.wait_for_load_state()
    assert rep.locator("h1", has_text="Veranstaltungen").count() == 1

    rep.goto(link.split("?")[0] + "/review")
    visit(rep, check_a11y, "15-review")
    rep.click("button[name=action][value=submit]")
    rep.wait_for_load_state()
    assert rep.locator(".flash-success").count() == 1
    visit(rep, check_a11y, "16-submitted")

    # Editing after submitting: the change is saved directly.
    rep.locator("ol.sv-progress-list a", has_text="Über Ihren Verein").click()
    rep.wait_for_load_state()
    rep.locator("input.sv-number").first.fill("125")
    rep.click("button[name=action][value=next]")
    rep.wait_for_load_state()
    rep.goto(link.split("?")[0] + "/review")
    assert "125" in rep.locator("main").inner_text()
    rep.set_viewport_size(PHONE)
    rep.goto(link)
    rep.locator("ol.sv-progress-list a", has_text="Räume").click()
    rep.wait_for_load_state()
    assert rep.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        "no sideways scrolling on a phone"
    )
    context.close()

    # ---------------------------------------------------------------- the coordinator follows up
    page.goto(f"{base}/surveys/{survey_id}/tracking")
    visit(page, check_a11y, "20-tracking")
    assert re.search(r"1 (of|von) 3", page.locator("#response-rate").inner_text())
    page.click(f"form[action='/surveys/{survey_id}/remind'] button")
    page.wait_for_load_state()
    reminders = deliver(smtp_server, 2)
    assert {m["To"] for m in reminders} == {"gemeinde@example.org", "fc@example.org"}

    page.goto(f"{base}/surveys/{survey_id}/results")
    visit(page, check_a11y, "21-results")
    page.goto(f"{base}/surveys/{survey_id}/results?by=district")
    check_a11y(page)
    with page.expect_download() as download:
        page.click(f"a[href='/surveys/{survey_id}/export.xlsx']")
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    answers = book.worksheets[0]
    header = [cell.value for cell in answers[1]]
    rows = [dict(zip(header, [cell.value for cell in row], strict=True)) for row in answers.iter_rows(min_row=2)]
    assert len(rows) == 1
    row = rows[0]
    assert row["association"] == "Türkischer Elternverein" and row["mitglieder"] == 125 and row["hsu-kinder"] == 35
    assert (
        row["raumbedarf"] in ("Ja", "Yes")
        and row["raumbedarf-zweck__unterricht"] == 1
        and row["hsu-sprachen__hsu-tr"] == 1
    )
    assert row["updated_by"] == "Ayşe"
    assert book.worksheets[1].cell(row=1, column=1).value == "column"
