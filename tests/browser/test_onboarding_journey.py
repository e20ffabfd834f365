"""The onboarding journeys in a real browser, with axe-core on every page and every error state.

1. A coordinator identifies an association and invites a representative; the invitation goes
   out over real SMTP; the representative sets a password (first too short), completes the
   profile and agrees to the listing; the association is then found in the public directory.
2. An association nobody knows yet asks for access; the coordinator approves it.
"""

import pytest
from sqlalchemy import select

from core.models import AccessRequest, Association, RequestState, User
from tests.conftest import PASSWORD

from .helpers import deliver, link_in, sign_in, sign_out

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Sonnenblumen am Neckar 24"


@pytest.fixture
def app_config(smtp_config):
    return smtp_config


@pytest.fixture
def town(factory):
    return factory.municipality(name="Ludwigsburg")


@pytest.fixture
def coordinator(factory, town):
    return factory.coordinator(town, email="koordination@stadt.example", name="Koordinierungsstelle")


def submit(page, form="main form.stack"):
    page.locator(form).locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_invited_representative_completes_profile_and_is_listed(
    page, live_server, factory, coordinator, smtp_server, check_a11y, db
):
    base = live_server.url

    # The coordinator signs in and lands on the list of associations.
    page.goto(base + "/login")
    check_a11y(page)
    sign_in(page, base, coordinator.email, PASSWORD)
    assert page.url == base + "/office/"
    check_a11y(page)
    page.goto(base + "/associations/")

    # Identifies an association by hand; an empty form shows what is missing.
    page.locator("main a[href='/associations/new']").click()
    check_a11y(page)
    submit(page)
    assert page.locator(".error-summary a[href='#name']").is_visible()
    assert page.locator("#name-error").is_visible()
    check_a11y(page)
    page.fill("#name", "Türkischer Elternverein Weststadt")
    page.select_option("#field", "education")
    page.fill("#district", "Weststadt")
    submit(page)
    association = db.session.scalar(select(Association).where(Association.name == "Türkischer Elternverein Weststadt"))
    assert page.url == f"{base}/associations/{association.id}"
    assert page.locator(".flash-success").is_visible()
    assert not association.is_listed
    check_a11y(page)

    # Invites a representative; a wrong address is refused beside the field first.
    invite_form = f"form[action='/associations/{association.id}/representatives']"
    page.fill("#name", "Ayşe Yılmaz")
    page.fill("#email", "ayse.at.example.org")
    submit(page, invite_form)
    assert page.locator("#email-error").is_visible()
    assert page.input_value("#name") == "Ayşe Yılmaz"
    check_a11y(page)
    page.fill("#email", "ayse@example.org")
    page.select_option("#locale", "de")
    submit(page, invite_form)
    assert page.locator(".flash-success").is_visible()
    assert page.locator("main table").get_by_text("ayse@example.org").is_visible()
    check_a11y(page)
    sign_out(page)
    check_a11y(page)

    # The invitation leaves through the outbox over real SMTP, in German.
    [mail] = deliver(smtp_server, 1)
    assert mail["To"] == "ayse@example.org"
    assert mail["Content-Language"] == "de"
    invite_link = link_in(mail, "/invite/")
    assert invite_link.startswith(base + "/invite/")

    # The representative opens the link; a too-short password is refused, nothing typed is lost.
    page.goto(invite_link)
    assert page.input_value("#name") == "Ayşe Yılmaz"
    check_a11y(page)
    page.fill("#name", "Ayşe Yılmaz-Schäfer")
    page.fill("#password", "kurz")
    page.fill("#confirm", "kurz")
    page.check("#privacy")
    submit(page)
    assert page.url == invite_link
    error = page.locator("#password-error")
    assert error.is_visible() and "8" in error.inner_text()
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    assert "password-error" in page.locator("#password").get_attribute("aria-describedby")
    summary_link = page.locator(".error-summary a[href='#password']")
    assert summary_link.is_visible() and "8" in summary_link.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#name") == "Ayşe Yılmaz-Schäfer"
    assert page.is_checked("#privacy")
    check_a11y(page)
    summary_link.click()
    assert page.evaluate("document.activeElement.id") == "password"

    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    submit(page)
    assert page.url == f"{base}/associations/{association.id}"
    assert page.locator(".flash-success").is_visible()
    assert page.locator(f".main-nav a[href='/associations/{association.id}']").get_attribute("aria-current") == "page"
    check_a11y(page)

    # Edits the profile: topics, languages and the consent to be listed; a bad address first.
    page.locator(f"main a[href='/associations/{association.id}/edit']").click()
    check_a11y(page)
    page.fill("#description", "Wir unterstützen Kinder und Eltern beim Lernen – auch auf Türkisch.")
    page.check(f"input[name=topics][value='{factory.topic('rooms').id}']")
    page.check(f"input[name=topics][value='{factory.topic('hsu-tr').id}']")
    page.check("input[name=languages][value=tr]")
    page.check("input[name=languages][value=de]")
    page.check("#directory_consent")
    page.fill("#website", "elternverein weststadt")
    submit(page)
    assert page.locator("#website-error").is_visible()
    assert page.is_checked("#directory_consent")
    assert page.is_checked("input[name=languages][value=tr]")
    check_a11y(page)
    page.fill("#website", "https://elternverein-weststadt.example")
    submit(page)
    assert page.url == f"{base}/associations/{association.id}"
    assert page.locator(".flash-success").is_visible()
    check_a11y(page)
    sign_out(page)

    # The association is now public and found without umlauts, in any case.
    page.goto(base + "/directory/")
    check_a11y(page)
    page.fill("#q", "TURKISCHER elternverein")
    submit(page, "main form.filters")
    result = page.locator(f"main .cards a[href='/directory/{association.id}']")
    assert result.inner_text() == "Türkischer Elternverein Weststadt"
    check_a11y(page)
    page.fill("#q", "")
    page.select_option("#topic", "hsu-tr")
    page.select_option("#language", "tr")
    submit(page, "main form.filters")
    assert result.is_visible()
    check_a11y(page)
    result.click()
    assert page.url == f"{base}/directory/{association.id}"
    assert "auch auf Türkisch" in page.locator("main").inner_text()
    check_a11y(page)

    db.session.expire_all()
    representative = User.by_email("ayse@example.org")
    assert representative.name == "Ayşe Yılmaz-Schäfer"
    assert representative.association_id == association.id
    assert db.session.get(Association, association.id).is_listed


