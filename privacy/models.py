"""GDPR side tables: data exports, inactivity warnings and the mark of an anonymised association.

They live beside the core models instead of adding columns to `users` or `associations`, so the
privacy feature can be removed without touching the shared schema.
"""

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import Association, User, utcnow


class DataExport(db.Model):
    """A requested download of personal data: single use, for its requester only, until it expires.

    Only the hash of the link's secret is stored; the ZIP itself is built at download time, so
    nothing of the data lies around on the server.
    """

    __tablename__ = "privacy_data_exports"
    __table_args__ = (CheckConstraint("(association_id IS NULL) <> (user_id IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: Whose data: an association's, or one person's own.
    association_id: Mapped[int | None] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    downloaded_at: Mapped[datetime | None]

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    association: Mapped[Association | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @staticmethod
    def hash(secret):
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, requested_by, valid_for, *, association=None, user=None):
        """A new export and the secret of its link (the secret is never stored)."""
        secret, now = secrets.token_urlsafe(32), utcnow()
        export = cls(
            requested_by=requested_by,
            association=association,
            user=user,
            token_hash=cls.hash(secret),
            created_at=now,
            expires_at=now + valid_for,
        )
        db.session.add(export)
        return export, secret

    @property
    def is_expired(self):
        return self.expires_at <= utcnow()

    def __repr__(self):
        return f"<DataExport {self.id} by={self.requested_by_id}>"


class InactivityWarning(db.Model):
    """When an inactive account was warned that it will be deleted (`flask privacy purge`)."""

    __tablename__ = "privacy_inactivity_warnings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    warned_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<InactivityWarning {self.user_id} {self.warned_at:%Y-%m-%d}>"


class AnonymisedAssociation(db.Model):
    """An association anonymised on request; its row stays so survey results keep their counts."""

    __tablename__ = "privacy_anonymised_associations"

    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True)
    anonymised_at: Mapped[datetime] = mapped_column(default=utcnow)
    anonymised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self):
        return f"<AnonymisedAssociation {self.association_id}>"
