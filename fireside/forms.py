"""Forms of the fireside pages. Times are typed in Europe/Berlin and stored as naive UTC."""

import re
from datetime import UTC, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, RadioField, SelectField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import MultiCheckboxField, NoControlCharacters, strip, text_field
from core.labels import LANGUAGE_LABELS
from core.models import utcnow

from .ics import BERLIN, local
from .models import PollAnswer, RsvpAnswer

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>|javascript\s*:", re.IGNORECASE)
NUMBER = _l("Please enter a whole number.")
MAX_OPTIONS = 5

class NoMarkup:
    """Plain text only: HTML tags (such as <script>) are refused with a message, never silently dropped."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and _TAG.search(field.data):
            raise ValidationError(str(_l("Please write plain text without HTML tags such as <script>.")))

def plain(label, max_length, required=False, **kwargs):
    field = text_field(label, max_length, required=required, **kwargs)
    field.kwargs["validators"].append(NoMarkup())
    return field

def long_plain(label, max_length, required=False, **kwargs):
    first = DataRequired(message=_l("Please fill in this field.")) if required else Optional()
    return TextAreaField(label, validators=[first, Length(max=max_length, message=_l("Please use at most %(max)d characters.")),
                                            NoControlCharacters(), NoMarkup()], filters=[strip], **kwargs)

def number(label, low, high, default, **kwargs):
    return IntegerField(label, default=default, validators=[
        InputRequired(message=NUMBER),
        NumberRange(min=low, max=high, message=_l("Please enter a number from %(min)s to %(max)s.")),
    ], **kwargs)

def to_utc(moment):
    """A naive Europe/Berlin time as typed -> naive UTC (as stored)."""
    return moment.replace(tzinfo=BERLIN).astimezone(UTC).replace(tzinfo=None)

def to_berlin(naive_utc):
    return local(naive_utc).replace(tzinfo=None)


def when(moment, with_date=True):
    """A stored naive-UTC time in the reader's language and Europe/Berlin: "Samstag, 5. Dezember 2026, 18:00"."""
    from flask_babel import format_date, format_time

    if moment is None:
        return ""
    time = format_time(moment, "short")
    return f"{format_date(moment, 'full')}, {time}" if with_date else time

