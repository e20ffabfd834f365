"""Forms for municipalities, staff accounts and legal page texts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from ..accounts.forms import InviteForm
from ..forms import MultiCheckboxField, NoControlCharacters, strip, text_field
from ..models import Role


class MunicipalityForm(FlaskForm):
    name = text_field(_l("Name"), 120, required=True)
    office_name = text_field(_l("Name of the coordination office"), 200)
    office_email = text_field(_l("E-mail of the coordination office"), 254)

    def validate_office_email(self, field):
        if field.data and not field.errors:
            Email(message=_l("Please enter a valid e-mail address, e.g. name@example.org."))(self, field)


class StaffInviteForm(InviteForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(Role.coordinator.value, _l("Coordinator")), SelectChoice(Role.admin.value, _l("Administrator"))])
    municipalities = MultiCheckboxField(_l("Municipalities (for coordinators)"), coerce=int)

    def may_invite_again(self, user):
        return False  # staff accounts are re-enabled by an administrator (StaffEditForm), never re-invited


class StaffEditForm(FlaskForm):
    municipalities = MultiCheckboxField(_l("Municipalities"), coerce=int)
    is_enabled = BooleanField(_l("Account is active"))


class SitePageForm(FlaskForm):
    body = TextAreaField(
        _l("Text"),
        validators=[DataRequired(message=_l("Please fill in this field.")), Length(max=20000), NoControlCharacters()],
        filters=[strip],
        description=_l("Plain text. A blank line starts a new paragraph."),
    )
