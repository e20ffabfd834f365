"""Everything that changes a fireside chat before and around the meeting.

Plain functions taking models, values and the acting user; they flush, never commit. Answers,
seats and the waitlist live in `rsvp`; mails in `notify`.
"""

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from core.audit import record
from core.extensions import db
from core.models import utcnow

from . import notify, rsvp
from .models import (
    CalendarFeed,
    ChatDateOption,
    ChatDateVote,
    ChatInvitation,
    ChatOrigin,
    ChatState,
    ChatToken,
    FiresideChat,
    InvitationState,
    PollAnswer,
    RsvpAnswer,
    SeatState,
)


class ChatError(ValueError):
    """A change that cannot be made; `field` names the form field the message belongs to."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message, self.field = message, field


#: Fields copied from the form data as they are.
PLAIN_FIELDS = (
    "title", "topic_keys", "description", "agenda", "host_association_id", "venue_name", "venue_address",
    "online_url", "accessibility_notes", "languages", "duration_minutes", "capacity", "max_per_association",
    "rsvp_cutoff_at",
)
#: A change of any of these is mailed as an update (same UID, higher SEQUENCE).
CALENDAR_FIELDS = ("starts_at", "duration_minutes", "venue_name", "venue_address", "online_url", "title")


def _(message, **kwargs):
    from flask_babel import lazy_gettext

    return lazy_gettext(message, **kwargs)


# --------------------------------------------------------------------------- create and edit


def create_chat(municipality, data, associations, actor, *, sub_network=None, origin=None, reasons=None):
    """A draft chat with its invitation list (frozen: later changes of the sub-network do not touch it)."""
    if origin is None:
        origin = ChatOrigin.sub_network if sub_network is not None else ChatOrigin.manual
    chat = FiresideChat(
        municipality_id=municipality.id, origin=origin, created_by_id=actor.id, state=ChatState.draft,
        seats_taken=0, ical_sequence=0,
        sub_network_id=sub_network.id if sub_network is not None else None,
    )
    db.session.add(chat)
    _apply(chat, data)
    if reasons is None and sub_network is not None:
        reasons = {m.association_id: m.reason for m in sub_network.active_members}
    reasons = reasons or {}
    for association in associations:
        if association.municipality_id != municipality.id:
            raise ChatError(_("Only associations of the town can be invited."), "association_ids")
        chat.invitations.append(ChatInvitation(
            association_id=association.id, reason=reasons.get(association.id, ""), added_by_id=actor.id))
    db.session.flush()
    record(actor, "fireside.create", chat, origin=origin.value, invitees=len(chat.invitations))
    return chat


def _apply(chat, data):
    for name in PLAIN_FIELDS:
        if name in data:
            setattr(chat, name, data[name])
    if "starts_at" not in data and "date_options" not in data:
        return
    options = data.get("date_options") or []
    if chat.state is ChatState.draft and not _has_votes(chat):
        if data.get("starts_at") is None and options:
            chat.starts_at = None
            chat.date_options = [ChatDateOption(starts_at=when) for when in sorted(set(options))]
        else:
            chat.starts_at = data.get("starts_at")
            chat.date_options = []
    elif data.get("starts_at") is not None and chat.state is not ChatState.polling:
        # While the poll is open the date comes from the poll only.
        chat.starts_at = data["starts_at"]


def _has_votes(chat):
    return any(option.votes for option in chat.date_options)


def update_chat(chat, data, actor):
    """Save changes; after the invitations went out, a new time or place is mailed as an update.

    Raises ChatError when the capacity would fall below the seats already given.
    """
    if chat.state is ChatState.cancelled:
        raise ChatError(_("This chat has been cancelled and can no longer be changed."))
    if data.get("capacity") is not None and data["capacity"] < chat.seats_taken:
        raise ChatError(_("%(count)d persons have already accepted: the capacity cannot be lower.",
                          count=chat.seats_taken), "capacity")
    before = {name: getattr(chat, name) for name in CALENDAR_FIELDS}
    old_host, old_venue = chat.host_association_id, (chat.venue_name, chat.venue_address)
    _apply(chat, data)
    if chat.host_association_id != old_host or (
        chat.state is ChatState.draft and (chat.venue_name, chat.venue_address) != old_venue
    ):
        chat.host_confirmed_at = chat.host_confirmed_by_id = None
    changed = [name for name in CALENDAR_FIELDS if getattr(chat, name) != before[name]]
    db.session.flush()
    if chat.state is ChatState.invited:
        if changed:
            chat.ical_sequence += 1
            for invitation in active_invitations(chat):
                notify.send(invitation, "update")
        rsvp.promote_waitlist(chat)
    record(actor, "fireside.update", chat, changed=",".join(changed), mailed=bool(changed) and chat.state is ChatState.invited)
    return changed


def confirm_host(chat, user):
    """A representative of the host association confirms venue and date."""
    if user.association_id is None or user.association_id != chat.host_association_id:
        raise ChatError(_("Only the host association can confirm."))
    chat.host_confirmed_at, chat.host_confirmed_by_id = utcnow(), user.id
    db.session.flush()


def ask_host(chat, actor):
    """Mail the host association's representatives: please check venue and date and confirm."""
    if chat.host_association is None or chat.host_confirmed_at is not None or chat.state is ChatState.cancelled:
        raise ChatError(_("There is nothing for the host to confirm."))
    sent = notify.ask_host(chat)
    if not sent:
        raise ChatError(_("The host association has no representative with an e-mail address."))
    record(actor, "fireside.ask_host", chat, association=chat.host_association_id)
    return sent


