"""Impact report figures: read-only queries over every feature, returning plain data.

One call of `build(municipality_ids, start, end)` runs a fixed number of queries however much data
there is (each source is read once and counted in Python per field, per topic and per quarter).
Counts of associations are always distinct associations. The period is inclusive of both days, which
are the office's local calendar days (Europe/Berlin), as everywhere in Vereinsnetz (report_period.py).
This module gathers associations, activity, surveys and needs and offers; report_activity.py the
exchanges, sub-networks, fireside chats, consultations and follow-ups.

"Active" (written on the report page as well): within the period the association
- had a representative whose most recent sign-in falls in the period, or
- submitted a survey response, or
- posted an offer or request, or wrote a message on the exchange board, or
- attended a fireside chat, or
- was advised by the coordination office (a consultation was recorded).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from core.extensions import db
from core.models import Association, Field, Role, Topic, User, association_topics, utcnow

from . import report_activity as activity
from .report_period import bounds as _bounds
from .report_period import local_day as _day
from .report_period import quarters
from .report_period import within as _within

#: Keys of the activity sources, in the order the page explains them.
ACTIVITY_SOURCES = ("signed_in", "survey", "board", "chat", "advice")
NEED, OFFER = "need", "offer"
TOP_TOPICS = 10


@dataclass
class SurveyFigures:
    id: int
    title: dict
    wave: str
    invited: int
    responded: int
    #: Field value -> (invited, responded).
    by_field: dict


@dataclass
class Figures:
    municipality_ids: list
    start: date
    end: date
    quarters: list
    #: Field value -> {"identified", "new", "active"}.
    associations: dict = field(default_factory=dict)
    #: Activity source -> associations active through it.
    active_by_source: dict = field(default_factory=dict)
    surveys: list = field(default_factory=list)
    #: [(topic key, names dict, {"need": n, "offer": n, "profile": n})], most frequent first.
    needs_offers: list = field(default_factory=list)
    #: Category value -> {"offers", "requests", "fulfilled"}.
    exchange: dict = field(default_factory=dict)
    conversations: int = 0
    networks: dict = field(default_factory=dict)
    chats: dict = field(default_factory=dict)
    #: ConsultationTopic value -> {"count", "minutes"}; minutes of a consultation are split among its topics.
    consultation_topics: dict = field(default_factory=dict)
    consultations: dict = field(default_factory=dict)
    follow_ups: dict = field(default_factory=dict)
    #: Quarter key -> {"active", "responses", "postings", "fulfilled", "chats", "consultations", "minutes"}.
    by_quarter: dict = field(default_factory=dict)
    #: Days on which postings were marked fulfilled (for the quarters).
    fulfilled_days: list = field(default_factory=list)

    def total(self, key):
        return sum(values[key] for values in self.associations.values())


def build(municipality_ids, start, end, now=None) -> Figures:
    """Every figure of the impact report for the towns given (a non-empty list of ids) and the period."""
    now = now or utcnow()
    ids = list(municipality_ids)
    figures = Figures(ids, start, end, quarters(start, end))
    fields = _association_fields(ids)
    # Only associations of these towns count, and only once they were known to the office.
    events = {key: [(a, day) for a, day in rows if a in fields]
              for key, rows in _activity_events(ids, start, end).items()}
    _associations(figures, fields, events)
    figures.surveys = _surveys(ids, start, end, _day(now))
    figures.needs_offers = _needs_offers(ids, start, end)
    activity.exchange(figures, ids, start, end)
    figures.networks = activity.networks(ids, start, end)
    chat_days = activity.chats(figures, ids, start, end, now)
    consultation_rows = activity.consultations(figures, ids, start, end)
    figures.follow_ups = activity.follow_ups(ids, start, end, now)
    _quarters(figures, events, chat_days, consultation_rows)
    return figures


# --------------------------------------------------------------------------- associations and activity


def _association_fields(ids):
    """Association id -> (field value, created_at) for every association of the towns."""
    rows = db.session.execute(
        select(Association.id, Association.field, Association.created_at).where(Association.municipality_id.in_(ids))
    ).all()
    return {row.id: (Field(row.field).value, row.created_at) for row in rows}


def _activity_events(ids, start, end):
    """Activity source -> [(association id, day)] within the period."""
    from exchange.models import Conversation, Message, Moderation, Posting
    from fireside.models import ChatInvitation, FiresideChat
    from surveys.models import ResponseState, SurveyResponse

    from .models import Consultation

    town = Association.municipality_id.in_(ids)
    queries = {
        "signed_in": select(User.association_id, User.last_login_at)
        .join(Association, Association.id == User.association_id)
        .where(town, User.role == Role.representative, _within(User.last_login_at, start, end)),
        "survey": select(SurveyResponse.association_id, SurveyResponse.submitted_at)
        .join(Association, Association.id == SurveyResponse.association_id)
        .where(town, SurveyResponse.state == ResponseState.submitted, _within(SurveyResponse.submitted_at, start, end)),
        "board": select(Posting.association_id, Posting.created_at)
        .where(Posting.municipality_id.in_(ids), Posting.moderation != Moderation.removed,
               _within(Posting.created_at, start, end))
        .union_all(
            select(Message.association_id, Message.created_at)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.municipality_id.in_(ids), _within(Message.created_at, start, end))
        ),
        "chat": select(ChatInvitation.association_id, FiresideChat.starts_at)
        .join(FiresideChat, FiresideChat.id == ChatInvitation.chat_id)
        .where(FiresideChat.municipality_id.in_(ids), ChatInvitation.attended.is_(True),
               _within(FiresideChat.starts_at, start, end)),
        "advice": select(Consultation.association_id, Consultation.held_on)
        .where(Consultation.municipality_id.in_(ids), Consultation.held_on >= start, Consultation.held_on <= end),
    }
    return {key: [(row[0], _day(row[1])) for row in db.session.execute(stmt)] for key, stmt in queries.items()}


def _associations(figures, fields, events):
    low, high = _bounds(figures.start, figures.end)
    active = {association_id for rows in events.values() for association_id, _day in rows}
    by_field = {f.value: {"identified": 0, "new": 0, "active": 0} for f in Field}
    for association_id, (field_value, created_at) in fields.items():
        if created_at >= high:
            continue
        counts = by_field[field_value]
        counts["identified"] += 1
        counts["new"] += created_at >= low
        counts["active"] += association_id in active
    figures.associations = by_field
    figures.active_by_source = {
        key: len({a for a, _d in events[key] if a in fields and fields[a][1] < high}) for key in ACTIVITY_SOURCES
    }


# --------------------------------------------------------------------------- surveys


def _surveys(ids, start, end, today):
    """Surveys that were open at some time in the period, with invited and responding associations by field."""
    from surveys.models import ResponseState, Survey, SurveyInvitation, SurveyResponse, SurveyState

    surveys = [
        s for s in db.session.scalars(
            select(Survey).where(Survey.municipality_id.in_(ids), Survey.state != SurveyState.draft).order_by(Survey.id)
        )
        if _overlaps(s, start, end, today)
    ]
    if not surveys:
        return []
    survey_ids = [s.id for s in surveys]
    invited = db.session.execute(
        select(SurveyInvitation.survey_id, Association.field, func.count(SurveyInvitation.id))
        .join(Association, Association.id == SurveyInvitation.association_id)
        .where(SurveyInvitation.survey_id.in_(survey_ids))
        .group_by(SurveyInvitation.survey_id, Association.field)
    ).all()
    responded = db.session.execute(
        select(SurveyResponse.survey_id, Association.field, func.count(SurveyResponse.id))
        .join(Association, Association.id == SurveyResponse.association_id)
        .where(SurveyResponse.survey_id.in_(survey_ids), SurveyResponse.state == ResponseState.submitted)
        .group_by(SurveyResponse.survey_id, Association.field)
    ).all()
    cells = defaultdict(lambda: [0, 0])
    for index, rows in enumerate((invited, responded)):
        for survey_id, field_value, count in rows:
            cells[(survey_id, Field(field_value).value)][index] += count
    result = []
    for survey in surveys:
        by_field = {f.value: tuple(cells.get((survey.id, f.value), (0, 0))) for f in Field}
        result.append(SurveyFigures(
            id=survey.id, title=dict(survey.title or {}), wave=survey.wave_label or "",
            invited=sum(v[0] for v in by_field.values()), responded=sum(v[1] for v in by_field.values()),
            by_field=by_field,
        ))
    return result


def _overlaps(survey, start, end, today):
    opened = survey.opens_on or _day(survey.opened_at) or _day(survey.created_at)
    closed = _day(survey.closed_at) or survey.closes_on or today
    if survey.closes_on and survey.closes_on < closed:
        closed = survey.closes_on
    return opened <= end and closed >= start


# --------------------------------------------------------------------------- needs and offers


def _needs_offers(ids, start, end):
    """Topics most often named as a need or an offer (distinct associations per topic and side).

    Sources as in matching/facts.py: survey answers the association released for passing on (the
    option's polarity, else the question's) and postings (a request is a need, an offer an offer, for
    each topic and the category's topic). Profiles only list topics without saying need or offer, so
    they are shown beside as "named on profiles", not counted as needs or offers.
    """
    from exchange.models import Moderation, Posting, posting_topics
    from matching.facts import CATEGORY_TOPICS
    from surveys.models import ResponseState, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse

    said = set()
    answers = db.session.execute(
        select(SurveyResponse.association_id, Topic.key, SurveyOption.polarity, SurveyQuestion.settings)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .join(Topic, Topic.id == SurveyOption.topic_id)
        .join(Association, Association.id == SurveyResponse.association_id)
        .where(Association.municipality_id.in_(ids), SurveyResponse.state == ResponseState.submitted,
               SurveyAnswer.share_consent.is_(True), _within(SurveyResponse.submitted_at, start, end))
    ).all()
    for association_id, key, polarity, settings in answers:
        value = getattr(polarity, "value", polarity) or (settings or {}).get("polarity")
        if value in (NEED, OFFER):
            said.add((association_id, key, value))
    posted = (Posting.municipality_id.in_(ids), Posting.moderation != Moderation.removed,
              _within(Posting.created_at, start, end))
    postings = db.session.execute(select(Posting.id, Posting.association_id, Posting.kind, Posting.category)
                                  .where(*posted)).all()
    topics_of = defaultdict(list)
    for posting_id, key in db.session.execute(
        select(posting_topics.c.posting_id, Topic.key).join(Topic, Topic.id == posting_topics.c.topic_id)
        .join(Posting, Posting.id == posting_topics.c.posting_id).where(*posted)
    ):
        topics_of[posting_id].append(key)
    for posting_id, association_id, kind, category in postings:
        side = NEED if getattr(kind, "value", kind) == "request" else OFFER
        keys = set(topics_of[posting_id])
        category_topic = CATEGORY_TOPICS.get(getattr(category, "value", category))
        keys |= {category_topic} if category_topic else set()
        said |= {(association_id, key, side) for key in keys}
    counts = Counter((key, side) for _a, key, side in said)
    named = [key for key in {key for key, _side in counts}]
    profiles = dict(db.session.execute(
        select(Topic.key, func.count(association_topics.c.association_id))
        .join(association_topics, association_topics.c.topic_id == Topic.id)
        .join(Association, Association.id == association_topics.c.association_id)
        .where(Association.municipality_id.in_(ids), Topic.key.in_(named or [""]))
        .group_by(Topic.key)
    ).all())
    names = dict(db.session.execute(select(Topic.key, Topic.names).where(Topic.key.in_(named or [""]))).all())
    ranked = sorted(named, key=lambda k: (-(counts[(k, NEED)] + counts[(k, OFFER)]), k))[:TOP_TOPICS]
    return [
        (key, names.get(key) or {}, {NEED: counts[(key, NEED)], OFFER: counts[(key, OFFER)],
                                     "profile": profiles.get(key, 0)})
        for key in ranked
    ]


# --------------------------------------------------------------------------- development per quarter


def _quarters(figures, events, chat_days, consultation_rows):
    def key_of(day):
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"

    table = {q.key: {"active": set(), "responses": 0, "postings": 0, "fulfilled": 0, "chats": 0,
                     "consultations": 0, "minutes": 0} for q in figures.quarters}
    for rows in events.values():
        for association_id, day in rows:
            table[key_of(day)]["active"].add(association_id)
    for _a, day in events["survey"]:
        table[key_of(day)]["responses"] += 1
    for day in figures.fulfilled_days:
        table[key_of(day)]["fulfilled"] += 1
    for day in chat_days:
        table[key_of(day)]["chats"] += 1
    for day, minutes in consultation_rows:
        table[key_of(day)]["consultations"] += 1
        table[key_of(day)]["minutes"] += minutes
    figures.by_quarter = {key: {**values, "active": len(values["active"])} for key, values in table.items()}
    _count_postings_per_quarter(figures)


def _count_postings_per_quarter(figures):
    from exchange.models import Moderation, Posting

    rows = db.session.scalars(
        select(Posting.created_at).where(
            Posting.municipality_id.in_(figures.municipality_ids), Posting.moderation != Moderation.removed,
            _within(Posting.created_at, figures.start, figures.end))
    ).all()
    for created_at in rows:
        day = _day(created_at)
        figures.by_quarter[f"{day.year}-Q{(day.month - 1) // 3 + 1}"]["postings"] += 1
