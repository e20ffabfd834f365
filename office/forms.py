"""Forms of the office's desk: a consultation, the advice log's filters, handover and transfer."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import MultiCheckboxField, NoControlCharacters, strip, text_field
from surveys.models import local_today

from .models import ConsultationFormat, ConsultationTopic

TOPIC_LABELS = {
    ConsultationTopic.funding: _l("Funding application"),
    ConsultationTopic.founding: _l("Founding an association"),
    ConsultationTopic.events: _l("Event planning"),
    ConsultationTopic.premises: _l("Premises"),
    ConsultationTopic.volunteers: _l("Volunteers"),
    ConsultationTopic.language_courses: _l("Language courses"),
    ConsultationTopic.other: _l("Other"),
}

TOPIC_LABELS_BY_VALUE = {topic.value: label for topic, label in TOPIC_LABELS.items()}

FORMAT_LABELS = {
    ConsultationFormat.in_person: _l("In person"),
    ConsultationFormat.phone: _l("Phone"),
    ConsultationFormat.online: _l("Online"),
    ConsultationFormat.email: _l("E-mail"),
}

#: A working day; more is a typing error (e.g. hours typed as minutes twice).
MAX_MINUTES = 600
#: The log starts with the office; older dates are typing errors.
EARLIEST = date(2000, 1, 1)
TEXT_LIMIT = 4000
DATE_MESSAGE = _l("Please enter a date, e.g. 2026-03-14.")


def _long_text(label, description=None):
    return TextAreaField(
        label,
        validators=[
            Optional(),
            Length(max=TEXT_LIMIT, message=_l("Please use at most %(max)d characters.")),
            NoControlCharacters(),
        ],
        filters=[strip],
        description=description,
    )


class ConsultationForm(FlaskForm):
    association_id = SelectField(
        _l("Association"), coerce=int, validate_choice=False,
        validators=[InputRequired(message=_l("Please choose the association."))],
    )
    held_on = DateField(
        _l("Date of the consultation"), validators=[InputRequired(message=DATE_MESSAGE)], default=local_today
    )
    topics = MultiCheckboxField(
        _l("Topics"),
        choices=[SelectChoice(t.value, TOPIC_LABELS[t]) for t in ConsultationTopic],
        validators=[DataRequired(message=_l("Please choose at least one topic."))],
    )
    format = RadioField(
        _l("Format"),
        choices=[SelectChoice(f.value, FORMAT_LABELS[f]) for f in ConsultationFormat],
        default=ConsultationFormat.in_person.value,
        validators=[InputRequired(message=_l("Please choose how the consultation took place."))],
    )
    minutes_spent = IntegerField(
        _l("Time spent (minutes)"),
        default=30,
        validators=[
            InputRequired(message=_l("Please enter the time spent in minutes, e.g. 45.")),
            NumberRange(min=1, max=MAX_MINUTES, message=_l("Please enter between %(min)s and %(max)s minutes.")),
        ],
        description=_l("Including preparation and follow-up work, in minutes."),
    )
    summary = _long_text(_l("What was discussed"), _l("The association can read this."))
    outcome = _long_text(_l("Outcome"), _l("The association can read this."))
    next_step = text_field(_l("Next step"), 300)
    next_step_due = DateField(_l("Next step due on"), validators=[Optional()])
    internal_notes = _long_text(
        _l("Internal notes"), _l("Only the coordination office sees these; never shown to the association.")
    )

    def __init__(self, associations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._allowed = {a.id for a in associations}
        self.association_id.choices = [(0, "–")] + [(a.id, a.name) for a in associations]
        # IntegerField's own message for "abc" is not translated; NumberRange says what is expected instead.
        self.minutes_spent.process_errors = []
        self.association_id.process_errors = []

    def validate_association_id(self, field):
        if field.data not in self._allowed:
            raise ValidationError(str(_l("Please choose an association of your town or municipality.")))

    def validate_held_on(self, field):
        if field.data and not (EARLIEST <= field.data <= local_today()):
            raise ValidationError(str(_l("Please enter a date between 2000 and today.")))

    def validate_next_step_due(self, field):
        if field.data is None:
            return
        if not self.next_step.data:
            raise ValidationError(str(_l("Please describe the next step, or leave the due date empty.")))
        if self.held_on.data and field.data < self.held_on.data:
            raise ValidationError(str(_l("The next step cannot be due before the consultation took place.")))

    def values(self):
        return {
            "held_on": self.held_on.data,
            "topics": list(self.topics.data),
            "format": ConsultationFormat(self.format.data),
            "minutes_spent": self.minutes_spent.data,
            "summary": self.summary.data or "",
            "outcome": self.outcome.data or "",
            "next_step": self.next_step.data or "",
            "next_step_due": self.next_step_due.data,
            "internal_notes": self.internal_notes.data or "",
        }


def initial(consultation):
    """The form's values for an existing consultation (enums as their values)."""
    return {
        "association_id": consultation.association_id,
        "held_on": consultation.held_on,
        "topics": list(consultation.topics),
        "format": consultation.format.value,
        "minutes_spent": consultation.minutes_spent,
        "summary": consultation.summary,
        "outcome": consultation.outcome,
        "next_step": consultation.next_step,
        "next_step_due": consultation.next_step_due,
        "internal_notes": consultation.internal_notes,
    }


