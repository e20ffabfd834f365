"""Every foundation page on a phone: no sideways scrolling, tap targets of at least 44px, no
axe-core violations — for the public, a representative and a coordinator, in German and Arabic."""

import pytest

from core.models import Field
from tests.conftest import PASSWORD

from .helpers import PHONE, open_menu, sign_in

pytestmark = pytest.mark.browser

#: Controls a thumb must hit. Links inside running text are exempt (WCAG 2.5.8).
TARGETS = (
    ".main-nav a, .main-nav button, .language-form select, .site-footer a, .brand, "
    "main .button, main button, main .actions a, main select, main input:not([type=hidden]):not([type=checkbox])"
    ":not([type=radio]), main .choice-list label, main .field.checkbox label, main .pagination a, main .back-link"
)

MEASURE = """(selector) => {
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not rendered
    if (box.height < 44) small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.name || el.id).trim().slice(0, 40)}" ${Math.round(box.height)}px`);
  }
  return {small, width: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def phone(browser, browser_context_args):
    context = browser.new_context(**browser_context_args, viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def world(factory):
    town = factory.municipality(name="Ludwigsburg")
    # Long names, addresses and words must wrap instead of widening the page.
    association = factory.association(
        town,
        name="Bosnisch-Herzegowinischer Kultur- und Bildungsverein Ludwigsburg-Eglosheim",
        field=Field.education,
        district="Neckarweihingen-Hoheneck",
        email="vorstand.oeffentlichkeitsarbeit.bosnisch-herzegowinischer-verein@example.org",
        website="https://www.bosnisch-herzegowinischer-kultur-und-bildungsverein-ludwigsburg.example/ueber-uns",
        phone="07141 123456",
        description="Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen und Elternsprechstunde.",
        languages=["bs", "hr", "de"],
        listed=True,
    )
    for number in range(25):
        factory.association(town, name=f"Verein {number:02d}", listed=True)
    representative = factory.representative(association, email="langer.name.der.vertretung.des.vereins@example.org")
    coordinator = factory.coordinator(town)
    return {"association": association, "representative": representative, "coordinator": coordinator}


def check_page(page, check_a11y):
    open_menu(page)  # measure the navigation's links too
    result = page.evaluate(MEASURE, TARGETS)
    assert result["width"] <= PHONE["width"], f"{page.url} scrolls sideways: {result['width']}px"
    assert result["small"] == [], f"{page.url}: tap targets under 44px: {result['small']}"
    check_a11y(page)


def pages_of(role, association_id):
    # Signed in, the public pages differ only in the header: two of them are enough.
    public = ["/directory/", f"/directory/{association_id}"]
    if role == "anonymous":
        return [
            "/",
            "/login",
            "/password/forgot",
            "/access-request",
            *public,
            "/directory/?q=verein&page=2",
            "/legal/privacy",
            "/legal/imprint",
            "/legal/accessibility",
            "/directory/999999",
        ]
    if role == "representative":
        return [
            "/office/start", f"/associations/{association_id}", f"/associations/{association_id}/edit", "/account",
            "/fireside/mine", "/privacy/", *public,
        ]
    return [
        "/associations/",
        "/associations/?page=2",
        f"/associations/{association_id}",
        "/associations/new",
        "/associations/import",
        "/associations/requests",
        "/account",
        "/office/",
        "/office/consultations",
        "/office/report",
        "/fireside/calendar",
        "/fireside/follow-ups",
        *public,
    ]


@pytest.mark.parametrize("locale", ["de", "ar"])
@pytest.mark.parametrize("role", ["anonymous", "representative", "coordinator"])
def test_pages_fit_a_phone(phone, live_server, world, check_a11y, role, locale):
    base = live_server.url
    if role != "anonymous":
        sign_in(phone, base, world[role].email, PASSWORD)
    phone.goto(base + "/legal/imprint")
    if locale != "de":
        with phone.expect_navigation():
            phone.select_option("#language-select", locale)
    for path in pages_of(role, world["association"].id):
        phone.goto(base + path)
        assert phone.locator("html").get_attribute("lang") == locale
        check_page(phone, check_a11y)


def test_form_errors_fit_a_phone(phone, live_server, world, check_a11y):
    base = live_server.url
    phone.goto(base + "/access-request")
    phone.locator("main form.stack button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator(".error-summary").is_visible()
    check_page(phone, check_a11y)

    sign_in(phone, base, world["representative"].email, "wrong password")
    assert phone.locator("#password-error").is_visible()
    check_page(phone, check_a11y)


def test_a_table_too_wide_for_the_screen_can_be_scrolled_with_the_keyboard(
    browser, browser_context_args, live_server, world, factory, check_a11y
):
    association = world["association"]
    factory.representative(
        association,
        email="vorstand.oeffentlichkeitsarbeit.und.mitgliederverwaltung"
        "@bosnisch-herzegowinischer-kultur-und-bildungsverein-ludwigsburg.example",
    )
    context = browser.new_context(**browser_context_args, viewport={"width": 800, "height": 900})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, world["coordinator"].email, PASSWORD)
        page.goto(f"{live_server.url}/associations/{association.id}")
        wrap = page.locator("main .table-wrap")
        assert page.evaluate("(el) => el.scrollWidth > el.clientWidth", wrap.element_handle())
        assert wrap.get_attribute("role") == "region"
        assert wrap.get_attribute("tabindex") == "0"
        assert wrap.get_attribute("aria-label")
        check_a11y(page)
        wrap.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('main .table-wrap').scrollLeft > 0")
    finally:
        context.close()


def test_the_navigation_folds_behind_a_menu_button_on_phones_only(phone, browser, browser_context_args, live_server,
                                                                    world, check_a11y):
    base = live_server.url
    sign_in(phone, base, world["coordinator"].email, PASSWORD)
    toggle, links = phone.locator(".nav-toggle"), phone.locator("#main-nav-list")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not links.is_visible()
    check_a11y(phone)
    # Keyboard: the button is reachable and opens the menu; every item is then a normal link.
    toggle.focus()
    phone.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and links.is_visible()
    phone.locator("#main-nav-list a[href='/office/report']").click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/office/report")
    assert phone.locator(".nav-toggle").get_attribute("aria-expanded") == "false"
    check_a11y(phone)

    # Wide screens show the navigation without the button.
    phone.set_viewport_size({"width": 1280, "height": 900})
    assert not toggle.is_visible() and links.is_visible()

    # Without JavaScript the navigation is simply there, on a phone too.
    context = browser.new_context(**browser_context_args, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(base + "/login")
        assert not page.locator(".nav-toggle").is_visible()
        assert page.locator("#main-nav-list a[href='/login']").is_visible()
    finally:
        context.close()
