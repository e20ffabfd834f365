"""GDPR hooks of the fireside chats (called by the privacy package).

Export: the association's invitations with its answers, names, notes and attendance, its date-poll
votes, its calendar feeds and the follow-ups it owns. Erasure: names and notes of persons, the
personal links and the feeds go; answers, seat counts and attendance stay as numbers, so the chat's
figures (and the office's report) remain correct.
"""

from sqlalchemy import delete, select, update

from core.extensions import db

from .models import CalendarFeed, ChatInvitation, ChatToken, FiresideChat, FollowUp


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)


def _invitations(association_id):
    return db.session.scalars(
        select(ChatInvitation).where(ChatInvitation.association_id == association_id).order_by(ChatInvitation.id)
    ).all()


def export_association(association):
    invitations = _invitations(association.id)
    feeds = db.session.scalars(select(CalendarFeed).where(CalendarFeed.association_id == association.id)
                               .order_by(CalendarFeed.id)).all()
    follow_ups = db.session.scalars(select(FollowUp).where(FollowUp.owner_association_id == association.id)
                                    .order_by(FollowUp.id)).all()
    return {
        "fireside_invitations": [
            {
                "chat": i.chat.title, "chat_starts_at": _plain(i.chat.starts_at), "state": i.state.value,
                "answer": i.answer.value, "seat_state": i.seat_state.value, "persons": i.persons,
                "names": list(i.names or []), "note": i.note, "answered_at": _plain(i.answered_at),
                "invited_at": _plain(i.invited_at), "withdrawn_at": _plain(i.withdrawn_at),
                "attended": i.attended, "attended_persons": i.attended_persons,
            }
            for i in invitations
        ],
        "fireside_date_votes": [
            {"chat": i.chat.title, "proposed_date": _plain(v.option.starts_at), "answer": v.answer.value,
             "answered_at": _plain(v.answered_at)}
            for i in invitations for v in i.votes
        ],
        "fireside_calendar_feeds": [
            {"created_at": _plain(f.created_at), "revoked_at": _plain(f.revoked_at), "last_used_at": _plain(f.last_used_at)}
            for f in feeds
        ],
        "fireside_follow_ups": [
            {"chat": f.chat.title, "title": f.title, "description": f.description, "due_on": _plain(f.due_on),
             "state": f.state.value}
            for f in follow_ups
        ],
    }


def export_user(user):
    answered = db.session.scalars(
        select(ChatInvitation).where(ChatInvitation.answered_by_id == user.id).order_by(ChatInvitation.id)).all()
    hosted = db.session.scalars(
        select(FiresideChat).where(FiresideChat.host_confirmed_by_id == user.id).order_by(FiresideChat.id)).all()
    return {
        "fireside_answers_given": [
            {"chat": i.chat.title, "answer": i.answer.value, "answered_at": _plain(i.answered_at)} for i in answered
        ],
        "fireside_host_confirmations": [
            {"chat": c.title, "confirmed_at": _plain(c.host_confirmed_at)} for c in hosted
        ],
    }


def erase_association(association, actor):
    """Names and notes of persons, personal links and feeds go; answers and counts stay."""
    invitation_ids = [i.id for i in _invitations(association.id)]
    if invitation_ids:
        db.session.execute(delete(ChatToken).where(ChatToken.invitation_id.in_(invitation_ids)))
        db.session.execute(
            update(ChatInvitation).where(ChatInvitation.id.in_(invitation_ids))
            .values(names=[], note="", reason="", answered_by_id=None)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.association_id == association.id))
    db.session.flush()
    db.session.expire_all()


def erase_user(user, actor):
    """The person's links to answers, host confirmations and feeds are removed (the answers themselves stay)."""
    db.session.execute(update(ChatInvitation).where(ChatInvitation.answered_by_id == user.id)
                       .values(answered_by_id=None).execution_options(synchronize_session=False))
    db.session.execute(update(FiresideChat).where(FiresideChat.host_confirmed_by_id == user.id)
                       .values(host_confirmed_by_id=None).execution_options(synchronize_session=False))
    db.session.execute(update(CalendarFeed).where(CalendarFeed.created_by_id == user.id)
                       .values(created_by_id=None).execution_options(synchronize_session=False))
    db.session.flush()
