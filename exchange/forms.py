"""Forms of the exchange board."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from core.forms import MultiCheckboxField, NoControlCharacters, strip, text_field
from core.labels import LANGUAGE_LABELS

from .labels import CATEGORY_LABELS, weekday_names
from .models import Category, PostingKind, PostingState, Visibility

REQUIRED = _l("Please fill in this field.")
TOO_LONG = _l("Please use at most %(max)d characters.")


def long_text(label, max_length, required=False, **kwargs):
    first = DataRequired(message=REQUIRED) if required else Optional()
    return TextAreaField(
        label, validators=[first, Length(max=max_length, message=TOO_LONG), NoControlCharacters()], filters=[strip], **kwargs
    )


class PostingForm(FlaskForm):
    kind = RadioField(
        _l("Offer or request?"),
        choices=[SelectChoice("offer", _l("We offer something (Biete)")), SelectChoice("request", _l("We are looking for something (Suche)"))],
        validators=[InputRequired(message=_l("Please choose offer or request."))],
    )
    category = SelectField(
        _l("Category"),
        choices=[SelectChoice("", _l("Please choose")), *(SelectChoice(c.value, CATEGORY_LABELS[c]) for c in Category)],
        validators=[DataRequired(message=_l("Please choose a category."))],
    )
    title = text_field(_l("Title"), 120, required=True, description=_l("In a few words, e.g. “Room for Saturday lessons wanted”."))
    description = long_text(
        _l("Description"), 4000, required=True,
        description=_l("What exactly, how much or how many, for whom, and what you can give in return."),
    )
    topics = MultiCheckboxField(_l("Topics"), coerce=int, description=_l("Topics help the right associations find your posting."))
    languages = MultiCheckboxField(_l("Languages"), description=_l("Languages in which the exchange can happen."))
    district = SelectField(_l("Where?"), validators=[Optional()])
    starts_on = DateField(_l("From"), validators=[Optional()], description=_l("Leave empty if it can start any time."))
    ends_on = DateField(
        _l("Until"), validators=[Optional()], description=_l("Leave empty if it is ongoing. The posting ends on this day at the latest."),
    )
    weekdays = MultiCheckboxField(_l("On which days?"), coerce=int, description=_l("Leave empty if any day is fine."))
    visibility = RadioField(
        _l("Who sees this posting?"),
        choices=[
            SelectChoice("network", _l("Only associations in the network (signed in)")),
            SelectChoice("public", _l("Also the public board: title, description, topics and your association's name become visible to everyone, never your contact details")),
        ],
        default="network",
        validators=[InputRequired(message=_l("Please choose who sees this posting."))],
    )
    share_contact = BooleanField(
        _l("Show contact details to the other associations"),
        description=_l("Otherwise they can only write to you through Vereinsnetz. Contact details never appear on the public board."),
    )
    contact_name = text_field(_l("Contact person"), 120)
    contact_email = text_field(_l("Contact e-mail"), 254)
    contact_phone = text_field(_l("Contact phone"), 40)

    def __init__(self, topics, districts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        #: Topic id → vocabulary category, so the form shows the long topic list in groups.
        self.topic_category = {t.id: t.category for t in topics}
        self.topics.choices = [(t.id, t.name(locale)) for t in topics]
        self.languages.choices = list(LANGUAGE_LABELS.items())
        self.district.choices = [("", _l("Anywhere in town")), *((d, d) for d in districts)]
        self.weekdays.choices = list(weekday_names(locale).items())

    def chosen_topic_categories(self):
        return {self.topic_category.get(topic_id) for topic_id in self.topics.data or []}

    def validate_ends_on(self, field):
        from .services import local_today

        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(str(_l("The end date must not be before the start date.")))
        if field.data and field.data < local_today():
            raise ValidationError(str(_l("The end date is in the past.")))

    def validate_contact_email(self, field):
        if field.data:
            Email(message=_l("Please enter a valid e-mail address, e.g. name@example.org."))(self, field)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # Empty optional fields skip their own checks, so "shared but nothing to share" is checked here.
        if self.share_contact.data and not (self.contact_email.data or self.contact_phone.data):
            self.contact_email.errors = [*self.contact_email.errors, str(_l("Please give an e-mail address or a phone number to share."))]
            return False
        return valid

    def validate_contact_phone(self, field):
        allowed = set("0123456789 +-/()")
        if field.data and (not set(field.data) <= allowed or sum(c.isdigit() for c in field.data) < 5):
            raise ValidationError(str(_l("Please enter a phone number with digits only, e.g. +49 7141 123456.")))

    def posting_data(self):
        data = {name: self[name].data for name in (
            "title", "description", "district", "starts_on", "ends_on", "share_contact", "contact_name",
            "contact_email", "contact_phone", "topics", "languages", "weekdays")}
        data["district"] = data["district"] or ""
        for name in ("contact_name", "contact_email", "contact_phone"):
            data[name] = data[name] or ""
        data["kind"] = PostingKind(self.kind.data)
        data["category"] = Category(self.category.data)
        data["visibility"] = Visibility(self.visibility.data)
        return data

    def fill_from(self, posting):
        """Prefill on GET for editing (enum values and relations are not plain attributes)."""
        self.kind.data = posting.kind.value
        self.category.data = posting.category.value
        self.visibility.data = posting.visibility.value
        self.topics.data = [t.id for t in posting.topics]
        self.languages.data = posting.languages
        self.weekdays.data = posting.weekday_list


class MessageForm(FlaskForm):
    body = long_text(_l("Your message"), 4000, required=True)


class StateForm(FlaskForm):
    state = HiddenField(validators=[DataRequired()])

    def validate_state(self, field):
        if field.data not in {s.value for s in PostingState}:
            raise ValidationError("unknown state")


class FulfilForm(FlaskForm):
    partner_id = SelectField(
        _l("With which association did the exchange happen?"),
        coerce=int,
        description=_l("The association is asked to confirm. The exchange then counts for the office's report."),
    )

    def __init__(self, talked, others, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner_id.choices = [
            (0, _l("Without a partner association (or one not in Vereinsnetz)")),
            *((a.id, a.name) for a in talked),
            *((a.id, a.name) for a in others),
        ]


class ReportForm(FlaskForm):
    reason = long_text(
        _l("What is wrong?"), 1000, required=True,
        description=_l("Only the coordination office reads this. The association does not learn who reported it."),
    )


class ModerationForm(FlaskForm):
    action = RadioField(
        _l("Action"),
        choices=[
            SelectChoice("hide", _l("Hide (the association can correct it; you can restore it)")),
            SelectChoice("remove", _l("Remove for good")),
            SelectChoice("restore", _l("Make visible again")),
        ],
        validators=[InputRequired(message=_l("Please choose an action."))],
    )
    reason = long_text(_l("Reason (the association sees it)"), 1000)

    def validate_reason(self, field):
        if self.action.data in ("hide", "remove") and not field.data:
            raise ValidationError(str(_l("Please give a reason; the association will see it.")))


class ReasonForm(FlaskForm):
    """Hiding a message or locking a conversation: the reason is shown to both associations."""

    reason = long_text(_l("Reason (the associations see it)"), 1000, required=True)


class DigestForm(FlaskForm):
    subscribe = BooleanField(_l("Send us a weekly e-mail with new postings that match our topics"))