class ChatForm(FlaskForm):
    """Create or edit a chat. `poll_allowed`: the proposed dates can still be changed."""

    association_ids = MultiCheckboxField(_l("Invited associations"), coerce=int,
                                         description=_l("The list is frozen when the invitations go out; later you add or withdraw associations one by one."))
    title = plain(_l("Title"), 200, required=True, description=_l("E.g. “Fireside chat: heritage-language teaching”."))
    topic_keys = MultiCheckboxField(_l("Topics"))
    description = long_plain(_l("Description"), 4000, description=_l("What the chat is about, in a few sentences."))
    agenda = long_plain(_l("Agenda"), 4000, description=_l("One point per line."))
    host_association_id = SelectField(_l("Host association"), coerce=int, choices=[SelectChoice(0, _l("No host (online or office)"))],
                                      description=_l("A representative of the host confirms venue and date."))
    venue_name = plain(_l("Venue"), 200, description=_l("E.g. the association's rooms."))
    venue_address = plain(_l("Address"), 300)
    online_url = plain(_l("Online link"), 500, description=_l("Optional: a link for taking part online (https://…)."))
    accessibility_notes = long_plain(_l("Accessibility of the venue"), 2000,
                                     description=_l("E.g. step-free access, toilet, hearing loop."))
    languages = MultiCheckboxField(_l("Languages spoken"))
    date = DateField(_l("Date"), validators=[Optional()], description=_l("Leave empty to propose several dates in a poll instead."))
    time = TimeField(_l("Start time"), validators=[Optional()], description=_l("Local time (Europe/Berlin)."))
    duration_minutes = number(_l("Duration in minutes"), 15, 720, 120)
    capacity = number(_l("Capacity (persons)"), 1, 500, 20, description=_l("Seats for all associations together."))
    max_per_association = number(_l("Persons per association at most"), 1, 20, 2)
    rsvp_cutoff = DateTimeLocalField(_l("Answers possible until"), validators=[Optional()], format="%Y-%m-%dT%H:%M",
                                     description=_l("Optional; without it answers can be changed until the start."))
    option_1 = DateTimeLocalField(_l("Proposed date 1"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    option_2 = DateTimeLocalField(_l("Proposed date 2"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    option_3 = DateTimeLocalField(_l("Proposed date 3"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    option_4 = DateTimeLocalField(_l("Proposed date 4"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    option_5 = DateTimeLocalField(_l("Proposed date 5"), validators=[Optional()], format="%Y-%m-%dT%H:%M")

    def __init__(self, *args, associations=(), topics=None, with_list=True, poll_allowed=True, seats_taken=0,
                 date_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.with_list, self.poll_allowed, self.seats_taken = with_list, poll_allowed, seats_taken
        self.date_required = date_required
        self.association_ids.choices = [(a.id, a.name) for a in associations]
        self.host_association_id.choices = [(0, str(_l("No host (online or office)")))] + [(a.id, a.name) for a in associations]
        topics = topics or {}
        shown = [t for t in topics.values() if t.is_active and t.parent_id is None]
        chosen = [topics[k] for k in (self.topic_keys.data or []) if k in topics and topics[k] not in shown]
        self.topic_keys.choices = [(t.key, t.name(locale)) for t in [*shown, *chosen]]
        self.languages.choices = [(code, str(label)) for code, label in LANGUAGE_LABELS.items()]
        self._starts_at, self._options, self._cutoff = None, [], None

    # ---------------------------------------------------------------- checks

    def option_fields(self):
        return [self[f"option_{n}"] for n in range(1, MAX_OPTIONS + 1)]

    def validate_association_ids(self, field):
        if self.with_list and not field.data:
            raise ValidationError(_l("Please choose at least one association."))

    def validate_online_url(self, field):
        if field.data and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", field.data, re.IGNORECASE):
            raise ValidationError(_l("Please enter a web address starting with https://."))

    def _check_date(self):
        """Date and start time belong together; the moment must lie in the future."""
        if self.date.errors or self.time.errors:
            return False
        if self.date.data is not None and self.time.data is None:
            self.time.errors.append(str(_l("Please enter the start time.")))
            return False
        if self.time.data is not None and self.date.data is None:
            self.date.errors.append(str(_l("Please enter the date.")))
            return False
        if self.date.data is None:
            if self.date_required:
                self.date.errors.append(str(_l("Please enter the date.")))
                return False
            return True
        starts = to_utc(datetime.combine(self.date.data, self.time.data))
        if starts <= utcnow():
            self.date.errors.append(str(_l("This date lies in the past. Please choose a future date.")))
            return False
        self._starts_at = starts
        return True

    def validate_max_per_association(self, field):
        if field.data and self.capacity.data and field.data > self.capacity.data:
            raise ValidationError(_l("This cannot be more than the capacity."))

    def validate_capacity(self, field):
        if field.data is not None and field.data < self.seats_taken:
            raise ValidationError(_l("%(count)d persons have already accepted: the capacity cannot be lower.", count=self.seats_taken))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self._check_date() and self._check_options() and self._check_cutoff() and valid

    def _check_options(self):
        filled = [f for f in self.option_fields() if f.data is not None]
        if not self.poll_allowed:
            return True
        if self.date.data is not None and filled:
            filled[0].errors.append(str(_l("Leave the proposed dates empty when you fix the date yourself.")))
            return False
        for f in filled:
            if to_utc(f.data) <= utcnow():
                f.errors.append(str(_l("This date lies in the past. Please choose a future date.")))
                return False
        self._options = sorted({to_utc(f.data) for f in filled})
        if self.date.data is None and len(self._options) < 2:
            target = filled[0] if filled else self.date
            target.errors.append(str(_l("Please enter either the date or at least two proposed dates for a poll.")))
            return False
        return True

    def _check_cutoff(self):
        if self.rsvp_cutoff.data is None:
            return True
        cutoff = to_utc(self.rsvp_cutoff.data)
        first = self._starts_at or (min(self._options) if self._options else None)
        if first is not None and cutoff >= first:
            self.rsvp_cutoff.errors.append(str(_l("The answers must close before the chat starts.")))
            return False
        if cutoff <= utcnow():
            self.rsvp_cutoff.errors.append(str(_l("This date lies in the past. Please choose a future date.")))
            return False
        self._cutoff = cutoff
        return True

    # ---------------------------------------------------------------- data

    def chat_data(self):
        return {
            "title": self.title.data,
            "topic_keys": list(dict.fromkeys(self.topic_keys.data or [])),
            "description": self.description.data or "",
            "agenda": self.agenda.data or "",
            "host_association_id": self.host_association_id.data or None,
            "venue_name": self.venue_name.data or "",
            "venue_address": self.venue_address.data or "",
            "online_url": self.online_url.data or "",
            "accessibility_notes": self.accessibility_notes.data or "",
            "languages": list(dict.fromkeys(self.languages.data or [])),
            "starts_at": self._starts_at,
            "duration_minutes": self.duration_minutes.data,
            "capacity": self.capacity.data,
            "max_per_association": self.max_per_association.data,
            "rsvp_cutoff_at": self._cutoff,
            "date_options": self._options if self.poll_allowed else [],
        }

    def fill_from(self, chat):
        """Show a stored chat (times in Europe/Berlin)."""
        for name in ("title", "description", "agenda", "venue_name", "venue_address", "online_url",
                     "accessibility_notes", "duration_minutes", "capacity", "max_per_association"):
            self[name].data = getattr(chat, name)
        self.topic_keys.data, self.languages.data = list(chat.topic_keys or []), list(chat.languages or [])
        self.host_association_id.data = chat.host_association_id or 0
        if chat.starts_at is not None:
            when = to_berlin(chat.starts_at)
            self.date.data, self.time.data = when.date(), when.time()
        if chat.rsvp_cutoff_at is not None:
            self.rsvp_cutoff.data = to_berlin(chat.rsvp_cutoff_at)
        for field, option in zip(self.option_fields(), chat.date_options, strict=False):
            field.data = to_berlin(option.starts_at)

ANSWER_CHOICES = [
    SelectChoice(RsvpAnswer.accept.value, _l("Yes, we are coming")),
    SelectChoice(RsvpAnswer.maybe.value, _l("Maybe")),
    SelectChoice(RsvpAnswer.decline.value, _l("No, we cannot come")),
]

class RsvpForm(FlaskForm):
    answer = RadioField(_l("Your answer"), choices=ANSWER_CHOICES,
                        validators=[InputRequired(message=_l("Please choose an answer."))])
    names = TextAreaField(_l("Names of the persons coming"), filters=[strip],
                          validators=[Optional(), Length(max=1000), NoControlCharacters(), NoMarkup()],
                          description=_l("One name per line."))
    note = long_plain(_l("Note for the coordination office"), 1000,
                      description=_l("E.g. dietary or access needs."))

    def __init__(self, *args, max_persons=2, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_persons = max_persons
        self.names.description = _l("One name per line, at most %(max)d.", max=max_persons)

    def name_list(self):
        return [line.strip() for line in (self.names.data or "").splitlines() if line.strip()]

    def validate_names(self, field):
        names = self.name_list()
        if self.answer.data == RsvpAnswer.accept.value and not names:
            raise ValidationError(_l("Please name at least one person who is coming."))
        if len(names) > self.max_persons:
            raise ValidationError(_l("At most %(max)d persons per association can come; you named %(count)d.",
                                     max=self.max_persons, count=len(names)))
        if any(len(n) > 120 for n in names):
            raise ValidationError(_l("Please use at most %(max)d characters per name.", max=120))

POLL_CHOICES = [
    SelectChoice(PollAnswer.yes.value, _l("Yes")),
    SelectChoice(PollAnswer.if_need_be.value, _l("If need be")),
    SelectChoice(PollAnswer.no.value, _l("No")),
]

def make_vote_form(chat, invitation=None, formdata=None):
    """One yes / if need be / no question per proposed date, labelled with the date in the reader's locale."""
    class VoteForm(FlaskForm):
        pass

    for option in chat.date_options:
        setattr(VoteForm, f"option_{option.id}", RadioField(
            when(option.starts_at), choices=POLL_CHOICES,
            validators=[InputRequired(message=_l("Please choose an answer for this date."))]))
    form = VoteForm(formdata=formdata) if formdata is not None else VoteForm()
    if invitation is not None and not form.is_submitted():
        for vote in invitation.votes:
            field = getattr(form, f"option_{vote.option_id}", None)
            if field is not None:
                field.data = vote.answer.value
    return form

def vote_answers(form, chat):
    return {o.id: PollAnswer(form[f"option_{o.id}"].data) for o in chat.date_options}

class AddInviteeForm(FlaskForm):
    association_id = SelectField(_l("Association"), coerce=int, choices=[SelectChoice(0, _l("Please choose"))])
    reason = plain(_l("Reason"), 300, description=_l("Shown to coordinators only."))

    def __init__(self, *args, associations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.association_id.choices = [(0, str(_l("Please choose")))] + [(a.id, a.name) for a in associations]

    def validate_association_id(self, field):
        if not field.data:
            raise ValidationError(_l("Please choose an association."))

class CancelForm(FlaskForm):
    reason = long_plain(_l("Reason for cancelling"), 1000, required=True,
                        description=_l("It is sent to the invited associations."))


STATE_LABELS = {
    "draft": _l("Draft"),
    "polling": _l("Date poll open"),
    "invited": _l("Invitations sent"),
    "cancelled": _l("Cancelled"),
}
ANSWER_LABELS = {
    "pending": _l("No answer yet"),
    "accept": _l("Coming"),
    "maybe": _l("Maybe"),
    "decline": _l("Not coming"),
}
SEAT_LABELS = {"none": "", "confirmed": _l("Seats confirmed"), "waitlisted": _l("On the waitlist")}
POLL_LABELS = {"yes": _l("Yes"), "if_need_be": _l("If need be"), "no": _l("No")}
