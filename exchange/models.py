"""Exchange board models: postings, conversations between two associations, reports, digest opt-ins."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    DDL,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import Association, Topic, User, enum_column, merge_language_rows, utcnow
from core.text import search_key


class PostingKind(enum.Enum):
    offer = "offer"  #: Biete
    request = "request"  #: Suche


class Category(enum.Enum):
    rooms = "rooms"
    volunteers = "volunteers"
    equipment = "equipment"
    knowhow = "knowhow"
    translation = "translation"
    transport = "transport"
    event = "event"
    funding = "funding"
    other = "other"


class PostingState(enum.Enum):
    #: Prepared for the association (e.g. from a fireside chat's follow-up); only it sees it until it publishes.
    draft = "draft"
    open = "open"
    in_progress = "in_progress"
    fulfilled = "fulfilled"
    withdrawn = "withdrawn"
    expired = "expired"


#: States in which a posting is on the board and can be answered.
ACTIVE_STATES = (PostingState.open, PostingState.in_progress)


class Visibility(enum.Enum):
    network = "network"  #: associations in scope only
    public = "public"  #: also on the public board (never with contact data)


class Moderation(enum.Enum):
    visible = "visible"
    hidden = "hidden"  #: only the poster and coordinators see it; can be restored
    removed = "removed"  #: taken down for good; the poster still sees why


class ReportResolution(enum.Enum):
    dismissed = "dismissed"
    hidden = "hidden"
    removed = "removed"
    message_hidden = "message_hidden"
    locked = "locked"


posting_topics = Table(
    "exchange_posting_topics",
    db.metadata,
    Column("posting_id", ForeignKey("exchange_postings.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class PostingLanguage(db.Model):
    """A language the exchange can happen in (ISO 639 code); rows, so the filter stays in SQL."""

    __tablename__ = "exchange_posting_languages"

    posting_id: Mapped[int] = mapped_column(ForeignKey("exchange_postings.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)

    def __repr__(self):
        return f"<PostingLanguage {self.posting_id} {self.code}>"


class Posting(db.Model):
    """An offer (Biete) or request (Suche) of one association."""

    __tablename__ = "exchange_postings"
    __table_args__ = (
        # The board: one town, newest first, or soonest ending first.
        Index("ix_exchange_postings_board", "municipality_id", "created_at"),
        Index("ix_exchange_postings_ending", "municipality_id", "expires_at"),
        # The public board and feed across towns.
        Index("ix_exchange_postings_public", "visibility", "created_at"),
        # The nightly expiry run.
        Index("ix_exchange_postings_due", "state", "expires_at"),
        # Substring search: a trigram index on PostgreSQL (pg_trgm, see the listener below). SQLite has no
        # index that helps LIKE '%…%'; WHERE 0 keeps it empty there, so both databases share one schema.
        Index(
            "ix_exchange_postings_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=text("0"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Copied from the association, so the board filters one indexed column.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[PostingKind] = enum_column(PostingKind)
    category: Mapped[Category] = enum_column(Category)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Empty means "anywhere in town".
    district: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date | None]
    #: None together with starts_on None means ongoing.
    ends_on: Mapped[date | None]
    #: Bit mask of weekdays (Monday = 1, Tuesday = 2, … Sunday = 64); 0 means any day.
    weekdays: Mapped[int] = mapped_column(default=0)
    visibility: Mapped[Visibility] = enum_column(Visibility, default=Visibility.network)
    #: The poster chose to show the contact details below to the other associations (never publicly).
    share_contact: Mapped[bool] = mapped_column(default=False)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[PostingState] = enum_column(PostingState, default=PostingState.open)
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: When the "expires in a week" reminder went out for the current expiry date.
    reminded_at: Mapped[datetime | None]
    #: The association the exchange happened with (set when marked fulfilled).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id", ondelete="SET NULL"), index=True)
    fulfilled_at: Mapped[datetime | None]
    #: The partner association confirmed that the exchange took place.
    partner_confirmed_at: Mapped[datetime | None]
    moderation: Mapped[Moderation] = enum_column(Moderation, default=Moderation.visible)
    #: Shown to the poster when the coordination office hides or removes the posting.
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Folded title, description and topic names (every language), for umlaut-insensitive search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    association: Mapped[Association] = relationship(foreign_keys=[association_id])
    partner: Mapped[Association | None] = relationship(foreign_keys=[partner_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    topics: Mapped[list[Topic]] = relationship(secondary=posting_topics, order_by=Topic.sort_order)
    language_rows: Mapped[list[PostingLanguage]] = relationship(
        cascade="all, delete-orphan", order_by=PostingLanguage.code
    )

    @property
    def languages(self):
        return [row.code for row in self.language_rows]

    @languages.setter
    def languages(self, codes):
        self.language_rows = merge_language_rows(self.language_rows, codes, PostingLanguage)

    @property
    def weekday_list(self):
        """Weekday numbers (Monday = 0) in the mask."""
        return [day for day in range(7) if self.weekdays & (1 << day)]

    @weekday_list.setter
    def weekday_list(self, days):
        self.weekdays = sum(1 << int(day) for day in set(days or []) if 0 <= int(day) <= 6)

    @property
    def is_active(self):
        return self.state in ACTIVE_STATES

    @property
    def is_visible(self):
        return self.moderation is Moderation.visible

    @property
    def is_public(self):
        return self.visibility is Visibility.public

    def refresh_search(self):
        names = []
        for topic in self.topics:
            names += list((topic.names or {}).values()) + list(topic.synonyms or [])
        self.search_text = search_key(self.title, self.description, *names)

    def __repr__(self):
        return f"<Posting {self.id} {self.kind.value} {self.state.value}>"


# The trigram operator class lives in an extension (trusted since PostgreSQL 13, so the owner of the
# database may create it); create_all() in tests needs it as much as the migration does.
event.listen(
    Posting.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class Conversation(db.Model):
    """The talk between the poster's association and one replying association about one posting."""

    __tablename__ = "exchange_conversations"
    __table_args__ = (
        UniqueConstraint("posting_id", "replier_id", name="uq_exchange_conversations_posting_replier"),
        Index("ix_exchange_conversations_poster", "poster_id", "last_message_at"),
        Index("ix_exchange_conversations_replier", "replier_id", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("exchange_postings.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: The posting's association (copied, so the inbox query needs no join).
    poster_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    replier_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: A coordinator locked the conversation: it can be read, nobody can write.
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lock_reason: Mapped[str] = mapped_column(Text, default="")

    posting: Mapped[Posting] = relationship()
    poster: Mapped[Association] = relationship(foreign_keys=[poster_id])
    replier: Mapped[Association] = relationship(foreign_keys=[replier_id])
    messages: Mapped[list["Message"]] = relationship(
        back_populates="conversation", order_by="Message.id", cascade="all, delete-orphan"
    )

    def side_of(self, association_id):
        return association_id in (self.poster_id, self.replier_id)

    def other_side(self, association_id):
        return self.replier if association_id == self.poster_id else self.poster

    @property
    def is_locked(self):
        return self.locked_at is not None

    def __repr__(self):
        return f"<Conversation {self.id} posting={self.posting_id}>"


class Message(db.Model):
    __tablename__ = "exchange_messages"
    __table_args__ = (Index("ix_exchange_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("exchange_conversations.id", ondelete="CASCADE"))
    #: The side that wrote it (the author may later leave the association).
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    conversation: Mapped[Conversation] = relationship(back_populates="messages")
    association: Mapped[Association] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    def __repr__(self):
        return f"<Message {self.id} conversation={self.conversation_id}>"


class ConversationRead(db.Model):
    """How far a person has read a conversation; unread counts are per person."""

    __tablename__ = "exchange_conversation_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_conversations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_message_id: Mapped[int] = mapped_column(default=0)

    def __repr__(self):
        return f"<ConversationRead {self.user_id} {self.conversation_id} {self.last_read_message_id}>"


class Report(db.Model):
    """Someone signed in reports a posting or a message to the coordination office."""

    __tablename__ = "exchange_reports"
    __table_args__ = (
        CheckConstraint("posting_id IS NOT NULL OR message_id IS NOT NULL", name="target"),
        Index("ix_exchange_reports_open", "municipality_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_postings.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_messages.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolution: Mapped[ReportResolution | None] = enum_column(ReportResolution, nullable=True)

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    posting: Mapped[Posting | None] = relationship()
    message: Mapped[Message | None] = relationship()

    @property
    def is_open(self):
        return self.resolved_at is None

    def __repr__(self):
        return f"<Report {self.id} {'open' if self.is_open else self.resolution.value}>"


class DigestSubscription(db.Model):
    """An association opted in to the weekly e-mail of new postings matching its topics."""

    __tablename__ = "exchange_digest_subscriptions"

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True)
    subscribed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subscribed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Postings created after this went into no digest yet.
    last_sent_at: Mapped[datetime | None]

    association: Mapped[Association] = relationship()

    def __repr__(self):
        return f"<DigestSubscription {self.association_id}>"
