"""The impact report's choices: period, municipality and exact or shareable figures (a GET form)."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from core.models import utcnow

from .report_period import quarters

#: Longer periods would make the quarter table unreadable (and the report slow).
MAX_YEARS = 10
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]
DATE_MESSAGE = _l("Please enter a date like 2026-01-31.")
INTERNAL, SHARED = "internal", "shared"


class ReportForm(FlaskForm):
    class Meta:
        csrf = False  # reading figures changes nothing

    municipality = SelectField(_l("Municipality"), choices=[SelectChoice("", _l("All my municipalities"))],
                               default="")
    start = DateField(_l("From"), format=DATE_FORMATS, validators=[InputRequired(message=DATE_MESSAGE)])
    end = DateField(_l("Until (inclusive)"), format=DATE_FORMATS, validators=[InputRequired(message=DATE_MESSAGE)])
    variant = RadioField(
        _l("Figures"),
        choices=[SelectChoice(INTERNAL, _l("Exact figures (for the coordination office only)")),
                 SelectChoice(SHARED, _l("Shareable: numbers below the threshold hidden"))],
        default=INTERNAL,
    )

    def __init__(self, municipalities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = [("", _l("All my municipalities"))] + [
            (str(m.id), m.name) for m in municipalities
        ]

    def validate_start(self, field):
        if field.data and not date(1990, 1, 1) <= field.data <= date(2100, 12, 31):
            raise ValidationError(_l("Please enter a date between 1990 and 2100."))

    def validate_end(self, field):
        if not (field.data and self.start.data):
            return
        if not date(1990, 1, 1) <= field.data <= date(2100, 12, 31):
            raise ValidationError(_l("Please enter a date between 1990 and 2100."))
        if field.data < self.start.data:
            raise ValidationError(_l("The period must not end before it starts."))
        if field.data > self.start.data.replace(year=self.start.data.year + MAX_YEARS):
            raise ValidationError(_l("Please choose a period of at most %(years)s years.", years=MAX_YEARS))

    @property
    def shared(self):
        return self.variant.data == SHARED


def validate(form):
    """Validate, with one message per bad date (WTForms' own "Not a valid date value" replaced)."""
    valid = form.validate()
    for field in (form.start, form.end):
        if field.raw_data and field.raw_data[0] and field.data is None:
            field.errors[:] = [str(DATE_MESSAGE)]
    if form.municipality.errors:
        # A town outside the scope is refused like a town that does not exist: no figures, no hint.
        form.municipality.errors[:] = [str(_l("Please choose one of your municipalities."))]
    if form.variant.errors:
        form.variant.errors[:] = [str(_l("Please choose exact or shareable figures."))]
    return valid


@dataclass
class Preset:
    label: str
    start: date
    end: date


def presets(today=None):
    """This year, last year and the quarters of both, newest first."""
    today = today or utcnow().date()
    found = [Preset(_l("This year"), date(today.year, 1, 1), date(today.year, 12, 31)),
             Preset(_l("Last year"), date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))]
    for year in (today.year, today.year - 1):
        for quarter in quarters(date(year, 1, 1), date(year, 12, 31)):
            if quarter.start <= today:
                found.append(Preset(_l("Q%(number)s %(year)s", number=quarter.number, year=year), quarter.start,
                                    quarter.end))
    return found


def defaults(today=None):
    """The form's values when the page is opened without a choice: this year, all towns, exact."""
    today = today or utcnow().date()
    return {"start": date(today.year, 1, 1).isoformat(), "end": date(today.year, 12, 31).isoformat(),
            "municipality": "", "variant": INTERNAL}