def active_invitations(chat):
    return [i for i in chat.invitations if i.state is InvitationState.invited]


# --------------------------------------------------------------------------- poll and invitations


def ready_problems(chat):
    """What keeps the invitations from going out (empty list: ready)."""
    problems = []
    if not active_invitations(chat):
        problems.append(_("Nobody is on the invitation list."))
    if chat.starts_at is None:
        problems.append(_("The date is not fixed yet."))
    elif chat.starts_at <= utcnow():
        problems.append(_("The date lies in the past. Please choose a new one."))
    if chat.host_association_id and chat.host_confirmed_at is None:
        problems.append(_("The host association has not confirmed yet."))
    if not (chat.venue_address or chat.online_url):
        problems.append(_("Please give a venue address or an online link."))
    return problems


def start_poll(chat, actor):
    """Ask the invited associations which of the proposed dates suit them."""
    if chat.state is not ChatState.draft or len(chat.date_options) < 2:
        raise ChatError(_("A date poll needs a draft chat with 2 to 5 proposed dates."))
    if not active_invitations(chat):
        raise ChatError(_("Nobody is on the invitation list."))
    chat.state = ChatState.polling
    for invitation in active_invitations(chat):
        notify.send(invitation, "poll")
    db.session.flush()
    record(actor, "fireside.poll", chat, options=len(chat.date_options), invitees=len(active_invitations(chat)))


def send_invitations(chat, actor):
    """Freeze the list and mail every invited association its personal link and the .ics file."""
    if chat.state not in (ChatState.draft, ChatState.polling):
        raise ChatError(_("The invitations have already gone out."))
    problems = ready_problems(chat)
    if problems:
        raise ChatError(problems[0])
    now = utcnow()
    chat.state, chat.invitations_sent_at = ChatState.invited, now
    for invitation in active_invitations(chat):
        invitation.invited_at = now
        notify.send(invitation, "invitation")
    db.session.flush()
    record(actor, "fireside.invite", chat, invitees=len(active_invitations(chat)))


def fix_date(chat, option, actor):
    """Fix the date from the poll; the invitations go out at once when the host has confirmed.

    Returns True when the invitations went out.
    """
    if chat.state is not ChatState.polling or option.chat_id != chat.id:
        raise ChatError(_("The date of this chat cannot be fixed from a poll."))
    if option.starts_at <= utcnow():
        raise ChatError(_("This date lies in the past. Please choose another one."))
    chat.starts_at = option.starts_at
    record(actor, "fireside.fix_date", chat, option=option.id)
    if not ready_problems(chat):
        send_invitations(chat, actor)
        return True
    chat.state = ChatState.draft
    db.session.flush()
    return False


def vote(invitation, answers):
    """Store an association's answers to the date poll: {option id: PollAnswer}."""
    chat = invitation.chat
    if chat.state is not ChatState.polling or invitation.state is not InvitationState.invited:
        raise ChatError(_("The date poll is closed."))
    existing = {v.option_id: v for v in invitation.votes}
    for option in chat.date_options:
        answer = answers.get(option.id)
        if answer is None:
            continue
        if option.id in existing:
            existing[option.id].answer, existing[option.id].answered_at = answer, utcnow()
        else:
            db.session.add(ChatDateVote(option=option, invitation=invitation, answer=answer))
    db.session.flush()


def poll_table(chat):
    """Rows (invitation, {option id: answer}) and per option the counts of yes / if need be / no."""
    rows = [(inv, {v.option_id: v.answer for v in inv.votes}) for inv in active_invitations(chat)]
    totals = {o.id: {a.value: 0 for a in PollAnswer} for o in chat.date_options}
    for _inv, answers in rows:
        for option_id, answer in answers.items():
            if option_id in totals:
                totals[option_id][answer.value] += 1
    return rows, totals


# --------------------------------------------------------------------------- the list after sending


