"""The report page and its downloads: choices, bad input, scope, roles, audit and the number of queries."""

import re

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.models import utcnow
from tests.conftest import count_queries
from tests.office import report_dataset

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
DOWNLOADS = ("/office/report.docx", "/office/report.csv", "/office/report.xlsx")


@pytest.fixture
def data(db, factory):
    return report_dataset.build(db, factory)


def page(client, **args):
    response = client.get("/office/report", query_string=args)
    return response, response.get_data(as_text=True)


def cells(html, caption):
    """{row header: [cell texts]} of the table with this caption."""
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        header = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if header:
            rows[header.group(1).strip()] = [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return rows


def test_page_shows_the_exact_figures_with_charts_tables_and_the_definition(client, auth, data):
    auth.login_as(data.coordinator_x)
    response, html = page(client, municipality=data.town_x.id, **PERIOD)
    assert response.status_code == 200
    assert "Stadt X · Jan 1, 2025 to Dec 31, 2025" in " ".join(html.split())
    assert cells(html, "Consultations by topic")["Funding application"] == ["2", "1.8"]
    assert cells(html, "Consultations by topic")["All topics"] == ["3", "3.0"]
    assert cells(html, "Associations by field of activity")["Culture"] == ["2", "0", "2"]
    assert cells(html, "Survey participation")["Bedarfserhebung (en) 2025"] == ["4", "2", "50 %"]
    assert "What “active” means here" in html and "Attended a fireside chat" in html
    assert "Exact figures, for the coordination office only." in html
    # Each chart is an image with a title and a description, followed by its table.
    assert html.count('role="img"') == 6
    assert re.search(r'<svg [^>]*aria-labelledby="(report-chart-\d+)-t \1-d"', html)
    assert "<desc id=" in html and "Culture: Identified 2, Active 2" in html
    assert 'href="/static/css/print.css" media="print"' in html


def test_shareable_page_hides_small_numbers_and_says_so(client, auth, data):
    auth.login_as(data.coordinator_x)
    _response, html = page(client, municipality=data.town_x.id, variant="shared", **PERIOD)
    assert "Shareable version." in html
    assert cells(html, "Consultations by topic")["Funding application"] == ["&lt; 3", "x"]
    assert cells(html, "Consultations by topic")["Premises"] == ["0", "0.0"]
    assert cells(html, "Consultations by topic")["All topics"] == ["3", "3.0"]
    assert cells(html, "Associations by field of activity")["All fields"] == ["5", "&lt; 3", "4"]


def test_default_is_this_year_for_all_towns_in_scope(client, auth, data):
    auth.login_as(data.coordinator_xy)
    response, html = page(client)
    assert response.status_code == 200
    year = utcnow().year
    assert re.search(rf'id="start"[^>]*value="{year}-01-01"', html)
    assert re.search(rf'id="end"[^>]*value="{year}-12-31"', html)
    assert '<option selected value="">All my municipalities</option>' in html
    assert "Stadt X, Stadt Y" in html


def test_presets_link_to_their_periods_and_keep_the_other_choices(client, auth, data):
    auth.login_as(data.coordinator_x)
    _response, html = page(client, municipality=data.town_x.id, variant="shared", start="2026-01-01", end="2026-12-31")
    links = dict((label, href.replace("&amp;", "&")) for href, label in
                 re.findall(r'<li><a href="([^"]+)"(?: aria-current="true")?>([^<]+)</a></li>', html))
    assert links["Last year"] == f"/office/report?municipality={data.town_x.id}&start=2025-01-01&end=2025-12-31&variant=shared"
    assert "start=2025-04-01&end=2025-06-30" in links["Q2 2025"]
    assert 'aria-current="true">This year<' in html


@pytest.mark.parametrize(("args", "field", "message"), [
    ({"start": "2025-12-31", "end": "2025-01-01"}, "end", "The period must not end before it starts."),
    ({"start": "gestern", "end": "2025-01-01"}, "start", "Please enter a date like 2026-01-31."),
    ({"start": "2025-02-30", "end": "2025-12-31"}, "start", "Please enter a date like 2026-01-31."),
    ({"start": "", "end": "2025-12-31"}, "start", "Please enter a date like 2026-01-31."),
    ({"start": "9999-12-31", "end": "9999-12-31"}, "start", "Please enter a date between 1990 and 2100."),
    ({"start": "1999-01-01", "end": "2025-12-31"}, "end", "Please choose a period of at most 10 years."),
    ({"start": "2025-01-01", "end": "2025-12-31", "variant": "everything"}, "variant",
     "Please choose exact or shareable figures."),
])
def test_bad_choices_are_explained_beside_the_field_and_nothing_is_computed(client, auth, data, args, field, message):
    auth.login_as(data.coordinator_x)
    response, html = page(client, municipality=data.town_x.id, **args)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}</p>' in html
    assert 'id="error-summary"' in html
    assert "Contents" not in html and "report-chart" not in html
    if args["start"] == "gestern":
        assert 'value="gestern"' in html  # what was typed is kept


def test_german_dates_are_understood(client, auth, data):
    auth.login_as(data.coordinator_x)
    response, html = page(client, municipality=data.town_x.id, start="01.01.2025", end="31.12.2025")
    assert response.status_code == 200
    assert cells(html, "Consultations by topic")["All topics"] == ["3", "3.0"]


