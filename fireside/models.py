"""Fireside chat models: a small meeting of a group of associations, hosted by one of them.

Times are stored as naive UTC (like everywhere in Vereinsnetz) and shown in Europe/Berlin or the
viewer's time zone. The invited associations are frozen as `ChatInvitation` rows when invitations go
out; later changes to the sub-network do not change them.
"""

import enum
import hashlib
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import Association, Municipality, User, enum_column, utcnow


class ChatState(enum.Enum):
    #: Being prepared by the coordinator; nobody has been told yet.
    draft = "draft"
    #: A date poll is open: invited associations mark the proposed dates.
    polling = "polling"
    #: The date is fixed and invitations went out.
    invited = "invited"
    cancelled = "cancelled"


class ChatOrigin(enum.Enum):
    sub_network = "sub_network"
    suggestion = "suggestion"
    manual = "manual"


class InvitationState(enum.Enum):
    #: On the list (before invitations go out: will be invited).
    invited = "invited"
    #: Taken off the list by the coordinator after invitations went out; told by mail.
    withdrawn = "withdrawn"


class RsvpAnswer(enum.Enum):
    pending = "pending"
    accept = "accept"
    maybe = "maybe"
    decline = "decline"


class SeatState(enum.Enum):
    #: No seats held (no answer, maybe or decline).
    none = "none"
    #: Accepted and within capacity: `persons` seats are counted in `FiresideChat.seats_taken`.
    confirmed = "confirmed"
    #: Accepted while the chat was full; promoted in order of `waitlisted_at`.
    waitlisted = "waitlisted"


class PollAnswer(enum.Enum):
    yes = "yes"
    if_need_be = "if_need_be"
    no = "no"


class FollowUpState(enum.Enum):
    open = "open"
    done = "done"
    dropped = "dropped"


