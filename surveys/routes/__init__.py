"""Views of the surveys feature, one module per task: building, distributing, answering, results."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from .. import bp
from ..forms import CONDITION_OP_LABELS, KIND_LABELS, POLARITY_LABELS, SHARE_LABELS
from ..models import translate

STATUS_LABELS = {
    "draft": _l("Draft"),
    "scheduled": _l("Not open yet"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}


def _marked(text, fallback, lang):
    """Text in the respondent's language, or the German text visibly marked as untranslated."""
    if not fallback:
        if lang != str(get_locale()):
            return Markup(f'<span lang="{escape(lang)}" dir="auto">{escape(text)}</span>')
        return escape(text)
    note = escape(_l("not yet translated, shown in German"))
    return Markup(
        f'<span lang="de" dir="ltr">{escape(text)}</span> <span class="sv-fallback"><span aria-hidden="true">DE</span>'
        f'<span class="visually-hidden">({note})</span></span>'
    )


@bp.app_template_global("sv_text")
def sv_text(texts, lang):
    return _marked(*translate(texts, lang), lang)


@bp.app_template_global("sv_option")
def sv_option(option, lang):
    return _marked(*option.label_in(lang), lang)


@bp.record_once
def _label_globals(state):
    """Globals, not context: macros imported from other templates see them too."""
    state.app.jinja_env.globals.update(
        sv_status_labels=STATUS_LABELS,
        sv_kind_labels=KIND_LABELS,
        sv_polarity_labels=POLARITY_LABELS,
        sv_share_labels=SHARE_LABELS,
        sv_op_labels=CONDITION_OP_LABELS,
    )


from . import answering, builder, distribution, results  # noqa: E402,F401
