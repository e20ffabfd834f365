"""In a real browser on a phone: "Your data" for a representative and the coordinator's page, with axe-core."""

import io
import json
import zipfile

import pytest

from tests.browser.helpers import PHONE, sign_in
from tests.browser.test_phone_layout import MEASURE, TARGETS
from tests.conftest import PASSWORD
from tests.privacy.conftest import A_NAME, ZOFIA

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, browser_context_args):
    context = browser.new_context(**browser_context_args, viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def check_phone(page, check_a11y):
    check_a11y(page)
    measured = page.evaluate(MEASURE, TARGETS)
    assert measured["small"] == [] and measured["width"] <= PHONE["width"], measured


def test_representative_downloads_withdraws_and_deletes_on_a_phone(world, live_server, phone, check_a11y):
    page = phone
    sign_in(page, live_server.url, ZOFIA["email"], PASSWORD)
    page.goto(live_server.url + "/privacy/")
    check_phone(page, check_a11y)

    page.locator("form[action$='/export'] button").first.click()
    page.wait_for_load_state()
    check_phone(page, check_a11y)
    with page.expect_download() as info:
        page.locator("main form button").first.click()
    with open(info.value.path(), "rb") as file:
        archive = zipfile.ZipFile(io.BytesIO(file.read()))
    assert json.loads(archive.read("data.json"))["account"][0]["email"] == ZOFIA["email"]
    page.reload()
    assert page.locator("main .notice").count() == 1  # used: a clear message, no second download
    check_phone(page, check_a11y)

    page.goto(live_server.url + "/privacy/")
    before = page.locator("form[action*='/withdraw'] button").count()
    page.locator("form[action*='/withdraw'] button").first.click()
    page.wait_for_load_state()
    assert page.locator("form[action*='/withdraw'] button").count() == before - 1

    page.fill("#password", PASSWORD)
    page.check("#confirm")
    page.locator("form[action$='/account/delete'] button").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == live_server.url
    sign_in(page, live_server.url, ZOFIA["email"], PASSWORD)
    assert "/login" in page.url


def test_coordinator_page_and_error_state_on_a_phone(world, live_server, phone, check_a11y):
    page = phone
    sign_in(page, live_server.url, world.coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/associations/{world.a.id}")
    page.locator(f"a[href='/privacy/associations/{world.a.id}']").click()
    page.wait_for_load_state()
    check_phone(page, check_a11y)
    page.fill("#confirm_name", "Falscher Name")
    page.locator("form[action$='/erase'] button").click()
    page.wait_for_load_state()
    assert page.locator("#confirm_name").input_value() == "Falscher Name"
    check_phone(page, check_a11y)
    page.fill("#confirm_name", A_NAME)
    page.check("#confirm")
    page.locator("form[action$='/erase'] button").click()
    page.wait_for_load_state()
    assert page.locator("main .status-ok").count() == 1
