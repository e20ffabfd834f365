"""Forms of the survey builder, and the respondent's form built per page from the definition."""

import math
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from core.forms import MultiCheckboxField, NoControlCharacters, strip, text_field
from core.labels import FIELD_LABELS, LANGUAGE_LABELS
from core.models import Field

from .interchange import KEY_PATTERN, allowed_condition_values
from .models import SOURCE_LANGUAGE, Polarity, QuestionKind, ShareLevel, translate

REQUIRED = _l("Please fill in this field.")

KIND_LABELS = {
    QuestionKind.single_choice: _l("Single choice"),
    QuestionKind.multiple_choice: _l("Multiple choice"),
    QuestionKind.short_text: _l("Short text"),
    QuestionKind.long_text: _l("Long text"),
    QuestionKind.number: _l("Number"),
    QuestionKind.yes_no: _l("Yes / no"),
    QuestionKind.scale: _l("Scale"),
    QuestionKind.matrix: _l("Matrix (rows × one scale)"),
    QuestionKind.date: _l("Date"),
    QuestionKind.topic_choice: _l("Topic choice"),
}

POLARITY_LABELS = {
    Polarity.need: _l("Need"),
    Polarity.offer: _l("Offer"),
    Polarity.interest: _l("Interest"),
}

SHARE_LABELS = {
    ShareLevel.none: _l("Not shared: only coordinators see the results"),
    ShareLevel.associations: _l("Shared with the associations of the town"),
    ShareLevel.public: _l("Public: everyone can see the summary"),
}

CONDITION_OP_LABELS = {
    "any_of": _l("is one of"),
    "answered": _l("is answered"),
    "gte": _l("is at least"),
    "lte": _l("is at most"),
}

TEXT_LIMITS = {QuestionKind.short_text: 300, QuestionKind.long_text: 5000}


def _multiline(label, max_length, required=False, description=None):
    validators = [DataRequired(message=REQUIRED)] if required else [Optional()]
    validators += [Length(max=max_length, message=_l("Please use at most %(max)d characters.")), NoControlCharacters()]
    return TextAreaField(label, validators=validators, filters=[strip], description=description)


def survey_language_choices():
    return [SelectChoice(code, label) for code, label in LANGUAGE_LABELS.items() if code != SOURCE_LANGUAGE]


# --------------------------------------------------------------------------- survey


class DatesMixin:
    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_("The closing date must not be before the opening date."))


