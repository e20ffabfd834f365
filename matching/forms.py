"""Forms of the matching feature: rules, accepting and dismissing, sub-networks, members, consent."""

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import MultiCheckboxField, NoControlCharacters, strip, text_field
from core.labels import CATEGORY_LABELS
from core.models import TopicCategory

from .engine import Partition, Polarity, RuleKind, TopicGrouping
from .labels import GROUPING_LABELS, KIND_LABELS, PARTITION_LABELS, POLARITY_LABELS, STATUS_LABELS
from .models import NetworkStatus

REQUIRED = _l("Please fill in this field.")


def _reason_field(label, required=True, description=None):
    validators = [DataRequired(message=_l("Please give a reason."))] if required else [Optional()]
    validators += [Length(max=1000, message=_l("Please use at most %(max)d characters.")), NoControlCharacters()]
    return TextAreaField(label, validators=validators, filters=[strip], description=description)


def _number(label, low, high, default, description=None):
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired(message=_l("Please enter a whole number.")),
            NumberRange(min=low, max=high, message=_l("Please enter a number between %(min)s and %(max)s.")),
        ],
        description=description,
    )


class RuleForm(FlaskForm):
    name = text_field(_l("Name of the rule"), 120, required=True)
    kind = RadioField(
        _l("Kind of rule"),
        choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in RuleKind],
        default=RuleKind.shared_topic.value,
        validators=[InputRequired(message=_l("Please choose one."))],
    )
    topic_keys = MultiCheckboxField(_l("Topics"), description=_l("One or several topics; or choose whole categories below."))
    categories = MultiCheckboxField(
        _l("Whole categories"),
        choices=[SelectChoice(c.value, CATEGORY_LABELS[c]) for c in TopicCategory],
        description=_l("Every topic of a chosen category counts."),
    )
    include_subtopics = BooleanField(
        _l("Include sub-topics"), default=True,
        description=_l("For example, all heritage-language topics when “Heritage-language teaching” is chosen."),
    )
    grouping = RadioField(
        _l("Groups"),
        choices=[SelectChoice(g.value, GROUPING_LABELS[g]) for g in TopicGrouping],
        default=TopicGrouping.parent.value,
        validators=[InputRequired(message=_l("Please choose one."))],
    )
    polarities = MultiCheckboxField(
        _l("What counts"),
        choices=[SelectChoice(p.value, POLARITY_LABELS[p]) for p in Polarity],
        default=[Polarity.activity.value, Polarity.interest.value],
        description=_l("For “need meets offer” rules, needs and offers always count."),
    )
    partition = RadioField(
        _l("Also group by"),
        choices=[SelectChoice(p.value, PARTITION_LABELS[p]) for p in Partition],
        default=Partition.none.value,
        validators=[InputRequired(message=_l("Please choose one."))],
    )
    ignored_languages = text_field(
        _l("Languages that do not form a group"), 100,
        description=_l("Language codes separated by spaces, e.g. “de” – a language almost everyone shares."),
    )
    min_size = _number(_l("Smallest group"), 2, 500, 3)
    max_size = _number(_l("Largest group"), 2, 500, 12)
    min_facts = _number(
        _l("Independent statements per member, at least"), 1, 20, 1,
        description=_l("The profile, each survey answer and each posting count as one statement each."),
    )
    window_days = _number(
        _l("Time window in days"), 1, 3650, 730,
        description=_l("Older statements do not count; within the window, older ones count less."),
    )
    is_active = BooleanField(_l("Rule is active"), default=True)

    def __init__(self, topics, *args, selected=(), **kwargs):
        """`topics`: Topic rows by key. A chosen key (`selected`, or sent) whose topic is gone or inactive stays
        visible, ticked, with an error beside the field."""
        super().__init__(*args, **kwargs)
        self._topics = topics
        locale = str(get_locale())
        active = [(key, t.name(locale)) for key, t in topics.items() if t.is_active]
        known = {key for key, _name in active}
        gone = [k for k in dict.fromkeys([*selected, *(self.topic_keys.data or [])]) if k not in known]
        self.topic_keys.choices = active + [(k, _stale_label(k, topics.get(k), locale)) for k in gone]

    def validate_topic_keys(self, field):
        for key in field.data or []:
            topic = self._topics.get(key)
            if topic is None:
                raise ValidationError(_("The topic “%(key)s” has been deleted. Please untick it or choose another.", key=key))
            if not topic.is_active:
                raise ValidationError(_("The topic “%(name)s” is no longer in use. Please untick it.", name=topic.name(str(get_locale()))))
        if not field.data and not self.categories.data:
            raise ValidationError(_("Please choose at least one topic or a whole category."))

    def check_stored_topics(self):
        """On opening a stored rule, say at once when one of its topics was deleted or retired."""
        try:
            self.validate_topic_keys(self.topic_keys)
        except ValidationError as problem:
            self.topic_keys.errors = [str(problem)]

    def validate_min_size(self, field):
        if field.data is not None and self.max_size.data is not None and field.data > self.max_size.data:
            raise ValidationError(_("The smallest group cannot be larger than the largest group (%(max)s).", max=self.max_size.data))

    def validate_polarities(self, field):
        if self.kind.data == RuleKind.shared_topic.value and not field.data:
            raise ValidationError(_("Please choose at least one kind of statement that counts."))

    def validate_ignored_languages(self, field):
        codes = (field.data or "").split()
        if any(not (code.isalpha() and 2 <= len(code) <= 8) for code in codes):
            raise ValidationError(_("Please enter language codes such as “de” or “tr”, separated by spaces."))

    def rule_data(self):
        kind = RuleKind(self.kind.data)
        return {
            "name": self.name.data,
            "kind": kind,
            "topic_keys": list(dict.fromkeys(self.topic_keys.data or [])),
            "categories": list(self.categories.data or []),
            "include_subtopics": self.include_subtopics.data,
            "grouping": TopicGrouping(self.grouping.data),
            "polarities": [Polarity.need.value, Polarity.offer.value] if kind is RuleKind.need_offer else list(self.polarities.data),
            "partition": Partition(self.partition.data),
            "ignored_languages": [c.lower() for c in dict.fromkeys((self.ignored_languages.data or "").split())],
            "min_size": self.min_size.data,
            "max_size": self.max_size.data,
            "min_facts": self.min_facts.data,
            "window_days": self.window_days.data,
            "is_active": self.is_active.data,
        }

    def load(self, rule):
        """Fill the form from a stored rule (GET)."""
        for name in ("name", "include_subtopics", "min_size", "max_size", "min_facts", "window_days", "is_active"):
            self[name].data = getattr(rule, name)
        self.kind.data, self.grouping.data, self.partition.data = rule.kind.value, rule.grouping.value, rule.partition.value
        self.topic_keys.data, self.categories.data = list(rule.topic_keys or []), list(rule.categories or [])
        self.polarities.data = list(rule.polarities or [])
        self.ignored_languages.data = " ".join(rule.ignored_languages or [])