class FilterForm(FlaskForm):
    """The advice log's search and filters (GET, no CSRF token needed: it changes nothing)."""

    class Meta:
        csrf = False

    q = text_field(_l("Search"), 100)
    municipality_id = SelectField(_l("Town or municipality"), coerce=str, validate_choice=False)
    association_id = SelectField(_l("Association"), coerce=str, validate_choice=False)
    topic = SelectField(
        _l("Topic"),
        choices=[SelectChoice("", _l("All topics"))] + [SelectChoice(t.value, TOPIC_LABELS[t]) for t in ConsultationTopic],
        validate_choice=False,
    )
    format = SelectField(
        _l("Format"),
        choices=[SelectChoice("", _l("All formats"))] + [SelectChoice(f.value, FORMAT_LABELS[f]) for f in ConsultationFormat],
        validate_choice=False,
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Until"), validators=[Optional()])
    open_only = BooleanField(_l("Only open next steps"))

    def __init__(self, municipalities, associations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = [("", _l("All towns in my scope"))] + [(str(m.id), m.name) for m in municipalities]
        self.association_id.choices = [("", _l("All associations"))] + [(str(a.id), a.name) for a in associations]
        self._choices = {
            name: {getattr(choice, "value", None) if isinstance(choice, SelectChoice) else choice[0] for choice in self[name].choices}
            for name in ("municipality_id", "association_id", "topic", "format")
        }

    def _check_choice(self, field, message):
        field.data = field.data or ""
        if field.data not in self._choices[field.name]:
            field.data = ""
            raise ValidationError(str(message))

    def validate_municipality_id(self, field):
        self._check_choice(field, _l("This town is not in your scope."))

    def validate_association_id(self, field):
        self._check_choice(field, _l("Please choose an association of your town or municipality."))

    def validate_topic(self, field):
        self._check_choice(field, _l("Please choose a topic from the list."))

    def validate_format(self, field):
        self._check_choice(field, _l("Please choose a format from the list."))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(str(_l("The period cannot end before it starts.")))

    def filters(self):
        """The valid filters only: a wrong one is reported next to its field and ignored."""
        self.validate()
        ok = {name: not self[name].errors for name in self._fields}
        return {
            "q": (self.q.data or "") if ok["q"] else "",
            "municipality_id": int(self.municipality_id.data) if ok["municipality_id"] and self.municipality_id.data else None,
            "association_id": int(self.association_id.data) if ok["association_id"] and self.association_id.data else None,
            "topic": self.topic.data if ok["topic"] else "",
            "format": self.format.data if ok["format"] else "",
            "date_from": self.date_from.data if ok["date_from"] and ok["date_to"] else None,
            "date_to": self.date_to.data if ok["date_to"] else None,
            "open_only": bool(self.open_only.data),
        }


class HandoverForm(FlaskForm):
    municipality_id = SelectField(_l("Town or municipality"), coerce=int, validate_choice=False)

    def __init__(self, municipalities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._allowed = {m.id for m in municipalities}
        self.municipality_id.choices = [(m.id, m.name) for m in municipalities]

    def validate_municipality_id(self, field):
        if field.data not in self._allowed:
            raise ValidationError(str(_l("This town is not in your scope.")))


class TransferForm(HandoverForm):
    new_coordinator_id = SelectField(_l("New coordinator account"), coerce=int, validate_choice=False)
    keep_previous = BooleanField(
        _l("Previous coordinators keep access"),
        description=_l("Leave unticked to remove the town from every other coordinator account in the same step."),
    )

    def __init__(self, municipalities, coordinators, *args, **kwargs):
        super().__init__(municipalities, *args, **kwargs)
        self._coordinators = {u.id for u in coordinators}
        self.new_coordinator_id.choices = [(0, "–")] + [
            (u.id, f"{u.name} <{u.email}>" if u.name else u.email) for u in coordinators
        ]

    def validate_new_coordinator_id(self, field):
        if field.data not in self._coordinators:
            raise ValidationError(str(_l("Please choose an enabled coordinator account.")))
