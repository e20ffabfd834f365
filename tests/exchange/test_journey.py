"""The exchange journey in a real browser, with axe-core on every page.

Association A posts a request for a room; association B sees it among the counterparts of its
own room offer and answers; A gets the e-mail from the real SMTP server, follows its link, they
agree, A marks the request fulfilled with B, B confirms, and the coordinator's figures count it.
"""

import pytest

from core.models import Field
from exchange import queries, services
from exchange.models import Category, PostingKind, PostingState
from tests.browser.helpers import PHONE, deliver, link_in, sign_in, sign_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(smtp_config):
    return smtp_config


def submit(page, form="main form.stack"):
    page.locator(form).locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_request_answered_agreed_fulfilled_and_counted(page, live_server, db, world, smtp_server, check_a11y):
    base = live_server.url
    hall = services.create_posting(world.rep_b, world.b, {
        "kind": PostingKind.offer, "category": Category.rooms, "title": "Gemeindesaal samstags frei",
        "description": "60 Plätze, Küche.", "district": "", "weekdays": [5], "topics": [world.b.topics[0].id],
    })
    db.session.commit()

    # A signs in, opens the board and posts a request; an empty form first says what is missing.
    sign_in(page, base, world.rep_a.email, PASSWORD)
    page.goto(base + "/exchange/")
    check_a11y(page)
    page.locator("main a[href='/exchange/new?kind=request']").click()
    check_a11y(page)
    submit(page)
    assert page.locator(".error-summary a[href='#title']").is_visible()
    check_a11y(page)
    page.select_option("#category", "rooms")
    page.fill("#title", "Raum für Samstagsunterricht gesucht")
    page.fill("#description", "Für 20 Kinder, samstags 10–13 Uhr.")
    page.locator("input[name=weekdays][value='5']").check()
    submit(page)
    assert page.locator("h1").inner_text() == "Raum für Samstagsunterricht gesucht"
    check_a11y(page)
    request_url = page.url
    sign_out(page)

    # B opens its own offer: A's request is among the counterparts, with the reason in one line.
    sign_in(page, base, world.rep_b.email, PASSWORD)
    page.goto(base + f"/exchange/{hall.id}")
    check_a11y(page)
    counterpart = page.locator(".counterpart-list li", has_text="Raum für Samstagsunterricht gesucht")
    assert counterpart.locator(".reason").inner_text() == "both: Rooms and premises · Saturday"  # B reads English
    counterpart.locator("a").click()
    assert page.url == request_url
    page.fill("#body", "Unser Gemeindesaal ist samstags frei. Wollen Sie ihn ansehen?")
    submit(page, "main section.reply form")
    assert "/exchange/conversations/" in page.url
    check_a11y(page)
    sign_out(page)

    # A gets the e-mail over real SMTP and follows its link into the conversation.
    [mail] = deliver(smtp_server, 1)
    assert mail["To"] == world.rep_a.email and world.b.name in mail["Subject"]
    sign_in(page, base, world.rep_a.email, PASSWORD)
    page.goto(base + "/exchange/")
    assert page.locator(".exchange-nav .count-badge").inner_text().startswith("1")
    page.goto(link_in(mail, "/exchange/conversations/"))
    assert "Unser Gemeindesaal ist samstags frei" in page.locator(".messages").inner_text()
    check_a11y(page)
    page.fill("#body", "Sehr gern, dann bis Samstag!")
    submit(page, "main section[aria-labelledby=answer-heading] form")
    check_a11y(page)

    # They agreed: A marks the request fulfilled with B (B is already chosen).
    page.locator("section.agree a.button").click()
    check_a11y(page)
    assert page.locator("#partner_id").input_value() == str(world.b.id)
    submit(page)
    assert page.locator(".flash-success").is_visible()
    check_a11y(page)
    sign_out(page)

    # B confirms on its own list (phone-sized, as many representatives use it).
    page.set_viewport_size(PHONE)
    sign_in(page, base, world.rep_b.email, PASSWORD)
    page.goto(base + "/exchange/mine")
    check_a11y(page)
    page.locator("section.confirm-box form").first.locator("button").click()
    page.wait_for_load_state()
    check_a11y(page)
    sign_out(page)

    # The coordinator's figures count the exchange: one, rooms, from religion to education, confirmed.
    sign_in(page, base, world.coord_x.email, PASSWORD)
    page.goto(base + "/exchange/figures")
    check_a11y(page)
    assert "Raum für Samstagsunterricht gesucht" in page.locator("main").inner_text()
    db.session.expire_all()
    figures = queries.figures({world.town_x.id})
    assert (figures.fulfilled, figures.with_partner, figures.confirmed) == (1, 1, 1)
    assert figures.by_category == [(Category.rooms, 1)]
    assert figures.between_fields == [(Field.religion, Field.education, 1)]
    request = figures.exchanges[0]
    assert request.state is PostingState.fulfilled and request.partner_id == world.b.id


def test_every_other_exchange_page_passes_axe(page, live_server, db, world, make_posting, check_a11y):
    """The pages the journey does not pass through, in their fullest state, on a phone and a desk."""
    from exchange.models import Visibility

    base = live_server.url
    public = make_posting(world.rep_b, kind=PostingKind.offer, title="Saal frei", visibility=Visibility.public,
                          topics=["rooms"], share_contact=True, contact_email="saal@example.org")
    request = make_posting(world.rep_a, title="Raum gesucht", topics=["rooms"])
    conversation, message = services.reply(world.rep_b, request, "Wir haben einen Saal.")
    services.report(world.rep_a, "Unfreundlich", message=message)
    services.report(world.rep_b, "Werbung?", posting=request)
    db.session.commit()
    pages = {
        None: ["/exchange/public", f"/exchange/public/{public.id}"],
        world.rep_a.email: ["/exchange/mine", "/exchange/messages", "/exchange/digest", f"/exchange/{request.id}/edit",
                            f"/exchange/{request.id}/fulfil", f"/exchange/messages/{message.id}/report"],
        world.rep_b.email: [f"/exchange/{request.id}/report", f"/exchange/{public.id}"],
        world.coord_x.email: ["/exchange/manage", "/exchange/reports", "/exchange/reports?resolved=1",
                              f"/exchange/{request.id}/moderate", f"/exchange/messages/{message.id}/hide",
                              f"/exchange/conversations/{conversation.id}/lock", f"/exchange/{request.id}"],
    }
    for viewport in (PHONE, {"width": 1280, "height": 900}):
        page.set_viewport_size(viewport)
        for email, paths in pages.items():
            if email:
                sign_in(page, base, email, PASSWORD)
            for path in paths:
                response = page.goto(base + path)
                assert response.status == 200, path
                check_a11y(page)
            if email:
                sign_out(page)
    # An error state too: the posting form sent empty.
    sign_in(page, base, world.rep_a.email, PASSWORD)
    page.goto(base + "/exchange/new")
    submit(page)
    assert page.locator(".error-summary").is_visible()
    check_a11y(page)
