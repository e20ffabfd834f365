"""The board's search, filters, sort and pagination, shared by the boards and the coordinators' list."""

import math
from dataclasses import dataclass

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from core.access import in_scope
from core.extensions import db
from core.models import Association, Topic
from core.text import fold, like_pattern

from .models import (
    ACTIVE_STATES,
    Category,
    Moderation,
    Posting,
    PostingKind,
    PostingLanguage,
    PostingState,
    Visibility,
    posting_topics,
)

#: State filter values of the board; "" means open or in progress.
BOARD_STATES = ("", "open", "in_progress", "fulfilled")
#: The coordinators' list shows every state unless asked for "active" (open or in progress) or one state.
ALL_STATES = ("", "active", *(s.value for s in PostingState))
SORTS = ("newest", "ending")
MAX_SEARCH_WORDS = 6


def _choice(value, allowed):
    return value if value in allowed else ""


@dataclass
class BoardFilters:
    q: str = ""
    kind: str = ""
    category: str = ""
    topic: str = ""
    language: str = ""
    district: str = ""
    state: str = ""
    sort: str = "newest"
    municipality: int | None = None
    #: Coordinators' list only.
    moderation: str = ""

    @classmethod
    def from_args(cls, args, states=BOARD_STATES, with_moderation=False):
        municipality = args.get("municipality", "")
        return cls(
            q=args.get("q", "").strip()[:100],
            kind=_choice(args.get("kind", ""), {k.value for k in PostingKind}),
            category=_choice(args.get("category", ""), {c.value for c in Category}),
            topic=args.get("topic", "").strip()[:64],
            language=args.get("language", "").strip()[:8],
            district=args.get("district", "").strip()[:120],
            state=_choice(args.get("state", ""), set(states)),
            sort=args.get("sort") if args.get("sort") in SORTS else "newest",
            municipality=int(municipality) if municipality.isdigit() else None,
            moderation=_choice(args.get("moderation", ""), {m.value for m in Moderation}) if with_moderation else "",
        )

    def as_args(self):
        args = {k: v for k, v in self.__dict__.items() if v not in ("", None)}
        if args.get("sort") == "newest":
            del args["sort"]
        return args

    @property
    def is_filtered(self):
        return any(k not in ("q", "sort") for k in self.as_args())


def search_conditions(q):
    """Every word must occur (in any folded spelling) in title, description or topic names."""
    conditions = []
    for word in q.split()[:MAX_SEARCH_WORDS]:
        variants = fold(word)
        conditions.append(or_(*(Posting.search_text.like(like_pattern(v), escape="\\") for v in variants)))
    return conditions


def topic_ids_for_key(key):
    """Ids of a topic and its children ("hsu" also finds "hsu-tr").

    Resolved up front, so the posting query gets a list of ids the topic index can look up.
    """
    parent = aliased(Topic)
    return db.session.scalars(
        select(Topic.id).outerjoin(parent, parent.id == Topic.parent_id).where(or_(Topic.key == key, parent.key == key))
    ).all()


def filter_conditions(f, now, default_state="active"):
    conditions = search_conditions(f.q) if f.q else []
    if f.kind:
        conditions.append(Posting.kind == PostingKind(f.kind))
    if f.category:
        conditions.append(Posting.category == Category(f.category))
    if f.language:
        conditions.append(
            Posting.id.in_(select(PostingLanguage.posting_id).where(PostingLanguage.code == f.language))
        )
    if f.district:
        # A posting for anywhere in town also fits every district.
        conditions.append(Posting.district.in_([f.district, ""]))
    if f.topic:
        topic_ids = topic_ids_for_key(f.topic)
        conditions.append(
            Posting.id.in_(select(posting_topics.c.posting_id).where(posting_topics.c.topic_id.in_(topic_ids)))
            if topic_ids else false()
        )
    if f.municipality:
        conditions.append(Posting.municipality_id == f.municipality)
    if f.moderation:
        conditions.append(Posting.moderation == Moderation(f.moderation))
    by_state = state_conditions(f.state, now, default_state)
    if (f.q or f.topic or f.language) and by_state:
        # A search or a topic or language filter starts from the postings in the chosen state (one index
        # range), not from the whole town in date order or from every posting with that topic: SQLite
        # has no trigram index and would otherwise test every posting for a rare word. PostgreSQL plans
        # this as the same semi-join either way.
        # Listed first: SQLite drives the query from the first of several id lists.
        return [Posting.id.in_(select(Posting.id).where(*by_state)), *conditions]
    return conditions + by_state


def state_conditions(state, now, default="active"):
    state = state or default
    if state == "active":
        return [Posting.state.in_(ACTIVE_STATES), Posting.expires_at > now]
    if state == "all":
        return []
    chosen = PostingState(state)
    if chosen in ACTIVE_STATES:
        return [Posting.state == chosen, Posting.expires_at > now]
    return [Posting.state == chosen]


def board_conditions(user, f, now):
    """What a signed-in user sees on the board: the visible postings of the towns in scope."""
    return [in_scope(user, Posting.municipality_id), Posting.moderation == Moderation.visible, *filter_conditions(f, now)]


def public_conditions(f, now):
    """The public board: public postings that are open or in progress, in every town."""
    f = BoardFilters(**{**f.__dict__, "state": "", "moderation": ""})
    return [Posting.visibility == Visibility.public, Posting.moderation == Moderation.visible, *filter_conditions(f, now)]


def manage_conditions(user, f, now):
    """The coordinators' list: every posting of the towns in scope, in every state by default."""
    return [in_scope(user, Posting.municipality_id), *filter_conditions(f, now, default_state="all")]


def ordered(conditions, sort="newest"):
    order = (
        (Posting.expires_at.asc(), Posting.id.asc()) if sort == "ending" else (Posting.created_at.desc(), Posting.id.desc())
    )
    return (
        select(Posting)
        .where(*conditions)
        .order_by(*order)
        .options(
            # Separate IN-queries by primary key: a page's 20 associations, never a join over all of them.
            selectinload(Posting.association),
            selectinload(Posting.topics),
            selectinload(Posting.language_rows),
        )
    )


@dataclass
class CappedPage:
    """A page of results whose total is counted only up to a cap, so no page scans every posting."""

    items: list
    page: int
    per_page: int
    total: int
    #: More results exist than were counted.
    capped: bool
    has_next: bool

    @property
    def pages(self):
        return max(math.ceil(self.total / self.per_page), self.page + (1 if self.has_next else 0), 1)

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def prev_num(self):
        return self.page - 1

    @property
    def next_num(self):
        return self.page + 1

    def iter_pages(self, left_edge=2, left_current=2, right_current=4, right_edge=2):
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current <= number <= self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number


def paginate(conditions, page, per_page, cap, sort="newest"):
    page = max(1, min(page, 10_000))
    rows = db.session.scalars(ordered(conditions, sort).limit(per_page + 1).offset((page - 1) * per_page)).all()
    counted = select(Posting.id).where(*conditions).limit(cap + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(counted))
    return CappedPage(
        items=rows[:per_page], page=page, per_page=per_page, total=min(total, cap), capped=total > cap,
        has_next=len(rows) > per_page,
    )


def districts(condition=None):
    """The districts associations gave (in the towns the condition selects), for choices and filters."""
    stmt = select(Association.district).where(Association.district != "")
    if condition is not None:
        stmt = stmt.where(condition)
    return db.session.scalars(stmt.distinct().order_by(Association.district)).all()