@pytest.mark.parametrize("url", ["/office/report", *DOWNLOADS])
def test_a_town_outside_the_scope_is_a_field_error_and_leaks_nothing(client, auth, data, url):
    auth.login_as(data.coordinator_x)
    for municipality in (data.town_y.id, 999999, "x"):
        response = client.get(url, query_string={"municipality": municipality, **PERIOD})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert response.mimetype == "text/html"
        assert 'id="municipality-error">Please choose one of your municipalities.</p>' in html
        assert "Stadt Y" not in html and "Verein Ypsilon" not in html and "Contents" not in html


def test_coordinator_of_town_y_never_sees_town_x(client, auth, data):
    auth.login_as(data.coordinator_y)
    _response, html = page(client, **PERIOD)
    assert "Stadt X" not in html
    assert cells(html, "Consultations by topic")["All topics"] == ["1", "2.0"]
    assert cells(html, "Associations by field of activity")["All fields"] == ["1", "0", "1"]
    csv_text = client.get("/office/report.csv", query_string=PERIOD).get_data(as_text=True)
    assert "Stadt X" not in csv_text and "Stadt Y" in csv_text


@pytest.mark.parametrize("url", ["/office/report", *DOWNLOADS])
def test_representatives_get_403_and_anonymous_visitors_sign_in(client, auth, data, url):
    assert client.get(url).status_code == 302
    assert client.get(url).headers["Location"].startswith("/login")
    rep = data.a[1].representatives[0]
    auth.login_as(rep)
    assert client.get(url, query_string=PERIOD).status_code == 403


def test_admin_sees_every_town(client, auth, data, factory):
    auth.login_as(factory.admin(locale="en"))
    _response, html = page(client, **PERIOD)
    assert cells(html, "Consultations by topic")["All topics"] == ["4", "5.0"]


@pytest.mark.parametrize(("url", "variant", "mimetype"), [
    ("/office/report.docx", "shared", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("/office/report.csv", "internal", "text/csv"),
    ("/office/report.xlsx", "internal", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_each_export_is_a_file_and_is_audited(client, auth, db, data, url, variant, mimetype):
    auth.login_as(data.coordinator_x)
    response = client.get(url, query_string={"municipality": data.town_x.id, **PERIOD})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    extension = url.rsplit(".", 1)[1]
    suffix = "-shareable" if variant == "shared" else ""
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="report-2025-01-01-2025-12-31{suffix}.{extension}"')
    assert "no-store" in response.headers["Cache-Control"]
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).all()
    assert event.actor_id == data.coordinator_x.id
    assert event.municipality_id == data.town_x.id
    assert event.details == {"format": extension, "variant": variant, "start": "2025-01-01", "end": "2025-12-31",
                             "municipalities": "1"}


def test_the_docx_is_always_shareable(client, auth, db, data):
    auth.login_as(data.coordinator_x)
    client.get("/office/report.docx", query_string={"variant": "internal", **PERIOD})
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).all()
    assert event.details["variant"] == "shared"


def test_the_page_itself_is_not_audited(client, auth, db, data):
    auth.login_as(data.coordinator_x)
    page(client, **PERIOD)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")).all() == []


def _grow(db, factory, data, copies):
    """More of everything in town X: associations, responses, postings, chats, consultations."""
    from datetime import date

    from core.models import Field
    from exchange.models import Category, PostingKind
    from office.models import ConsultationFormat

    for n in range(copies):
        association = report_dataset._association(factory, data.town_x, f"Zusatz {n}", Field.sport, date(2025, 1, 2))
        report_dataset._respond(db, data.survey, association, date(2025, 4, 20))
        report_dataset._posting(db, association, PostingKind.request, Category.rooms, date(2025, 10, 1))
        report_dataset._consultation(db, association, date(2025, 7, 7), ["premises", "other"], 20,
                                     ConsultationFormat.online, "Weiter", date(2025, 8, 1))
    db.session.commit()


def test_the_number_of_queries_does_not_grow_with_the_data(app, client, auth, db, factory, data):
    auth.login_as(data.coordinator_x)
    town_id = data.town_x.id
    page(client, **PERIOD)  # warm up

    def queries():
        db.session.expire_all()  # both runs start from the same state of the session
        with count_queries(db.engine) as statements:
            response, _html = page(client, municipality=town_id, **PERIOD)
        assert response.status_code == 200
        return len(statements)

    small = queries()
    _grow(db, factory, data, 12)
    large = queries()
    assert large == small
    assert small <= 35, small


def test_charts_run_right_to_left_in_arabic(client, auth, db, data):
    data.coordinator_x.locale = "ar"
    db.session.commit()
    auth.login_as(data.coordinator_x)
    response, html = page(client, municipality=data.town_x.id, **PERIOD)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    chart = re.search(r'<svg class="report-chart".*?</svg>', html, re.S).group(0)
    # Labels start at the right edge and bars grow leftwards from it.
    assert 'x="420.0" y="14" text-anchor="end"' in chart
    assert re.search(r'<rect x="(\d+\.\d)" y="20" width="(\d+\.\d)"', chart)
    x, width = map(float, re.search(r'<rect x="(\d+\.\d)" y="20" width="(\d+\.\d)"', chart).groups())
    assert x + width == 420.0
