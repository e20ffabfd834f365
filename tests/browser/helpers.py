"""Small helpers shared by the browser tests."""

import re

from core.mail import send_pending

PHONE = {"width": 390, "height": 844}


def sign_in(page, base_url, email, password):
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form.stack button[type=submit]").click()
    page.wait_for_load_state()


def sign_out(page):
    page.locator(".main-nav form[action='/logout'] button").click()
    page.wait_for_load_state()


def deliver(smtp_server, expected):
    """Run one pass of the real outbox sender and return the mails the SMTP server received."""
    before = len(smtp_server.messages)
    sent, failed = send_pending()
    assert (sent, failed) == (expected, 0)
    return smtp_server.wait_for(before + expected)[before:]


def body_of(message):
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def link_in(message, path_part):
    match = re.search(rf"https?://\S+{re.escape(path_part)}\S*", body_of(message))
    assert match, body_of(message)
    return match.group(0)


def html_attrs(page):
    html = page.locator("html")
    return html.get_attribute("lang"), html.get_attribute("dir")
