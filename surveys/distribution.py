"""Inviting associations, personal links and reminders. Mails go through the outbox.

Each mail carries a fresh personal link; all links of an invitation stay valid until the survey
closes, so an older mail still works. Reminders go out at most once a day per association.
"""

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.mail import queue_mail
from core.models import utcnow
from core.urls import absolute_url

from . import queries
from .models import SOURCE_LANGUAGE, SurveyInvitation, SurveyState, SurveyToken, local_today, translate

log = logging.getLogger("vereinsnetz.surveys")

#: Days before the closing date on which `flask surveys remind` writes to non-responders.
DEFAULT_REMINDER_DAYS = (7, 3, 1)


def recipients(association):
    """(e-mail, locale, name) of whoever speaks for the association, else its contact address."""
    people = [
        (u.email, u.locale, u.name)
        for u in sorted(association.representatives, key=lambda u: u.id)
        if u.is_enabled and u.email
    ]
    if people:
        return people
    return [(association.email, SOURCE_LANGUAGE, "")] if association.email else []


def invite(actor, survey, associations, target_filter=None):
    """Invite associations not invited yet and mail them; returns the new invitations."""
    already = queries.invited_association_ids(survey.id)
    created = []
    for association in associations:
        if association.id in already or association.municipality_id != survey.municipality_id:
            continue
        invitation = SurveyInvitation(survey=survey, association=association, invited_by_id=actor.id if actor else None)
        db.session.add(invitation)
        created.append(invitation)
    db.session.flush()
    if target_filter is not None:
        survey.target_filter = target_filter
    if survey.state is SurveyState.open:
        for invitation in created:
            send(invitation, reminder=False)
    log.info("Survey %s: %s associations invited by %s", survey.id, len(created), actor.id if actor else "cli")
    return created


def send_pending_invitations(survey):
    """When a survey opens, associations invited while it was a draft get their mail."""
    sent = 0
    for invitation in db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id, SurveyInvitation.last_sent_at.is_(None))
    ):
        sent += send(invitation, reminder=False)
    return sent


def send(invitation, reminder):
    """Queue one mail per recipient, each with its own link; returns the number of mails."""
    survey = invitation.survey
    count = 0
    for email, locale, name in recipients(invitation.association):
        _token, secret = SurveyToken.issue(invitation)
        lang = locale if locale in (survey.languages or []) else SOURCE_LANGUAGE
        mail_locale = locale if locale in current_app.config["LANGUAGES"] else SOURCE_LANGUAGE
        with force_locale(mail_locale):
            title = translate(survey.title, lang)[0]
            subject = _("Reminder: %(title)s", title=title) if reminder else _("Invitation: %(title)s", title=title)
        queue_mail(
            email,
            subject,
            "surveys/mail/invitation.txt",
            locale=mail_locale,
            reminder=reminder,
            name=name,
            association=invitation.association,
            survey=survey,
            title=title,
            intro=translate(survey.intro, lang)[0],
            link=absolute_url("surveys.token_start", token=secret, lang=lang),
            office=survey.municipality.office_name or survey.municipality.name,
        )
        count += 1
    invitation.mails_sent += count
    if count:
        invitation.last_sent_at = utcnow()
    return count


def send_reminders(actor, survey, today=None, invitations=None):
    """Remind associations that have not submitted; at most once a day each. Returns mails queued."""
    today = today or local_today()
    if not survey.accepts_answers(today):
        return 0
    invitations = invitations if invitations is not None else queries.open_invitations(survey.id)
    mails = 0
    for invitation in invitations:
        if invitation.last_reminded_on == today:
            continue
        sent = send(invitation, reminder=True)
        if sent:
            invitation.last_reminded_on = today
            invitation.reminder_count += 1
            mails += sent
    log.info("Survey %s: %s reminder mails queued by %s", survey.id, mails, actor.id if actor else "schedule")
    return mails


def remind_due(today=None, days_before=None):
    """The schedule: open surveys whose closing date is `days_before` days away. [(survey, mails)]."""
    from .models import Survey

    today = today or local_today()
    days = days_before or current_app.config.get("SURVEY_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)
    dates = [today + timedelta(days=d) for d in days]
    surveys = db.session.scalars(
        select(Survey).where(Survey.state == SurveyState.open, Survey.closes_on.in_(dates)).order_by(Survey.id)
    ).all()
    return [(survey, send_reminders(None, survey, today)) for survey in surveys]


def personal_link(invitation):
    """A new link for the coordinator to pass on by phone or messenger; shown once."""
    _token, secret = SurveyToken.issue(invitation)
    return absolute_url("surveys.token_start", token=secret)


def find_token(secret):
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(select(SurveyToken).where(SurveyToken.token_hash == SurveyToken.hash(secret)))
