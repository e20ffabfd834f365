"""The advice log: logging, editing, next steps, search, filters, paging, exports, and who sees what."""

import csv
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.audit import AuditEvent
from office.models import Consultation, ConsultationFormat
from tests.office.conftest import form_data


def _count(db):
    return db.session.scalar(select(func.count(Consultation.id)))


def _actions(db):
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


# --------------------------------------------------------------------------- logging


def test_coordinator_logs_a_consultation(office_world, client, auth, db, today):
    w = office_world
    auth.login_as(w.coordinator)
    data = form_data(w.a.id, topics=["funding", "events"], format="online", minutes_spent="75",
                     next_step="Kostenplan schicken", next_step_due=(today + timedelta(days=7)).isoformat(),
                     internal_notes="Vorstand wirkt überlastet")
    response = client.post("/office/consultations/new", data=data)
    consultation = db.session.scalar(select(Consultation))
    assert response.status_code == 302 and response.headers["Location"] == f"/office/consultations/{consultation.id}"
    assert consultation.association_id == w.a.id and consultation.municipality_id == w.town.id
    assert consultation.topics == ["funding", "events"] and consultation.format is ConsultationFormat.online
    assert consultation.minutes_spent == 75 and consultation.next_step_open
    assert consultation.created_by_id == w.coordinator.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.create"))
    assert event.target_id == consultation.id and event.municipality_id == w.town.id
    assert "überlastet" not in str(event.details), "no typed free text in the audit log"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vorstand wirkt überlastet" in html and "Kostenplan schicken" in html


def test_log_button_on_association_page_presets_the_association(office_world, client, auth):
    w = office_world
    auth.login_as(w.coordinator)
    page = client.get(f"/associations/{w.a.id}").get_data(as_text=True)
    assert f'href="/office/consultations/new?association_id={w.a.id}"' in page
    form = client.get(f"/office/consultations/new?association_id={w.a.id}").get_data(as_text=True)
    assert f'<option selected value="{w.a.id}">' in form
    assert client.get(f"/office/consultations/new?association_id={w.c.id}").status_code == 404


