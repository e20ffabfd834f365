"""What needs attention now: the coordinator's desk and the representative's start page.

Every section is one or two queries over the whole scope, whatever its size (the dashboard's query
count does not grow with the number of towns, surveys or chats; a test holds it to that).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from core.access import in_scope
from core.extensions import db
from core.models import AccessRequest, Municipality, RequestState, utcnow
from exchange import queries as exchange_queries
from exchange.models import ACTIVE_STATES, Posting
from fireside.models import (
    ChatInvitation,
    ChatState,
    FiresideChat,
    FollowUp,
    FollowUpState,
    InvitationState,
    RsvpAnswer,
)
from matching.models import MatchingRun
from surveys import queries as survey_queries
from surveys.models import ResponseState, Survey, SurveyState

from . import queries

#: How far ahead the desk looks.
SURVEY_DAYS = 14
CHAT_DAYS = 30
DUE_DAYS = 7
EXPIRY_DAYS = 14
LIMIT = 10


def optional_url(endpoint, **values):
    """A link when the endpoint exists (features arrive one by one), else None: the item shows without it."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def chat_url(chat_id):
    return optional_url("fireside.chat", chat_id=chat_id) or optional_url("fireside.index")


def follow_up_url(follow_up):
    return optional_url("fireside.edit_follow_up", follow_up_id=follow_up.id) or chat_url(follow_up.chat_id)


def invitation_url(chat_id):
    return optional_url("fireside.invitation", chat_id=chat_id) or optional_url("fireside.mine")


#: For templates: links into features that may not be there yet.
LINKS = {"chat_url": chat_url, "follow_up_url": follow_up_url, "invitation_url": invitation_url,
         "optional_url": optional_url}


@dataclass
class Section:
    items: list = field(default_factory=list)
    total: int = 0


@dataclass
class CoordinatorDesk:
    access_requests: Section
    reports: Section
    surveys: list
    suggestions: list
    chats: list
    follow_ups: list
    next_steps: list
    today: date

    @property
    def is_quiet(self):
        return not any(
            (self.access_requests.total, self.reports.total, self.surveys, self.suggestions, self.chats,
             self.follow_ups, self.next_steps)
        )


def coordinator_desk(user, today: date, now: datetime | None = None):
    now = now or utcnow()
    return CoordinatorDesk(
        access_requests=_access_requests(user),
        reports=_reports(user),
        surveys=_surveys_closing(user, today),
        suggestions=_suggestions(user),
        chats=_chats(user, now),
        follow_ups=_follow_ups(user, today),
        next_steps=queries.due_next_steps(user, today + timedelta(days=DUE_DAYS), LIMIT),
        today=today,
    )


def _access_requests(user):
    condition = and_(AccessRequest.state == RequestState.pending, in_scope(user, AccessRequest.municipality_id))
    items = db.session.scalars(
        select(AccessRequest).where(condition).order_by(AccessRequest.created_at).limit(5)
    ).all()
    total = db.session.scalar(select(func.count(AccessRequest.id)).where(condition))
    return Section(items, total)


def _reports(user):
    items = db.session.scalars(exchange_queries.reports_in_scope(user).limit(5)).unique().all()
    total = exchange_queries.open_report_count(user)
    return Section(items, total)


@dataclass
class SurveyRow:
    survey: Survey
    invited: int
    submitted: int

    @property
    def rate(self):
        return round(100 * self.submitted / self.invited) if self.invited else 0


def _surveys_closing(user, today):
    surveys = db.session.scalars(
        select(Survey)
        .where(
            in_scope(user, Survey.municipality_id),
            Survey.state == SurveyState.open,
            Survey.closes_on >= today,
            Survey.closes_on <= today + timedelta(days=SURVEY_DAYS),
        )
        .order_by(Survey.closes_on, Survey.id)
        .limit(LIMIT)
    ).all()
    figures = survey_queries.survey_figures([s.id for s in surveys])
    return [SurveyRow(s, *figures.get(s.id, (0, 0, 0))[:2]) for s in surveys]


@dataclass
class SuggestionRow:
    municipality: Municipality
    run: MatchingRun
    new: int


def _suggestions(user):
    """Per town: the latest matcher run and how many of its suggestions were not in the run before."""
    ranked = (
        select(
            MatchingRun.id,
            func.row_number().over(partition_by=MatchingRun.municipality_id, order_by=MatchingRun.id.desc()).label("rank"),
        )
        .where(in_scope(user, MatchingRun.municipality_id))
        .subquery()
    )
    runs = db.session.scalars(
        select(MatchingRun).join(ranked, ranked.c.id == MatchingRun.id).where(ranked.c.rank <= 2).order_by(MatchingRun.id)
    ).all()
    latest, previous = {}, {}
    for run in runs:
        if run.municipality_id in latest:
            previous[run.municipality_id] = latest[run.municipality_id]
        latest[run.municipality_id] = run
    if not latest:
        return []
    towns = {m.id: m for m in db.session.scalars(select(Municipality).where(Municipality.id.in_(latest)))}
    rows = []
    for town_id, run in latest.items():
        before = previous.get(town_id)
        old = before.fingerprints if before is not None else {}
        new = sum(1 for key, fp in (run.fingerprints or {}).items() if old.get(key) != fp)
        if run.suggestion_count:
            rows.append(SuggestionRow(towns[town_id], run, new))
    return sorted(rows, key=lambda r: r.municipality.name)


