"""GDPR hooks of the surveys (called by the privacy package).

Answers belong to the association, not to a person: erasing a person only removes their name from
responses; anonymising an association keeps every answer row (so counts, shares and cross-tabs stay
exactly as they were) and empties its free texts, which may name people.
"""

from sqlalchemy import delete, select, update

from core.extensions import db

from .models import SurveyAnswer, SurveyConflict, SurveyInvitation, SurveyResponse, SurveyToken


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)


def _answer_row(answer):
    response, question, option = answer.response, answer.question, answer.option
    return {
        "survey": response.survey.name,
        "response_id": response.id,
        "question": question.key,
        "question_text": (question.text or {}).get("de", ""),
        "option": option.key if option else None,
        "value_text": answer.value_text,
        "value_number": answer.value_number,
        "value_date": _plain(answer.value_date),
        "share_consent": answer.share_consent,
    }


def export_association(association):
    responses = db.session.scalars(
        select(SurveyResponse).where(SurveyResponse.association_id == association.id).order_by(SurveyResponse.id)
    ).all()
    answers = db.session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.response_id.in_([r.id for r in responses])).order_by(SurveyAnswer.id)
    )
    invitations = db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.association_id == association.id).order_by(SurveyInvitation.id)
    )
    return {
        "invitations": [
            {
                "survey": i.survey.name,
                "invited_at": _plain(i.created_at),
                "last_sent_at": _plain(i.last_sent_at),
                "reminders": i.reminder_count,
            }
            for i in invitations
        ],
        "responses": [
            {
                "id": r.id,
                "survey": r.survey.name,
                "state": r.state.value,
                "started_at": _plain(r.started_at),
                "updated_at": _plain(r.updated_at),
                "updated_by": r.updated_by_name,
                "submitted_at": _plain(r.submitted_at),
            }
            for r in responses
        ],
        "answers": [_answer_row(a) for a in answers],
    }


def export_user(user):
    responses = db.session.scalars(select(SurveyResponse).where(SurveyResponse.updated_by_id == user.id))
    return {
        "responses_last_changed": [
            {"survey": r.survey.name, "association": r.association.name, "updated_at": _plain(r.updated_at)}
            for r in responses
        ],
    }


def erase_user(user, actor):
    """The person's name leaves the responses they saved last; their unresolved conflicting edits go."""
    db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.updated_by_id == user.id)
        .values(updated_by_name="", updated_by_id=None)
    )
    db.session.execute(delete(SurveyConflict).where(SurveyConflict.user_id == user.id))
    db.session.flush()


def erase_association(association, actor):
    """Answers stay (anonymous, free texts emptied) so aggregate results are unchanged; links and names go."""
    response_ids = select(SurveyResponse.id).where(SurveyResponse.association_id == association.id)
    db.session.execute(
        update(SurveyAnswer)
        .where(SurveyAnswer.response_id.in_(response_ids), SurveyAnswer.value_text.is_not(None))
        .values(value_text="")
    )
    db.session.execute(
        update(SurveyResponse)
        .where(SurveyResponse.association_id == association.id)
        .values(updated_by_name="", updated_by_id=None)
    )
    db.session.execute(delete(SurveyConflict).where(SurveyConflict.response_id.in_(response_ids)))
    invitation_ids = select(SurveyInvitation.id).where(SurveyInvitation.association_id == association.id)
    db.session.execute(delete(SurveyToken).where(SurveyToken.invitation_id.in_(invitation_ids)))
    db.session.flush()
