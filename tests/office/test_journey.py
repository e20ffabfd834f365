"""The office's desk in a real browser, with axe-core on every page.

The coordinator logs a consultation from the dashboard, opens the impact report for the year, switches
to the shareable figures, downloads the Word document and finds the figures in it; a period that ends
before it starts is explained beside the field; printing leaves the navigation out. The report page is
also checked on a phone.
"""

import io

import pytest
from docx import Document

from core.models import Field
from tests.browser.helpers import PHONE, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def submit(page, form):
    page.locator(form).locator("button[type=submit]").click()
    page.wait_for_load_state()


def row_cells(page, caption, row):
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    line = table.locator("tr", has=page.locator("th[scope=row]", has_text=row))
    return [text.strip() for text in line.locator("td").all_inner_texts()]


def test_coordinator_logs_a_consultation_and_takes_the_report_to_the_council(
        page, live_server, db, factory, office_world, check_a11y):
    w = office_world
    # Enough associations that the shareable totals can be shown (small fields alone would give them away).
    for n in range(3):
        factory.association(w.town, f"Kulturkreis {n}", field=Field.culture)
    for n in range(4):
        factory.association(w.town, f"Sportfreunde {n}", field=Field.sport)
    base = live_server.url
    sign_in(page, base, w.coordinator.email, PASSWORD)

    # The desk: log a consultation from there.
    page.goto(base + "/office/")
    check_a11y(page)
    page.locator("main a", has_text="Log a consultation").first.click()
    page.wait_for_load_state()
    check_a11y(page)
    page.select_option("#association_id", label="Türkischer Elternverein")
    page.locator("input[name=topics][value=funding]").check()
    page.fill("#minutes_spent", "90")
    page.fill("#summary", "Förderantrag für das Sommerfest besprochen.")
    submit(page, "main form.stack")
    assert "is logged" in page.locator(".flash-success").inner_text()
    check_a11y(page)

    # The report for this year, all of the coordinator's towns, exact figures.
    page.goto(base + "/office/report")
    assert page.locator("h1").inner_text() == "Impact report of the coordination office"
    assert row_cells(page, "Consultations by topic", "Funding application") == ["1", "1.5"]
    assert row_cells(page, "Associations by field of activity", "All fields") == ["9", "9", "1"]
    assert "Exact figures, for the coordination office only." in page.locator(".report-variant").inner_text()
    check_a11y(page)

    # A period that ends before it starts: said beside the field, what was typed is kept.
    page.fill("#start", "2026-12-31")
    page.fill("#end", "2026-01-01")
    submit(page, "main form.report-choice")
    assert page.locator("#end-error").inner_text() == "The period must not end before it starts."
    assert page.locator("#start").input_value() == "2026-12-31"
    assert page.locator(".report-section").count() == 0
    check_a11y(page)

    page.goto(base + "/office/report")
    page.locator("main a", has_text="Show the shareable version").click()
    page.wait_for_load_state()
    assert row_cells(page, "Consultations by topic", "Funding application") == ["< 3", "x"]
    assert row_cells(page, "Associations by field of activity", "All fields") == ["9", "9", "< 3"]
    assert row_cells(page, "Associations by field of activity", "Culture") == ["x", "x", "0"]
    check_a11y(page)

    # Printing: the navigation and the choices are left out, the figures stay.
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("form.report-choice").is_hidden()
    assert page.locator("#consultations").is_visible()
    page.emulate_media(media="screen")

    # The Word document for the council paper.
    with page.expect_download() as download_info:
        page.locator("main a", has_text="Word document for the council paper").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-shareable.docx")
    document = Document(io.BytesIO(download.path().read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Advice: consultations by topic and time spent" in paragraphs
    assert "Consultations: < 3 with < 3 associations." in paragraphs
    by_field = next(t for t in document.tables if t.rows[0].cells[1].text == "Identified")
    assert [c.text for c in by_field.rows[-1].cells] == ["All fields", "9", "9", "< 3"]


def test_report_on_a_phone_passes_axe(page, live_server, db, factory, office_world, check_a11y):
    w = office_world
    w.consult(w.a, topics=["funding", "events"], minutes_spent=60)
    sign_in(page, live_server.url, w.coordinator.email, PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + "/office/report")
    assert row_cells(page, "Consultations by topic", "Event planning") == ["1", "0.5"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    check_a11y(page)
    page.goto(live_server.url + f"/office/report?municipality={w.town_y.id}")
    assert page.locator("#municipality-error").inner_text() == "Please choose one of your municipalities."
    check_a11y(page)
