"""GDPR hooks of the exchange board (called by the privacy package).

A message belongs to the conversation between two associations: when its author's account is
erased, the text stays for both associations (their record of the exchange) and the author shows
as a deleted person (author_id is set to NULL by the database); the person's name and contact
details leave the postings. Anonymising an association removes its postings and conversations.
"""

from sqlalchemy import delete, or_, select, update

from core.extensions import db

from .models import Conversation, DigestSubscription, Message, Posting, Report


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)


POSTING_COLUMNS = (
    "id",
    "kind",
    "category",
    "title",
    "description",
    "district",
    "starts_on",
    "ends_on",
    "visibility",
    "share_contact",
    "contact_name",
    "contact_email",
    "contact_phone",
    "state",
    "expires_at",
    "moderation",
    "moderation_reason",
    "created_at",
    "updated_at",
)


def _posting_row(posting):
    return {name: _plain(getattr(posting, name)) for name in POSTING_COLUMNS}


def _message_row(message, own_association_id=None):
    author = message.author
    own = own_association_id is None or message.association_id == own_association_id
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "posting": message.conversation.posting.title,
        "from_association": message.association.name,
        # Names of the other association's people are theirs, not part of this export.
        "author": (author.name or author.email) if author is not None and own else None,
        "body": message.body,
        "created_at": _plain(message.created_at),
        "hidden_at": _plain(message.hidden_at),
    }


def export_association(association):
    postings = db.session.scalars(select(Posting).where(Posting.association_id == association.id).order_by(Posting.id))
    messages = db.session.scalars(
        select(Message)
        .join(Conversation)
        .where(or_(Conversation.poster_id == association.id, Conversation.replier_id == association.id))
        .order_by(Message.id)
    )
    digest = db.session.get(DigestSubscription, association.id)
    return {
        "postings": [_posting_row(p) for p in postings],
        "messages": [_message_row(m, association.id) for m in messages],
        "digest": [{"subscribed_at": _plain(digest.subscribed_at), "last_sent_at": _plain(digest.last_sent_at)}]
        if digest
        else [],
    }


def export_user(user):
    postings = db.session.scalars(select(Posting).where(Posting.author_id == user.id).order_by(Posting.id))
    messages = db.session.scalars(select(Message).where(Message.author_id == user.id).order_by(Message.id))
    reports = db.session.scalars(select(Report).where(Report.reporter_id == user.id).order_by(Report.id))
    return {
        "postings": [_posting_row(p) for p in postings],
        "messages": [_message_row(m) for m in messages],
        "reports": [
            {"id": r.id, "reason": r.reason, "created_at": _plain(r.created_at), "resolved_at": _plain(r.resolved_at)}
            for r in reports
        ],
    }


def erase_user(user, actor):
    """Contact details of the person leave the postings they wrote or were named on."""
    db.session.execute(
        update(Posting)
        .where(or_(Posting.author_id == user.id, Posting.contact_email == user.email))
        .values(contact_name="", contact_email="", contact_phone="", share_contact=False)
    )
    db.session.flush()


def erase_association(association, actor):
    """Postings (with their conversations) and its conversations on others' postings go; partner links are cut."""
    db.session.execute(delete(Conversation).where(Conversation.replier_id == association.id))
    db.session.execute(delete(Posting).where(Posting.association_id == association.id))
    db.session.execute(update(Posting).where(Posting.partner_id == association.id).values(partner_id=None))
    db.session.execute(delete(DigestSubscription).where(DigestSubscription.association_id == association.id))
    db.session.flush()
