"""Keyboard use and the language switcher, with and without JavaScript, in German and Arabic."""

import pytest

from .helpers import html_attrs

pytestmark = pytest.mark.browser


@pytest.fixture
def listed(factory):
    return factory.association(listed=True, name="Griechische Gemeinde", district="Oststadt")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server, listed, check_a11y):
    page.goto(live_server.url + "/directory/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] >= 24, "the focused skip link must be on screen"
    check_a11y(page)

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab continues inside the content, not in the header navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert page.evaluate("document.activeElement.id") == "q"


def test_focus_is_visible_on_links_and_buttons(page, live_server, listed):
    page.goto(live_server.url + "/directory/")
    for _ in range(3):
        page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert focused[0] == "A"
    assert focused[1] != "none" and focused[2] >= 2


def test_language_switcher_works_without_javascript(browser, browser_context_args, live_server, listed):
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/directory/?field=culture")
        assert html_attrs(page) == ("de", "ltr")
        button = page.locator(".language-form button[type=submit]")
        assert button.is_visible(), "without JavaScript the switcher needs its own button"

        page.select_option("#language-select", "ar")
        assert html_attrs(page) == ("de", "ltr"), "nothing may happen before the button is pressed"
        button.click()
        page.wait_for_load_state()
        assert page.url == live_server.url + "/directory/?field=culture"
        assert html_attrs(page) == ("ar", "rtl")
        assert page.locator("#language-select").input_value() == "ar"
        assert "Griechische Gemeinde" in page.locator("main").inner_text()

        # The choice sticks for the rest of the visit.
        page.goto(live_server.url + "/login")
        assert html_attrs(page) == ("ar", "rtl")
    finally:
        context.close()


def test_language_switches_on_selection_with_javascript_and_arabic_reads_right_to_left(
    page, live_server, listed, check_a11y
):
    page.goto(live_server.url + f"/directory/{listed.id}")
    assert not page.locator(".language-form button[type=submit]").is_visible()
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    assert page.url == live_server.url + f"/directory/{listed.id}"
    assert html_attrs(page) == ("ar", "rtl")
    check_a11y(page)
    # axe-core needs JavaScript, so audit the no-JavaScript look (switcher with its button) here.
    page.evaluate("document.documentElement.classList.remove('js')")
    assert page.locator(".language-form button[type=submit]").is_visible()
    check_a11y(page)
    page.evaluate("document.documentElement.classList.add('js')")

    # Logical CSS properties mirror the layout: the brand sits at the right edge, the
    # language switcher at the left.
    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    switcher = page.locator(".language-form").bounding_box()
    assert brand["x"] + brand["width"] > width * 0.75
    assert switcher["x"] < width * 0.25

    for path in ("/", "/directory/", "/login", "/access-request", "/legal/accessibility", "/directory/999999"):
        page.goto(live_server.url + path)
        assert html_attrs(page) == ("ar", "rtl"), path
        check_a11y(page)

    with page.expect_navigation():
        page.select_option("#language-select", "de")
    assert html_attrs(page) == ("de", "ltr")