class FiresideChat(db.Model):
    __tablename__ = "fireside_chats"
    __table_args__ = (Index("ix_fireside_chats_calendar", "municipality_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    origin: Mapped[ChatOrigin] = enum_column(ChatOrigin, default=ChatOrigin.manual)
    sub_network_id: Mapped[int | None] = mapped_column(
        ForeignKey("sub_networks.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    topic_keys: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    host_association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id", ondelete="SET NULL"))
    #: The host association confirmed the venue and date (a representative of the host clicked "confirm").
    host_confirmed_at: Mapped[datetime | None]
    host_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    accessibility_notes: Mapped[str] = mapped_column(Text, default="")
    #: Language codes spoken at the chat.
    languages: Mapped[list] = mapped_column(JSON, default=list)
    #: Naive UTC; None while a date poll is open.
    starts_at: Mapped[datetime | None]
    duration_minutes: Mapped[int] = mapped_column(default=120)
    #: Persons, across all associations.
    capacity: Mapped[int] = mapped_column(default=20)
    max_per_association: Mapped[int] = mapped_column(default=2)
    #: Persons holding a confirmed seat. Changed only by one conditional UPDATE
    #: (`seats_taken + n <= capacity`), which is atomic on SQLite and PostgreSQL: never overbooked.
    seats_taken: Mapped[int] = mapped_column(default=0)
    #: Answers can be changed until then (naive UTC); None means until the start.
    rsvp_cutoff_at: Mapped[datetime | None]
    state: Mapped[ChatState] = enum_column(ChatState, default=ChatState.draft)
    #: iCalendar UID (stable across updates) and SEQUENCE (raised by every update that is mailed).
    ical_uid: Mapped[str] = mapped_column(String(120), unique=True, default=lambda: f"{secrets.token_hex(16)}@vereinsnetz")
    ical_sequence: Mapped[int] = mapped_column(default=0)
    invitations_sent_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    #: After the chat: minutes as entered (plain text with simple formatting; rendered escaped and sanitised).
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_updated_at: Mapped[datetime | None]
    minutes_updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    attendance_recorded_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship()
    host_association: Mapped[Association | None] = relationship(foreign_keys=[host_association_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    invitations: Mapped[list["ChatInvitation"]] = relationship(
        back_populates="chat", cascade="all, delete-orphan", order_by="ChatInvitation.id"
    )
    date_options: Mapped[list["ChatDateOption"]] = relationship(
        back_populates="chat", cascade="all, delete-orphan", order_by="ChatDateOption.starts_at"
    )
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="chat", cascade="all, delete-orphan", order_by="FollowUp.id"
    )
    decisions: Mapped[list["ChatDecision"]] = relationship(
        back_populates="chat", cascade="all, delete-orphan", order_by="ChatDecision.id"
    )

    def __repr__(self):
        return f"<FiresideChat {self.id} {self.title!r} {self.state.value}>"


class ChatInvitation(db.Model):
    """One invited association of a chat, with its answer, seats, reminders and attendance."""

    __tablename__ = "fireside_invitations"
    __table_args__ = (
        UniqueConstraint("chat_id", "association_id", name="uq_fireside_invitations_pair"),
        Index("ix_fireside_invitations_waitlist", "chat_id", "seat_state", "waitlisted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("fireside_chats.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    state: Mapped[InvitationState] = enum_column(InvitationState, default=InvitationState.invited)
    #: Why the association is on the list (e.g. its reason in the sub-network), shown to the coordinator.
    reason: Mapped[str] = mapped_column(Text, default="")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    invited_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    answer: Mapped[RsvpAnswer] = enum_column(RsvpAnswer, default=RsvpAnswer.pending)
    seat_state: Mapped[SeatState] = enum_column(SeatState, default=SeatState.none)
    #: Persons counted: for a confirmed seat they are in `seats_taken`; for a waitlisted one they wait.
    persons: Mapped[int] = mapped_column(default=0)
    #: Names of the persons coming (at most `max_per_association`).
    names: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    waitlisted_at: Mapped[datetime | None]
    promoted_at: Mapped[datetime | None]
    #: Idempotence of `flask fireside remind`: each reminder goes out once.
    nudge_sent_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    #: After the chat; None means not recorded.
    attended: Mapped[bool | None]
    attended_persons: Mapped[int | None]

    chat: Mapped[FiresideChat] = relationship(back_populates="invitations")
    association: Mapped[Association] = relationship()
    votes: Mapped[list["ChatDateVote"]] = relationship(back_populates="invitation", cascade="all, delete-orphan")
    tokens: Mapped[list["ChatToken"]] = relationship(back_populates="invitation", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<ChatInvitation {self.chat_id}:{self.association_id} {self.answer.value}/{self.seat_state.value}>"


class ChatToken(db.Model):
    """A personal RSVP / date-poll link for one invited association; only the hash is stored.

    It works without an account, only for its own invitation, and stops working when the invitation
    is withdrawn, the chat is cancelled or over.
    """

    __tablename__ = "fireside_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("fireside_invitations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    invitation: Mapped[ChatInvitation] = relationship(back_populates="tokens")

    @staticmethod
    def hash(secret):
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, invitation):
        secret = secrets.token_urlsafe(32)
        token = cls(invitation=invitation, token_hash=cls.hash(secret))
        db.session.add(token)
        return token, secret


class ChatDateOption(db.Model):
    """A proposed date of a date poll (2–5 per chat)."""

    __tablename__ = "fireside_date_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("fireside_chats.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime]

    chat: Mapped[FiresideChat] = relationship(back_populates="date_options")
    votes: Mapped[list["ChatDateVote"]] = relationship(back_populates="option", cascade="all, delete-orphan")


class ChatDateVote(db.Model):
    __tablename__ = "fireside_date_votes"
    __table_args__ = (UniqueConstraint("option_id", "invitation_id", name="uq_fireside_date_votes_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("fireside_date_options.id", ondelete="CASCADE"))
    invitation_id: Mapped[int] = mapped_column(ForeignKey("fireside_invitations.id", ondelete="CASCADE"), index=True)
    answer: Mapped[PollAnswer] = enum_column(PollAnswer)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    option: Mapped[ChatDateOption] = relationship(back_populates="votes")
    invitation: Mapped[ChatInvitation] = relationship(back_populates="votes")


class ChatDecision(db.Model):
    """Something the chat decided ("meet twice a year", "start a joint room request")."""

    __tablename__ = "fireside_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("fireside_chats.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    chat: Mapped[FiresideChat] = relationship(back_populates="decisions")


class FollowUp(db.Model):
    """An action agreed at a chat, owned by one association, with a due date and a status."""

    __tablename__ = "fireside_follow_ups"
    __table_args__ = (Index("ix_fireside_follow_ups_due", "state", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("fireside_chats.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None]
    state: Mapped[FollowUpState] = enum_column(FollowUpState, default=FollowUpState.open)
    done_at: Mapped[datetime | None]
    #: The exchange posting draft this follow-up created for its owner, if any.
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_postings.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    chat: Mapped[FiresideChat] = relationship(back_populates="follow_ups")
    owner_association: Mapped[Association | None] = relationship()


class CalendarFeed(db.Model):
    """An association's secret iCalendar feed URL of its upcoming chats; revocable, only the hash is stored."""

    __tablename__ = "fireside_calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    association: Mapped[Association] = relationship()

    @staticmethod
    def hash(secret):
        return hashlib.sha256(secret.encode()).hexdigest()
