"""Everything that changes the exchange board. Each function takes the acting user, flushes, never commits."""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.models import Topic, utcnow

from . import notify
from .models import (
    Conversation,
    ConversationRead,
    DigestSubscription,
    Message,
    Moderation,
    Posting,
    PostingState,
    Report,
)

log = logging.getLogger("vereinsnetz.exchange")


class ExchangeError(ValueError):
    """A rule of the board was broken; the message is shown to the user as is."""

    def __init__(self, message):
        # Kept lazy: it is translated when shown, in the language of whoever sees it.
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- dates


def local_today(now=None):
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return (now or utcnow()).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def end_of_day_utc(day):
    """The first moment after `day` in the town's time zone, as naive UTC."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def expiry_for(posting, now):
    """The default run (60 days), but never past the posting's own end date."""
    expires = now + timedelta(days=current_app.config["EXCHANGE_POSTING_DAYS"])
    if posting.ends_on is not None:
        expires = min(expires, end_of_day_utc(posting.ends_on))
    return expires


# --------------------------------------------------------------------------- postings

POSTING_FIELDS = (
    "kind", "category", "title", "description", "district", "starts_on", "ends_on", "visibility",
    "share_contact", "contact_name", "contact_email", "contact_phone",
)


def apply_posting_data(posting, data):
    for name in POSTING_FIELDS:
        if name in data:
            setattr(posting, name, data[name])
    if not posting.share_contact:
        # Data minimisation: contact details the poster does not want to share are not kept.
        posting.contact_name = posting.contact_email = posting.contact_phone = ""
    if "weekdays" in data:
        posting.weekday_list = data["weekdays"]
    if "languages" in data:
        posting.languages = data["languages"] or []
    if "topics" in data:
        ids = [int(t) for t in data["topics"] or []]
        posting.topics = db.session.scalars(select(Topic).where(Topic.id.in_(ids))).all() if ids else []
    posting.refresh_search()


def create_posting(actor, association, data, now=None):
    """A new offer or request of `association`, open for the default run."""
    now = now or utcnow()
    posting = Posting(
        association=association,
        municipality_id=association.municipality_id,
        author=actor,
        state=PostingState.open,
        state_changed_at=now,
        created_at=now,
    )
    apply_posting_data(posting, data)
    posting.expires_at = expiry_for(posting, now)
    db.session.add(posting)
    db.session.flush()
    log.info("Posting %s created by %s", posting.id, actor.id)
    return posting


def create_draft(actor, association, data, now=None):
    """A posting prepared for `association` (e.g. by the coordinator from a follow-up): only the
    association sees it, on its own postings, until one of its representatives publishes it."""
    posting = create_posting(actor, association, data, now=now)
    posting.state = PostingState.draft
    db.session.flush()
    return posting


def publish(actor, posting, now=None):
    """A draft goes on the board for the default run, as if posted now."""
    if posting.state is not PostingState.draft:
        raise ExchangeError(_l("This posting is already on the board."))
    now = now or utcnow()
    _restart_run(posting, now)
    posting.created_at = now
    set_state(posting, PostingState.open, now)
    db.session.flush()
    log.info("Posting %s published by %s", posting.id, actor.id)
    return posting


def update_posting(actor, posting, data, now=None):
    if posting.moderation is Moderation.removed:
        raise ExchangeError(_l("This posting was removed by the coordination office and cannot be changed."))
    old_end = posting.ends_on
    apply_posting_data(posting, data)
    if posting.ends_on != old_end and posting.is_active:
        # A new end date moves the expiry with it, within the default run from now.
        posting.expires_at = expiry_for(posting, now or utcnow())
        posting.reminded_at = None
    db.session.flush()
    if posting.moderation is Moderation.hidden:
        # The poster corrected a hidden posting: the office is asked to look again.
        notify.hidden_posting_changed(posting)
    log.info("Posting %s updated by %s", posting.id, actor.id)
    return posting


#: Which state the poster may move a posting to from which (fulfilled goes through mark_fulfilled,
#: renewing an expired or withdrawn posting through renew).
TRANSITIONS = {
    PostingState.draft: {PostingState.withdrawn},
    PostingState.open: {PostingState.in_progress, PostingState.withdrawn},
    PostingState.in_progress: {PostingState.open, PostingState.withdrawn},
    PostingState.expired: {PostingState.withdrawn},
    PostingState.fulfilled: {PostingState.open},
    PostingState.withdrawn: set(),
}


