"""Audit log: who did what and when, for coordinator and admin actions, failed logins and refused access.

`record()` is the one way to write to it. It never stores passwords, tokens or free text typed by
users; details are short, single-line values (control characters and line breaks are removed, so a
value cannot forge a log line).
"""

import logging
import re
from datetime import datetime

from flask import current_app, has_request_context, request
from flask_login import current_user
from limits import parse_many
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db, limiter
from .models import Role, User, utcnow

log = logging.getLogger("vereinsnetz.audit")

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

    def __repr__(self):
        return f"<AuditEvent {self.id} {self.action} {self.target_type}:{self.target_id}>"


def clean(value):
    """One line, no control or bidi characters, bounded length."""
    text = _UNSAFE.sub(" ", str(value)).strip()
    return text[:MAX_DETAIL]


def record(actor, action, target=None, *, municipality_id=None, ip_address="", **details):
    """Add an audit event to the session (the caller's commit stores it with the change itself)."""
    safe = {
        clean(key)[:40]: clean(value) for key, value in details.items() if value is not None and not _is_secret_key(key)
    }
    if target is not None and getattr(target, "id", 0) is None:
        db.session.flush()  # a target created in this request gets its id, so the event can name it
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


def _is_secret_key(key):
    """True for keys such as password, api_token or "pass word": spaces and line breaks cannot hide the word."""
    folded = re.sub(r"[\W_]+", "", clean(key).lower())
    return any(word in folded for word in _SECRET_KEYS)


def _role_of(actor):
    if actor is None:
        return "system"
    role = getattr(actor, "role", None)
    if role is None:
        return "anonymous"
    return role.value


# --------------------------------------------------------------------------- from views

#: At most this many security events (failed logins, refusals) are written per client address, and
#: at most ALL in total, so a flood of refused requests cannot fill the database. Counted in the
#: rate limiter's storage (shared through RATELIMIT_STORAGE_URI when several servers run); with rate
#: limiting switched off (RATELIMIT_ENABLED=false) every event is written.
SECURITY_EVENTS_PER_ADDRESS = "30 per minute;300 per day"
SECURITY_EVENTS_ALL = "600 per minute"


def record_request(action, target=None, *, municipality_id=None, **details):
    """`record()` for the signed-in person (or an anonymous visitor) and the client address; views only."""
    actor = current_user._get_current_object() if has_request_context() else None
    address = (request.remote_addr or "") if has_request_context() else ""
    return record(actor, action, target, municipality_id=municipality_id, ip_address=address, **details)


def record_security_event(action, target=None, **details):
    """A failed login or a refused request, unless this address (or everybody) has produced too many."""
    if not _within_budget(request.remote_addr or "unknown"):
        log.warning("Audit event %s from %s not stored: too many security events", action, request.remote_addr)
        return None
    return record_request(action, target, **details)


def record_refusal(action):
    """A 403 or a failed CSRF check: the route pattern and method, never the path itself.

    The pattern ("/invite/<token>") is stored instead of the URL because URLs may carry secrets
    (invitation and survey links) or text typed by the visitor.
    """
    rule = request.url_rule.rule if request.url_rule is not None else ""
    return record_security_event(action, endpoint=request.endpoint or "", route=rule, method=request.method)


def record_failed_login(email):
    """A failed sign-in. The typed address itself is never stored: people type their password into
    the e-mail field, and an address without an account is someone's personal data we have no
    purpose for. A known account becomes the target (so attacks on one account show up); otherwise
    only the address's domain is kept, enough to tell a typo from a credential-stuffing wave."""
    user = User.by_email(email or "")
    if user is not None:
        return record_security_event("login.failed", user, account="known")
    domain = (email or "").rpartition("@")[2].lower() if "@" in (email or "") else ""
    return record_security_event("login.failed", account="unknown", domain=domain)


def record_login(user):
    """Sign-ins of coordinators and admins (representatives' sign-ins are not audited: data minimisation)."""
    if user.role is not Role.representative:
        record_request("login.success", user)


def _within_budget(address):
    if not current_app.config.get("RATELIMIT_ENABLED") or not limiter.enabled:
        return True
    strategy = limiter.limiter
    checks = [(item, ("audit", "address", address)) for item in parse_many(_limit("AUDIT_EVENTS_PER_ADDRESS"))]
    checks += [(item, ("audit", "all")) for item in parse_many(_limit("AUDIT_EVENTS_ALL"))]
    if not all(strategy.test(item, *key) for item, key in checks):
        return False
    for item, key in checks:
        strategy.hit(item, *key)
    return True


def _limit(name):
    defaults = {"AUDIT_EVENTS_PER_ADDRESS": SECURITY_EVENTS_PER_ADDRESS, "AUDIT_EVENTS_ALL": SECURITY_EVENTS_ALL}
    return current_app.config.get(name) or defaults[name]
