"""The exchange pages: board search and filters, posting forms with bad input, replies, moderation, feeds."""

import io
from datetime import date, timedelta
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.models import OutboxMail, utcnow
from exchange import moderation, services
from exchange.models import (
    Category,
    Conversation,
    Message,
    Moderation,
    Posting,
    PostingKind,
    PostingState,
    Visibility,
)


@pytest.fixture(autouse=True)
def english(db, world):
    """The pages are checked in English (German is the default and has its own catalogue test)."""
    for user in (world.rep_a, world.rep_b, world.rep_c, world.coord_x, world.coord_y, world.admin):
        user.locale = "en"
    db.session.commit()


def text(response):
    return response.get_data(as_text=True)


def form_data(**overrides):
    data = {
        "kind": "request", "category": "rooms", "title": "Raum für Theatergruppe", "description": "Donnerstags abends.",
        "district": "", "visibility": "network", "languages": ["de"], "weekdays": ["3"],
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- the board


def test_search_ignores_umlauts_case_and_finds_topic_names_and_synonyms(client, as_user, world, make_posting):
    make_posting(world.rep_a, title="Übungsraum für die Jugendgruppe", topics=["youth"])
    make_posting(world.rep_a, title="Fahrdienst zum Turnier", category=Category.transport, topics=["transport"])
    as_user(world.rep_b)
    for query in ("übungsraum", "UEBUNGSRAUM", "ubungsraum", "Jugend ÜBUNGS"):
        page = text(client.get("/exchange/", query_string={"q": query}))
        assert "Übungsraum für die Jugendgruppe" in page and "Fahrdienst" not in page, query
    # Topic names in every language and their synonyms are searchable ("Jugendarbeit" is a synonym of youth).
    assert "Übungsraum" in text(client.get("/exchange/?q=jugendarbeit"))
    assert "Übungsraum" in text(client.get("/exchange/?q=youth"))
    # Every word must match; wildcards are taken literally.
    assert "No posting matches" in text(client.get("/exchange/?q=Übungsraum+Turnier"))
    assert "No posting matches" in text(client.get("/exchange/?q=%25"))


def test_filters_narrow_the_board(client, as_user, world, make_posting):
    make_posting(world.rep_a, title="HSU-Raum gesucht", topics=["hsu-tr"], district="Weststadt", languages=["tr"])
    make_posting(world.rep_b, title="Saal zu vergeben", kind=PostingKind.offer, topics=["rooms"], district="Oststadt",
                 languages=["el"])
    make_posting(world.rep_b, title="Überall Helfer", category=Category.volunteers, district="", languages=["de"])
    as_user(world.rep_a)

    def titles(**args):
        page = text(client.get("/exchange/", query_string=args))
        return {t for t in ("HSU-Raum gesucht", "Saal zu vergeben", "Überall Helfer") if t in page}

    assert titles() == {"HSU-Raum gesucht", "Saal zu vergeben", "Überall Helfer"}
    assert titles(kind="offer") == {"Saal zu vergeben"}
    assert titles(category="volunteers") == {"Überall Helfer"}
    assert titles(topic="hsu") == {"HSU-Raum gesucht"}  # the parent topic finds its children
    assert titles(language="el") == {"Saal zu vergeben"}
    assert titles(district="Weststadt") == {"HSU-Raum gesucht", "Überall Helfer"}  # anywhere fits every district
    assert titles(kind="nonsense") == titles()  # unknown values are ignored, never a 500


def test_board_shows_only_visible_open_postings_of_the_own_town(client, as_user, world, make_posting, days_ago):
    make_posting(world.rep_a, title="Sichtbar")
    hidden = make_posting(world.rep_a, title="Versteckt")
    moderation.moderate_posting(world.coord_x, hidden, "hide", "Grund")
    make_posting(world.rep_a, title="Abgelaufen aber noch nicht geschlossen", now=days_ago(61))
    done = make_posting(world.rep_a, title="Erledigt")
    services.mark_fulfilled(world.rep_a, done)
    make_posting(world.rep_c, title="Andere Stadt")
    client.application.extensions["sqlalchemy"].session.commit()
    as_user(world.rep_b)
    page = text(client.get("/exchange/"))
    assert "Sichtbar" in page
    for absent in ("Versteckt", "Abgelaufen", "Erledigt", "Andere Stadt"):
        assert absent not in page
    assert "Erledigt" in text(client.get("/exchange/?state=fulfilled"))
    assert "Andere Stadt" not in text(client.get(f"/exchange/?municipality={world.town_y.id}"))


def test_sort_by_soonest_ending(client, as_user, world, make_posting, days_ago):
    make_posting(world.rep_a, title="Alt und bald zu Ende", now=days_ago(50))
    make_posting(world.rep_a, title="Ganz neu")
    as_user(world.rep_b)
    newest = text(client.get("/exchange/"))
    ending = text(client.get("/exchange/?sort=ending"))
    assert newest.index("Ganz neu") < newest.index("Alt und bald")
    assert ending.index("Alt und bald") < ending.index("Ganz neu")


def test_board_paginates_and_caps_the_count(app, client, as_user, world, make_posting):
    app.config.update(EXCHANGE_PAGE_SIZE=2, EXCHANGE_COUNT_CAP=3)
    for n in range(5):
        make_posting(world.rep_a, title=f"Eintrag Nummer {n}")
    as_user(world.rep_b)
    first = text(client.get("/exchange/"))
    assert "More than 3 postings found" in first and "Eintrag Nummer 4" in first and "Eintrag Nummer 2" not in first
    third = text(client.get("/exchange/?page=3"))
    assert "Eintrag Nummer 0" in third and 'rel="next"' not in third
    assert client.get("/exchange/?page=abc").status_code == 200


# --------------------------------------------------------------------------- public board and feed


def test_contact_details_are_shown_only_while_the_posting_is_on_the_board(db, client, as_user, world, make_posting):
    posting = make_posting(world.rep_a, share_contact=True, contact_email="raum@verein-a.example")
    as_user(world.rep_b)
    assert "raum@verein-a.example" in text(client.get(f"/exchange/{posting.id}"))
    services.set_state(posting, PostingState.withdrawn, utcnow())
    db.session.commit()
    page = text(client.get(f"/exchange/{posting.id}"))
    assert "raum@verein-a.example" not in page and "no longer on the board" in page
    as_user(world.rep_a)  # the poster still sees what it had shared
    assert "raum@verein-a.example" in text(client.get(f"/exchange/{posting.id}"))


def test_public_board_shows_public_postings_without_contact_details(client, world, make_posting):
    public = make_posting(world.rep_a, title="Öffentlich gesucht", visibility=Visibility.public, share_contact=True,
                          contact_email="geheim@example.org", contact_phone="07141 555555")
    make_posting(world.rep_a, title="Nur im Netzwerk")
    page = text(client.get("/exchange/public"))
    assert "Öffentlich gesucht" in page and "Nur im Netzwerk" not in page
    detail = text(client.get(f"/exchange/public/{public.id}"))
    assert "Öffentlich gesucht" in detail
    assert "geheim@example.org" not in detail and "555555" not in detail
    network_only = make_posting(world.rep_a, title="Intern")
    assert client.get(f"/exchange/public/{network_only.id}").status_code == 404
    services.change_state(world.rep_a, public, PostingState.withdrawn)
    client.application.extensions["sqlalchemy"].session.commit()
    assert client.get(f"/exchange/public/{public.id}").status_code == 404


def test_atom_feed_lists_public_offers_only(client, world, make_posting):
    make_posting(world.rep_b, title="Saal & Küche <frei>", kind=PostingKind.offer, visibility=Visibility.public,
                 topics=["rooms"], share_contact=True, contact_email="saal@example.org")
    make_posting(world.rep_a, title="Öffentliche Suche", visibility=Visibility.public)
    make_posting(world.rep_b, title="Internes Angebot", kind=PostingKind.offer)
    make_posting(world.rep_c, title="Angebot anderswo", kind=PostingKind.offer, visibility=Visibility.public)
    response = client.get(f"/exchange/feed.atom?municipality={world.town_x.id}")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ElementTree.fromstring(response.data)
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert titles == ["Saal & Küche <frei>"]
    assert "saal@example.org" not in response.get_data(as_text=True)
    assert root.find("a:entry/a:link", ns).get("href").startswith("http://localhost/exchange/public/")
    everywhere = ElementTree.fromstring(client.get("/exchange/feed.atom").data)
    assert len(everywhere.findall("a:entry", ns)) == 2


# --------------------------------------------------------------------------- posting forms


def test_create_posting(client, as_user, db, world):
    as_user(world.rep_a)
    assert "Look for something" in text(client.get("/exchange/new?kind=request"))
    response = client.post("/exchange/new", data=form_data(topics=[str(world.a.topics[0].id)]))
    assert response.status_code == 302
    posting = db.session.scalar(select(Posting))
    assert response.headers["Location"] == f"/exchange/{posting.id}"
    assert posting.association_id == world.a.id and posting.weekday_list == [3] and posting.topics


def test_bad_input_is_explained_next_to_the_field_and_nothing_typed_is_lost(client, as_user, db, world):
    as_user(world.rep_a)
    response = client.post("/exchange/new", data=form_data(
        title="", category="", description="x" * 4001, starts_on="2030-05-10", ends_on="2030-05-01",
        contact_name="Frau Öztürk", share_contact="y", contact_email="", contact_phone="",
    ))
    page = text(response)
    assert response.status_code == 422
    assert "Please correct the following" in page
    for message in ("Please fill in this field.", "Please choose a category.", "at most 4000 characters",
                    "The end date must not be before the start date.", "Please give an e-mail address or a phone number"):
        assert message in page, message
    assert 'value="Frau Öztürk"' in page and 'value="2030-05-10"' in page and "x" * 100 in page
    assert db.session.scalar(select(Posting.id)) is None


def test_over_long_title_and_past_end_date(client, as_user, world):
    as_user(world.rep_a)
    page = text(client.post("/exchange/new", data=form_data(title="T" * 121, ends_on=str(date.today() - timedelta(days=1)))))
    assert "at most 120 characters" in page and "The end date is in the past." in page


def test_html_is_shown_as_text_never_executed(client, as_user, world, make_posting):
    posting = make_posting(world.rep_a, title='<script>alert("x")</script>', description="<b>fett</b>\n\n<img src=x onerror=alert(1)>")
    as_user(world.rep_b)
    for url in (f"/exchange/{posting.id}", "/exchange/"):
        page = text(client.get(url))
        assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    page = text(client.get(f"/exchange/{posting.id}"))
    assert "<img src=x" not in page and "&lt;b&gt;fett&lt;/b&gt;" in page


def test_a_representative_cannot_edit_another_associations_posting(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a, title="Original")
    as_user(world.rep_b)
    assert client.get(f"/exchange/{posting.id}/edit").status_code == 403
    assert client.post(f"/exchange/{posting.id}/edit", data=form_data(title="Gekapert")).status_code == 403
    assert client.post(f"/exchange/{posting.id}/state", data={"state": "withdrawn"}).status_code == 403
    db.session.refresh(posting)
    assert posting.title == "Original" and posting.state is PostingState.open


def test_a_posting_id_from_another_town_is_not_found(client, as_user, world, make_posting):
    posting = make_posting(world.rep_c)
    as_user(world.rep_a)
    for url in (f"/exchange/{posting.id}", f"/exchange/{posting.id}/edit", f"/exchange/{posting.id}/report"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/exchange/{posting.id}/reply", data={"body": "Hallo"}).status_code == 404
    as_user(None)
    as_user(world.coord_x)
    assert client.get(f"/exchange/{posting.id}").status_code == 404
    assert client.get(f"/exchange/{posting.id}/moderate").status_code == 404


def test_edit_and_lifecycle_buttons(client, as_user, db, world, make_posting, days_ago):
    posting = make_posting(world.rep_a, now=days_ago(55))
    as_user(world.rep_a)
    page = text(client.get(f"/exchange/{posting.id}"))
    assert "Renew for another 60 days" in page and "Mark as in progress" in page
    assert client.post(f"/exchange/{posting.id}/edit", data=form_data(title="Geändert")).status_code == 302
    client.post(f"/exchange/{posting.id}/state", data={"state": "in_progress"})
    client.post(f"/exchange/{posting.id}/renew")
    assert client.post(f"/exchange/{posting.id}/state", data={"state": "fulfilled"}).status_code == 400
    db.session.refresh(posting)
    assert posting.title == "Geändert" and posting.state is PostingState.in_progress
    assert posting.expires_at > days_ago(-59)


# --------------------------------------------------------------------------- conversations


def test_reply_then_conversation_for_both_sides_only(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a)
    as_user(world.rep_b)
    response = client.post(f"/exchange/{posting.id}/reply", data={"body": "Wir haben einen Saal. <b>Gern!</b>"})
    conversation = db.session.scalar(select(Conversation))
    assert response.headers["Location"] == f"/exchange/conversations/{conversation.id}"
    assert "&lt;b&gt;Gern!&lt;/b&gt;" in text(client.get(response.headers["Location"]))
    assert "Continue your conversation" in text(client.get(f"/exchange/{posting.id}"))
    as_user(None)
    as_user(world.rep_a)
    assert "1 unread" in text(client.get("/exchange/messages"))
    assert "Wir haben einen Saal." in text(client.get(f"/exchange/conversations/{conversation.id}"))
    assert "1 unread" not in text(client.get("/exchange/messages"))
    client.post(f"/exchange/conversations/{conversation.id}", data={"body": "Danke, passt Samstag?"})
    as_user(None)
    for outsider in (world.rep_c, world.coord_x, world.admin):
        as_user(outsider)
        assert client.get(f"/exchange/conversations/{conversation.id}").status_code == 404
        as_user(None)


def test_replying_to_a_withdrawn_posting_explains_and_keeps_the_text(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a)
    services.change_state(world.rep_a, posting, PostingState.withdrawn)
    db.session.commit()
    as_user(world.rep_b)
    assert "no longer open" in text(client.get(f"/exchange/{posting.id}"))
    response = client.post(f"/exchange/{posting.id}/reply", data={"body": "Mein langer Text"})
    assert response.status_code == 422
    assert "no longer open" in text(response) and "Mein langer Text" in text(response)


def test_empty_message_is_refused(client, as_user, world, make_posting):
    posting = make_posting(world.rep_a)
    as_user(world.rep_b)
    response = client.post(f"/exchange/{posting.id}/reply", data={"body": "   "})
    assert response.status_code == 422 and "Please fill in this field." in text(response)


@pytest.mark.parametrize("app_config", [{
    "RATELIMIT_ENABLED": True, "EXCHANGE_POSTING_RATE_LIMIT": "2 per hour", "EXCHANGE_MESSAGE_RATE_LIMIT": "2 per hour",
}])
def test_a_flood_is_rate_limited_with_a_clear_message_and_the_text_kept(client, as_user, db, world, make_posting):
    as_user(world.rep_a)
    client.post("/exchange/new", data=form_data(title="Eins"))
    client.post("/exchange/new", data=form_data(title=""))  # invalid: not counted
    client.post("/exchange/new", data=form_data(title="Zwei"))
    response = client.post("/exchange/new", data=form_data(title="Drei, sorgfältig formuliert"))
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "You have sent a lot in a short time" in text(response)
    assert 'value="Drei, sorgfältig formuliert"' in text(response)
    assert len(db.session.scalars(select(Posting)).all()) == 2
    posting = make_posting(world.rep_b)
    for n in range(2):
        client.post(f"/exchange/{posting.id}/reply", data={"body": f"Nachricht {n}"})
    response = client.post(f"/exchange/{posting.id}/reply", data={"body": "Die dritte Nachricht"})
    assert response.status_code == 429 and "Die dritte Nachricht" in text(response)
    assert len(db.session.scalars(select(Message)).all()) == 2


# --------------------------------------------------------------------------- closing the loop


def test_fulfilled_with_partner_and_confirmed_through_the_pages(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a)
    services.reply(world.rep_b, posting, "Wir können helfen")
    db.session.commit()
    as_user(world.rep_a)
    page = text(client.get(f"/exchange/{posting.id}/fulfil?partner={world.b.id}"))
    assert f'<option selected value="{world.b.id}">' in page or f'value="{world.b.id}" selected' in page
    assert world.c.name not in page  # only associations of the town
    client.post(f"/exchange/{posting.id}/fulfil", data={"partner_id": world.b.id})
    as_user(None)
    as_user(world.rep_b)
    assert "Please confirm" in text(client.get("/exchange/mine"))
    client.post(f"/exchange/{posting.id}/confirm")
    db.session.refresh(posting)
    assert posting.state is PostingState.fulfilled and posting.partner_confirmed_at is not None
    as_user(None)
    as_user(world.coord_x)
    figures = text(client.get("/exchange/figures"))
    assert posting.title in figures and "Education" in figures and "Religion" in figures


def test_an_invalid_partner_is_refused(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a)
    as_user(world.rep_a)
    response = client.post(f"/exchange/{posting.id}/fulfil", data={"partner_id": world.c.id})
    assert response.status_code == 422 and "Not a valid choice" in text(response)
    db.session.refresh(posting)
    assert posting.state is PostingState.open


# --------------------------------------------------------------------------- moderation


def test_report_hide_and_the_poster_sees_the_reason(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a, title="Günstige Kredite")
    as_user(world.rep_b)
    assert client.post(f"/exchange/{posting.id}/report", data={"reason": ""}).status_code == 422
    client.post(f"/exchange/{posting.id}/report", data={"reason": "Werbung für Kredite"})
    as_user(None)
    as_user(world.coord_x)
    assert "Werbung für Kredite" in text(client.get("/exchange/reports"))
    response = client.post(f"/exchange/{posting.id}/moderate", data={"action": "hide", "reason": ""})
    assert response.status_code == 422 and "Please give a reason" in text(response)
    client.post(f"/exchange/{posting.id}/moderate", data={"action": "hide", "reason": "Keine kommerzielle Werbung."})
    assert "No open reports." in text(client.get("/exchange/reports"))
    as_user(None)
    as_user(world.rep_b)
    assert client.get(f"/exchange/{posting.id}").status_code == 404
    assert "Günstige Kredite" not in text(client.get("/exchange/"))
    as_user(None)
    as_user(world.rep_a)
    assert "Keine kommerzielle Werbung." in text(client.get(f"/exchange/{posting.id}"))
    assert "Keine kommerzielle Werbung." in text(client.get("/exchange/mine"))


def test_reported_message_hidden_and_conversation_locked(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a)
    conversation, message = services.reply(world.rep_b, posting, "Eine unverschämte Nachricht")
    db.session.commit()
    as_user(world.rep_a)
    client.post(f"/exchange/messages/{message.id}/report", data={"reason": "Beleidigend"})
    as_user(None)
    as_user(world.coord_x)
    assert "Eine unverschämte Nachricht" in text(client.get("/exchange/reports"))
    client.post(f"/exchange/messages/{message.id}/hide", data={"reason": "Beleidigung"})
    client.post(f"/exchange/conversations/{conversation.id}/lock", data={"reason": "Bitte über die Koordinierungsstelle"})
    as_user(None)
    as_user(world.rep_b)
    page = text(client.get(f"/exchange/conversations/{conversation.id}"))
    assert "Eine unverschämte Nachricht" not in page and "Beleidigung" in page
    assert "Bitte über die Koordinierungsstelle" in page and 'name="body"' not in page
    response = client.post(f"/exchange/conversations/{conversation.id}", data={"body": "Trotzdem"})
    assert response.status_code == 422 and "closed this conversation" in text(response)


def test_coordinators_cannot_hide_unreported_messages(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a)
    _conversation, message = services.reply(world.rep_b, posting, "Privat")
    db.session.commit()
    as_user(world.coord_x)
    assert client.get(f"/exchange/messages/{message.id}/hide").status_code == 404


# --------------------------------------------------------------------------- export, digest


def test_export_is_scoped_and_safe_from_formula_injection(client, as_user, world, make_posting):
    make_posting(world.rep_a, title='=HYPERLINK("http://evil.example","Klick")', description="+49 123 @ -1")
    make_posting(world.rep_c, title="Andere Stadt")
    as_user(world.coord_x)
    csv_text = client.get("/exchange/manage/export.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+49 123" in csv_text and "Andere Stadt" not in csv_text
    response = client.get("/exchange/manage/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert 'attachment; filename="exchange-postings-' in response.headers["Content-Disposition"]
    assert client.get("/exchange/manage/export.pdf").status_code == 404


def test_manage_lists_every_state_and_moderation_of_the_towns_in_scope(client, as_user, world, make_posting):
    hidden = make_posting(world.rep_a, title="Versteckt")
    moderation.moderate_posting(world.coord_x, hidden, "hide", "Grund")
    withdrawn = make_posting(world.rep_a, title="Zurückgezogen")
    services.change_state(world.rep_a, withdrawn, PostingState.withdrawn)
    make_posting(world.rep_c, title="Andere Stadt")
    client.application.extensions["sqlalchemy"].session.commit()
    as_user(world.coord_x)
    page = text(client.get("/exchange/manage"))
    assert "Versteckt" in page and "Zurückgezogen" in page and "Andere Stadt" not in page
    assert "Zurückgezogen" not in text(client.get("/exchange/manage?state=active"))
    assert "Zurückgezogen" not in text(client.get(f"/exchange/manage?moderation={Moderation.hidden.value}"))


def test_digest_opt_in_page(client, as_user, db, world):
    from exchange.models import DigestSubscription

    as_user(world.rep_a)
    assert "Your association's topics" in text(client.get("/exchange/digest"))
    client.post("/exchange/digest", data={"subscribe": "y"})
    assert db.session.get(DigestSubscription, world.a.id) is not None
    client.post("/exchange/digest", data={})
    assert db.session.get(DigestSubscription, world.a.id) is None


def test_mails_of_the_board_link_to_the_public_base_url(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a)
    as_user(world.rep_b)
    client.post(f"/exchange/{posting.id}/reply", data={"body": "Hallo"})
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_addr == world.rep_a.email))
    assert "http://localhost/exchange/conversations/" in mail.body_text


def test_unread_count_is_offered_to_every_template(app, client, as_user, world, make_posting):
    from flask import render_template_string

    posting = make_posting(world.rep_a)
    services.reply(world.rep_b, posting, "Hallo")
    app.extensions["sqlalchemy"].session.commit()
    as_user(world.rep_a)
    assert "Messages 1" in " ".join(text(client.get("/exchange/")).split()).replace("</a>", "") or \
        'class="count-badge">1' in text(client.get("/exchange/"))
    with app.test_request_context("/"):
        from flask_login import login_user

        login_user(world.rep_a)
        assert render_template_string("{{ exchange_unread }}|{{ exchange_unread > 0 }}") == "1|True"


def test_counterparts_from_the_board_and_the_survey_are_shown_to_the_poster_only(client, as_user, db, world, make_posting):
    from tests.exchange.test_services import _survey_answers

    _survey_answers(db, world.town_x, [(world.b, "rooms", "offer", True)])
    request = make_posting(world.rep_a, title="Raum gesucht", topics=["rooms"])
    make_posting(world.rep_b, title="Saal am Samstag", kind=PostingKind.offer, topics=["rooms"])
    as_user(world.rep_a)
    page = text(client.get(f"/exchange/{request.id}"))
    assert "Saal am Samstag" in page and "both: Rooms and premises · Saturday" in page
    assert "From the needs survey" in page and "can offer this, according to the needs survey" in page
    as_user(None)
    as_user(world.rep_b)
    page = text(client.get(f"/exchange/{request.id}"))
    assert "From the needs survey" not in page and "Offers that could meet this request" not in page


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_posts_without_csrf_token_change_nothing(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a)
    conversation, _message = services.reply(world.rep_b, posting, "Hallo")
    db.session.commit()
    posts = [
        (world.rep_a, "/exchange/new", form_data()),
        (world.rep_a, f"/exchange/{posting.id}/state", {"state": "withdrawn"}),
        (world.rep_a, f"/exchange/{posting.id}/renew", {}),
        (world.rep_a, f"/exchange/{posting.id}/fulfil", {"partner_id": world.b.id}),
        (world.rep_b, f"/exchange/{posting.id}/reply", {"body": "Gekapert"}),
        (world.rep_b, f"/exchange/conversations/{conversation.id}", {"body": "Gekapert"}),
        (world.coord_x, f"/exchange/{posting.id}/moderate", {"action": "remove", "reason": "x"}),
    ]
    for user, url, data in posts:
        as_user(user)
        before = (db.session.scalar(select(func.count(Posting.id))), db.session.scalar(select(func.count(Message.id))))
        response = client.post(url, data=data)
        assert response.status_code in (200, 400, 422), (url, response.status_code)
        db.session.expire_all()
        after = (db.session.scalar(select(func.count(Posting.id))), db.session.scalar(select(func.count(Message.id))))
        assert after == before, url
        current = db.session.get(Posting, posting.id)
        assert current.state is PostingState.open and current.moderation is Moderation.visible, url


def test_a_removed_posting_cannot_be_edited(client, as_user, db, world, make_posting):
    posting = make_posting(world.rep_a, title="Original")
    moderation.moderate_posting(world.coord_x, posting, "remove", "Werbung")
    db.session.commit()
    as_user(world.rep_a)
    response = client.get(f"/exchange/{posting.id}/edit")
    assert response.status_code == 302
    client.post(f"/exchange/{posting.id}/edit", data=form_data(title="Neu"))
    db.session.refresh(posting)
    assert posting.title == "Original"
