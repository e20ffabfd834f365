"""Read-only queries: surveys in scope, tracking figures, respondents and facts for other features."""

from sqlalchemy import and_, case, exists, func, or_, select

from core.access import in_scope
from core.extensions import db
from core.models import Association, Field, Topic, association_topics

from .models import (
    Polarity,
    ResponseState,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyOption,
    SurveyResponse,
    SurveyState,
)


def surveys_in_scope(user):
    return (
        select(Survey)
        .where(in_scope(user, Survey.municipality_id))
        .order_by(Survey.created_at.desc(), Survey.id.desc())
    )


def other_surveys(user, exclude_id=None):
    stmt = surveys_in_scope(user)
    if exclude_id:
        stmt = stmt.where(Survey.id != exclude_id)
    return db.session.scalars(stmt.limit(50)).all()


def waves_of(survey):
    return db.session.scalars(
        select(Survey).where(Survey.series_key == survey.series_key, Survey.id != survey.id).order_by(Survey.created_at)
    ).all()


def response_count(survey_id, state=None):
    stmt = select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey_id)
    if state is not None:
        stmt = stmt.where(SurveyResponse.state == state)
    return db.session.scalar(stmt)


def answered_question_ids(survey_id):
    return set(
        db.session.scalars(
            select(SurveyAnswer.question_id)
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.survey_id == survey_id)
            .distinct()
        )
    )


def answered_option_ids(question_id):
    return set(
        db.session.scalars(
            select(SurveyAnswer.option_id)
            .where(SurveyAnswer.question_id == question_id, SurveyAnswer.option_id.is_not(None))
            .distinct()
        )
    )


def question_has_answers(question_id):
    return db.session.scalar(select(exists().where(SurveyAnswer.question_id == question_id)))


def survey_figures(survey_ids):
    """{survey id: (invited, submitted, drafts)} for a list page, in one query."""
    if not survey_ids:
        return {}
    submitted = func.sum(case((SurveyResponse.state == ResponseState.submitted, 1), else_=0))
    drafts = func.sum(case((SurveyResponse.state == ResponseState.draft, 1), else_=0))
    rows = db.session.execute(
        select(SurveyInvitation.survey_id, func.count(SurveyInvitation.id), submitted, drafts)
        .outerjoin(
            SurveyResponse,
            and_(
                SurveyResponse.survey_id == SurveyInvitation.survey_id,
                SurveyResponse.association_id == SurveyInvitation.association_id,
            ),
        )
        .where(SurveyInvitation.survey_id.in_(survey_ids))
        .group_by(SurveyInvitation.survey_id)
    )
    return {row[0]: (row[1], row[2] or 0, row[3] or 0) for row in rows}


# --------------------------------------------------------------------------- tracking


def _response_join():
    return and_(
        SurveyResponse.survey_id == SurveyInvitation.survey_id,
        SurveyResponse.association_id == SurveyInvitation.association_id,
    )


def response_rate(survey_id, group=None):
    """[(group value, invited, submitted)], grouped by "field", "district" or nothing."""
    columns = {"field": Association.field, "district": Association.district}
    submitted = func.sum(case((SurveyResponse.state == ResponseState.submitted, 1), else_=0))
    group_col = columns.get(group)
    selected = [group_col] if group_col is not None else []
    stmt = (
        select(*selected, func.count(SurveyInvitation.id), submitted)
        .join(Association, Association.id == SurveyInvitation.association_id)
        .outerjoin(SurveyResponse, _response_join())
        .where(SurveyInvitation.survey_id == survey_id)
    )
    if group_col is not None:
        stmt = stmt.group_by(group_col).order_by(group_col)
        return [(row[0], row[1], row[2] or 0) for row in db.session.execute(stmt)]
    row = db.session.execute(stmt).one()
    return [(None, row[0], row[1] or 0)]


def invitations_with_state(survey_id, only_open=False):
    """(invitation, association, response or None) rows, the not-yet-answered first."""
    submitted_last = case((SurveyResponse.state == ResponseState.submitted, 1), else_=0)
    stmt = (
        select(SurveyInvitation, Association, SurveyResponse)
        .join(Association, Association.id == SurveyInvitation.association_id)
        .outerjoin(SurveyResponse, _response_join())
        .where(SurveyInvitation.survey_id == survey_id)
        .order_by(submitted_last, func.lower(Association.name))
    )
    if only_open:
        stmt = stmt.where(or_(SurveyResponse.id.is_(None), SurveyResponse.state != ResponseState.submitted))
    return db.session.execute(stmt).all()


