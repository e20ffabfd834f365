"""GDPR hooks of the advice log, and the demo year of consultations."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from core.demo import COORDINATOR_EMAIL
from core.models import Role
from office import demo, privacy
from office.models import Consultation
from surveys.models import local_today

# --------------------------------------------------------------------------- privacy hooks


def test_association_export_leaves_out_internal_notes(office_world):
    w = office_world
    w.consult(w.a, summary="Förderantrag", internal_notes="Kassenlage unklar", next_step="Belege schicken")
    w.consult(w.b, summary="Andere Gemeinde")
    exported = privacy.export_association(w.a)
    assert [row["summary"] for row in exported["consultations"]] == ["Förderantrag"]
    assert all("internal_notes" not in row for row in exported["consultations"])
    assert "Kassenlage" not in str(exported)


def test_person_export_includes_notes_that_mention_the_person(office_world):
    w = office_world
    w.consult(w.a, summary="Gespräch mit Aylin Demir", internal_notes="Frau Demir schickt den Haushalt")
    w.consult(w.a, summary="Ohne Namen", internal_notes="Nichts über Personen")
    w.consult(w.b, summary="Aylin Demir war auch hier", internal_notes="Gehört zu einem anderen Verein")
    exported = privacy.export_user(w.rep_a)
    assert [row["internal_notes"] for row in exported["consultations_mentioning_you"]] == [
        "Frau Demir schickt den Haushalt"]
    logged = privacy.export_user(w.coordinator)["consultations_logged_by_you"]
    assert len(logged) == 3 and logged[0]["association"] in {w.a.name, w.b.name}


def test_erasing_an_association_keeps_the_counts_but_not_the_texts(office_world, db):
    w = office_world
    w.consult(w.a, summary="Förderantrag", outcome="gestellt", internal_notes="Kassenlage", next_step="Belege",
              minutes_spent=60)
    w.consult(w.a, topics=["events"], minutes_spent=15)
    privacy.erase_association(w.a, w.admin)
    db.session.commit()
    rows = db.session.scalars(select(Consultation).where(Consultation.association_id == w.a.id)).all()
    assert len(rows) == 2 and sum(r.minutes_spent for r in rows) == 75
    assert sorted(t for r in rows for t in r.topics) == ["events", "funding"]
    assert all(r.summary == r.outcome == r.internal_notes == r.next_step == r.search_text == "" for r in rows)


def test_erasing_a_person_replaces_their_name_everywhere_in_the_log(office_world, db):
    w = office_world
    consultation = w.consult(w.a, summary="Gespräch mit Aylin Demir", internal_notes="aylin demir: rep-a@x.example")
    privacy.erase_user(w.rep_a, w.admin)
    db.session.commit()
    db.session.refresh(consultation)
    assert consultation.summary == "Gespräch mit [gelöscht]"
    assert "aylin" not in consultation.internal_notes.lower() and "rep-a" not in consultation.internal_notes
    assert "aylin" not in consultation.search_text and "demir" not in consultation.search_text


# --------------------------------------------------------------------------- demo


def test_demo_year_of_consultations(office_world, db, factory):
    w = office_world
    for number in range(12):
        factory.association(w.town, f"Demoverein {number}")
    factory.user(Role.coordinator, municipalities=[w.town], email=COORDINATOR_EMAIL)
    demo.load(w.town)
    db.session.commit()
    rows = db.session.scalars(select(Consultation).where(Consultation.municipality_id == w.town.id)).all()
    today = local_today()
    assert len(rows) == demo.COUNT
    assert all(today - timedelta(days=366) < r.held_on < today for r in rows), "a year back from today"
    topics = Counter(t for r in rows for t in r.topics)
    assert topics.most_common(1)[0][0] == "funding" and topics["funding"] > len(rows) / 3
    assert len({r.format for r in rows}) == 4 and len({r.association_id for r in rows}) > 8
    open_steps = [r for r in rows if r.next_step_open]
    overdue = [r for r in open_steps if r.next_step_due < today]
    assert 2 <= len(open_steps) <= 20 and overdue, (len(open_steps), len(overdue))
    minutes = db.session.scalar(select(func.sum(Consultation.minutes_spent)))
    assert 30 * len(rows) < minutes < 90 * len(rows)
