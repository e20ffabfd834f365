"""The scheduled runs: `flask exchange expire` (daily) and `flask exchange digest` (weekly)."""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from core.extensions import db
from core.models import utcnow

from . import notify, queries
from .models import DigestSubscription, Moderation, PostingState
from .services import set_state

log = logging.getLogger("vereinsnetz.exchange")


def expire_due(now=None):
    """Close postings past their end and remind those ending within a week; returns (expired, reminded)."""
    now = now or utcnow()
    expired = queries.due_to_expire(now)
    for posting in expired:
        set_state(posting, PostingState.expired, now)
        if posting.moderation is Moderation.visible:
            notify.expired(posting)
    remind_before = timedelta(days=current_app.config["EXCHANGE_REMINDER_DAYS"])
    reminded = queries.due_for_reminder(now, now + remind_before)
    for posting in reminded:
        posting.reminded_at = now
        notify.expiry_reminder(posting)
    db.session.flush()
    log.info("Expiry run: %s expired, %s reminded", len(expired), len(reminded))
    return len(expired), len(reminded)


def send_digests(now=None, force=False):
    """The weekly e-mail per subscribed association; returns how many associations got one."""
    now = now or utcnow()
    sent = 0
    for subscription in db.session.scalars(select(DigestSubscription)).all():
        if not force and subscription.last_sent_at and now - subscription.last_sent_at < timedelta(days=6):
            continue
        since = subscription.last_sent_at or (now - timedelta(days=7))
        postings = queries.digest_postings(subscription.association, since, now)
        subscription.last_sent_at = now
        if postings:
            notify.digest(subscription.association, postings)
            sent += 1
    db.session.flush()
    log.info("Digest run: %s associations", sent)
    return sent
