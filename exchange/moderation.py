"""What the coordination office does about reports: hide, remove or restore postings, hide messages,
lock conversations. Each function takes the acting coordinator, flushes, never commits."""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.models import utcnow

from . import notify
from .models import Moderation, Report, ReportResolution
from .services import ExchangeError

log = logging.getLogger("vereinsnetz.exchange")


def _resolve(actor, reports, resolution, now):
    for item in reports:
        if item.resolved_at is None:
            item.resolved_at, item.resolved_by_id, item.resolution = now, actor.id, resolution


def _open_reports(**where):
    stmt = select(Report).where(Report.resolved_at.is_(None))
    for name, value in where.items():
        stmt = stmt.where(getattr(Report, name) == value)
    return db.session.scalars(stmt).all()


MODERATION_ACTIONS = {
    "hide": (Moderation.hidden, ReportResolution.hidden),
    "remove": (Moderation.removed, ReportResolution.removed),
    "restore": (Moderation.visible, None),
}


def moderate_posting(actor, posting, action, reason, now=None):
    """Hide, remove or restore a posting; the poster is told why."""
    now = now or utcnow()
    moderation, resolution = MODERATION_ACTIONS[action]
    if moderation is not Moderation.visible and not reason:
        raise ExchangeError(_l("Please give a reason; the association will see it."))
    posting.moderation = moderation
    posting.moderation_reason = reason if moderation is not Moderation.visible else ""
    posting.moderated_at, posting.moderated_by_id = now, actor.id
    if resolution is not None:
        _resolve(actor, _open_reports(posting_id=posting.id), resolution, now)
    db.session.flush()
    notify.moderated(posting)
    log.info("Posting %s moderated (%s) by %s", posting.id, action, actor.id)
    return posting


def hide_message(actor, message, reason, now=None):
    if not reason:
        raise ExchangeError(_l("Please give a reason; the association will see it."))
    now = now or utcnow()
    message.hidden_at, message.hidden_by_id, message.hidden_reason = now, actor.id, reason
    _resolve(actor, _open_reports(message_id=message.id), ReportResolution.message_hidden, now)
    db.session.flush()
    notify.message_hidden(message)
    log.info("Message %s hidden by %s", message.id, actor.id)
    return message


def lock_conversation(actor, conversation, reason, now=None):
    if not reason:
        raise ExchangeError(_l("Please give a reason; the association will see it."))
    now = now or utcnow()
    conversation.locked_at, conversation.locked_by_id, conversation.lock_reason = now, actor.id, reason
    message_ids = [m.id for m in conversation.messages]
    if message_ids:
        reports = db.session.scalars(
            select(Report).where(Report.resolved_at.is_(None), Report.message_id.in_(message_ids))
        ).all()
        _resolve(actor, reports, ReportResolution.locked, now)
    db.session.flush()
    notify.conversation_locked(conversation)
    log.info("Conversation %s locked by %s", conversation.id, actor.id)
    return conversation


def unlock_conversation(actor, conversation):
    conversation.locked_at = conversation.locked_by_id = None
    conversation.lock_reason = ""
    db.session.flush()
    log.info("Conversation %s unlocked by %s", conversation.id, actor.id)
    return conversation


def dismiss_report(actor, item, now=None):
    _resolve(actor, [item], ReportResolution.dismissed, now or utcnow())
    db.session.flush()
    return item
