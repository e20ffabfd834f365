"""Handover: the ZIP of everything the office knows about a town, and moving a town to another coordinator."""

import csv
import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import select

from core.audit import AuditEvent
from core.models import ConsentRecord
from fireside.models import FiresideChat, FollowUp, FollowUpState
from matching import services as matching_services
from surveys.models import local_today
from tests.surveys.conftest import SurveyKit


def _zip(response):
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def _csv(archive, name):
    text = archive.read(name).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _town_with_history(w, db, factory):
    w.consult(w.a, summary="Förderantrag", internal_notes="Kassenlage unklar", next_step="Belege schicken")
    w.consult(w.c, actor=w.coordinator_y, summary="Anderer Ort")
    db.session.add(ConsentRecord(kind="privacy", text_version="1", user_id=w.rep_a.id))
    network = matching_services.create_network(w.town.id, {"name": "Netzwerk HSU", "topic_keys": ["hsu"]}, w.coordinator)
    matching_services.add_member(network, w.a, "Gründungsmitglied", w.coordinator)
    matching_services.add_member(network, w.b, "Gründungsmitglied", w.coordinator)
    chat = FiresideChat(municipality_id=w.town.id, title="Kamingespräch Räume")
    db.session.add(chat)
    db.session.flush()
    db.session.add_all([
        FollowUp(chat_id=chat.id, title="Raumliste erstellen", owner_association_id=w.b.id,
                 due_on=local_today() + timedelta(days=5)),
        FollowUp(chat_id=chat.id, title="Erledigt schon", state=FollowUpState.done),
    ])
    db.session.commit()
    SurveyKit(db, factory).survey(w.town, w.coordinator, invite=[w.a, w.b], title="Bedarfserhebung 2026")


def test_handover_zip_holds_every_table_with_consent_rules(office_world, client, auth, db, factory):
    w = office_world
    _town_with_history(w, db, factory)
    auth.login_as(w.coordinator)
    archive = _zip(client.get(f"/office/handover/download?municipality_id={w.town.id}"))
    names = set(archive.namelist())
    assert {"README.txt", "handover.json", "associations.csv", "representatives.csv", "sub_networks.csv",
            "fireside_chats.csv", "open_follow_ups.csv", "consultations.csv", "surveys.csv"} <= names

    associations = {row["name"]: row for row in _csv(archive, "associations.csv")}
    assert set(associations) == {w.a.name, w.b.name}, "only the chosen town"
    assert associations[w.a.name]["email"] == "info@elternverein.example", "listed: its published contact"
    assert associations[w.b.name]["email"] == "", "not listed: no contact details"

    people = {row["association"]: row for row in _csv(archive, "representatives.csv")}
    assert people[w.a.name]["email"] == "rep-a@x.example" and people[w.a.name]["name"] == "Aylin Demir"
    assert people[w.b.name]["email"] == "" and people[w.b.name]["contact_allowed"] == "False"

    members = _csv(archive, "sub_networks.csv")
    assert {(m["sub_network"], m["association"]) for m in members} == {("Netzwerk HSU", w.a.name), ("Netzwerk HSU", w.b.name)}
    follow_ups = _csv(archive, "open_follow_ups.csv")
    assert [(f["title"], f["owner_association"]) for f in follow_ups] == [("Raumliste erstellen", w.b.name)]
    consultations = _csv(archive, "consultations.csv")
    assert [(c["association"], c["internal_notes"], c["next_step"]) for c in consultations] == [
        (w.a.name, "Kassenlage unklar", "Belege schicken")]
    surveys = _csv(archive, "surveys.csv")
    assert [(s["title"], s["invited"], s["submitted"]) for s in surveys] == [("Bedarfserhebung 2026", "2", "0")]

    data = json.loads(archive.read("handover.json"))
    assert data["municipality"]["name"] == "Stadt X"
    assert data["consultations"][0]["internal_notes"] == "Kassenlage unklar"
    emails = {row["name"]: row["email"] for row in data["associations"]}
    assert emails == {w.a.name: "info@elternverein.example", w.b.name: ""}
    readme = archive.read("README.txt").decode()
    assert "Stadt X" in readme and "consultations.csv" in readme and "consent" in readme

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "office.handover.export"))
    assert event.municipality_id == w.town.id and event.actor_id == w.coordinator.id


def test_handover_of_a_town_outside_the_scope_is_refused_with_a_message(office_world, client, auth, db):
    w = office_world
    auth.login_as(w.coordinator)
    for value in (w.town_y.id, "abc", "", "99999999999999999999"):
        response = client.get(f"/office/handover/download?municipality_id={value}")
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and 'id="municipality_id-error"' in html
    page = client.get("/office/handover").get_data(as_text=True)
    assert "Stadt X" in page and "Stadt Y" not in page
    assert "Move a town" not in page, "only admins move a town"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "office.handover.export")) is None


def test_admin_moves_a_town_to_another_coordinator_in_one_step(office_world, client, auth, db, factory):
    w = office_world
    successor = factory.coordinator(w.town_y, email="nachfolge@x.example", locale="en")
    consultation = w.consult(w.a, next_step="Belege schicken")
    auth.login_as(w.admin)
    page = client.get("/office/handover").get_data(as_text=True)
    assert "Move a town" in page and "nachfolge@x.example" in page
    response = client.post("/office/handover/transfer", data={"municipality_id": w.town.id,
                                                             "new_coordinator_id": successor.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert {m.name for m in successor.municipalities} == {"Stadt X", "Stadt Y"}
    assert w.coordinator.municipalities == [], "the predecessor lost the town"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "office.handover_transfer"))
    assert event.details["to_user"] == str(successor.id) and event.details["removed"] == str(w.coordinator.id)
    auth.logout()
    auth.login_as(w.coordinator)
    assert client.get(f"/office/consultations/{consultation.id}").status_code == 404
    auth.logout()
    auth.login_as(successor)
    assert client.get(f"/office/consultations/{consultation.id}").status_code == 200


def test_transfer_can_keep_the_previous_coordinators(office_world, client, auth, db, factory):
    w = office_world
    successor = factory.coordinator(w.town_y, email="nachfolge@x.example")
    auth.login_as(w.admin)
    client.post("/office/handover/transfer", data={"municipality_id": w.town.id, "new_coordinator_id": successor.id,
                                                   "keep_previous": "y"})
    db.session.expire_all()
    assert [m.name for m in w.coordinator.municipalities] == ["Stadt X"]
    assert "Stadt X" in {m.name for m in successor.municipalities}


def test_transfer_refuses_a_representative_or_nonsense(office_world, client, auth, db):
    w = office_world
    auth.login_as(w.admin)
    for data in ({"municipality_id": w.town.id, "new_coordinator_id": w.rep_a.id},
                 {"municipality_id": "999999", "new_coordinator_id": w.coordinator_y.id},
                 {"municipality_id": "x", "new_coordinator_id": "<script>"}):
        response = client.post("/office/handover/transfer", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and 'class="error-summary"' in html
    db.session.expire_all()
    assert [m.name for m in w.coordinator.municipalities] == ["Stadt X"]
    assert w.rep_a.municipalities == []