class SurveySettingsForm(DatesMixin, FlaskForm):
    title = text_field(_l("Title (German)"), 200, required=True)
    intro = _multiline(_l("Introduction for respondents (German)"), 4000)
    wave_label = text_field(_l("Wave"), 40, description=_l("For example the year, so waves can be told apart."))
    languages = MultiCheckboxField(
        _l("Further languages for respondents"),
        description=_l("German is always offered. Untranslated texts are shown in German, marked as such."),
    )
    opens_on = DateField(_l("Open from"), validators=[Optional()], format=["%Y-%m-%d", "%d.%m.%Y"])
    closes_on = DateField(
        _l("Closing date"),
        validators=[Optional()],
        format=["%Y-%m-%d", "%d.%m.%Y"],
        description=_l("Answers are accepted until the end of this day. Personal links expire with it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = survey_language_choices()
        self.opens_on.render_kw = self.closes_on.render_kw = {"type": "date"}


class NewSurveyForm(SurveySettingsForm):
    municipality_id = SelectField(_l("Town or municipality"), coerce=int)
    start = RadioField(_l("Start from"), validators=[DataRequired(message=_l("Please choose how to start."))])

    def __init__(self, municipalities, sources, template_title, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = [(m.id, m.name) for m in municipalities]
        self.start.choices = [
            ("template", _("The template “%(title)s”", title=template_title)),
            ("blank", _("An empty survey")),
        ]
        self.start.choices += [(f"copy:{s.id}", _("A copy of “%(title)s”", title=s.name)) for s in sources]


class ImportForm(FlaskForm):
    municipality_id = SelectField(_l("Town or municipality"), coerce=int)
    file = FileField(
        _l("Survey definition (JSON file)"), validators=[FileRequired(message=_l("Please choose a file."))]
    )

    def __init__(self, municipalities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality_id.choices = [(m.id, m.name) for m in municipalities]


class NewWaveForm(DatesMixin, FlaskForm):
    wave_label = text_field(_l("Wave"), 40, required=True)
    opens_on = DateField(_l("Open from"), validators=[Optional()], format=["%Y-%m-%d", "%d.%m.%Y"])
    closes_on = DateField(_l("Closing date"), validators=[Optional()], format=["%Y-%m-%d", "%d.%m.%Y"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opens_on.render_kw = self.closes_on.render_kw = {"type": "date"}


class ShareForm(FlaskForm):
    share_level = RadioField(
        _l("Who may see the results summary?"),
        choices=[SelectChoice(level.value, label) for level, label in SHARE_LABELS.items()],
        validators=[DataRequired(message=REQUIRED)],
    )


# --------------------------------------------------------------------------- conditions


class ConditionMixin:
    """Fields for "show only if an earlier answer is …"; `set_condition_choices` fills them."""

    cond_question = SelectField(_l("Show only if the answer to"), validators=[Optional()])
    cond_op = SelectField(
        _l("Condition"),
        choices=[SelectChoice(op, label) for op, label in CONDITION_OP_LABELS.items()],
        default="any_of",
        validators=[Optional()],
    )
    cond_values = MultiCheckboxField(_l("Answers that show it"))
    cond_number = StringField(_l("Number"), validators=[Optional(), Length(max=20)], filters=[strip])

    def set_condition_choices(self, earlier, lang=SOURCE_LANGUAGE):
        """`earlier`: questions before this one (objects with key, kind, options, settings, text)."""
        self._earlier = {q.key: q for q in earlier}
        self.cond_question.choices = [("", _("Always show"))] + [
            (q.key, f"{q.key}: {translate(q.text, lang)[0][:80]}") for q in earlier
        ]
        values = []
        for q in earlier:
            for value in sorted(allowed_condition_values(q.kind, q.options, q.settings or {}), key=_value_order(q)):
                values.append((f"{q.key}={value}", value_label(q, value, lang)))
        self.cond_values.choices = values

    def load_condition(self, condition):
        if not condition:
            return
        self.cond_question.data = condition.get("question", "")
        self.cond_op.data = condition.get("op", "any_of")
        self.cond_values.data = [f"{condition['question']}={v}" for v in condition.get("values") or []]
        if condition.get("number") is not None:
            self.cond_number.data = _plain_number(condition["number"])

    def condition_data(self):
        key = self.cond_question.data
        if not key:
            return None
        condition = {"question": key, "op": self.cond_op.data}
        if self.cond_op.data == "any_of":
            condition["values"] = [v.split("=", 1)[1] for v in self.cond_values.data or [] if v.startswith(key + "=")]
        elif self.cond_op.data in ("gte", "lte"):
            condition["number"] = parse_number(self.cond_number.data)
        return condition

    def validate_condition(self):
        key = self.cond_question.data
        if not key:
            return True
        question = self._earlier.get(key)
        if question is None:
            self.cond_question.errors.append(_("Please choose an earlier question."))
            return False
        op = self.cond_op.data
        if op == "any_of":
            chosen = [v for v in self.cond_values.data or []]
            if not chosen:
                self.cond_values.errors.append(_("Please choose at least one answer that shows it."))
                return False
            if any(not v.startswith(key + "=") for v in chosen):
                self.cond_values.errors.append(_("Please choose answers of the question named in the condition only."))
                return False
        elif op in ("gte", "lte"):
            if question.kind not in (QuestionKind.number, QuestionKind.scale):
                self.cond_op.errors.append(_("Comparing with a number only works for number and scale questions."))
                return False
            if parse_number(self.cond_number.data) is None:
                self.cond_number.errors.append(_("Please enter a number."))
                return False
        return True


def _value_order(question):
    keys = [o.key for o in question.options]

    def order(value):
        if value in keys:
            return (0, keys.index(value), "")
        if value.isdigit():
            return (1, int(value), "")
        return (2, 0 if value == "yes" else 1, value)

    return order


def value_label(question, value, lang):
    for option in question.options:
        if option.key == value:
            return f"{option.label_in(lang)[0]}"
    if value == "yes":
        return str(_("Yes"))
    if value == "no":
        return str(_("No"))
    return value


def parse_number(raw):
    """A number typed the German or the English way ("12,5" or "12.5"); None if it is none."""
    if raw is None:
        return None
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _plain_number(number):
    return str(int(number)) if float(number).is_integer() else str(number)


# --------------------------------------------------------------------------- sections and questions


class SectionForm(ConditionMixin, FlaskForm):
    title = text_field(_l("Title (German)"), 200, required=True)
    intro = _multiline(_l("Introduction (German)"), 2000)


class OptionRowForm(Form):
    """One option row; `option_id` is empty for a new row."""

    option_id = HiddenField()
    text = StringField(
        _l("Label (German)"), validators=[Optional(), Length(max=300), NoControlCharacters()], filters=[strip]
    )
    topic_id = SelectField(_l("Topic"), validators=[Optional()])
    polarity = SelectField(_l("Polarity"), validators=[Optional()])
    is_other = BooleanField(_l("“Other, please specify”"))
    remove = BooleanField(_l("Remove"))


class QuestionForm(ConditionMixin, FlaskForm):
    kind = SelectField(_l("Question type"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    section_id = SelectField(_l("Section"), coerce=int)
    key = StringField(
        _l("Key"),
        validators=[Optional(), Length(max=64)],
        filters=[strip],
        description=_l(
            "Stays the same in every wave, so results can be compared. Leave empty to derive it from the text."
        ),
    )
    text = _multiline(_l("Question (German)"), 1000, required=True)
    help = _multiline(_l("Help text (German)"), 1000)
    is_required = BooleanField(_l("An answer is required"))
    number_min = StringField(_l("Smallest number allowed"), validators=[Optional(), Length(max=20)], filters=[strip])
    number_max = StringField(_l("Largest number allowed"), validators=[Optional(), Length(max=20)], filters=[strip])
    integer = BooleanField(_l("Whole numbers only"), default=True)
    max_length = IntegerField(
        _l("Maximum length (characters)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=5000, message=_l("Please enter a number between %(min)s and %(max)s.")),
        ],
    )
    scale_min = IntegerField(
        _l("Scale from"),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=0, max=10, message=_l("Please enter a number between %(min)s and %(max)s.")),
        ],
    )
    scale_max = IntegerField(
        _l("Scale to"),
        default=5,
        validators=[
            Optional(),
            NumberRange(min=1, max=11, message=_l("Please enter a number between %(min)s and %(max)s.")),
        ],
    )
    low_label = text_field(_l("Label of the lowest value (German)"), 100)
    high_label = text_field(_l("Label of the highest value (German)"), 100)
    topic_polarity = SelectField(_l("What choosing a topic means"), validators=[Optional()])
    topics = MultiCheckboxField(_l("Topics to choose from"))
    options = FieldList(FormField(OptionRowForm), min_entries=0)

    def __init__(self, sections, topics, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.section_id.choices = [(s.id, translate(s.title, SOURCE_LANGUAGE)[0]) for s in sections]
        self.topics.choices = [(str(t.id), t.name(SOURCE_LANGUAGE)) for t in topics]
        polarity_choices = [("", _("Nothing in particular"))] + [
            (p.value, str(label)) for p, label in POLARITY_LABELS.items()
        ]
        self.topic_polarity.choices = polarity_choices
        topic_choices = [("", _("No topic"))] + [(str(t.id), t.name(SOURCE_LANGUAGE)) for t in topics]
        for row in self.options:
            row.form.topic_id.choices = topic_choices
            row.form.polarity.choices = polarity_choices
        self._topic_choices, self._polarity_choices = topic_choices, polarity_choices

    def add_blank_rows(self, count):
        for _index in range(count):
            self.options.append_entry()
            row = self.options[-1].form
            row.topic_id.choices, row.polarity.choices = self._topic_choices, self._polarity_choices

    @property
    def chosen_kind(self):
        try:
            return QuestionKind(self.kind.data)
        except ValueError:
            return QuestionKind.single_choice

    def validate_key(self, field):
        if field.data and not KEY_PATTERN.match(field.data):
            raise ValidationError(_("Please use lower-case letters, digits, - and _ only."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        kind = self.chosen_kind
        valid = self.validate_condition() and valid
        if kind is QuestionKind.number:
            valid = self._check_number_range() and valid
        if kind in (QuestionKind.scale, QuestionKind.matrix):
            low, high = self.scale_min.data, self.scale_max.data
            if low is not None and high is not None and not (0 < high - low <= 10):
                self.scale_max.errors.append(_("The scale needs between 2 and 11 steps."))
                valid = False
        if kind is QuestionKind.topic_choice and not self.topics.data:
            self.topics.errors.append(_("Please choose at least one topic."))
            valid = False
        if kind in (QuestionKind.single_choice, QuestionKind.multiple_choice, QuestionKind.matrix):
            valid = self._check_options() and valid
        return valid

    def _check_number_range(self):
        ok = True
        for field in (self.number_min, self.number_max):
            if field.data and parse_number(field.data) is None:
                field.errors.append(_("Please enter a number."))
                ok = False
        low, high = parse_number(self.number_min.data), parse_number(self.number_max.data)
        if ok and low is not None and high is not None and low > high:
            self.number_max.errors.append(_("The largest number must not be smaller than the smallest."))
            ok = False
        return ok

    def _check_options(self):
        kept = [row for row in self.options if row.form.text.data and not row.form.remove.data]
        if not kept:
            self.options.errors.append(_("Please enter at least one option."))
            return False
        for row in self.options:
            if row.form.option_id.data and not row.form.text.data and not row.form.remove.data:
                row.form.text.errors.append(_("Please enter a label or tick “Remove”."))
                return False
        return True

    def settings_data(self):
        kind = self.chosen_kind
        settings = {}
        if kind is QuestionKind.number:
            for name, field in (("min", self.number_min), ("max", self.number_max)):
                if parse_number(field.data) is not None:
                    settings[name] = parse_number(field.data)
            settings["integer"] = bool(self.integer.data)
        if kind in (QuestionKind.short_text, QuestionKind.long_text) and self.max_length.data:
            settings["max_length"] = min(self.max_length.data, TEXT_LIMITS[kind])
        if kind in (QuestionKind.scale, QuestionKind.matrix):
            settings["scale_min"] = self.scale_min.data if self.scale_min.data is not None else 1
            settings["scale_max"] = self.scale_max.data if self.scale_max.data is not None else 5
            settings["low_label"] = {SOURCE_LANGUAGE: self.low_label.data} if self.low_label.data else {}
            settings["high_label"] = {SOURCE_LANGUAGE: self.high_label.data} if self.high_label.data else {}
        if kind is QuestionKind.topic_choice and self.topic_polarity.data:
            settings["polarity"] = self.topic_polarity.data
        return settings

    def options_data(self):
        """Option rows as plain dicts for the service (empty new rows dropped)."""
        rows = []
        for row in self.options:
            form = row.form
            if not form.option_id.data and not form.text.data:
                continue
            rows.append(
                {
                    "id": int(form.option_id.data) if (form.option_id.data or "").isdigit() else None,
                    "label": form.text.data or "",
                    "topic_id": int(form.topic_id.data) if (form.topic_id.data or "").isdigit() else None,
                    "polarity": Polarity(form.polarity.data) if form.polarity.data else None,
                    "is_other": bool(form.is_other.data),
                    "remove": bool(form.remove.data),
                }
            )
        return rows


def translation_form(items, lang, formdata=None):
    """One optional field per translatable text; `items` are TranslationItem objects."""

    class TranslationForm(FlaskForm):
        pass

    for item in items:
        field = TextAreaField if item.long else StringField
        setattr(
            TranslationForm,
            item.field_name,
            field(
                item.source,
                validators=[
                    Optional(),
                    Length(max=4000, message=_l("Please use at most %(max)d characters.")),
                    NoControlCharacters(),
                ],
                filters=[strip],
            ),
        )
    data = {item.field_name: item.current for item in items}
    return TranslationForm(formdata=formdata, data=data)


class DistributeForm(FlaskForm):
    fields = MultiCheckboxField(_l("Field of activity"))
    districts = MultiCheckboxField(_l("District"))
    topics = MultiCheckboxField(_l("Topic"))

    def __init__(self, districts, topics, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.choices = [(f.value, FIELD_LABELS[f]) for f in Field]
        self.districts.choices = [(d, d) for d in districts]
        self.topics.choices = [(t.key, t.name(SOURCE_LANGUAGE)) for t in topics]


# --------------------------------------------------------------------------- answering


class _ChoiceMessages:
    def pre_validate(self, form):
        values = self.data if isinstance(self.data, list) else [self.data]
        allowed = {str(value) for value, *_rest in self.choices}
        if any(v is not None and str(v) not in allowed for v in values):
            raise ValidationError(_("Please choose one of the options shown."))


class AnswerRadioField(_ChoiceMessages, RadioField):
    pass


class AnswerCheckboxField(_ChoiceMessages, MultiCheckboxField):
    pass


class NumberAnswerField(StringField):
    """A number typed as text, so "12,5" works and out-of-range input is kept for correcting."""

    def __init__(self, *args, minimum=None, maximum=None, integer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.minimum, self.maximum, self.integer = minimum, maximum, integer
        self.number = None

    def process_data(self, value):
        super().process_data(None if value is None else _plain_number(value))

    def pre_validate(self, form):
        raw = (self.data or "").strip()
        self.number = None
        if not raw:
            return
        number = parse_number(raw)
        if number is None:
            raise ValidationError(_("Please enter a number, e.g. 12."))
        if self.integer and not float(number).is_integer():
            raise ValidationError(_("Please enter a whole number."))
        low, high = self.minimum, self.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValidationError(_number_range_message(low, high))
        self.number = number


def _number_range_message(low, high):
    if low is not None and high is not None:
        return _("Please enter a number between %(min)s and %(max)s.", min=_plain_number(low), max=_plain_number(high))
    if low is not None:
        return _("Please enter a number of at least %(min)s.", min=_plain_number(low))
    return _("Please enter a number of at most %(max)s.", max=_plain_number(high))


def _text_validators(limit):
    return [
        Optional(),
        Length(max=limit, message=_l("Please use at most %(max)d characters.")),
        NoControlCharacters(),
    ]


class DateAnswerField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(date_error_message()) from error


class ResponseFormBase(FlaskForm):
    class Meta:
        # The answering views check the CSRF token themselves: on failure they show the page
        # again with everything typed, instead of the generic error page.
        csrf = False


def make_response_form(structure, questions, lang, formdata=None, data=None):
    """A form with a field per question of one page (plus "other" texts, matrix rows, consent)."""
    attrs = {}
    for question in questions:
        attrs.update(_question_fields(question, lang))
    form_class = type("ResponseForm", (ResponseFormBase,), attrs)
    return form_class(formdata=formdata, data=data or {})


def _question_fields(question, lang):
    name = f"q{question.id}"
    kind = question.kind
    settings = question.settings or {}
    label = translate(question.text, lang)[0]
    fields = {}
    options = question.active_options
    if kind is QuestionKind.single_choice:
        fields[name] = AnswerRadioField(
            label, choices=[SelectChoice(str(o.id), o.label_in(lang)[0]) for o in options], validators=[Optional()]
        )
    elif kind in (QuestionKind.multiple_choice, QuestionKind.topic_choice):
        fields[name] = AnswerCheckboxField(
            label, choices=[SelectChoice(str(o.id), o.label_in(lang)[0]) for o in options], validators=[Optional()]
        )
    elif kind in (QuestionKind.short_text, QuestionKind.long_text):
        limit = min(int(settings.get("max_length") or TEXT_LIMITS[kind]), TEXT_LIMITS[kind])
        field_class = StringField if kind is QuestionKind.short_text else TextAreaField
        fields[name] = field_class(label, validators=_text_validators(limit), filters=[strip])
    elif kind is QuestionKind.number:
        fields[name] = NumberAnswerField(
            label,
            minimum=settings.get("min"),
            maximum=settings.get("max"),
            integer=bool(settings.get("integer")),
            filters=[strip],
        )
    elif kind is QuestionKind.yes_no:
        fields[name] = AnswerRadioField(
            label, choices=[SelectChoice("yes", _("Yes")), SelectChoice("no", _("No"))], validators=[Optional()]
        )
    elif kind is QuestionKind.scale:
        fields[name] = AnswerRadioField(label, choices=scale_choices(settings), validators=[Optional()])
    elif kind is QuestionKind.matrix:
        for option in options:
            fields[f"{name}_r{option.id}"] = AnswerRadioField(
                option.label_in(lang)[0], choices=scale_choices(settings), validators=[Optional()]
            )
    elif kind is QuestionKind.date:
        fields[name] = DateAnswerField(
            label, validators=[Optional()], format=["%Y-%m-%d", "%d.%m.%Y"], render_kw={"type": "date"}
        )
    if any(o.is_other for o in options):
        fields[f"{name}_other"] = StringField(_("Please specify"), validators=_text_validators(300), filters=[strip])
    if question_shares(question):
        fields[f"{name}_share"] = BooleanField(
            _("The coordination office may pass this on to other associations, with our name.")
        )
    return fields


def scale_choices(settings):
    low, high = int(settings.get("scale_min", 1)), int(settings.get("scale_max", 5))
    return [SelectChoice(str(value), str(value)) for value in range(low, high + 1)]


def question_shares(question):
    """Needs and offers can be passed on; the respondent decides per answer."""
    return any(o.polarity in (Polarity.need, Polarity.offer) for o in question.active_options)


def date_error_message():
    return _("Please enter a date, e.g. 31.12.%(year)s.", year=date.today().year)
