"""Topic facts: what each association said about a topic, gathered from every source, each linking back.

One adapter per source turns that source's records into `engine.Fact`s:

- **profile** (`profile_facts`): the topics on the association's profile, dated by the profile's last
  change. The polarity follows the topic's category, because a profile only lists topics and does not say
  whether something is needed or offered:

  | category        | polarity   | why                                                          |
  |-----------------|------------|--------------------------------------------------------------|
  | activities      | activity   | what the association does (sport, homework help …)           |
  | languages       | activity   | language work it does (heritage-language teaching, courses)  |
  | target_groups   | interest   | people it works for (children, women …)                      |
  | resources       | interest   | rooms, funding …: a concern; need or offer comes from surveys |
  |                 |            | and postings, which say so explicitly                        |

- **survey** (`survey_facts`): submitted answers whose chosen option carries a topic. The polarity is the
  option's (need, offer, interest), else the question's topic polarity, else interest. Only answers the
  association released ("the coordination office may pass this on") are used; the others are counted as
  held back, never read. One answer to one question is one statement, dated by the submission.
- **posting** (`posting_facts`): postings on the exchange board (open or in progress, visible, not expired).
  A request is a need, an offer an offer, for each of the posting's topics and for the topic of its
  category (rooms → rooms, know-how → advice …). One posting is one statement, dated by its creation.

Consent: an association that switched networking off keeps its facts out of the matcher (the engine drops
them and counts them as held back, without their content). Sources that need their own consent (survey
answers released for networking) count what they held back in `SourceFacts.held_back`.
"""

from contextlib import nullcontext
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale, get_locale, get_translations
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from core.models import Association, Topic, TopicCategory, utcnow

from .engine import AssociationInfo, Fact, Polarity, TopicInfo
from .models import NetworkingConsent

PROFILE_POLARITY = {
    TopicCategory.activities: Polarity.activity,
    TopicCategory.languages: Polarity.activity,
    TopicCategory.target_groups: Polarity.interest,
    TopicCategory.resources: Polarity.interest,
}


POLARITY_VALUES = {p.value for p in Polarity}


@dataclass
class SourceFacts:
    facts: list[Fact] = field(default_factory=list)
    #: Statements this source has but may not use (no consent), counted without content.
    held_back: int = 0


@dataclass
class Scope:
    """What an adapter reads: one municipality, optionally only some of its associations."""

    municipality_id: int
    associations: list[Association]
    association_ids: list[int] | None = None


def profile_facts(scope: Scope) -> SourceFacts:
    """One fact per profile topic; the whole profile is one statement (one ref)."""
    result, _ = SourceFacts(), translator()
    locale = _locale()
    for association in scope.associations:
        on = (association.updated_at or association.created_at).date()
        link = ("associations.show", (("association_id", association.id),))
        for topic in association.topics:
            result.facts.append(Fact(
                association_id=association.id,
                topic=topic.key,
                polarity=PROFILE_POLARITY[topic.category],
                source="profile",
                ref=f"profile:{association.id}",
                on=on,
                label=_("Profile topic “%(topic)s”", topic=topic.name(locale)),
                link=link,
            ))
    return result


def _in_scope(stmt, association_column, scope):
    stmt = stmt.join(Association, Association.id == association_column).where(
        Association.municipality_id == scope.municipality_id
    )
    if scope.association_ids is not None:
        stmt = stmt.where(Association.id.in_(scope.association_ids))
    return stmt


