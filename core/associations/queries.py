"""Read-only queries over associations and access requests."""

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from ..access import in_scope
from ..extensions import db
from ..models import AccessRequest, Association, AssociationLanguage, Field, RequestState, Topic, association_topics
from ..text import fold, like_pattern, one_line


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
        return cls(
            q=one_line(args.get("q", ""), 100),
            field=args.get("field", "") if args.get("field", "") in {f.value for f in Field} else "",
            topic=one_line(args.get("topic", ""), 64),
            language=one_line(args.get("language", ""), 8),
            district=one_line(args.get("district", ""), 120),
            municipality=number_arg(args.get("municipality", "")),
        )

    def as_args(self):
        return {k: v for k, v in self.__dict__.items() if v not in ("", None)}


#: Deeper pages are refused: a huge offset would overflow the database's integer types.
MAX_PAGE = 10_000


def number_arg(value, maximum=2**31 - 1):
    """A positive whole number from a query string, or None ("²", "-1", "9" * 30 are not ids)."""
    value = (value or "").strip()
    if not value.isdecimal() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= maximum else None


def page_number(args):
    return number_arg(args.get("page", ""), MAX_PAGE) or 1


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
    stmt = (
        select(Association)
        .where(in_scope(user, Association.municipality_id))
        # The list shows each row's town and number of representatives: load them in one go.
        .options(selectinload(Association.municipality), selectinload(Association.representatives))
    )
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
