"""Form pieces shared by every feature."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class EmptyForm(FlaskForm):
    """A button that only POSTs still carries the CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def strip(value):
    return value.strip() if isinstance(value, str) else value


class NoControlCharacters:
    """Refuse invisible control characters (other than line breaks and tabs) in text."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and any(ord(c) < 32 and c not in "\n\r\t" for c in field.data):
            raise ValidationError(str(_l("Please remove invisible control characters.")))


def text_field(label, max_length, required=False, **kwargs):
    from wtforms.validators import DataRequired

    validators = [DataRequired(message=_l("Please fill in this field."))] if required else [Optional()]
    validators += [Length(max=max_length, message=_l("Please use at most %(max)d characters.")), NoControlCharacters()]
    return StringField(label, validators=validators, filters=[strip], **kwargs)