def add_invitee(chat, association, actor, reason=""):
    """Put an association on the list; once invitations went out it is invited by mail at once."""
    if chat.state is ChatState.cancelled:
        raise ChatError(_("This chat has been cancelled."))
    if association.municipality_id != chat.municipality_id:
        raise ChatError(_("Only associations of the town can be invited."), "association_id")
    invitation = next((i for i in chat.invitations if i.association_id == association.id), None)
    if invitation is not None and invitation.state is InvitationState.invited:
        raise ChatError(_("This association is already invited."), "association_id")
    if invitation is None:
        invitation = ChatInvitation(association_id=association.id)
        chat.invitations.append(invitation)
    invitation.state, invitation.withdrawn_at = InvitationState.invited, None
    # A returning association starts afresh: its old answer was given for a list it was taken off.
    invitation.answer, invitation.names, invitation.note, invitation.answered_at = RsvpAnswer.pending, [], "", None
    invitation.reason, invitation.added_by_id, invitation.added_at = reason, actor.id, utcnow()
    db.session.flush()
    if chat.state is ChatState.invited:
        invitation.invited_at = utcnow()
        notify.send(invitation, "invitation")
    elif chat.state is ChatState.polling:
        notify.send(invitation, "poll")
    record(actor, "fireside.add_invitee", chat, association=association.id)
    return invitation


def withdraw_invitee(invitation, actor):
    """Take an association off the list: before sending it simply goes; afterwards it is told by mail."""
    chat = invitation.chat
    if chat.state is ChatState.draft and invitation.invited_at is None and not invitation.votes:
        chat.invitations.remove(invitation)
        db.session.flush()
    else:
        rsvp.withdraw(invitation)
        if chat.state in (ChatState.invited, ChatState.polling):
            notify.send(invitation, "withdrawn")
    record(actor, "fireside.withdraw_invitee", chat, association=invitation.association_id)


def cancel_chat(chat, actor, reason):
    """Cancel; everyone who was told about the chat gets a cancellation (METHOD:CANCEL)."""
    if chat.state is ChatState.cancelled:
        raise ChatError(_("This chat has already been cancelled."))
    told = chat.state in (ChatState.invited, ChatState.polling)
    chat.state, chat.cancelled_at, chat.cancel_reason = ChatState.cancelled, utcnow(), reason
    chat.ical_sequence += 1
    db.session.flush()
    if told:
        for invitation in active_invitations(chat):
            notify.send(invitation, "cancel")
    record(actor, "fireside.cancel", chat, mailed=told)


# --------------------------------------------------------------------------- tokens and feeds


def find_token(secret):
    """The ChatToken for a secret from a link, or None."""
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(select(ChatToken).where(ChatToken.token_hash == ChatToken.hash(secret)))


def token_problem(token, now=None):
    """None when the link may be used, else why not: "withdrawn", "cancelled" or "over"."""
    invitation = token.invitation
    if invitation.state is InvitationState.withdrawn:
        return "withdrawn"
    if invitation.chat.state is ChatState.cancelled:
        return "cancelled"
    if rsvp.is_over(invitation.chat, now):
        return "over"
    return None


def create_feed(association, actor):
    """A new secret calendar feed URL for the association; returns (feed, secret)."""
    secret = secrets.token_urlsafe(32)
    feed = CalendarFeed(association_id=association.id, token_hash=CalendarFeed.hash(secret), created_by_id=actor.id)
    db.session.add(feed)
    db.session.flush()
    return feed, secret


def revoke_feed(feed, actor):
    feed.revoked_at = utcnow()
    db.session.flush()


def find_feed(secret):
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(select(CalendarFeed).where(
        CalendarFeed.token_hash == CalendarFeed.hash(secret), CalendarFeed.revoked_at.is_(None)))


# --------------------------------------------------------------------------- reminders


def send_reminders(hours, now=None):
    """Remind accepted associations `hours` before a chat, and nudge non-responders `hours` before the
    cut-off. Each goes out once per invitation: the row is claimed with a conditional UPDATE first, so
    running this twice (even at the same time) sends nothing twice. Returns (reminded, nudged)."""
    now = now or utcnow()
    window = timedelta(hours=hours)
    upcoming = db.session.scalars(
        select(FiresideChat).where(FiresideChat.state == ChatState.invited, FiresideChat.starts_at > now)
    ).all()
    reminded = nudged = 0
    for chat in upcoming:
        for invitation in active_invitations(chat):
            if (chat.starts_at - window <= now and invitation.seat_state is SeatState.confirmed
                    and _claim(invitation, ChatInvitation.reminder_sent_at, now)):
                notify.send(invitation, "reminder")
                reminded += 1
            cutoff = rsvp.cutoff(chat)
            if (cutoff > now and cutoff - window <= now and invitation.answer is RsvpAnswer.pending
                    and _claim(invitation, ChatInvitation.nudge_sent_at, now)):
                notify.send(invitation, "nudge")
                nudged += 1
    db.session.flush()
    return reminded, nudged


def _claim(invitation, column, now):
    claimed = db.session.execute(
        update(ChatInvitation).where(ChatInvitation.id == invitation.id, column.is_(None))
        .values({column.key: now}).execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(invitation, [column.key])
    return claimed == 1
