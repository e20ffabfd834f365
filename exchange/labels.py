"""Translatable labels for the exchange board's enums, shared by forms, templates, mails and exports."""

from babel.dates import get_day_names
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from core.labels import CATEGORY_LABELS as TOPIC_CATEGORY_LABELS

from .models import Category, Moderation, PostingKind, PostingState, ReportResolution, Visibility

KIND_LABELS = {
    PostingKind.offer: _l("Offer"),
    PostingKind.request: _l("Request"),
}

#: Who stands behind a posting: "Offered by …" / "Requested by …".
KIND_PHRASES = {
    PostingKind.offer: _l("Offered by"),
    PostingKind.request: _l("Requested by"),
}

CATEGORY_LABELS = {
    Category.rooms: _l("Rooms and premises"),
    Category.volunteers: _l("Volunteers"),
    Category.equipment: _l("Equipment and material"),
    Category.knowhow: _l("Know-how and training"),
    Category.translation: _l("Translation and interpreting"),
    Category.transport: _l("Transport"),
    Category.event: _l("Cooperation on an event"),
    Category.funding: _l("Funding partner"),
    Category.other: _l("Other"),
}

STATE_LABELS = {
    PostingState.draft: _l("Draft"),
    PostingState.open: _l("Open"),
    PostingState.in_progress: _l("In progress"),
    PostingState.fulfilled: _l("Fulfilled"),
    PostingState.withdrawn: _l("Withdrawn"),
    PostingState.expired: _l("Expired"),
}

VISIBILITY_LABELS = {
    Visibility.network: _l("Associations in the network only"),
    Visibility.public: _l("Also on the public board (without contact details)"),
}

MODERATION_LABELS = {
    Moderation.visible: _l("Visible"),
    Moderation.hidden: _l("Hidden by the coordination office"),
    Moderation.removed: _l("Removed by the coordination office"),
}

RESOLUTION_LABELS = {
    ReportResolution.dismissed: _l("no action needed"),
    ReportResolution.hidden: _l("posting hidden"),
    ReportResolution.removed: _l("posting removed"),
    ReportResolution.message_hidden: _l("message hidden"),
    ReportResolution.locked: _l("conversation closed"),
}


def weekday_names(locale=None):
    """{Monday = 0 … Sunday = 6: name}, in this order, named in the given (or current) language."""
    names = get_day_names("wide", locale=str(locale or get_locale()))
    return {day: names[day] for day in range(7)}


def template_labels():
    return {
        "posting_kind_labels": KIND_LABELS,
        "posting_kind_phrases": KIND_PHRASES,
        "posting_category_labels": CATEGORY_LABELS,
        "posting_state_labels": STATE_LABELS,
        "posting_visibility_labels": VISIBILITY_LABELS,
        "posting_moderation_labels": MODERATION_LABELS,
        "posting_states": PostingState,
        "report_resolution_labels": RESOLUTION_LABELS,
        "topic_category_labels": TOPIC_CATEGORY_LABELS,
    }
