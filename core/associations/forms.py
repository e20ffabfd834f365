"""Association profile, import and decision forms."""

from datetime import date

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, ValidationError

from ..forms import MultiCheckboxField, NoControlCharacters, strip, text_field
from ..labels import FIELD_LABELS, LANGUAGE_LABELS
from ..models import Field

REQUIRED = _l("Please fill in this field.")


class AssociationForm(FlaskForm):
    municipality_id = SelectField(_l("Town or municipality"), coerce=int)
    name = text_field(_l("Name of the association"), 200, required=True)
    field = SelectField(_l("Field of activity"), validators=[DataRequired(message=REQUIRED)])
    district = text_field(_l("District or neighbourhood"), 120)
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=4000, message=_l("Please use at most %(max)d characters.")), NoControlCharacters()],
        filters=[strip],
        description=_l("What does the association do, for whom, and where?"),
    )
    languages = MultiCheckboxField(_l("Languages used"))
    topics = MultiCheckboxField(_l("Topics"), coerce=int)
    email = text_field(_l("Contact e-mail"), 254)
    phone = text_field(_l("Contact phone"), 40)
    website = URLField(
        _l("Website"),
        validators=[Optional(), Length(max=300), URL(require_tld=True, schemes=("http", "https"), message=_l("Please enter a full web address, e.g. https://example.org.")), NoControlCharacters()],
        filters=[strip],
    )
    founded_year = IntegerField(
        _l("Founded in (year)"),
        validators=[Optional(), NumberRange(min=1800, max=date.today().year, message=_l("Please enter a year between %(min)s and %(max)s."))],
    )
    members_approx = IntegerField(
        _l("Approximate number of members"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000, message=_l("Please enter a number between %(min)s and %(max)s."))],
    )
    is_migrant_org = RadioField(
        _l("Does the association describe itself as a migrant organisation?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No")), SelectChoice("", _l("Prefer not to say"))],
        default="",
        validators=[Optional()],
    )
    directory_consent = BooleanField(
        _l("List the association in the public directory"),
        description=_l(
            "Name, field, district, languages, topics, description, website and contact details "
            "become visible to everyone. You can withdraw this at any time."
        ),
    )

    def __init__(self, municipalities, topics, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = [(m.id, m.name) for m in municipalities]
        self.field.choices = [("", _l("Please choose")), *((f.value, FIELD_LABELS[f]) for f in Field)]
        locale = str(get_locale())
        self.topics.choices = [(t.id, t.name(locale)) for t in topics]
        self.languages.choices = [(code, label) for code, label in LANGUAGE_LABELS.items()]

    def validate_email(self, field):
        if field.data and not field.errors:
            Email(message=_l("Please enter a valid e-mail address, e.g. name@example.org."))(self, field)

    def validate_phone(self, field):
        allowed = set("0123456789 +-/()")
        if field.data and (not set(field.data) <= allowed or sum(c.isdigit() for c in field.data) < 5):
            raise ValidationError(str(_l("Please enter a phone number with digits only, e.g. +49 7141 123456.")))

    def profile_data(self):
        data = {name: self[name].data for name in (
            "name", "district", "description", "email", "phone", "website", "founded_year", "members_approx",
            "languages", "topics")}
        data["field"] = Field(self.field.data)
        data["is_migrant_org"] = {"yes": True, "no": False}.get(self.is_migrant_org.data)
        return data


class ImportForm(FlaskForm):
    municipality_id = SelectField(_l("Import into"), coerce=int)
    file = FileField(
        _l("List of associations (CSV or XLSX)"),
        validators=[
            FileRequired(message=_l("Please choose a file.")),
            FileAllowed(["csv", "xlsx"], message=_l("Please choose a CSV or XLSX file.")),
        ],
        description=_l("First row: column names. Required: name. Optional: field, district, email, phone, website, founded, members, languages, topics, description, migrant_org."),
    )

    def __init__(self, municipalities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = [(m.id, m.name) for m in municipalities]


class ApproveForm(FlaskForm):
    association_id = SelectField(_l("Association"), coerce=int, validators=[Optional()])


class DeclineForm(FlaskForm):
    note = TextAreaField(
        _l("Reason (sent to the requester)"),
        validators=[Optional(), Length(max=1000, message=_l("Please use at most %(max)d characters.")), NoControlCharacters()],
        filters=[strip],
    )