def set_state(posting, state, now):
    posting.state = state
    posting.state_changed_at = now


def change_state(actor, posting, new_state, now=None):
    now = now or utcnow()
    if posting.moderation is Moderation.removed:
        raise ExchangeError(_l("This posting was removed by the coordination office and cannot be changed."))
    if new_state not in TRANSITIONS[posting.state]:
        raise ExchangeError(_l("This change is not possible in the posting's current state."))
    if posting.state is PostingState.fulfilled:
        # Not fulfilled after all: the exchange no longer counts, the posting runs again.
        posting.partner_id = posting.fulfilled_at = posting.partner_confirmed_at = None
        if posting.expires_at <= now:
            _restart_run(posting, now)
    set_state(posting, new_state, now)
    db.session.flush()
    log.info("Posting %s set to %s by %s", posting.id, new_state.value, actor.id)
    return posting


def _restart_run(posting, now):
    if posting.ends_on is not None and posting.ends_on < local_today(now):
        raise ExchangeError(_l("The end date of this posting has passed. Please change the dates first."))
    posting.expires_at = expiry_for(posting, now)
    posting.reminded_at = None


def can_renew(posting):
    return posting.moderation is not Moderation.removed and posting.state not in (PostingState.fulfilled, PostingState.draft)


def renewal_due(posting, now):
    """The page offers renewing once the reminder window is near, or after the posting ended."""
    if not can_renew(posting):
        return False
    window = timedelta(days=2 * current_app.config["EXCHANGE_REMINDER_DAYS"])
    return posting.state in (PostingState.expired, PostingState.withdrawn) or posting.expires_at - now <= window


def renew(actor, posting, now=None):
    """Another full run from today (one click from the reminder); an ended posting opens again."""
    now = now or utcnow()
    if not can_renew(posting):
        raise ExchangeError(_l("This posting cannot be renewed."))
    _restart_run(posting, now)
    if posting.state in (PostingState.expired, PostingState.withdrawn):
        set_state(posting, PostingState.open, now)
    db.session.flush()
    log.info("Posting %s renewed by %s until %s", posting.id, actor.id, posting.expires_at)
    return posting


def mark_fulfilled(actor, posting, partner=None, now=None):
    """Close the loop; the partner association (if any) is asked to confirm."""
    now = now or utcnow()
    if posting.moderation is Moderation.removed:
        raise ExchangeError(_l("This posting was removed by the coordination office and cannot be changed."))
    if posting.state in (PostingState.fulfilled, PostingState.withdrawn, PostingState.draft):
        raise ExchangeError(_l("This change is not possible in the posting's current state."))
    if partner is not None and (partner.id == posting.association_id or partner.municipality_id != posting.municipality_id):
        raise ExchangeError(_l("Please choose another association of your town."))
    set_state(posting, PostingState.fulfilled, now)
    posting.partner = partner
    posting.fulfilled_at = now
    posting.partner_confirmed_at = None
    db.session.flush()
    if partner is not None:
        notify.partner_to_confirm(posting)
    log.info("Posting %s fulfilled with %s by %s", posting.id, partner.id if partner else None, actor.id)
    return posting


def confirm_partner(actor, posting, now=None):
    if posting.state is not PostingState.fulfilled or posting.partner_id is None:
        raise ExchangeError(_l("There is nothing to confirm."))
    if posting.partner_confirmed_at is None:
        posting.partner_confirmed_at = now or utcnow()
        db.session.flush()
        log.info("Posting %s: partner confirmed by %s", posting.id, actor.id)
    return posting


def deny_partner(actor, posting):
    """The partner says the exchange did not happen with them: the link is removed."""
    if posting.state is not PostingState.fulfilled or posting.partner_id is None:
        raise ExchangeError(_l("There is nothing to confirm."))
    partner = posting.partner
    posting.partner = None
    posting.partner_confirmed_at = None
    db.session.flush()
    notify.partner_declined(posting, partner)
    log.info("Posting %s: partner link denied by %s", posting.id, actor.id)
    return posting


# --------------------------------------------------------------------------- conversations


def conversation_between(posting, association_id):
    return db.session.scalar(
        select(Conversation).where(Conversation.posting_id == posting.id, Conversation.replier_id == association_id)
    )


