"""Changes to the office's records: consultations and the transfer of a town's coordination.

Services flush, never commit, and take the acting user as a parameter; the view commits once.
"""

from core import audit
from core.extensions import db
from core.models import User, utcnow

from . import queries
from .models import Consultation, ConsultationTopic

FIELDS = (
    "held_on", "topics", "format", "minutes_spent", "summary", "outcome", "next_step", "next_step_due", "internal_notes",
)


def _apply(consultation, values):
    for name in FIELDS:
        if name in values:
            setattr(consultation, name, values[name])
    # Keep the stored list in the enum's order, so exports and reports read the same everywhere.
    consultation.topics = [t.value for t in ConsultationTopic if t.value in set(consultation.topics or [])]
    if not consultation.next_step:
        consultation.next_step_due = None
    consultation.refresh_search()


def create_consultation(actor, association, values):
    """Log a consultation with the association (scope checked by the caller)."""
    consultation = Consultation(
        association=association, municipality_id=association.municipality_id, created_by=actor, topics=[]
    )
    _apply(consultation, values)
    db.session.add(consultation)
    db.session.flush()
    audit.record(actor, "consultation.create", consultation, association_id=association.id,
                 topics=",".join(consultation.topics), minutes=consultation.minutes_spent)
    return consultation


def update_consultation(actor, consultation, values):
    """Change a consultation; a changed next step counts as open again."""
    old_step = consultation.next_step
    _apply(consultation, values)
    if consultation.next_step != old_step:
        consultation.next_step_done_at = None
    db.session.flush()
    audit.record(actor, "consultation.edit", consultation, association_id=consultation.association_id)
    return consultation


def mark_next_step_done(actor, consultation):
    """Close the next step; False when there is none open (a second click changes nothing)."""
    if not consultation.next_step_open:
        return False
    consultation.next_step_done_at = utcnow()
    db.session.flush()
    audit.record(actor, "consultation.next_step_done", consultation, association_id=consultation.association_id)
    return True


def record_export(actor, what, count, municipality_id=None, fmt=""):
    audit.record(actor, f"{what}.export", None, municipality_id=municipality_id, rows=count, format=fmt)


def transfer_coordination(actor, municipality, new_coordinator: User, keep_previous=False):
    """Give the town to another coordinator account; unless told otherwise, take it from everyone else.

    Returns the accounts that lost the town. Their sessions end on their next request only through
    the scope check itself: every query filters by the account's current towns.
    """
    previous = [u for u in queries.coordinators_of(municipality.id) if u.id != new_coordinator.id]
    if municipality not in new_coordinator.municipalities:
        new_coordinator.municipalities.append(municipality)
    removed = []
    if not keep_previous:
        for user in previous:
            user.municipalities.remove(municipality)
            removed.append(user)
    db.session.flush()
    audit.record(
        actor, "office.handover_transfer", municipality, municipality_id=municipality.id,
        to_user=new_coordinator.id, removed=",".join(str(u.id) for u in removed) or "-",
    )
    return removed
