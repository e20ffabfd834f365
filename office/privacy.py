"""GDPR hooks of the advice log (called by the privacy package).

Decisions:

- **Export for an association** (`export_association`): every consultation about it, *without* the
  office's internal notes. Art. 15 GDPR is a right of natural persons; an association (a legal
  person) gets what it already sees in Vereinsnetz about itself, in a file. Internal notes are the
  office's working notes about its own work; handing them out on an association's request would
  reach whoever asks for the association, not the person the notes may be about.
- **Export for a person** (`export_user`): Art. 15 covers every piece of personal data about the
  person, in whatever form it is kept, and working notes are no exception (none of the restrictions
  of §§ 29, 34 BDSG fits a note such as "Ms X will send the budget"). So a consultation of the
  person's association whose text *mentions the person* (name or e-mail address) is exported in
  full, including the internal notes. For coordinators, the consultations they logged are listed
  (date, association, topics), since their authorship is their personal data.
- **Erasure of an association** (`erase_association`): the rows stay, so the report's counts
  (consultations, topics, formats, time spent) remain correct; every free text (summary, outcome,
  next step, internal notes) is emptied.
- **Erasure of a person** (`erase_user`): mentions of the person's name and e-mail address in the
  consultations' texts are replaced and the search column is rebuilt (it holds folded copies the
  privacy package's generic search cannot recognise). The author link is nulled by the schema.
"""

import re

from sqlalchemy import or_, select

from core.extensions import db
from core.text import fold, like_pattern

from .models import Consultation

PLACEHOLDER = "[gelöscht]"
TEXT_FIELDS = ("summary", "outcome", "next_step", "internal_notes")
#: Shorter names would match inside unrelated words.
MIN_NEEDLE = 3


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _row(c, with_notes):
    row = {
        "date": _plain(c.held_on), "topics": list(c.topics), "format": c.format.value, "minutes_spent": c.minutes_spent,
        "summary": c.summary, "outcome": c.outcome, "next_step": c.next_step,
        "next_step_due": _plain(c.next_step_due), "next_step_done_at": _plain(c.next_step_done_at),
    }
    if with_notes:
        row["internal_notes"] = c.internal_notes
    return row


def _of_association(association_id):
    return db.session.scalars(
        select(Consultation).where(Consultation.association_id == association_id).order_by(Consultation.held_on, Consultation.id)
    ).all()


def export_association(association):
    return {"consultations": [_row(c, with_notes=False) for c in _of_association(association.id)]}


def _needles(user):
    return [n for n in (user.email, (user.name or "").strip()) if n and len(n) >= MIN_NEEDLE]


def _mentioning(user):
    """Consultations whose texts mention the person (found through the folded search column)."""
    variants = {v for n in _needles(user) for v in fold(n)}
    if not variants:
        return []
    return db.session.scalars(
        select(Consultation)
        .where(or_(*(Consultation.search_text.like(like_pattern(v), escape="\\") for v in variants)))
        .order_by(Consultation.id)
    ).all()


def export_user(user):
    mentioned = [c for c in _mentioning(user) if user.association_id == c.association_id]
    logged = db.session.scalars(
        select(Consultation).where(Consultation.created_by_id == user.id).order_by(Consultation.held_on)
    ).all()
    return {
        "consultations_mentioning_you": [_row(c, with_notes=True) for c in mentioned],
        "consultations_logged_by_you": [
            {"date": _plain(c.held_on), "association": c.association.name, "topics": list(c.topics)} for c in logged
        ],
    }


def erase_association(association, actor):
    for consultation in _of_association(association.id):
        anonymise(consultation)
    db.session.flush()


def anonymise(consultation):
    """Free texts go; date, topics, format and time spent stay for the counts."""
    for name in TEXT_FIELDS:
        setattr(consultation, name, "")
    consultation.search_text = ""


def erase_user(user, actor):
    patterns = [re.compile(re.escape(n), re.IGNORECASE) for n in _needles(user)]
    for consultation in _mentioning(user):
        for name in TEXT_FIELDS:
            text = getattr(consultation, name)
            for pattern in patterns:
                text = pattern.sub(PLACEHOLDER, text)
            setattr(consultation, name, text[:300] if name == "next_step" else text)
        consultation.refresh_search()
    db.session.flush()
