"""Distribution and tracking: whom the survey goes to, who has answered, reminders and personal links."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from core.access import coordinator_required
from core.audit import record_request
from core.extensions import db
from core.forms import EmptyForm

from .. import bp, distribution, queries
from ..access import invitation_of, survey_in_scope
from ..forms import DistributeForm
from ..models import SurveyState, local_today


@bp.route("/<int:survey_id>/invite", methods=["GET", "POST"])
@coordinator_required
def invite(survey_id):
    """Choose the associations: all in the town or a filtered set; preview before sending."""
    survey = survey_in_scope(current_user, survey_id)
    form = DistributeForm(queries.districts_of(survey.municipality_id), queries.active_topics())
    targets = queries.target_associations(survey)
    if form.validate_on_submit():
        targets = queries.target_associations(survey, form.fields.data, form.districts.data, form.topics.data)
        if request.form.get("action") == "send":
            already = queries.invited_association_ids(survey.id)
            created = distribution.invite(
                current_user,
                survey,
                [a for a in targets if a.id not in already],
                target_filter={
                    "fields": form.fields.data,
                    "districts": form.districts.data,
                    "topics": form.topics.data,
                },
            )
            record_request("survey.invite", survey, count=len(created))
            db.session.commit()
            flash(_invited_message(survey, len(created)), "success")
            return redirect(url_for("surveys.tracking", survey_id=survey.id))
    already = queries.invited_association_ids(survey.id)
    return render_template("surveys/invite.html", survey=survey, form=form, targets=targets, already=already)


def _invited_message(survey, count):
    if survey.state is SurveyState.open:
        return ngettext(
            "%(num)s association invited; the e-mails are on their way.",
            "%(num)s associations invited; the e-mails are on their way.",
            count,
        )
    return ngettext(
        "%(num)s association added; the e-mails go out when you open the survey.",
        "%(num)s associations added; the e-mails go out when you open the survey.",
        count,
    )


@bp.route("/<int:survey_id>/tracking")
@coordinator_required
def tracking(survey_id):
    """The response rate, broken down by field and district, and who has not answered yet."""
    survey = survey_in_scope(current_user, survey_id)
    rows = queries.invitations_with_state(survey.id)
    return render_template(
        "surveys/tracking.html",
        survey=survey,
        overall=queries.response_rate(survey.id)[0],
        by_field=queries.response_rate(survey.id, "field"),
        by_district=queries.response_rate(survey.id, "district"),
        open_rows=[r for r in rows if not (r[2] and r[2].is_submitted)],
        done_rows=[r for r in rows if r[2] and r[2].is_submitted],
        form=EmptyForm(),
        today=local_today(),
    )


@bp.route("/<int:survey_id>/remind", methods=["POST"])
@coordinator_required
def remind(survey_id):
    """Remind every association that has not submitted (each at most once a day)."""
    survey = survey_in_scope(current_user, survey_id)
    if EmptyForm().validate_on_submit():
        _remind(survey, None)
    return redirect(url_for("surveys.tracking", survey_id=survey.id))


@bp.route("/<int:survey_id>/invitations/<int:invitation_id>/remind", methods=["POST"])
@coordinator_required
def remind_one(survey_id, invitation_id):
    """Remind one association."""
    survey = survey_in_scope(current_user, survey_id)
    invitation = invitation_of(survey, invitation_id)
    if EmptyForm().validate_on_submit():
        _remind(survey, [invitation])
    return redirect(url_for("surveys.tracking", survey_id=survey.id, _anchor=f"invitation-{invitation.id}"))


def _remind(survey, invitations):
    if not survey.accepts_answers():
        flash(_("Reminders can only be sent while the survey is open."), "error")
        return
    mails = distribution.send_reminders(current_user, survey, invitations=invitations)
    record_request("survey.remind", survey, mails=mails, invitation_id=invitations[0].id if invitations else None)
    db.session.commit()
    if mails:
        flash(
            ngettext("%(num)s reminder e-mail is on its way.", "%(num)s reminder e-mails are on their way.", mails),
            "success",
        )
    else:
        flash(
            _("No reminders were sent: everyone has answered, was reminded today already, or has no e-mail address."),
            "info",
        )


@bp.route("/<int:survey_id>/invitations/<int:invitation_id>/link", methods=["POST"])
@coordinator_required
def personal_link(survey_id, invitation_id):
    """A new personal link to pass on by phone or messenger; shown only this once."""
    survey = survey_in_scope(current_user, survey_id)
    invitation = invitation_of(survey, invitation_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("surveys.tracking", survey_id=survey.id))
    link = distribution.personal_link(invitation)
    record_request("survey.personal_link", survey, invitation_id=invitation.id)  # never the link: it is a token
    db.session.commit()
    return (
        render_template("surveys/link.html", survey=survey, invitation=invitation, link=link),
        200,
        {"X-Personal": "1"},
    )
