"""Forms after the chat: attendance, minutes, decisions, follow-ups and a posting draft from a follow-up."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import NoControlCharacters, strip, text_field
from exchange.labels import CATEGORY_LABELS
from exchange.models import Category, PostingKind

from .models import FollowUpState, RsvpAnswer
from .stats import local_day

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("Please use at most %(max)d characters.")
#: A follow-up due further ahead than this is a typing error, not a plan.
MAX_DUE_YEARS = 5

STATE_LABELS = {
    FollowUpState.open: _l("Open"),
    FollowUpState.done: _l("Done"),
    FollowUpState.dropped: _l("Dropped"),
}

ANSWER_LABELS = {
    RsvpAnswer.pending: _l("no answer"),
    RsvpAnswer.accept: _l("accepted"),
    RsvpAnswer.maybe: _l("maybe"),
    RsvpAnswer.decline: _l("declined"),
}


def long_text(label, max_length, required=False, **kwargs):
    first = DataRequired(message=REQUIRED) if required else Optional()
    return TextAreaField(
        label,
        validators=[first, Length(max=max_length, message=TOO_LONG), NoControlCharacters()],
        filters=[strip],
        **kwargs,
    )


# --------------------------------------------------------------------------- attendance


class AttendanceBase(FlaskForm):
    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for row in self.rows:
            came, persons = self[row.attended], self[row.persons]
            if came.errors or persons.errors:
                continue
            if came.data == "yes" and not persons.data:
                persons.errors.append(
                    str(_l("Please give the number of persons who came (1 to %(max)s).", max=self.maximum))
                )
                valid = False
            elif came.data != "yes" and persons.data:
                persons.errors.append(str(_l("Persons can only be given for an association that came.")))
                valid = False
        return valid

    def entries(self):
        """{invitation id: (attended True/False/None, persons or None)} for the service."""
        answer = {"yes": True, "no": False, "": None}
        return {row.invitation.id: (answer[self[row.attended].data or ""], self[row.persons].data) for row in self.rows}


class AttendanceRow:
    def __init__(self, invitation):
        self.invitation = invitation
        self.attended = f"attended_{invitation.id}"
        self.persons = f"persons_{invitation.id}"


def make_attendance_form(chat, invitations, formdata=None):
    """One yes / no / not recorded choice and a number of persons per invited association."""
    maximum = chat.max_per_association
    fields = {"maximum": maximum}
    rows = [AttendanceRow(i) for i in invitations]
    for row in rows:
        name = row.invitation.association.name
        fields[row.attended] = RadioField(
            _l("Did %(association)s come?", association=name),
            choices=[
                SelectChoice("yes", _l("Yes")),
                SelectChoice("no", _l("No")),
                SelectChoice("", _l("Not recorded")),
            ],
            default="",
            validators=[Optional()],
        )
        fields[row.persons] = IntegerField(
            _l("Persons from %(association)s", association=name),
            validators=[
                Optional(),
                NumberRange(min=0, max=maximum, message=_l("Please give a number from %(min)s to %(max)s.")),
            ],
            description=_l("At most %(max)s per association.", max=maximum),
        )
    form_class = type("AttendanceForm", (AttendanceBase,), fields)
    form = form_class(formdata=formdata) if formdata is not None else form_class()
    form.rows = rows
    return form


def prefill_attendance(form):
    """Recorded attendance as recorded; otherwise what the answers suggest (accepted with a seat: came)."""
    for row in form.rows:
        invitation = row.invitation
        if invitation.attended is not None:
            form[row.attended].data = "yes" if invitation.attended else "no"
            form[row.persons].data = invitation.attended_persons if invitation.attended else None
        elif invitation.seat_state.value == "confirmed":
            form[row.attended].data = "yes"
            form[row.persons].data = invitation.persons or None


# --------------------------------------------------------------------------- minutes and decisions


class MinutesForm(FlaskForm):
    minutes = long_text(
        _l("Minutes"),
        20000,
        description=_l(
            "Plain text. A blank line starts a new paragraph, lines starting with “- ” become a list, "
            "**two stars** make text bold, and web addresses become links."
        ),
    )


class DecisionForm(FlaskForm):
    text = long_text(
        _l("Decision"),
        1000,
        required=True,
        description=_l("E.g. “We meet twice a year” or “We start a joint room request”."),
    )


# --------------------------------------------------------------------------- follow-ups


class FollowUpForm(FlaskForm):
    title = text_field(_l("What is to be done?"), 200, required=True)
    description = long_text(_l("Details"), 4000)
    owner_association_id = SelectField(
        _l("Who takes care of it?"),
        coerce=int,
        validate_choice=False,
        description=_l("One of the invited associations, or the coordination office."),
    )
    due_on = DateField(_l("Due on"), validators=[Optional()], description=_l("Leave empty if there is no date."))
    state = RadioField(
        _l("Status"),
        choices=[SelectChoice(s.value, STATE_LABELS[s]) for s in FollowUpState],
        default=FollowUpState.open.value,
        validators=[InputRequired(message=_l("Please choose a status."))],
    )

    def __init__(self, chat, invitations, *args, with_state=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.chat = chat
        owners = [(i.association_id, i.association.name) for i in invitations]
        current = kwargs.get("obj")
        if current is not None and current.owner_association and current.owner_association_id not in dict(owners):
            # Withdrawn from the list after the chat: still shown, so an unrelated change does not fail.
            owners.append((current.owner_association_id, current.owner_association.name))
        self.owner_association_id.choices = [(0, _l("The coordination office")), *owners]
        if not with_state:
            del self.state

    def validate_owner_association_id(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(str(_l("Please choose one of the invited associations.")))

    def validate_due_on(self, field):
        if field.data is None:
            return
        chat_day = local_day(self.chat.starts_at)
        if field.data < chat_day:
            raise ValidationError(str(_l("The due date cannot be before the chat.")))
        if field.data > chat_day + timedelta(days=366 * MAX_DUE_YEARS):
            raise ValidationError(
                str(_l("Please choose a due date within %(years)s years of the chat.", years=MAX_DUE_YEARS))
            )

    def values(self):
        data = {
            "title": self.title.data,
            "description": self.description.data or "",
            "owner_association_id": self.owner_association_id.data or None,
            "due_on": self.due_on.data,
        }
        if "state" in self:
            data["state"] = FollowUpState(self.state.data)
        return data


class FollowUpStateForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])

    def validate_state(self, field):
        if field.data not in {s.value for s in FollowUpState}:
            raise ValidationError("unknown state")


class DraftPostingForm(FlaskForm):
    """The posting draft the owner association gets (it can still edit it before publishing)."""

    kind = RadioField(
        _l("Offer or request?"),
        choices=[SelectChoice("request", _l("A request (Suche)")), SelectChoice("offer", _l("An offer (Biete)"))],
        default="request",
        validators=[InputRequired(message=_l("Please choose offer or request."))],
    )
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("Please choose")), *(SelectChoice(c.value, CATEGORY_LABELS[c]) for c in Category)],
        validators=[DataRequired(message=_l("Please choose a category."))],
    )
    title = text_field(_l("Title"), 120, required=True)
    description = long_text(_l("Description"), 4000, required=True)

    def posting_data(self):
        return {
            "kind": PostingKind(self.kind.data),
            "category": Category(self.category.data),
            "title": self.title.data,
            "description": self.description.data,
        }
