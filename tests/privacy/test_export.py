"""Data export: what the ZIP holds, and that a download works once, for its requester, until it expires."""

import csv
import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import select

from core.audit import AuditEvent
from core.models import utcnow
from privacy.models import DataExport
from tests.privacy.conftest import A_NAME, BORIS, ZOFIA


def _prepare(client, url):
    response = client.post(url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/privacy/download/")
    return location


def _open(response):
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("data.json"))
    return archive, data


def test_association_export_holds_all_its_data_and_nothing_of_others(db, world, auth, client):
    auth.login_as(world.zofia)
    link = _prepare(client, f"/privacy/associations/{world.a.id}/export")
    assert client.get(link).status_code == 200
    archive, data = _open(client.post(link))
    assert data["association"][0]["name"] == A_NAME
    assert {r["email"] for r in data["representatives"]} == {ZOFIA["email"], "bernd.armbruster@example.org"}
    assert "password_hash" not in data["representatives"][0]
    assert {c["kind"] for c in data["consents"]} == {"privacy", "directory", "network-visible"}
    assert [p["title"] for p in data["exchange_postings"]] == ["Raum im Wendelinhof"]
    bodies = [m["body"] for m in data["exchange_messages"]]
    assert f"Bis Samstag, {ZOFIA['name']} ({ZOFIA['email']})" in bodies and len(bodies) == 3
    assert {m["from_association"] for m in data["exchange_messages"]} == {A_NAME, "Nachbarschaftshilfe Oststadt"}
    assert [r["survey"] for r in data["surveys_responses"]] == ["Bedarfserhebung 2026"]
    assert any(a["value_text"] == f"Bitte {ZOFIA['name']} anrufen" for a in data["surveys_answers"])
    assert data["matching_networking"][0]["visible_to_network_members"] is True
    assert data["access_requests"][0]["contact_name"] == ZOFIA["name"]
    # One CSV per section with the same rows, and a README.
    names = set(archive.namelist())
    assert {"README.txt", "data.json"} | {f"{section}.csv" for section in data} == names
    rows = list(csv.DictReader(io.StringIO(archive.read("representatives.csv").decode())))
    assert sorted(r["email"] for r in rows) == sorted(r["email"] for r in data["representatives"])
    assert "representatives.csv: 2 rows" in archive.read("README.txt").decode()
    # B's people and anything of town Y are not in it (B's posting appears only as the title of A's conversation).
    everything = b"".join(archive.read(name) for name in names).decode()
    for foreign in (BORIS["name"], BORIS["email"], "Kulturkreis Andersdorf", "Carla"):
        assert foreign not in everything


def test_personal_export_holds_the_account_consents_and_own_messages(db, world, auth, client):
    auth.login_as(world.zofia)
    _, data = _open(client.post(_prepare(client, "/privacy/export")))
    assert data["account"][0]["email"] == ZOFIA["email"] and data["account"][0]["association"] == A_NAME
    assert {c["kind"] for c in data["consents"]} == {"privacy", "directory", "network-visible"}
    assert [m["body"] for m in data["exchange_messages"]] == [f"Bis Samstag, {ZOFIA['name']} ({ZOFIA['email']})"]
    assert [p["contact_email"] for p in data["exchange_postings"]] == [ZOFIA["email"]]
    assert "bernd.armbruster@example.org" not in json.dumps(data)


def test_a_download_works_once(db, world, auth, client):
    auth.login_as(world.zofia)
    link = _prepare(client, "/privacy/export")
    client.get(link)  # looking at the page does not use it up
    assert client.post(link).status_code == 200
    again = client.post(link)
    assert again.status_code == 410 and again.mimetype == "text/html"
    assert client.get(link).status_code == 410


def test_another_person_cannot_use_the_link(db, world, auth, client):
    auth.login_as(world.zofia)
    link = _prepare(client, "/privacy/export")
    auth.logout()
    auth.login_as(world.bernd)
    assert client.get(link).status_code == 403
    assert client.post(link).status_code == 403
    assert db.session.scalar(select(DataExport.downloaded_at)) is None


def test_an_expired_link_is_refused(db, world, auth, client):
    auth.login_as(world.zofia)
    link = _prepare(client, "/privacy/export")
    export = db.session.scalar(select(DataExport))
    export.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(link).status_code == 410
    assert client.get("/privacy/download/made-up").status_code == 404


def test_only_the_hash_of_the_link_is_stored(db, world, auth, client):
    auth.login_as(world.zofia)
    secret = _prepare(client, "/privacy/export").rsplit("/", 1)[1]
    export = db.session.scalar(select(DataExport))
    assert secret not in export.token_hash and export.token_hash == DataExport.hash(secret)
    assert export.expires_at - export.created_at == timedelta(hours=24)


def test_coordinator_export_is_audited(db, world, auth, client):
    auth.login_as(world.coordinator)
    _, data = _open(client.post(_prepare(client, f"/privacy/associations/{world.a.id}/export")))
    assert data["association"][0]["name"] == A_NAME
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.export"))
    assert (event.actor_id, event.target_type, event.target_id) == (world.coordinator.id, "Association", world.a.id)


def test_representative_cannot_export_another_association(db, world, auth, client):
    auth.login_as(world.zofia)
    assert client.post(f"/privacy/associations/{world.b.id}/export").status_code == 404
    assert db.session.scalar(select(DataExport)) is None


def test_csv_cells_cannot_start_a_formula(db, world, auth, client):
    world.a.description = '=HYPERLINK("http://evil")'
    db.session.commit()
    auth.login_as(world.zofia)
    archive, _ = _open(client.post(_prepare(client, f"/privacy/associations/{world.a.id}/export")))
    row = next(csv.DictReader(io.StringIO(archive.read("association.csv").decode())))
    assert row["description"].startswith("'=")
