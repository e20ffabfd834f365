"""Forms for signing in, invitations, password reset, access requests and account settings."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from ..forms import NoControlCharacters, strip, text_field
from ..labels import FIELD_LABELS
from ..models import Field, User
from ..passwords import StrongPassword

REQUIRED = _l("Please fill in this field.")


def email_field(label=_l("E-mail address")):
    return EmailField(
        label,
        validators=[DataRequired(message=REQUIRED), Email(message=_l("Please enter a valid e-mail address, e.g. name@example.org.")), Length(max=254)],
        filters=[strip],
    )


def language_choices():
    return list(current_app.config["LANGUAGES"].items())


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(message=REQUIRED), Length(max=128)])
    next = HiddenField()


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=REQUIRED), StrongPassword()],
        description=_l("At least 8 characters. A short sentence is easy to remember and hard to guess."),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(message=REQUIRED), EqualTo("password", message=_l("The two passwords do not match."))],
    )


class AcceptInviteForm(NewPasswordForm):
    name = text_field(_l("Your name"), 120, required=True)
    privacy = BooleanField(
        _l("I have read the privacy notice."),
        validators=[DataRequired(message=_l("Please confirm that you have read the privacy notice."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class AccessRequestForm(FlaskForm):
    municipality_id = SelectField(_l("Town or municipality"), coerce=int, validators=[DataRequired(message=REQUIRED)])
    association_name = text_field(_l("Name of the association"), 200, required=True)
    field = SelectField(_l("Field of activity"), choices=[], validators=[DataRequired(message=REQUIRED)])
    district = text_field(_l("District or neighbourhood"), 120)
    contact_name = text_field(_l("Your name"), 120, required=True)
    email = email_field(_l("Your e-mail address"))
    locale = SelectField(_l("Preferred language for e-mails"))
    message = TextAreaField(
        _l("Message to the coordination office"),
        validators=[Optional(), Length(max=2000, message=_l("Please use at most %(max)d characters.")), NoControlCharacters()],
        filters=[strip],
    )
    privacy = BooleanField(
        _l("I have read the privacy notice and agree that the office stores this request."),
        validators=[DataRequired(message=_l("Please confirm that you have read the privacy notice."))],
    )

    def __init__(self, municipalities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = [(m.id, m.name) for m in municipalities]
        self.field.choices = [("", _l("Please choose")), *((f.value, FIELD_LABELS[f]) for f in Field)]
        self.locale.choices = language_choices()


class SettingsForm(FlaskForm):
    name = text_field(_l("Your name"), 120, required=True)
    locale = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(message=REQUIRED)])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._email = user.email

    def validate_current(self, field):
        if not self.user.check_password(field.data or ""):
            raise ValidationError(str(_l("The current password is not correct.")))


class InviteForm(FlaskForm):
    """A coordinator or representative invites a person to speak for an association."""

    name = text_field(_l("Name"), 120, required=True)
    email = email_field()
    locale = SelectField(_l("Language of the invitation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()

    def validate_email(self, field):
        if field.errors:
            return
        existing = User.by_email(field.data)
        if existing is not None and not self.may_invite_again(existing):
            raise ValidationError(str(_l("There is already an account with this e-mail address.")))

    def may_invite_again(self, user):
        """Someone who was removed from their association (account disabled, attached to none) may be invited
        again, by any association; every other existing account is refused."""
        return user.is_removed_representative