BAD_INPUT = [
    ({"minutes_spent": "-5"}, "minutes_spent", "between 1 and 600 minutes"),
    ({"minutes_spent": "99999999999999999999"}, "minutes_spent", "between 1 and 600 minutes"),
    ({"minutes_spent": "viel"}, "minutes_spent", "between 1 and 600 minutes"),
    ({"topics": []}, "topics", "at least one topic"),
    ({"topics": ["funding", "bribery"]}, "topics", "not a valid choice"),
    ({"format": "telepathy"}, "format", "Not a valid choice"),
    ({"held_on": "31.02.2026"}, "held_on", "Not a valid date"),
    ({"held_on": "2999-01-01"}, "held_on", "between 2000 and today"),
    ({"next_step_due": "2026-01-01", "next_step": ""}, "next_step_due", "describe the next step"),
    ({"held_on": "2026-02-01", "next_step": "x", "next_step_due": "2026-01-01"}, "next_step_due", "before the consultation"),
    ({"summary": "x" * 4001}, "summary", "at most 4000 characters"),
    ({"summary": "bad\x07bell"}, "summary", "invisible control characters"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT, ids=[b[1] + "-" + str(i) for i, b in enumerate(BAD_INPUT)])
def test_bad_input_is_refused_next_to_the_field_and_kept(office_world, client, auth, db, changes, field, message):
    w = office_world
    auth.login_as(w.coordinator)
    data = form_data(w.a.id, **{"summary": "<script>alert(1)</script> Förderung", **changes})
    response = client.post("/office/consultations/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html[html.index(f'id="{field}-error"'):]
    assert message in error[: error.index("</p>")]
    assert 'class="error-summary"' in html
    if field != "summary":
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Förderung" in html and "<script>alert(1)" not in html
    assert _count(db) == 0


def test_association_of_another_town_is_refused(office_world, client, auth, db):
    w = office_world
    auth.login_as(w.coordinator)
    response = client.post("/office/consultations/new", data=form_data(w.c.id, summary="Bleibt stehen"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please choose an association of your town or municipality." in html
    assert "Bleibt stehen" in html and _count(db) == 0
    assert w.c.name not in html.split('id="association_id"')[1].split("</select>")[0], "not even offered"


# --------------------------------------------------------------------------- editing and next steps


def test_edit_keeps_the_association_and_reopens_a_changed_next_step(office_world, client, auth, db, today):
    w = office_world
    consultation = w.consult(w.a, next_step="Antrag schicken", next_step_due=today)
    auth.login_as(w.coordinator)
    form = client.get(f"/office/consultations/{consultation.id}/edit").get_data(as_text=True)
    assert 'value="Antrag schicken"' in form and '<input checked id="format-0" name="format" required type="radio" value="in_person">' in form
    client.post(f"/office/consultations/{consultation.id}/done")
    db.session.refresh(consultation)
    assert consultation.next_step_done_at is not None
    data = form_data(w.c.id, next_step="Neuer Schritt", next_step_due=(today + timedelta(days=3)).isoformat(),
                     minutes_spent="90")
    response = client.post(f"/office/consultations/{consultation.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.association_id == w.a.id, "a posted association id cannot move the consultation"
    assert consultation.minutes_spent == 90 and consultation.next_step_open
    assert [a for a in _actions(db) if a.startswith("consultation.")] == [
        "consultation.create", "consultation.next_step_done", "consultation.edit"]


def test_marking_done_twice_changes_nothing_the_second_time(office_world, client, auth, db, today):
    w = office_world
    consultation = w.consult(w.a, next_step="Antrag schicken", next_step_due=today)
    auth.login_as(w.coordinator)
    assert client.post(f"/office/consultations/{consultation.id}/done", data={"next": "/office/"}).headers[
        "Location"] == "/office/"
    first = db.session.get(Consultation, consultation.id).next_step_done_at
    response = client.post(f"/office/consultations/{consultation.id}/done", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/office/consultations/{consultation.id}"
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).next_step_done_at == first
    assert _actions(db).count("consultation.next_step_done") == 1


# --------------------------------------------------------------------------- who sees what


def test_representatives_see_their_own_consultations_without_internal_notes(office_world, client, auth):
    w = office_world
    w.consult(w.a, summary="Förderantrag Sommerfest", internal_notes="Nur für uns: Kassenlage unklar")
    w.consult(w.b, summary="Satzungsfragen der Gemeinde")
    auth.login_as(w.rep_a)
    html = client.get(f"/office/associations/{w.a.id}/consultations").get_data(as_text=True)
    assert "Förderantrag Sommerfest" in html
    assert "Kassenlage" not in html and "Internal notes" not in html
    assert "Satzungsfragen" not in html
    profile = client.get(f"/associations/{w.a.id}").get_data(as_text=True)
    assert f'href="/office/associations/{w.a.id}/consultations"' in profile and "Kassenlage" not in profile
    assert client.get(f"/office/associations/{w.b.id}/consultations").status_code == 404
    assert client.get("/office/consultations").status_code == 403
    assert client.get("/office/consultations/export.csv").status_code == 403


def test_coordinator_sees_internal_notes_and_only_their_towns(office_world, client, auth):
    w = office_world
    w.consult(w.a, summary="Förderantrag Sommerfest", internal_notes="Kassenlage unklar")
    other = w.consult(w.c, actor=w.coordinator_y, summary="Räume in Y")
    auth.login_as(w.coordinator)
    html = client.get(f"/office/associations/{w.a.id}/consultations").get_data(as_text=True)
    assert "Kassenlage unklar" in html
    profile = client.get(f"/associations/{w.a.id}").get_data(as_text=True)
    assert "Log a consultation" in profile and "Funding application" in profile
    listing = client.get("/office/consultations").get_data(as_text=True)
    assert w.a.name in listing and "Räume in Y" not in listing and w.c.name not in listing
    assert client.get(f"/office/consultations/{other.id}").status_code == 404
    assert client.get(f"/office/consultations?association_id={w.c.id}").status_code == 200


# --------------------------------------------------------------------------- search, filters, paging


@pytest.fixture
def log(office_world, today):
    w = office_world
    return {
        "funding": w.consult(w.a, summary="Förderantrag bei der Stiftung", held_on=today - timedelta(days=40)),
        "premises": w.consult(w.b, topics=["premises"], format="phone", summary="Raumsuche",
                              held_on=today - timedelta(days=10), next_step="Bürgerhaus anfragen"),
        "events": w.consult(w.b, topics=["events", "funding"], format="email", summary="Sommerfest",
                            held_on=today - timedelta(days=5), internal_notes="Straßenfest-Genehmigung"),
    }


def _listed(client, query, log):
    html = client.get("/office/consultations" + query).get_data(as_text=True)
    return {name for name, c in log.items() if f'href="/office/consultations/{c.id}"' in html}, html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"funding", "premises", "events"}),
        ("?q=foerderantrag", {"funding"}),
        ("?q=FORDERANTRAG", {"funding"}),
        ("?q=strassenfest", {"events"}),
        ("?q=griechische", {"premises", "events"}),
        ("?q=100%25", set()),
        ("?topic=funding", {"funding", "events"}),
        ("?topic=premises", {"premises"}),
        ("?format=phone", {"premises"}),
        ("?open_only=y", {"premises"}),
    ],
)
def test_search_and_filters(office_world, log, client, auth, query, expected):
    auth.login_as(office_world.coordinator)
    found, _html = _listed(client, query, log)
    assert found == expected


def test_filter_by_association_and_period(office_world, log, client, auth, today):
    w = office_world
    auth.login_as(w.coordinator)
    assert _listed(client, f"?association_id={w.a.id}", log)[0] == {"funding"}
    since = (today - timedelta(days=12)).isoformat()
    until = (today - timedelta(days=7)).isoformat()
    assert _listed(client, f"?date_from={since}&date_to={until}", log)[0] == {"premises"}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?date_from=2026-05-01&date_to=2026-04-01", "date_to", "cannot end before it starts"),
        ("?association_id={c}", "association_id", "association of your town"),
        ("?municipality_id={y}", "municipality_id", "not in your scope"),
        ("?topic=<script>", "topic", "topic from the list"),
        ("?date_from=gestern", "date_from", "Not a valid date"),
    ],
)
def test_bad_filters_get_a_message_and_are_ignored(office_world, log, client, auth, query, field, message):
    w = office_world
    auth.login_as(w.coordinator)
    response = client.get("/office/consultations" + query.format(c=w.c.id, y=w.town_y.id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    error = html[html.index(f'id="{field}-error"'):]
    assert message in error[: error.index("</p>")]
    assert _listed(client, query.format(c=w.c.id, y=w.town_y.id), log)[0] == {"funding", "premises", "events"}


def test_pages_of_25(office_world, client, auth, today):
    w = office_world
    for day in range(30):
        w.consult(w.a, summary=f"Gespräch Nummer {day:02d}.", held_on=today - timedelta(days=day + 1))
    auth.login_as(w.coordinator)
    first = client.get("/office/consultations?topic=funding").get_data(as_text=True)
    assert "30 consultations" in first and 'href="/office/consultations?page=2&amp;topic=funding"' in first
    second = client.get("/office/consultations?topic=funding&page=2").get_data(as_text=True)
    assert len(re.findall(r'href="/office/consultations/\d+"', second)) == 5
    assert client.get("/office/consultations?page=99999999999").status_code == 200


# --------------------------------------------------------------------------- exports


def test_csv_export_of_the_filtered_list(office_world, log, client, auth, db):
    w = office_world
    w.consult(w.a, topics=["other"], summary="=HYPERLINK(\"http://evil\")")
    auth.login_as(w.coordinator)
    response = client.get("/office/consultations/export.csv?topic=funding")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert "internal_notes" in header and len(body) == 2
    notes = {row[header.index("internal_notes")] for row in body}
    assert "Straßenfest-Genehmigung" in notes
    everything = client.get("/office/consultations/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in everything
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consultation.export"))
    assert event.details["rows"] == "2" and event.details["format"] == "csv"


def test_xlsx_export_opens_and_matches_the_list(office_world, log, client, auth):
    auth.login_as(office_world.coordinator)
    response = client.get("/office/consultations/export.xlsx?format=email")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    header = list(rows[0])
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert row["association"] == office_world.b.name and row["topics"] == "funding, events"
    assert row["format"] == "email" and row["internal_notes"] == "Straßenfest-Genehmigung"
