"""Shared models: municipalities, associations, topics, users and what onboarding needs."""

import enum
import hashlib
import secrets
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Column,
    Enum,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db
from .text import search_key


def utcnow():
    """Naive UTC: stored the same way on SQLite and PostgreSQL, shown in Europe/Berlin."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_column(enum_cls, **kwargs):
    """Enums stored as their value in a VARCHAR, so migrations need no database enum types."""
    return mapped_column(
        Enum(
            enum_cls,
            native_enum=False,
            create_constraint=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        **kwargs,
    )


class Field(enum.Enum):
    """Field of activity of an association."""

    leisure = "leisure"
    culture = "culture"
    sport = "sport"
    education = "education"
    religion = "religion"
    social = "social"
    other = "other"


class TopicCategory(enum.Enum):
    resources = "resources"
    activities = "activities"
    target_groups = "target_groups"
    languages = "languages"


class Role(enum.Enum):
    admin = "admin"
    coordinator = "coordinator"
    representative = "representative"


class TokenPurpose(enum.Enum):
    invite = "invite"
    reset = "reset"


class RequestState(enum.Enum):
    pending = "pending"
    approved = "approved"
    declined = "declined"


class MailState(enum.Enum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


coordinator_municipalities = Table(
    "coordinator_municipalities",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipalities.id", ondelete="CASCADE"), primary_key=True),
)

association_topics = Table(
    "association_topics",
    db.metadata,
    Column("association_id", ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Municipality(db.Model):
    __tablename__ = "municipalities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: Shown in the imprint and invitations ("Koordinierungsstelle Integration, Stadt …").
    office_name: Mapped[str] = mapped_column(String(200), default="")
    office_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    associations: Mapped[list["Association"]] = relationship(back_populates="municipality")

    def __repr__(self):
        return f"<Municipality {self.id} {self.name!r}>"


class Topic(db.Model):
    """Controlled vocabulary that profiles, surveys, postings and the matcher share."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable key, never changes once used ("hsu-tr", "rooms").
    key: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[TopicCategory] = enum_column(TopicCategory)
    #: Name per UI language: {"de": "…", "en": "…", "ar": "…"}.
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    synonyms: Mapped[list] = mapped_column(JSON, default=list)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped["Topic | None"] = relationship(remote_side=[id])

    def name(self, locale="de"):
        return self.names.get(str(locale)) or self.names.get("de") or self.key

    def __repr__(self):
        return f"<Topic {self.key}>"


def merge_language_rows(rows, codes, row_class):
    """One row per language code, in the given order: existing rows are kept, new ones added."""
    wanted = list(dict.fromkeys(c.strip().lower() for c in codes if c and c.strip()))
    keep = [row for row in rows if row.code in wanted]
    have = {row.code for row in keep}
    return keep + [row_class(code=c) for c in wanted if c not in have]


class AssociationLanguage(db.Model):
    """A language an association works in (ISO 639 code), one row each so filters stay in SQL."""

    __tablename__ = "association_languages"

    association_id: Mapped[int] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)

    def __repr__(self):
        return f"<AssociationLanguage {self.association_id} {self.code}>"


