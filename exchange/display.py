"""Small text helpers for templates and mails: when a posting applies, and why a counterpart fits."""

from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from .labels import CATEGORY_LABELS, weekday_names
from .models import Category

SEPARATOR = " · "


def days_text(days, locale=None):
    names = weekday_names(locale)
    if len(days) == 7 or not days:
        return ""
    return ", ".join(names[d] for d in sorted(days))


def posting_when(posting):
    """"from 1 March 2027 until 30 April 2027 · Saturday" or "ongoing"."""
    if posting.starts_on and posting.ends_on:
        text = _("%(start)s – %(end)s", start=format_date(posting.starts_on), end=format_date(posting.ends_on))
    elif posting.starts_on:
        text = _("from %(start)s", start=format_date(posting.starts_on))
    elif posting.ends_on:
        text = _("until %(end)s", end=format_date(posting.ends_on))
    else:
        text = _("ongoing")
    days = days_text(posting.weekday_list)
    return text + (SEPARATOR + days if days else "")


def posting_where(posting):
    return posting.district or _("anywhere in town")


def reason_text(reason, topic_names):
    """The one-line reason of a counterpart: "both: Rooms and premises · Saturday · Weststadt"."""
    parts = []
    if reason.category:
        parts.append(str(CATEGORY_LABELS[Category(reason.category)]))
    parts += [topic_names.get(key, key) for key in reason.topics]
    if reason.weekdays:
        parts.append(days_text(reason.weekdays))
    if reason.district:
        parts.append(reason.district)
    # A category and a topic may carry the same name ("Rooms"): say it once.
    unique = list(dict.fromkeys(parts))
    return _("both: %(what)s", what=SEPARATOR.join(unique))


def topic_names(topics):
    locale = str(get_locale())
    return {t.key: t.name(locale) for t in topics}
