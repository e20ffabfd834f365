"""The matcher in a real browser, with axe-core on every page.

The coordinator runs the matcher, reads why an association is in the heritage-language suggestion,
accepts it, removes one member by hand with a reason; the representative of a member association then
sees the sub-network. A second walk visits the remaining pages: rules (with a form error), overview,
dismissed, sub-networks, and the association's networking page on a phone.
"""

import pytest

from matching import services
from tests.browser.helpers import PHONE, sign_in, sign_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def defaults(db, town):
    services.install_default_rules(town.municipality.id, town.coordinator)
    db.session.commit()


def submit(page, form):
    page.locator(form).locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_coordinator_accepts_heritage_language_network_and_member_sees_it(
        page, live_server, db, factory, town, defaults, check_a11y):
    base = live_server.url
    member_rep = factory.representative(town["Alevitische Gemeinde"], email="alevi@example.org", locale="en")

    sign_in(page, base, town.coordinator.email, PASSWORD)
    page.goto(base + "/matching/")
    assert page.locator("h1").inner_text().startswith("Suggested sub-networks")
    check_a11y(page)

    # Run on demand.
    submit(page, "form.inline-form:has(button:text('Run the matcher now'))")
    assert page.locator(".flash-success").inner_text().startswith("The matcher ran:")
    check_a11y(page)

    # Why is the Turkish parents' association in? The explanation names the profile topic.
    card = page.locator("li.suggestion", has=page.locator("h2", has_text="Heritage-language teaching"))
    card.locator("summary").click()
    why = card.locator(".member-reasons > li", has_text="Türkischer Elternverein")
    assert "Profile topic “Heritage-language teaching: Turkish”" in why.inner_text()
    check_a11y(page)

    card.locator("a.button").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Heritage-language teaching"
    member = page.locator(".member-reasons > li", has=page.locator("h3", has_text="Italienischer Kreis"))
    assert "Profile topic “Heritage-language teaching: Italian”" in member.inner_text()
    check_a11y(page)

    # Accept with an empty name first: the form says so.
    page.fill("#name", "")
    submit(page, "form[action$='/accept']")
    assert page.locator("#name-error").is_visible()
    check_a11y(page)
    page.fill("#name", "Herkunftssprachlicher Unterricht – Runde mit dem Schulamt")
    page.fill("#notes", "Zweimal im Jahr mit dem Staatlichen Schulamt.")
    submit(page, "form[action$='/accept']")
    assert page.locator("h1").inner_text() == "Herkunftssprachlicher Unterricht – Runde mit dem Schulamt"
    assert page.locator("#computed + ul > li").count() == 4
    check_a11y(page)

    # Remove one member by hand, with a reason.
    page.locator("a", has_text="Remove Italienischer Kreis").click()
    page.wait_for_load_state()
    check_a11y(page)
    submit(page, "main form.stack")
    assert page.locator("#reason-error").is_visible()
    check_a11y(page)
    page.fill("#reason", "Der Unterricht ruht seit dem Sommer.")
    submit(page, "main form.stack")
    assert page.locator("#computed + ul > li").count() == 3
    former = page.locator("table", has=page.locator("th", has_text="Italienischer Kreis"))
    assert "Der Unterricht ruht seit dem Sommer." in former.inner_text()
    check_a11y(page)
    sign_out(page)

    # A member association's representative sees the sub-network, and not the coordinators' notes.
    sign_in(page, base, member_rep.email, PASSWORD)
    page.goto(base + "/matching/my")
    check_a11y(page)
    page.locator("main a", has_text="Runde mit dem Schulamt").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Herkunftssprachlicher Unterricht – Runde mit dem Schulamt"
    assert "Staatlichen Schulamt" not in page.locator("main").inner_text()
    assert "2 more associations belong to it" in page.locator("main").inner_text()
    check_a11y(page)


def test_other_matching_pages_pass_axe_on_desktop_and_phone(page, live_server, db, factory, town, defaults, check_a11y):
    base = live_server.url
    sign_in(page, base, town.coordinator.email, PASSWORD)
    municipality = town.municipality.id
    for path in ("/suggestions", "/networks", "/networks/new", "/overview", "/rules", "/rules/new", "/dismissed"):
        page.goto(f"{base}/matching/{municipality}{path}")
        check_a11y(page)

    # A rule with the smallest group above the largest: the message sits beside the field.
    page.goto(f"{base}/matching/{municipality}/rules/new")
    page.fill("#name", "Zu streng")
    page.locator("input[name=topic_keys][value=rooms]").check()
    page.fill("#min_size", "9")
    page.fill("#max_size", "3")
    submit(page, "main form.rule-form")
    assert "cannot be larger than the largest group" in page.locator("#min_size-error").inner_text()
    assert page.locator("#name").input_value() == "Zu streng"
    check_a11y(page)

    # Dismiss a suggestion (needs a reason), then see it listed.
    page.goto(f"{base}/matching/{municipality}/suggestions")
    page.locator("li.suggestion a.button").first.click()
    page.wait_for_load_state()
    page.fill("#reason", "Kein gemeinsamer Bedarf.")
    submit(page, "form[action$='/dismiss']")
    page.goto(f"{base}/matching/{municipality}/dismissed")
    assert "Kein gemeinsamer Bedarf." in page.locator("main").inner_text()
    check_a11y(page)
    sign_out(page)

    rep = factory.representative(town["Sportverein"], email="sport@example.org", locale="en")
    page.set_viewport_size(PHONE)
    sign_in(page, base, rep.email, PASSWORD)
    page.goto(f"{base}/matching/association/{town['Sportverein'].id}/networking")
    check_a11y(page)
    page.locator("#is_visible").check()
    submit(page, "main form.stack")
    assert page.locator(".flash-success").is_visible()
    check_a11y(page)
    page.goto(f"{base}/matching/my")
    check_a11y(page)
