"""E-mails about fireside chats, in each recipient's language, through the outbox.

Every mail that lets the association answer carries a fresh personal link (a `ChatToken`; only its
hash is stored, so a link cannot be shown twice). Invitations, updates, promotions and reminders
carry the chat as an .ics attachment (METHOD:REQUEST); cancellations carry METHOD:CANCEL.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.mail import queue_mail
from core.models import Role, User
from core.urls import absolute_url

from . import ics
from .models import ChatToken

#: kind -> (subject for a title, template, with a personal link, iCalendar METHOD or None)
KINDS = {
    "poll": (lambda t: _l("Which date suits you? %(title)s", title=t), "mail/fireside_poll.txt", True, None),
    "invitation": (lambda t: _l("Invitation to a fireside chat: %(title)s", title=t), "mail/fireside_invitation.txt", True, "REQUEST"),
    "update": (lambda t: _l("Changed: %(title)s", title=t), "mail/fireside_update.txt", True, "REQUEST"),
    "cancel": (lambda t: _l("Cancelled: %(title)s", title=t), "mail/fireside_cancel.txt", False, "CANCEL"),
    "withdrawn": (lambda t: _l("No longer invited: %(title)s", title=t), "mail/fireside_withdrawn.txt", False, "CANCEL"),
    "promoted": (lambda t: _l("A seat is free for you: %(title)s", title=t), "mail/fireside_promoted.txt", True, "REQUEST"),
    "reminder": (lambda t: _l("Reminder: %(title)s", title=t), "mail/fireside_reminder.txt", True, "REQUEST"),
    "nudge": (lambda t: _l("Please answer: %(title)s", title=t), "mail/fireside_nudge.txt", True, None),
}


def recipients(association):
    """(address, locale) of the association's enabled representatives; its own address if it has none."""
    users = db.session.scalars(
        select(User).where(User.association_id == association.id, User.role == Role.representative,
                           User.is_enabled.is_(True)).order_by(User.id)
    ).all()
    if users:
        return [(u.email, u.locale or "de") for u in users]
    return [(association.email, "de")] if association.email else []


def send(invitation, kind):
    """Queue one mail of `kind` to every representative of the invitation's association; returns the count."""
    subject, template, with_link, method = KINDS[kind]
    chat = invitation.chat
    link = None
    if with_link:
        _token, secret = ChatToken.issue(invitation)
        link = absolute_url("fireside.token_page", token=secret)
    organizer = ics.organizer_of(chat, current_app.config)
    sent = 0
    for address, locale in recipients(invitation.association):
        attachment = None
        if method and chat.starts_at is not None:
            text = ics.calendar([chat], method=method, organizer=organizer, urls={chat.id: link} if link else None,
                                attendee=(address, invitation.association.name))
            attachment = ("fireside-chat.ics", f"text/calendar; method={method}", text)
        queue_mail(address, subject(chat.title), template,
                   locale=locale, attachment=attachment, chat=chat, invitation=invitation,
                   association=invitation.association, link=link, locale_code=locale)
        sent += 1
    return sent


def promoted(invitation):
    return send(invitation, "promoted")


def ask_host(chat):
    """Ask the host association's representatives to confirm (they sign in to do so); returns the count."""
    link = absolute_url("fireside.invitation", chat_id=chat.id)
    sent = 0
    for address, locale in recipients(chat.host_association):
        queue_mail(address, _l("Please confirm: %(title)s", title=chat.title), "mail/fireside_ask_host.txt",
                   locale=locale, chat=chat, association=chat.host_association, link=link)
        sent += 1
    return sent