class Association(db.Model):
    __tablename__ = "associations"
    __table_args__ = (UniqueConstraint("municipality_id", "name_key", name="uq_associations_name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Folded name; importing the same list again updates instead of duplicating.
    name_key: Mapped[str] = mapped_column(String(200))
    #: Every folded variant of name, district and description, for umlaut-insensitive search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    field: Mapped[Field] = enum_column(Field, default=Field.other, index=True)
    district: Mapped[str] = mapped_column(String(120), default="", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    founded_year: Mapped[int | None]
    members_approx: Mapped[int | None]
    #: Self-description, optional: None means the association did not say.
    is_migrant_org: Mapped[bool | None]
    directory_consent_at: Mapped[datetime | None]
    directory_consent_version: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship(back_populates="associations")
    topics: Mapped[list[Topic]] = relationship(secondary=association_topics, order_by=Topic.sort_order)
    language_rows: Mapped[list[AssociationLanguage]] = relationship(
        cascade="all, delete-orphan", order_by=AssociationLanguage.code
    )
    representatives: Mapped[list["User"]] = relationship(back_populates="association")

    @property
    def languages(self):
        return [row.code for row in self.language_rows]

    @languages.setter
    def languages(self, codes):
        self.language_rows = merge_language_rows(self.language_rows, codes, AssociationLanguage)

    @property
    def is_listed(self):
        return self.directory_consent_at is not None

    def refresh_search(self):
        self.name_key = sorted(search_key(self.name).split(" | "))[0][:200]
        self.search_text = search_key(self.name, self.district, self.description)

    def __repr__(self):
        return f"<Association {self.id} {self.name!r}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    name: Mapped[str] = mapped_column(String(120), default="")
    locale: Mapped[str] = mapped_column(String(8), default="de")
    role: Mapped[Role] = enum_column(Role, default=Role.representative)
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="SET NULL"), index=True
    )
    is_enabled: Mapped[bool] = mapped_column(default=True)
    #: Raised on password change or disabling: every existing session of the user ends.
    session_version: Mapped[int] = mapped_column(default=1)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    association: Mapped[Association | None] = relationship(back_populates="representatives")
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=coordinator_municipalities, order_by=Municipality.name
    )

    @staticmethod
    def normalize_email(email):
        return (email or "").strip().lower()

    @classmethod
    def by_email(cls, email):
        return db.session.scalar(select(cls).where(cls.email == cls.normalize_email(email)))

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)
        # None until the first flush applies the column default (a new account from the CLI).
        self.session_version = (self.session_version or 1) + 1

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        # Flask-Login refuses inactive users; an invited user becomes active by setting a password.
        return self.is_enabled and self.password_hash is not None

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self):
        return self.role is Role.admin

    @property
    def is_coordinator(self):
        return self.role is Role.coordinator

    @property
    def is_representative(self):
        return self.role is Role.representative

    @property
    def is_removed_representative(self):
        """Removed from their association: disabled and attached to none (may be invited again)."""
        return self.is_representative and not self.is_enabled and self.association_id is None

    def __repr__(self):
        return f"<User {self.id} {self.role.value}>"


class Token(db.Model):
    """Single-use link token; only its hash is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = enum_column(TokenPurpose)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(secret):
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user, purpose, valid_for):
        """Create a token and return it with the secret, which exists only in the link."""
        secret = secrets.token_urlsafe(32)
        token = cls(user=user, purpose=purpose, token_hash=cls.hash(secret), expires_at=utcnow() + valid_for)
        db.session.add(token)
        return token, secret

    @property
    def is_usable(self):
        return self.used_at is None and self.expires_at > utcnow()

    def __repr__(self):
        return f"<Token {self.id} {self.purpose.value}>"


class AccessRequest(db.Model):
    """An association not yet known asks to join; a coordinator decides."""

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    association_name: Mapped[str] = mapped_column(String(200))
    field: Mapped[Field] = enum_column(Field, default=Field.other)
    district: Mapped[str] = mapped_column(String(120), default="")
    contact_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(8), default="de")
    message: Mapped[str] = mapped_column(Text, default="")
    privacy_version: Mapped[str] = mapped_column(String(32))
    state: Mapped[RequestState] = enum_column(RequestState, default=RequestState.pending, index=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    association: Mapped[Association | None] = relationship()

    def __repr__(self):
        return f"<AccessRequest {self.id} {self.state.value}>"


class ConsentRecord(db.Model):
    """What was agreed to (text version), when and by whom; withdrawal is recorded, never erased."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "privacy" (privacy notice acknowledged) or "directory" (listed in the public directory).
    kind: Mapped[str] = mapped_column(String(32))
    text_version: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]

    user: Mapped["User | None"] = relationship()
    association: Mapped["Association | None"] = relationship()

    def __repr__(self):
        return f"<ConsentRecord {self.id} {self.kind} {self.text_version}>"


class OutboxMail(db.Model):
    """Every e-mail is written here first; `flask mail send` delivers it exactly once."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8), default="de")
    #: Stable Message-ID, so a receiving server can recognise a retry.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[MailState] = enum_column(MailState, default=MailState.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    #: One optional attachment (e.g. an .ics invitation): file name, MIME type with parameters, text content.
    attachment_name: Mapped[str] = mapped_column(String(120), default="")
    attachment_type: Mapped[str] = mapped_column(String(120), default="")
    attachment_text: Mapped[str | None] = mapped_column(Text)

    def __repr__(self):
        return f"<OutboxMail {self.id} {self.state.value}>"


class ImportBatch(db.Model):
    """A parsed association list waiting for the coordinator's confirmation after the preview."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    #: Validated rows as plain dicts, ready to apply.
    rows: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<ImportBatch {self.id} {self.filename!r}>"


class SitePage(db.Model):
    """An admin's own text for a legal page (privacy, imprint, accessibility) in one language."""

    __tablename__ = "site_pages"
    __table_args__ = (UniqueConstraint("slug", "locale", name="uq_site_pages_slug_locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self):
        return f"<SitePage {self.slug} {self.locale}>"


def count(stmt):
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))
