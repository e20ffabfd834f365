"""Retention limits (`flask privacy purge`): what is kept how long, and the purge that enforces it.

`RETENTION` is the one description of the limits: the purge reads its settings from the config and
the privacy notice (templates/privacy/_retention.html) shows the same settings, so they cannot differ.
Every step is idempotent and, with `dry_run`, only counts.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select, update

from core.extensions import db
from core.mail import queue_mail
from core.models import MailState, OutboxMail, Role, Token, User, utcnow

from . import erasure
from .models import DataExport, InactivityWarning


@dataclass
class PurgeReport:
    dry_run: bool
    counts: dict = field(default_factory=dict)

    def add(self, key, count):
        self.counts[key] = self.counts.get(key, 0) + count


def _days(name):
    return timedelta(days=current_app.config[name])


def purge(now=None, dry_run=False):
    """Run every retention step; returns what was (or, with dry_run, would be) done."""
    now = now or utcnow()
    report = PurgeReport(dry_run)
    for step in (
        purge_tokens,
        purge_survey_tokens,
        purge_fireside_tokens,
        purge_exports,
        purge_mail_bodies,
        purge_unused_invitations,
        purge_inactive_accounts,
        purge_audit_events,
    ):
        step(now, dry_run, report)
    return report


def _delete(stmt_where, model, dry_run):
    ids = db.session.scalars(select(model.id).where(stmt_where)).all()
    if ids and not dry_run:
        db.session.execute(delete(model).where(model.id.in_(ids)))
    return len(ids)


def purge_tokens(now, dry_run, report):
    """Invitation and reset links: kept a few days after use or expiry (to explain a dead link), then deleted."""
    cutoff = now - _days("TOKEN_RETENTION_DAYS")
    where = or_(Token.expires_at < cutoff, Token.used_at < cutoff)
    report.add("tokens", _delete(where, Token, dry_run))


def purge_survey_tokens(now, dry_run, report):
    """Personal survey links of surveys closed more than SURVEY_TOKEN_RETENTION_DAYS ago."""
    from surveys.models import Survey, SurveyInvitation, SurveyState, SurveyToken

    cutoff = now - _days("SURVEY_TOKEN_RETENTION_DAYS")
    closed = select(Survey.id).where(
        or_(
            and_(Survey.state == SurveyState.closed, Survey.closed_at < cutoff),
            and_(Survey.state != SurveyState.draft, Survey.closes_on < cutoff.date()),
        )
    )
    invitations = select(SurveyInvitation.id).where(SurveyInvitation.survey_id.in_(closed))
    report.add("survey_tokens", _delete(SurveyToken.invitation_id.in_(invitations), SurveyToken, dry_run))


def purge_fireside_tokens(now, dry_run, report):
    """RSVP links of fireside chats that are over or cancelled (same retention as survey links)."""
    try:
        from fireside.models import ChatInvitation, ChatToken, FiresideChat
    except ImportError:  # the feature is not installed
        return
    cutoff = now - _days("SURVEY_TOKEN_RETENTION_DAYS")
    past = select(FiresideChat.id).where(or_(FiresideChat.starts_at < cutoff, FiresideChat.cancelled_at < cutoff))
    invitations = select(ChatInvitation.id).where(ChatInvitation.chat_id.in_(past))
    report.add("fireside_tokens", _delete(ChatToken.invitation_id.in_(invitations), ChatToken, dry_run))


def purge_exports(now, dry_run, report):
    """Data exports are single use: gone once downloaded or expired."""
    where = or_(DataExport.expires_at < now, DataExport.downloaded_at.is_not(None))
    report.add("data_exports", _delete(where, DataExport, dry_run))


def purge_mail_bodies(now, dry_run, report):
    """Sent mails keep recipient, subject and time as the record of sending; the text goes after N days."""
    cutoff = now - _days("MAIL_RETENTION_DAYS")
    where = and_(
        OutboxMail.state == MailState.sent,
        OutboxMail.sent_at < cutoff,
        or_(OutboxMail.body_text != "", OutboxMail.attachment_text.is_not(None), OutboxMail.attachment_name != ""),
    )
    ids = db.session.scalars(select(OutboxMail.id).where(where)).all()
    if ids and not dry_run:
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(ids))
            .values(body_text="", attachment_text=None, attachment_name="", attachment_type="")
        )
    report.add("mail_bodies", len(ids))


def purge_audit_events(now, dry_run, report):
    """The audit log holds IP addresses and who did what: kept for AUDIT_RETENTION_DAYS, then deleted."""
    from core.audit import AuditEvent

    cutoff = now - _days("AUDIT_RETENTION_DAYS")
    report.add("audit_events", _delete(AuditEvent.created_at < cutoff, AuditEvent, dry_run))


def purge_unused_invitations(now, dry_run, report):
    """People invited who never set a password within UNUSED_INVITATION_DAYS: the account is erased."""
    cutoff = now - _days("UNUSED_INVITATION_DAYS")
    # A fresh invitation link (sent again recently) keeps the account.
    open_link = select(Token.id).where(Token.user_id == User.id, Token.expires_at > now).exists()
    people = db.session.scalars(
        select(User).where(User.password_hash.is_(None), User.created_at < cutoff, ~open_link)
    ).all()
    for person in people if not dry_run else ():
        erasure.erase_user(person, None)
    report.add("unused_invitations", len(people))


def last_active(user):
    return user.last_login_at or user.created_at


def purge_inactive_accounts(now, dry_run, report):
    """Representatives not seen for INACTIVE_ACCOUNT_WARN_DAYS get a warning; after INACTIVE_ACCOUNT_DELETE_DAYS
    (and at least the difference between the two since the warning) the account is erased.

    Staff accounts are left to the admin: they end with employment, not with inactivity.
    """
    warn_after, delete_after = _days("INACTIVE_ACCOUNT_WARN_DAYS"), _days("INACTIVE_ACCOUNT_DELETE_DAYS")
    grace = max(delete_after - warn_after, timedelta(0))
    people = db.session.scalars(
        select(User).where(
            User.role == Role.representative,
            User.password_hash.is_not(None),
            or_(
                User.last_login_at < now - warn_after,
                and_(User.last_login_at.is_(None), User.created_at < now - warn_after),
            ),
        )
    ).all()
    warnings = {w.user_id: w for w in db.session.scalars(select(InactivityWarning))}
    for person in people:
        warning = warnings.get(person.id)
        if warning is not None and warning.warned_at < last_active(person):
            warning = None  # signed in after the last warning: the count starts again
        if warning is None:
            report.add("inactive_warned", 1)
            if not dry_run:
                _warn(person, now, now + grace, warnings.get(person.id))
        elif last_active(person) < now - delete_after and warning.warned_at <= now - grace:
            report.add("inactive_erased", 1)
            if not dry_run:
                erasure.erase_user(person, None)
    report.counts.setdefault("inactive_warned", 0)
    report.counts.setdefault("inactive_erased", 0)


def _warn(person, now, deadline, old_warning):
    if old_warning is not None:
        db.session.delete(old_warning)
        db.session.flush()
    db.session.add(InactivityWarning(user_id=person.id, warned_at=now))
    queue_mail(
        person.email,
        _l("Your Vereinsnetz account will be deleted"),
        "privacy/mail/inactive_warning.txt",
        locale=person.locale or "de",
        user=person,
        deadline=deadline,
    )


# --------------------------------------------------------------------------- what the privacy notice shows


@dataclass
class RetentionRule:
    category: str
    purpose: str
    period: str


def retention_rules(config):
    """Data categories, purposes and how long they are kept, from the same settings the purge uses."""

    def days(key):
        return _l("%(days)s days", days=config[key])

    hours = int(config["DATA_EXPORT_VALID_FOR"].total_seconds() // 3600)
    return [
        RetentionRule(
            _l("Accounts of representatives (name, e-mail address, language, last sign-in)"),
            _l("Signing in and speaking for your association"),
            _l(
                "Until you delete the account; after %(warn)s days without sign-in we warn you by e-mail, "
                "after %(delete)s days it is deleted",
                warn=config["INACTIVE_ACCOUNT_WARN_DAYS"],
                delete=config["INACTIVE_ACCOUNT_DELETE_DAYS"],
            ),
        ),
        RetentionRule(
            _l("Invitations that were never accepted"),
            _l("Giving access to a new representative"),
            days("UNUSED_INVITATION_DAYS"),
        ),
        RetentionRule(
            _l("Links for invitations and new passwords"),
            _l("Secure access without a password"),
            _l("%(days)s days after use or expiry", days=config["TOKEN_RETENTION_DAYS"]),
        ),
        RetentionRule(
            _l("Personal links to surveys and fireside chats"),
            _l("Answering without an account"),
            _l(
                "%(days)s days after the survey closes or the chat took place",
                days=config["SURVEY_TOKEN_RETENTION_DAYS"],
            ),
        ),
        RetentionRule(
            _l("Texts of e-mails we sent"),
            _l("Delivering and, if needed, repeating a message"),
            _l(
                "%(days)s days after sending; recipient, subject and time are kept as the record of sending",
                days=config["MAIL_RETENTION_DAYS"],
            ),
        ),
        RetentionRule(
            _l("Audit log (who did what and when, failed sign-ins, with the IP address)"),
            _l("Security of the platform and accountability of the coordination office (Art. 32 GDPR)"),
            days("AUDIT_RETENTION_DAYS"),
        ),
        RetentionRule(
            _l("Data exports you request"),
            _l("Your right of access and to data portability"),
            _l("One download within %(hours)s hours; the file is created at download and not stored", hours=hours),
        ),
        RetentionRule(
            _l("Survey answers of an association"),
            _l("Needs surveys and their aggregate results"),
            _l(
                "As long as the association takes part; when it is deleted, answers stay only without "
                "its name and free texts"
            ),
        ),
        RetentionRule(
            _l("Consent records (what was agreed to, which text version, when)"),
            _l("Proof of consent (Art. 7(1) GDPR)"),
            _l("As long as the consent applies and the association exists"),
        ),
    ]


def describe(report):
    """Lines for the CLI."""
    labels = {
        "tokens": "expired or used sign-in links deleted",
        "survey_tokens": "survey links of closed surveys deleted",
        "fireside_tokens": "RSVP links of past fireside chats deleted",
        "data_exports": "used or expired data exports deleted",
        "mail_bodies": "texts of sent e-mails blanked",
        "unused_invitations": "unused invitations (accounts) erased",
        "inactive_warned": "inactive accounts warned",
        "inactive_erased": "inactive accounts erased after the warning",
        "audit_events": "audit log entries older than the retention period deleted",
    }
    prefix = "[dry run] would be: " if report.dry_run else ""
    return [f"{prefix}{labels[key]}: {count}" for key, count in report.counts.items()]
