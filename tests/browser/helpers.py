"""Small helpers shared by the browser tests."""

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

from core.mail import send_pending

PHONE = {"width": 390, "height": 844}
CATALOGUE = Path(__file__).resolve().parents[2] / "translations" / "de" / "LC_MESSAGES" / "messages.po"


@cache
def _german():
    with CATALOGUE.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if isinstance(m.id, str) and m.string}


def de(msgid):
    """The German text people see for an English msgid (German is the default UI language)."""
    return _german()[msgid]


def sign_in(page, base_url, email, password):
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_load_state()


def open_menu(page):
    """On a phone the navigation is folded behind the "Menu" button: unfold it."""
    toggle = page.locator(".nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def sign_out(page):
    open_menu(page)
    page.locator(".main-nav form[action='/logout'] button").click()
    page.wait_for_load_state()


def deliver(smtp_server, expected):
    """Run one pass of the real outbox sender and return the mails the SMTP server received."""
    before = len(smtp_server.messages)
    sent, failed = send_pending()
    assert (sent, failed) == (expected, 0)
    return smtp_server.wait_for(before + expected)[before:]


def body_of(message):
    if message.is_multipart():  # a mail with an attachment (e.g. an .ics invitation): its text part
        message = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def link_in(message, path_part):
    match = re.search(rf"https?://\S+{re.escape(path_part)}\S*", body_of(message))
    assert match, body_of(message)
    return match.group(0)


def html_attrs(page):
    html = page.locator("html")
    return html.get_attribute("lang"), html.get_attribute("dir")
