"""E-mails of the exchange board, queued in the outbox in each recipient's own language."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.extensions import db
from core.mail import queue_mail
from core.models import Role, User, coordinator_municipalities
from core.urls import absolute_url


def representatives(association):
    """The people who can act for an association right now."""
    return [user for user in association.representatives if user.is_active]


def mail_people(people, subject, template, **context):
    for user in people:
        queue_mail(user.email, subject, template, locale=user.locale or "de", user=user, **context)


def mail_association(association, subject, template, exclude=None, **context):
    people = [u for u in representatives(association) if exclude is None or u.id != exclude.id]
    mail_people(people, subject, template, association=association, **context)


def coordinators_of(municipality_id):
    return db.session.scalars(
        select(User)
        .join(coordinator_municipalities, coordinator_municipalities.c.user_id == User.id)
        .where(coordinator_municipalities.c.municipality_id == municipality_id, User.role == Role.coordinator)
        .order_by(User.id)
    ).all()


def posting_link(posting):
    return absolute_url("exchange.show", posting_id=posting.id)


def conversation_link(conversation):
    return absolute_url("exchange.conversation", conversation_id=conversation.id)


def new_conversation(conversation, actor):
    posting = conversation.posting
    mail_association(
        conversation.poster,
        _l("%(association)s replied to “%(title)s”", association=conversation.replier.name, title=posting.title),
        "exchange/mail/new_conversation.txt",
        posting=posting,
        other=conversation.replier,
        link=conversation_link(conversation),
    )


def new_message(conversation, message, recipients):
    writer_is_poster = message.association_id == conversation.poster_id
    other = conversation.poster if writer_is_poster else conversation.replier
    mail_people(
        recipients,
        _l("New message from %(association)s about “%(title)s”", association=other.name, title=conversation.posting.title),
        "exchange/mail/new_message.txt",
        association=conversation.replier if writer_is_poster else conversation.poster,
        posting=conversation.posting,
        other=other,
        link=conversation_link(conversation),
    )


def partner_to_confirm(posting):
    mail_association(
        posting.partner,
        _l("Please confirm the exchange with %(association)s", association=posting.association.name),
        "exchange/mail/partner_confirm.txt",
        posting=posting,
        other=posting.association,
        link=posting_link(posting),
    )


def partner_declined(posting, partner):
    mail_association(
        posting.association,
        _l("%(association)s did not confirm the exchange", association=partner.name),
        "exchange/mail/partner_declined.txt",
        posting=posting,
        other=partner,
        link=posting_link(posting),
    )


def moderated(posting):
    mail_association(
        posting.association,
        _l("The coordination office changed your posting “%(title)s”", title=posting.title),
        "exchange/mail/moderated.txt",
        posting=posting,
        link=posting_link(posting),
    )


def message_hidden(message):
    mail_association(
        message.association,
        _l("The coordination office hid one of your messages"),
        "exchange/mail/message_hidden.txt",
        message=message,
        posting=message.conversation.posting,
        link=conversation_link(message.conversation),
    )


def conversation_locked(conversation):
    for association in (conversation.poster, conversation.replier):
        mail_association(
            association,
            _l("A conversation about “%(title)s” was closed", title=conversation.posting.title),
            "exchange/mail/conversation_locked.txt",
            conversation=conversation,
            posting=conversation.posting,
            link=conversation_link(conversation),
        )


def report_received(report, municipality_id):
    mail_people(
        coordinators_of(municipality_id),
        _l("New report on the exchange board"),
        "exchange/mail/report_new.txt",
        report=report,
        link=absolute_url("exchange.reports"),
    )


def hidden_posting_changed(posting):
    mail_people(
        coordinators_of(posting.municipality_id),
        _l("A hidden posting was corrected: “%(title)s”", title=posting.title),
        "exchange/mail/hidden_changed.txt",
        posting=posting,
        link=absolute_url("exchange.moderate", posting_id=posting.id),
    )


def expiry_reminder(posting):
    mail_association(
        posting.association,
        _l("Your posting “%(title)s” ends in a few days", title=posting.title),
        "exchange/mail/expiry_reminder.txt",
        posting=posting,
        link=posting_link(posting),
    )


def expired(posting):
    mail_association(
        posting.association,
        _l("Your posting “%(title)s” has ended", title=posting.title),
        "exchange/mail/expired.txt",
        posting=posting,
        link=posting_link(posting),
    )


def digest(association, postings):
    mail_association(
        association,
        _l("New on the exchange board for %(association)s", association=association.name),
        "exchange/mail/digest.txt",
        postings=postings,
        links={p.id: posting_link(p) for p in postings},
        board_link=absolute_url("exchange.board"),
        settings_link=absolute_url("exchange.digest"),
    )
