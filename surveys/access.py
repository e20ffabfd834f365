"""Object-level access for surveys: coordinators within their scope, associations to their own response.

Everything outside the user's reach is a 404, so ids and tokens reveal nothing.
"""

from flask import abort

from core.access import ensure_municipality_in_scope, municipality_ids
from core.extensions import db
from core.models import Role

from . import distribution, queries
from .models import ShareLevel, Survey, SurveyInvitation, SurveyQuestion, SurveySection, SurveyState
from .responding import Respondent


def survey_in_scope(user, survey_id):
    survey = db.get_or_404(Survey, survey_id)
    ensure_municipality_in_scope(user, survey.municipality_id)
    return survey


def section_of(survey, section_id):
    section = db.get_or_404(SurveySection, section_id)
    if section.survey_id != survey.id:
        abort(404)
    return section


def question_of(survey, question_id):
    question = db.get_or_404(SurveyQuestion, question_id)
    if question.survey_id != survey.id:
        abort(404)
    return question


def invitation_of(survey, invitation_id):
    invitation = db.get_or_404(SurveyInvitation, invitation_id)
    if invitation.survey_id != survey.id:
        abort(404)
    return invitation


def respondent_for_user(user, survey_id):
    """The signed-in representative's association, if it was invited to this survey; else 404."""
    if user.role is not Role.representative:
        abort(403)
    survey = db.get_or_404(Survey, survey_id)
    if user.association is None or survey.state is SurveyState.draft:
        abort(404)
    invitation = queries.invitation_for(survey.id, user.association_id)
    if invitation is None:
        abort(404)
    return Respondent(survey=survey, association=user.association, invitation=invitation, user=user)


def respondent_for_token(secret, user=None):
    """The invitation behind a personal link, or None when the link never existed."""
    token = distribution.find_token(secret)
    if token is None:
        return None, None
    invitation = token.invitation
    is_rep = user is not None and user.is_authenticated and user.association_id == invitation.association_id
    respondent = Respondent(
        survey=invitation.survey,
        association=invitation.association,
        invitation=invitation,
        user=user if is_rep else None,
        token=secret,
    )
    return respondent, token


def can_see_summary(user, survey):
    """Shared summaries: the public, or signed-in people of the survey's town; coordinators always."""
    if user.is_authenticated and (user.is_admin or user.is_coordinator):
        ids = municipality_ids(user)
        if ids is None or survey.municipality_id in ids:
            return True
    if survey.state is SurveyState.draft:
        return False
    if survey.share_level is ShareLevel.public:
        return True
    if survey.share_level is ShareLevel.associations and user.is_authenticated and user.association is not None:
        return user.association.municipality_id == survey.municipality_id
    return False
