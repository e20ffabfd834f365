"""Read-only queries over associations and access requests."""

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select

from ..access import in_scope
from ..extensions import db
from ..models import AccessRequest, Association, AssociationLanguage, Field, RequestState, Topic, association_topics
from ..text import fold, like_pattern


def active_topics():
    return db.session.scalars(
        select(Topic).where(Topic.is_active.is_(True)).order_by(Topic.category, Topic.sort_order, Topic.key)
    ).all()


def associations_of(municipality_id):
    return db.session.scalars(
        select(Association).where(Association.municipality_id == municipality_id).order_by(Association.name)
    ).all()


@dataclass
class ListFilters:
    q: str = ""
    field: str = ""
    topic: str = ""
    language: str = ""
    district: str = ""
    municipality: int | None = None

    @classmethod
    def from_args(cls, args):
        municipality = args.get("municipality", "")
        return cls(
            q=args.get("q", "").strip()[:100],
            field=args.get("field", "") if args.get("field", "") in {f.value for f in Field} else "",
            topic=args.get("topic", "").strip()[:64],
            language=args.get("language", "").strip()[:8],
            district=args.get("district", "").strip()[:120],
            municipality=int(municipality) if municipality.isdigit() else None,
        )

    def as_args(self):
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


def apply_filters(stmt, filters):
    if filters.q:
        stmt = stmt.where(or_(*(Association.search_text.like(like_pattern(v), escape="\\") for v in fold(filters.q))))
    if filters.field:
        stmt = stmt.where(Association.field == Field(filters.field))
    if filters.district:
        stmt = stmt.where(Association.district == filters.district)
    if filters.municipality:
        stmt = stmt.where(Association.municipality_id == filters.municipality)
    if filters.language:
        stmt = stmt.where(
            Association.id.in_(select(AssociationLanguage.association_id).where(AssociationLanguage.code == filters.language))
        )
    if filters.topic:
        stmt = stmt.where(
            Association.id.in_(
                select(association_topics.c.association_id)
                .join(Topic, Topic.id == association_topics.c.topic_id)
                .where(or_(Topic.key == filters.topic, Topic.parent.has(Topic.key == filters.topic)))
            )
        )
    return stmt


def associations_in_scope(user, filters):
    stmt = select(Association).where(in_scope(user, Association.municipality_id))
    return apply_filters(stmt, filters).order_by(func.lower(Association.name), Association.id)


def districts(stmt_filter):
    return db.session.scalars(
        select(Association.district).where(stmt_filter, Association.district != "").distinct().order_by(Association.district)
    ).all()


def pending_request_count(user):
    return db.session.scalar(
        select(func.count(AccessRequest.id)).where(
            AccessRequest.state == RequestState.pending, in_scope(user, AccessRequest.municipality_id)
        )
    )


def access_requests_in_scope(user):
    pending_first = case((AccessRequest.state == RequestState.pending, 0), else_=1)
    return (
        select(AccessRequest)
        .where(in_scope(user, AccessRequest.municipality_id))
        .order_by(pending_first, AccessRequest.created_at.desc(), AccessRequest.id.desc())
    )
