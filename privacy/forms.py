"""Forms of the privacy pages: deleting one's account, anonymising an association."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, ValidationError

from core.forms import text_field


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(message=_l("Please enter your password."))])
    confirm = BooleanField(
        _l("I understand that my account and my personal data will be deleted for good."),
        validators=[DataRequired(message=_l("Please confirm that you want to delete your account."))],
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field):
        if not self.user.check_password(field.data or ""):
            raise ValidationError(_l("The password is not correct."))


class EraseAssociationForm(FlaskForm):
    confirm_name = text_field(
        _l("Name of the association"),
        200,
        required=True,
        description=_l("Type the association's name exactly as shown, to confirm."),
    )
    confirm = BooleanField(
        _l("The association asked for this, and I have read what happens."),
        validators=[DataRequired(message=_l("Please confirm."))],
    )

    def __init__(self, association, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.association = association

    def validate_confirm_name(self, field):
        if (field.data or "").strip() != self.association.name.strip():
            raise ValidationError(_l("This is not the association's name."))
