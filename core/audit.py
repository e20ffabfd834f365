"""Audit log: who did what and when, for coordinator and admin actions, failed logins and refused access.

`record()` is the one way to write to it. It never stores passwords, tokens or free text typed by
users; details are short, single-line values (control characters and line breaks are removed, so a
value cannot forge a log line).
"""

import re
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .models import User, utcnow

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")
_SECRET_KEYS = ("password", "token", "secret", "csrf")
MAX_DETAIL = 200


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_time", "created_at"),
        Index("ix_audit_events_action", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None for anonymous events (a failed login) and after the actor's account was erased.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The actor's role at the time ("admin", "coordinator", "representative", "anonymous", "system").
    actor_role: Mapped[str] = mapped_column(String(20), default="system")
    #: Dotted name, e.g. "association.approve", "survey.export", "posting.hide", "login.failed".
    action: Mapped[str] = mapped_column(String(64))
    #: What it was done to: a model name and id ("Association", 12).
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[int | None]
    #: The municipality the target belongs to, so coordinators' scopes and filters work.
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id", ondelete="SET NULL"))
    #: Short, sanitised key/value pairs; never passwords or tokens; erased with the person they describe.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str] = mapped_column(String(45), default="")

    actor: Mapped[User | None] = relationship()


def clean(value):
    """One line, no control or bidi characters, bounded length."""
    text = _UNSAFE.sub(" ", str(value)).strip()
    return text[:MAX_DETAIL]


def record(actor, action, target=None, *, municipality_id=None, ip_address="", **details):
    """Add an audit event to the session (the caller's commit stores it with the change itself)."""
    safe = {
        clean(key)[:40]: clean(value)
        for key, value in details.items()
        if value is not None and not any(word in key.lower() for word in _SECRET_KEYS)
    }
    if municipality_id is None and target is not None:
        municipality_id = getattr(target, "municipality_id", None)
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_role=_role_of(actor),
        action=clean(action)[:64],
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None) if target is not None else None,
        municipality_id=municipality_id,
        details=safe,
        ip_address=clean(ip_address)[:45],
    )
    db.session.add(event)
    return event


def _role_of(actor):
    if actor is None:
        return "system"
    role = getattr(actor, "role", None)
    if role is None:
        return "anonymous"
    return role.value
