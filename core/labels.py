"""Translatable labels for enum values, shared by forms, templates and exports."""

from flask_babel import lazy_gettext as _l

from .models import Field, RequestState, Role, TopicCategory

FIELD_LABELS = {
    Field.leisure: _l("Leisure"),
    Field.culture: _l("Culture"),
    Field.sport: _l("Sport"),
    Field.education: _l("Education"),
    Field.religion: _l("Religion"),
    Field.social: _l("Social"),
    Field.other: _l("Other"),
}

CATEGORY_LABELS = {
    TopicCategory.resources: _l("Resources"),
    TopicCategory.activities: _l("Activities"),
    TopicCategory.target_groups: _l("Target groups"),
    TopicCategory.languages: _l("Languages"),
}

ROLE_LABELS = {
    Role.admin: _l("Administrator"),
    Role.coordinator: _l("Coordinator"),
    Role.representative: _l("Association representative"),
}

REQUEST_STATE_LABELS = {
    RequestState.pending: _l("Waiting for a decision"),
    RequestState.approved: _l("Approved"),
    RequestState.declined: _l("Declined"),
}

#: Languages associations commonly work in, by ISO 639 code, named in the UI language.
LANGUAGE_LABELS = {
    "de": _l("German"),
    "tr": _l("Turkish"),
    "ar": _l("Arabic"),
    "ru": _l("Russian"),
    "uk": _l("Ukrainian"),
    "fa": _l("Persian"),
    "it": _l("Italian"),
    "el": _l("Greek"),
    "hr": _l("Croatian"),
    "pl": _l("Polish"),
    "ku": _l("Kurdish"),
    "sq": _l("Albanian"),
    "sr": _l("Serbian"),
    "bs": _l("Bosnian"),
    "ro": _l("Romanian"),
    "es": _l("Spanish"),
    "pt": _l("Portuguese"),
    "fr": _l("French"),
    "en": _l("English"),
    "ti": _l("Tigrinya"),
    "so": _l("Somali"),
    "vi": _l("Vietnamese"),
    "ta": _l("Tamil"),
    "ps": _l("Pashto"),
}