def test_visitor_requests_access_and_coordinator_approves(page, live_server, coordinator, smtp_server, check_a11y, db):
    base = live_server.url

    # An association nobody knows yet finds the way from the start page.
    page.goto(base + "/")
    check_a11y(page)
    page.locator("main a[href='/access-request']").click()
    check_a11y(page)
    submit(page)
    for name in ("association_name", "contact_name", "email", "privacy"):
        assert page.locator(f"#{name}-error").is_visible(), name
        assert page.locator(f".error-summary a[href='#{name}']").is_visible(), name
    check_a11y(page)
    page.fill("#association_name", "Ghanaischer Kulturverein")
    page.select_option("#field", "culture")
    page.fill("#district", "Weststadt")
    page.fill("#contact_name", "Ama Mensah")
    page.fill("#email", "ama@example.org")
    page.select_option("#locale", "en")
    page.fill("#message", "Wir sind 20 Familien und möchten beim Netzwerk mitmachen.")
    page.check("#privacy")
    submit(page)
    assert page.locator("main h1").is_visible()
    assert page.locator("main form").count() == 0
    check_a11y(page)

    # The coordinator hears of it by mail.
    [notice] = deliver(smtp_server, 1)
    assert notice["To"] == coordinator.email
    assert "Ghanaischer Kulturverein" in notice["Subject"]
    assert link_in(notice, "/associations/requests").startswith(base)

    # Signs in, finds the request on the overview, opens it and approves it; the requester is invited in English.
    sign_in(page, base, coordinator.email, PASSWORD)
    assert "Ghanaischer Kulturverein" in page.locator("#access-requests").inner_text()
    page.locator("#access-requests a[href='/associations/requests']").click()
    page.wait_for_load_state()
    assert page.locator(".main-nav a[href='/associations/']").get_attribute("aria-current") == "true"
    card = page.locator("main section.card", has_text="Ghanaischer Kulturverein")
    assert "ama@example.org" in card.inner_text()
    check_a11y(page)
    card.locator("form[action$='/approve'] button[type=submit]").click()
    page.wait_for_load_state()
    association = db.session.scalar(select(Association).where(Association.name == "Ghanaischer Kulturverein"))
    assert page.url == f"{base}/associations/{association.id}"
    assert page.locator(".flash-success").is_visible()
    check_a11y(page)

    [invitation] = deliver(smtp_server, 1)
    assert invitation["To"] == "ama@example.org"
    assert invitation["Content-Language"] == "en"
    assert "/invite/" in link_in(invitation, "/invite/")
    db.session.expire_all()
    assert db.session.scalar(select(AccessRequest)).state is RequestState.approved
    assert User.by_email("ama@example.org").association_id == association.id