def survey_facts(scope: Scope) -> SourceFacts:
    """Released answers of submitted responses whose option carries a topic; the rest only counted."""
    from surveys.models import ResponseState, SurveyAnswer, SurveyOption, SurveyQuestion, SurveyResponse

    base = (
        select(SurveyAnswer)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
        .where(SurveyResponse.state == ResponseState.submitted, SurveyOption.topic_id.is_not(None))
    )
    base = _in_scope(base, SurveyResponse.association_id, scope)
    held_back = db.session.scalar(
        select(func.count()).select_from(base.where(SurveyAnswer.share_consent.is_(False)).subquery())
    )
    answers = db.session.scalars(
        base.where(SurveyAnswer.share_consent.is_(True))
        .options(
            selectinload(SurveyAnswer.response).selectinload(SurveyResponse.survey),
            selectinload(SurveyAnswer.option).selectinload(SurveyOption.topic),
            selectinload(SurveyAnswer.question).selectinload(SurveyQuestion.section),
        )
        .order_by(SurveyAnswer.id)
    ).all()
    result, _ = SourceFacts(held_back=held_back or 0), translator()
    numbers = _question_numbers({a.response.survey_id for a in answers})
    locale = _locale()
    for answer in answers:
        response, option, question = answer.response, answer.option, answer.question
        polarity = option.polarity.value if option.polarity else (question.settings or {}).get("polarity")
        survey = response.survey
        result.facts.append(Fact(
            association_id=response.association_id,
            topic=option.topic.key,
            polarity=Polarity(polarity) if polarity in POLARITY_VALUES else Polarity.interest,
            source="survey",
            ref=f"survey:{response.id}:{question.id}",
            on=(response.submitted_at or response.updated_at).date(),
            label=_("%(survey)s, question %(number)s: “%(answer)s”", survey=_survey_name(survey, locale),
                    number=numbers.get(question.id, "?"),
                    answer=answer.value_text or option.label_in(locale)[0]),
            link=("surveys.response_detail", (("survey_id", survey.id), ("response_id", response.id))),
        ))
    return result


def _survey_name(survey, locale):
    """Title and wave ("Needs survey 2024"), without repeating a wave the title already names."""
    title = survey.title_in(locale) or survey.name
    wave = (survey.wave_label or "").strip()
    return f"{title} {wave}" if wave and wave not in title else title


def _question_numbers(survey_ids):
    """Question id -> its number as respondents saw it (1, 2, …) across the survey's sections."""
    from surveys.models import SurveyQuestion, SurveySection

    if not survey_ids:
        return {}
    rows = db.session.execute(
        select(SurveyQuestion.id, SurveyQuestion.survey_id)
        .join(SurveySection, SurveySection.id == SurveyQuestion.section_id)
        .where(SurveyQuestion.survey_id.in_(survey_ids))
        .order_by(SurveyQuestion.survey_id, SurveySection.position, SurveyQuestion.position, SurveyQuestion.id)
    ).all()
    numbers, counters = {}, {}
    for question_id, survey_id in rows:
        counters[survey_id] = counters.get(survey_id, 0) + 1
        numbers[question_id] = counters[survey_id]
    return numbers


#: Exchange categories and the topic each stands for.
CATEGORY_TOPICS = {
    "rooms": "rooms", "volunteers": "volunteers", "equipment": "equipment", "knowhow": "advice",
    "translation": "translation", "transport": "transport", "event": "event-planning", "funding": "funding",
}


def posting_facts(scope: Scope) -> SourceFacts:
    """Postings on the board: a request is a need, an offer an offer, per topic and category topic."""
    from exchange.models import ACTIVE_STATES, Moderation, Posting

    stmt = (
        select(Posting)
        .where(Posting.state.in_(ACTIVE_STATES), Posting.moderation == Moderation.visible, Posting.expires_at > utcnow())
        .options(selectinload(Posting.topics))
        .order_by(Posting.id)
    )
    result, locale, gettext = SourceFacts(), _locale(), translator()
    topics = {t.key: t for t in db.session.scalars(select(Topic))}
    for posting in db.session.scalars(_in_scope(stmt, Posting.association_id, scope)):
        result.facts += facts_of_posting(posting, topics, locale, gettext)
    return result


