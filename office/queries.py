"""Read-only queries of the advice log, used by views, exports, the dashboard and the handover."""

from sqlalchemy import String, and_, case, cast, func, or_, select
from sqlalchemy.orm import joinedload

from core.access import in_scope, municipality_ids
from core.extensions import db
from core.models import Association, Municipality, Role, User
from core.text import fold, like_pattern

from .models import Consultation, ConsultationFormat


def associations_in_scope(user):
    return db.session.scalars(
        select(Association).where(in_scope(user, Association.municipality_id)).order_by(func.lower(Association.name))
    ).all()


def consultation_in_scope(user, consultation_id):
    """The consultation, or 404 when it is missing or outside the coordinator's towns."""
    consultation = db.get_or_404(Consultation, consultation_id)
    ids = municipality_ids(user)
    if ids is not None and consultation.municipality_id not in ids:
        from flask import abort

        abort(404)
    return consultation


def open_step_condition():
    return and_(Consultation.next_step != "", Consultation.next_step_done_at.is_(None))


def consultations(user, filters):
    """The advice log of the user's scope, filtered (see FilterForm.filters), newest first."""
    stmt = (
        select(Consultation)
        .join(Association, Association.id == Consultation.association_id)
        .where(in_scope(user, Consultation.municipality_id))
        .options(joinedload(Consultation.association), joinedload(Consultation.created_by))
    )
    if filters.get("q"):
        variants = [like_pattern(v) for v in fold(filters["q"])]
        stmt = stmt.where(
            or_(
                *(Consultation.search_text.like(p, escape="\\") for p in variants),
                *(Association.search_text.like(p, escape="\\") for p in variants),
            )
        )
    if filters.get("municipality_id"):
        stmt = stmt.where(Consultation.municipality_id == filters["municipality_id"])
    if filters.get("association_id"):
        stmt = stmt.where(Consultation.association_id == filters["association_id"])
    if filters.get("topic"):
        # JSON lists are stored as text on both databases: '["funding", "events"]'.
        stmt = stmt.where(cast(Consultation.topics, String).like(f'%"{filters["topic"]}"%'))
    if filters.get("format"):
        stmt = stmt.where(Consultation.format == ConsultationFormat(filters["format"]))
    if filters.get("date_from"):
        stmt = stmt.where(Consultation.held_on >= filters["date_from"])
    if filters.get("date_to"):
        stmt = stmt.where(Consultation.held_on <= filters["date_to"])
    if filters.get("open_only"):
        stmt = stmt.where(open_step_condition())
    return stmt.order_by(Consultation.held_on.desc(), Consultation.id.desc())


def of_association(association_id, limit=None):
    stmt = (
        select(Consultation)
        .where(Consultation.association_id == association_id)
        .order_by(Consultation.held_on.desc(), Consultation.id.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return stmt


def totals(stmt):
    """(count, minutes) of a filtered list, in one query."""
    sub = stmt.order_by(None).with_only_columns(Consultation.id, Consultation.minutes_spent).subquery()
    count, minutes = db.session.execute(select(func.count(sub.c.id), func.coalesce(func.sum(sub.c.minutes_spent), 0))).one()
    return int(count), int(minutes)


def due_next_steps(user, until, limit=20):
    """Open next steps due until the given day (overdue first), in the user's scope."""
    return db.session.scalars(
        select(Consultation)
        .where(in_scope(user, Consultation.municipality_id), open_step_condition(), Consultation.next_step_due <= until)
        .order_by(Consultation.next_step_due, Consultation.id)
        .options(joinedload(Consultation.association))
        .limit(limit)
    ).all()


def open_steps_of_association(association_id):
    return db.session.scalars(
        select(Consultation)
        .where(Consultation.association_id == association_id, open_step_condition())
        .order_by(case((Consultation.next_step_due.is_(None), 1), else_=0), Consultation.next_step_due)
    ).all()


def coordinators():
    """Enabled coordinator accounts that can take over a town."""
    return db.session.scalars(
        select(User).where(User.role == Role.coordinator, User.is_enabled.is_(True)).order_by(User.email)
    ).all()


def coordinators_of(municipality_id):
    return db.session.scalars(
        select(User).where(User.role == Role.coordinator, User.municipalities.any(Municipality.id == municipality_id))
    ).all()