@dataclass
class ChatRow:
    chat: FiresideChat
    accepted: int
    maybe: int
    declined: int
    pending: int

    @property
    def url(self):
        return chat_url(self.chat.id)


def _chats(user, now):
    chats = db.session.scalars(
        select(FiresideChat)
        .where(
            in_scope(user, FiresideChat.municipality_id),
            FiresideChat.state.in_((ChatState.invited, ChatState.polling)),
            or_(
                FiresideChat.starts_at.is_(None),
                and_(FiresideChat.starts_at >= now, FiresideChat.starts_at <= now + timedelta(days=CHAT_DAYS)),
            ),
        )
        .order_by(FiresideChat.starts_at.is_(None), FiresideChat.starts_at, FiresideChat.id)
        .limit(LIMIT)
    ).all()
    counts = {}
    if chats:
        for chat_id, answer, number in db.session.execute(
            select(ChatInvitation.chat_id, ChatInvitation.answer, func.count(ChatInvitation.id))
            .where(ChatInvitation.chat_id.in_([c.id for c in chats]), ChatInvitation.state == InvitationState.invited)
            .group_by(ChatInvitation.chat_id, ChatInvitation.answer)
        ):
            counts.setdefault(chat_id, {})[answer] = number
    return [
        ChatRow(
            chat,
            *(counts.get(chat.id, {}).get(a, 0) for a in (RsvpAnswer.accept, RsvpAnswer.maybe, RsvpAnswer.decline, RsvpAnswer.pending)),
        )
        for chat in chats
    ]


def _follow_ups(user, today):
    return db.session.scalars(
        select(FollowUp)
        .join(FiresideChat, FiresideChat.id == FollowUp.chat_id)
        .where(
            in_scope(user, FiresideChat.municipality_id),
            FollowUp.state == FollowUpState.open,
            FollowUp.due_on <= today + timedelta(days=DUE_DAYS),
        )
        .order_by(FollowUp.due_on, FollowUp.id)
        .options(joinedload(FollowUp.owner_association), joinedload(FollowUp.chat))
        .limit(LIMIT)
    ).all()


# --------------------------------------------------------------------------- the representative's start page


@dataclass
class RepresentativeDesk:
    surveys: list
    unread: int
    invitations: list
    expiring: list
    next_steps: list
    today: date

    @property
    def is_quiet(self):
        return not (self.surveys or self.unread or self.invitations or self.expiring or self.next_steps)


def representative_desk(user, today: date, now: datetime | None = None):
    now = now or utcnow()
    association_id = user.association_id
    if association_id is None:
        return RepresentativeDesk([], 0, [], [], [], today)
    surveys = [
        (survey, response)
        for survey, response in survey_queries.surveys_for_association(association_id)
        if survey.accepts_answers(today) and (response is None or response.state is not ResponseState.submitted)
    ]
    return RepresentativeDesk(
        surveys=surveys,
        unread=int(exchange_queries.unread_count(user)),
        invitations=_open_invitations(association_id, now),
        expiring=_expiring_postings(association_id, now),
        next_steps=queries.open_steps_of_association(association_id),
        today=today,
    )


def _open_invitations(association_id, now):
    return db.session.scalars(
        select(ChatInvitation)
        .join(FiresideChat, FiresideChat.id == ChatInvitation.chat_id)
        .where(
            ChatInvitation.association_id == association_id,
            ChatInvitation.state == InvitationState.invited,
            ChatInvitation.answer == RsvpAnswer.pending,
            ChatInvitation.invited_at.is_not(None),
            FiresideChat.state.in_((ChatState.invited, ChatState.polling)),
            or_(FiresideChat.starts_at.is_(None), FiresideChat.starts_at >= now),
        )
        .order_by(FiresideChat.starts_at)
        .options(joinedload(ChatInvitation.chat))
    ).all()


def _expiring_postings(association_id, now):
    return db.session.scalars(
        select(Posting)
        .where(
            Posting.association_id == association_id,
            Posting.state.in_(ACTIVE_STATES),
            Posting.expires_at <= now + timedelta(days=EXPIRY_DAYS),
        )
        .order_by(Posting.expires_at)
    ).all()


# --------------------------------------------------------------------------- the association page's panel


def association_panel(association):
    """For templates/associations/show.html: the latest consultations, for staff only (None otherwise)."""
    from flask_login import current_user

    if not current_user.is_authenticated or current_user.is_representative:
        return None
    return db.session.scalars(queries.of_association(association.id, limit=5)).all()
