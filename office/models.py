"""The office's own records: consultations with associations (the advice log)."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import Association, Municipality, User, enum_column, utcnow


class ConsultationTopic(enum.Enum):
    funding = "funding"
    founding = "founding"
    events = "events"
    premises = "premises"
    volunteers = "volunteers"
    language_courses = "language_courses"
    other = "other"


class ConsultationFormat(enum.Enum):
    in_person = "in_person"
    phone = "phone"
    online = "online"
    email = "email"


class Consultation(db.Model):
    """A coordinator advised an association. `internal_notes` are never shown to the association."""

    __tablename__ = "office_consultations"
    __table_args__ = (
        Index("ix_office_consultations_town_date", "municipality_id", "held_on"),
        Index("ix_office_consultations_next_step", "next_step_done_at", "next_step_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Copied from the association, so scope checks and reports filter one indexed column.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date]
    #: ConsultationTopic values.
    topics: Mapped[list] = mapped_column(JSON, default=list)
    format: Mapped[ConsultationFormat] = enum_column(ConsultationFormat, default=ConsultationFormat.in_person)
    minutes_spent: Mapped[int] = mapped_column(default=30)
    #: What was discussed, as the association may read it.
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    next_step: Mapped[str] = mapped_column(String(300), default="")
    next_step_due: Mapped[date | None]
    next_step_done_at: Mapped[datetime | None]
    internal_notes: Mapped[str] = mapped_column(Text, default="")
    #: Folded variants of summary, outcome, next step and notes, for umlaut-insensitive search (coordinators only).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship()
    association: Mapped[Association] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def next_step_open(self):
        return bool(self.next_step) and self.next_step_done_at is None

    def refresh_search(self):
        from core.text import search_key

        self.search_text = search_key(self.summary, self.outcome, self.next_step, self.internal_notes)

    @property
    def topic_values(self):
        return [ConsultationTopic(t) for t in self.topics]

    def __repr__(self):
        return f"<Consultation {self.id} association={self.association_id} {self.held_on}>"