def open_invitations(survey_id):
    """Invitations of associations that have not submitted."""
    return [row[0] for row in invitations_with_state(survey_id, only_open=True)]


def target_associations(survey, fields=(), districts=(), topic_keys=()):
    """Associations of the survey's municipality matching the filter (all when it is empty)."""
    stmt = select(Association).where(Association.municipality_id == survey.municipality_id)
    if fields:
        stmt = stmt.where(Association.field.in_([Field(f) for f in fields]))
    if districts:
        stmt = stmt.where(Association.district.in_(list(districts)))
    if topic_keys:
        stmt = stmt.where(
            Association.id.in_(
                select(association_topics.c.association_id)
                .join(Topic, Topic.id == association_topics.c.topic_id)
                .where(or_(Topic.key.in_(list(topic_keys)), Topic.parent.has(Topic.key.in_(list(topic_keys)))))
            )
        )
    return db.session.scalars(stmt.order_by(func.lower(Association.name))).all()


def invited_association_ids(survey_id):
    return set(
        db.session.scalars(select(SurveyInvitation.association_id).where(SurveyInvitation.survey_id == survey_id))
    )


def districts_of(municipality_id):
    return db.session.scalars(
        select(Association.district)
        .where(Association.municipality_id == municipality_id, Association.district != "")
        .distinct()
        .order_by(Association.district)
    ).all()


def active_topics():
    return db.session.scalars(
        select(Topic).where(Topic.is_active.is_(True)).order_by(Topic.sort_order, Topic.key)
    ).all()


# --------------------------------------------------------------------------- respondents


def invitation_for(survey_id, association_id):
    return db.session.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.survey_id == survey_id, SurveyInvitation.association_id == association_id
        )
    )


def response_for(survey_id, association_id, for_update=False):
    stmt = select(SurveyResponse).where(
        SurveyResponse.survey_id == survey_id, SurveyResponse.association_id == association_id
    )
    if for_update:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def surveys_for_association(association_id):
    """(survey, response or None) for every survey the association was invited to, newest first."""
    return db.session.execute(
        select(Survey, SurveyResponse)
        .join(SurveyInvitation, SurveyInvitation.survey_id == Survey.id)
        .outerjoin(
            SurveyResponse,
            and_(SurveyResponse.survey_id == Survey.id, SurveyResponse.association_id == association_id),
        )
        .where(SurveyInvitation.association_id == association_id, Survey.state != SurveyState.draft)
        .order_by(Survey.created_at.desc())
    ).all()


# --------------------------------------------------------------------------- facts for other features


def topic_facts(municipality_ids=None, shared_only=True, association_ids=None):
    """Needs, offers and interests that associations stated in submitted responses.

    Rows of (association id, topic key, polarity, survey id, shared). With `shared_only`, only
    answers whose association agreed that the office may pass them on. The matcher and the
    exchange board use this; each (association, topic, polarity) appears once per survey.
    """
    stmt = (
        select(
            SurveyResponse.association_id,
            Topic.key,
            SurveyOption.polarity,
            SurveyResponse.survey_id,
            func.max(case((SurveyAnswer.share_consent.is_(True), 1), else_=0)),
        )
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .join(SurveyOption, SurveyOption.id == SurveyAnswer.option_id)
        .join(Topic, Topic.id == SurveyOption.topic_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyResponse.state == ResponseState.submitted, SurveyOption.polarity.is_not(None))
        .group_by(SurveyResponse.association_id, Topic.key, SurveyOption.polarity, SurveyResponse.survey_id)
    )
    if municipality_ids is not None:
        stmt = stmt.where(Survey.municipality_id.in_(list(municipality_ids)))
    if association_ids is not None:
        stmt = stmt.where(SurveyResponse.association_id.in_(list(association_ids)))
    if shared_only:
        stmt = stmt.where(SurveyAnswer.share_consent.is_(True))
    return [
        (row[0], row[1], Polarity(row[2]) if isinstance(row[2], str) else row[2], row[3], bool(row[4]))
        for row in db.session.execute(stmt)
    ]