def facts_of_posting(posting, topics, locale, gettext=None) -> list[Fact]:
    """One posting as facts (request → need, offer → offer), one per topic and the category's topic.

    Public so the exchange board can hand its postings to `engine.need_meets_offer` in the same form.
    """
    from exchange.models import PostingKind

    _ = gettext or translator()

    is_request = posting.kind is PostingKind.request
    keys = [t.key for t in posting.topics]
    category_topic = CATEGORY_TOPICS.get(posting.category.value)
    keys += [category_topic] if category_topic and category_topic not in keys else []
    found = []
    for key in keys:
        name = topics[key].name(locale) if key in topics else key
        label = (_("Request “%(title)s” · %(topic)s", title=posting.title, topic=name) if is_request
                 else _("Offer “%(title)s” · %(topic)s", title=posting.title, topic=name))
        found.append(Fact(
            association_id=posting.association_id,
            topic=key,
            polarity=Polarity.need if is_request else Polarity.offer,
            source="posting",
            ref=f"posting:{posting.id}",
            on=posting.created_at.date(),
            label=label,
            link=("exchange.show", (("posting_id", posting.id),)),
        ))
    return found


#: Every source the matcher reads.
ADAPTERS = [profile_facts, survey_facts, posting_facts]


def _locale():
    return str(get_locale() or "de")


def translator():
    """Flask-Babel's `gettext` with the catalogue looked up once: a run labels thousands of facts, and each
    lookup through the request context costs more than the translation itself."""
    translations = get_translations()

    def gettext(string, **variables):
        text = translations.ugettext(string)
        return text % variables if variables else text

    return gettext


def language_context():
    """The reader's language in a request; outside one (CLI, demo, tests) a forced one, else the default.

    Flask-Babel asks the app's locale selector, which needs a request; without one this picks the default.
    """
    try:
        get_locale()
    except RuntimeError:
        return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    return nullcontext()


def associations_of(municipality_id, association_ids=None):
    stmt = (
        select(Association)
        .where(Association.municipality_id == municipality_id)
        .options(selectinload(Association.topics), selectinload(Association.language_rows))
        .order_by(Association.id)
    )
    if association_ids is not None:
        stmt = stmt.where(Association.id.in_(association_ids))
    return db.session.scalars(stmt).all()


def consents_of(municipality_id, association_ids=None):
    """Association id -> NetworkingConsent (only those that have a row)."""
    stmt = _in_scope(select(NetworkingConsent), NetworkingConsent.association_id,
                     Scope(municipality_id, [], association_ids))
    return {row.association_id: row for row in db.session.scalars(stmt)}


def networking_enabled(consent):
    return consent is None or consent.is_enabled


def association_info(association, consent):
    return AssociationInfo(
        id=association.id,
        name=association.name,
        district=(association.district or "").strip(),
        languages=tuple(association.languages),
        networking=networking_enabled(consent),
    )


def topic_infos(locale=None):
    with language_context():
        locale = locale or _locale()
    return [
        TopicInfo(t.key, t.parent.key if t.parent else None, t.category.value, t.name(locale), t.is_active)
        for t in db.session.scalars(select(Topic).options(selectinload(Topic.parent)).order_by(Topic.sort_order))
    ]


@dataclass
class Gathered:
    associations: list[AssociationInfo]
    facts: list[Fact]
    #: Statements sources held back for lack of consent (survey answers not released …).
    held_back: int


def gather(municipality_id, association_ids=None) -> Gathered:
    """Every association of the municipality and all facts about them from every source."""
    with language_context():
        return _gather(municipality_id, association_ids)


def _gather(municipality_id, association_ids):
    associations = associations_of(municipality_id, association_ids)
    consents = consents_of(municipality_id, association_ids)
    scope = Scope(municipality_id, associations, association_ids)
    facts, held_back = [], 0
    for adapter in ADAPTERS:
        found = adapter(scope)
        facts += found.facts
        held_back += found.held_back
    infos = [association_info(a, consents.get(a.id)) for a in associations]
    return Gathered(infos, facts, held_back)


def facts_of(association) -> list[Fact]:
    """Everything the matcher could read about one association, newest first (for its own page)."""
    gathered = gather(association.municipality_id, [association.id])
    return sorted(gathered.facts, key=lambda f: (-f.on.toordinal(), f.source, f.ref, f.topic))


def today():
    return utcnow().date()