def reply(actor, posting, body, now=None):
    """Open (or continue) the conversation of the actor's association with the poster."""
    association = actor.association
    if association.id == posting.association_id:
        raise ExchangeError(_l("This is your own posting."))
    conversation = conversation_between(posting, association.id)
    if conversation is None:
        if not posting.is_active or posting.moderation is not Moderation.visible:
            raise ExchangeError(_l("This posting is no longer open, so it cannot be answered."))
        conversation = Conversation(
            posting=posting, municipality_id=posting.municipality_id, poster_id=posting.association_id,
            replier=association, created_at=now or utcnow(),
        )
        db.session.add(conversation)
        db.session.flush()
        message = add_message(actor, conversation, body, now=now, notify_others=False)
        notify.new_conversation(conversation, actor)
        return conversation, message
    return conversation, add_message(actor, conversation, body, now=now)


def add_message(actor, conversation, body, now=None, notify_others=True):
    if conversation.is_locked:
        raise ExchangeError(_l("The coordination office has closed this conversation."))
    if not conversation.posting.is_visible:
        # A posting the office hid or removed takes its conversations with it until it is restored.
        raise ExchangeError(_l("The coordination office has taken this posting down, so its conversation is paused."))
    now = now or utcnow()
    message = Message(
        conversation=conversation, association_id=actor.association_id, author=actor, body=body, created_at=now
    )
    db.session.add(message)
    conversation.last_message_at = now
    db.session.flush()
    mark_read(actor, conversation, message.id)
    if notify_others:
        recipients = _first_unread_recipients(conversation, message)
        if recipients:
            notify.new_message(conversation, message, recipients)
    log.info("Message %s in conversation %s by %s", message.id, conversation.id, actor.id)
    return message


def _first_unread_recipients(conversation, message):
    """The other side's people who have read everything before this message: one mail, not one per message."""
    other = conversation.replier if message.association_id == conversation.poster_id else conversation.poster
    people = notify.representatives(other)
    if not people:
        return []
    reads = dict(
        db.session.execute(
            select(ConversationRead.user_id, ConversationRead.last_read_message_id).where(
                ConversationRead.conversation_id == conversation.id,
                ConversationRead.user_id.in_([p.id for p in people]),
            )
        ).all()
    )
    earlier = db.session.scalars(
        select(Message.id).where(
            Message.conversation_id == conversation.id,
            Message.association_id == message.association_id,
            Message.id < message.id,
        )
    ).all()
    return [p for p in people if not any(m > reads.get(p.id, 0) for m in earlier)]


def mark_read(user, conversation, up_to_message_id):
    read = db.session.get(ConversationRead, (user.id, conversation.id))
    if read is None:
        db.session.add(ConversationRead(user_id=user.id, conversation_id=conversation.id, last_read_message_id=up_to_message_id))
    elif read.last_read_message_id < up_to_message_id:
        read.last_read_message_id = up_to_message_id
    db.session.flush()


# --------------------------------------------------------------------------- reports and the digest opt-in


def report(actor, reason, posting=None, message=None):
    """A report to the coordination office; the same person reporting the same thing twice makes one."""
    target = posting if posting is not None else message.conversation.posting
    stmt = select(Report).where(Report.reporter_id == actor.id, Report.resolved_at.is_(None))
    if posting is not None:
        stmt = stmt.where(Report.posting_id == posting.id)
    else:
        stmt = stmt.where(Report.message_id == message.id)
    existing = db.session.scalar(stmt)
    if existing is not None:
        return existing
    item = Report(
        municipality_id=target.municipality_id, reporter=actor, posting=posting, message=message, reason=reason
    )
    db.session.add(item)
    db.session.flush()
    notify.report_received(item, target.municipality_id)
    log.info("Report %s by %s", item.id, actor.id)
    return item


def set_digest(actor, association, subscribed, now=None):
    subscription = db.session.get(DigestSubscription, association.id)
    if subscribed and subscription is None:
        # The first digest covers the week before the opt-in.
        now = now or utcnow()
        db.session.add(DigestSubscription(association=association, subscribed_by_id=actor.id, subscribed_at=now))
    elif not subscribed and subscription is not None:
        db.session.delete(subscription)
    db.session.flush()