def _stale_label(key, topic, locale):
    if topic is None:
        return _("%(key)s (deleted topic)", key=key)
    return _("%(name)s (no longer in use)", name=topic.name(locale))


class AcceptForm(FlaskForm):
    name = text_field(_l("Name of the sub-network"), 200, required=True)
    notes = TextAreaField(
        _l("Notes for coordinators"),
        validators=[Optional(), Length(max=4000, message=_l("Please use at most %(max)d characters.")), NoControlCharacters()],
        filters=[strip],
    )


class ExtendForm(FlaskForm):
    """Accepting a suggestion that adds members to an existing sub-network needs no name."""


class DismissForm(FlaskForm):
    reason = _reason_field(_l("Why is this not a good group?"), description=_l("Other coordinators see this reason."))


class NetworkForm(FlaskForm):
    name = text_field(_l("Name of the sub-network"), 200, required=True)
    status = RadioField(
        _l("Status"),
        choices=[SelectChoice(s.value, STATUS_LABELS[s]) for s in NetworkStatus],
        default=NetworkStatus.active.value,
        validators=[InputRequired(message=_l("Please choose one."))],
    )
    topic_keys = MultiCheckboxField(_l("Topics"))
    notes = TextAreaField(
        _l("Notes for coordinators"),
        validators=[Optional(), Length(max=4000, message=_l("Please use at most %(max)d characters.")), NoControlCharacters()],
        filters=[strip],
        description=_l("Meetings, agreements, next steps. Associations do not see these notes."),
    )

    def __init__(self, topics, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locale = str(get_locale())
        self.topic_keys.choices = [(key, t.name(locale)) for key, t in topics.items() if t.is_active]

    def network_data(self):
        return {
            "name": self.name.data,
            "status": NetworkStatus(self.status.data),
            "topic_keys": list(self.topic_keys.data or []),
            "notes": self.notes.data or "",
        }


class AddMemberForm(FlaskForm):
    association_id = SelectField(
        _l("Association"), coerce=int, validators=[InputRequired(message=_l("Please choose an association."))]
    )
    reason = _reason_field(_l("Reason for adding"))

    def __init__(self, associations, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.association_id.choices = [(a.id, a.name) for a in associations]


class RemoveMemberForm(FlaskForm):
    reason = _reason_field(_l("Reason for removing"), description=_l("Kept with the sub-network's history."))


class LeaveForm(FlaskForm):
    reason = _reason_field(
        _l("Would you tell us why? (optional)"), required=False,
        description=_l("The coordination office sees this. You can leave without giving a reason."),
    )


class NetworkingForm(FlaskForm):
    is_enabled = BooleanField(
        _l("Use our information to suggest sub-networks"),
        description=_l("When this is off, nothing about your association enters the suggestions."),
    )
    is_visible = BooleanField(
        _l("Show our association to the other members of our sub-networks"),
        description=_l("They see the name, district and contact e-mail of the association."),
    )
