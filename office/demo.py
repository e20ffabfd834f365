"""Demo data of the advice log: a year of consultations, funding applications dominating.

The spread follows what the Ludwigsburg office reported: advice on funding applications was the
largest share (more so during the pandemic), then founding questions, event planning and premises.
A few next steps are still open, some of them overdue, so the desk has something to show.
"""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from core.demo import COORDINATOR_EMAIL
from core.extensions import db
from core.models import Association, User
from surveys.models import local_today

from . import services
from .models import ConsultationFormat, ConsultationTopic

COUNT = 96

#: (topic, weight, what was discussed, outcome, a typical next step)
TOPICS = [
    (ConsultationTopic.funding, 46, "Antrag auf Projektförderung besprochen, Kosten- und Finanzierungsplan durchgesehen.",
     "Antrag wird bis zur Frist eingereicht.", "Entwurf des Finanzierungsplans an die Koordinierungsstelle schicken"),
    (ConsultationTopic.founding, 12, "Fragen zur Vereinsgründung: Satzung, Gemeinnützigkeit, Eintragung.",
     "Mustersatzung übergeben, Termin beim Registergericht geklärt.", "Satzungsentwurf gemeinsam durchgehen"),
    (ConsultationTopic.events, 14, "Planung eines Kulturfests: Genehmigungen, Versicherung, Raum.",
     "Checkliste für Veranstaltungen übergeben.", "Antrag auf Sondernutzung stellen"),
    (ConsultationTopic.premises, 10, "Suche nach Räumen für Unterricht und Treffen.",
     "Kontakt zur Raumvergabe der Stadt hergestellt.", "Besichtigung im Bürgerhaus vereinbaren"),
    (ConsultationTopic.volunteers, 8, "Gewinnung und Begleitung von Ehrenamtlichen.",
     "Hinweis auf die Ehrenamtsbörse und Schulungsangebote.", "Aufgabenbeschreibung für Ehrenamtliche schreiben"),
    (ConsultationTopic.language_courses, 6, "Angebot von Sprachkursen und herkunftssprachlichem Unterricht.",
     "Kontakt zum Staatlichen Schulamt vermittelt.", "Unterlagen für das Schulamt zusammenstellen"),
    (ConsultationTopic.other, 4, "Allgemeine Fragen zur Vereinsarbeit und Öffentlichkeitsarbeit.",
     "Hinweise gegeben.", ""),
]

#: format: (weight, typical minutes)
FORMATS = {
    ConsultationFormat.in_person: (38, (45, 60, 75, 90, 120)),
    ConsultationFormat.phone: (30, (15, 20, 30, 30, 45)),
    ConsultationFormat.email: (18, (10, 15, 20, 30)),
    ConsultationFormat.online: (14, (30, 45, 60)),
}


def load(town):
    """Called by `flask demo load` after the associations exist."""
    rng = random.Random(2021)
    coordinator = User.by_email(COORDINATOR_EMAIL)
    associations = db.session.scalars(
        select(Association).where(Association.municipality_id == town.id).order_by(Association.id)
    ).all()
    # Some associations come often (a funding application takes several talks), many once or never.
    regulars = associations[: max(1, len(associations) // 3)]
    today = local_today()
    for number in range(COUNT):
        held_on = today - timedelta(days=rng.randint(1, 365))
        association = rng.choice(regulars) if rng.random() < 0.6 else rng.choice(associations)
        _log(rng, coordinator, association, held_on, today, number)
    db.session.flush()


def _log(rng, coordinator, association, held_on, today, number):
    topic, _weight, summary, outcome, step = rng.choices(TOPICS, weights=[t[1] for t in TOPICS])[0]
    topics = [topic] + ([ConsultationTopic.funding] if topic is ConsultationTopic.events and rng.random() < 0.4 else [])
    fmt = rng.choices(list(FORMATS), weights=[w for w, _m in FORMATS.values()])[0]
    due = held_on + timedelta(days=rng.choice((7, 14, 21, 30))) if step else None
    consultation = services.create_consultation(coordinator, association, {
        "held_on": held_on, "topics": [t.value for t in topics], "format": fmt,
        "minutes_spent": rng.choice(FORMATS[fmt][1]), "summary": summary, "outcome": outcome,
        "next_step": step, "next_step_due": due,
        "internal_notes": "Nachfassen, falls bis zur Frist nichts kommt." if number % 5 == 0 else "",
    })
    # Older next steps were done; recent ones are open, a few of them already overdue.
    if due is not None and (due < today - timedelta(days=21) or rng.random() < 0.35):
        consultation.next_step_done_at = datetime.combine(due, time(10, 0))
    return consultation
