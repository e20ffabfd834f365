"""Catalogues: German complete, placeholders intact, pages and dates in the visitor's language.

The source is extracted afresh here (the same settings as the `pybabel extract` command in
translations/README.md), so a string added anywhere without a German translation fails this test.
"""

import os
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask_babel import refresh
from sqlalchemy import select

from core.models import AccessRequest, Field, OutboxMail, SitePage

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
#: Top-level folders that hold no user-facing strings (dot-folders such as .venv are skipped by default).
NOT_SOURCE = {"tests", "migrations", "bench", "instance", "translations", "static", "node_modules"}
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

#: Where Arabic must be complete so that the right-to-left layout, navigation and public pages work.
ARABIC_REQUIRED = (
    "templates/base.html",
    "templates/_macros.html",
    "templates/errors/",
    "templates/pages/home.html",
    "templates/accounts/login.html",
    "templates/directory/",
    "templates/associations/_profile.html",  # the directory's detail page includes it
    "core/errors.py",
    "core/labels.py",
)
ARABIC_PLURAL_FORMS = "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)"

#: A printf-style conversion as Python's % operator reads it: %(name)s, %d, %%, ...
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])")


def _source_directory(dirpath):
    relative = Path(dirpath).relative_to(ROOT)
    if relative == Path("."):
        return True
    return not relative.name.startswith((".", "_")) and relative.parts[0] not in NOT_SOURCE


@pytest.fixture(scope="module")
def source_messages():
    """A fresh extraction of every translatable string in the source, as a catalogue."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    catalog = Catalog()
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=_source_directory
    ):
        catalog.add(message, None, [(filename, lineno)], context=context)
    return catalog


def load_catalog(lang):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def is_translated(message):
    if message is None or message.fuzzy:
        return False
    forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(forms) and all(form.strip() for form in forms)


def where(message):
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:2])


def placeholders(text):
    """The conversions in `text`, or None if it holds a stray % that Python's % operator would choke on."""
    found = Counter()
    position = 0
    while (index := text.find("%", position)) != -1:
        match = PLACEHOLDER.match(text, index)
        if match is None:
            return None
        if match["type"] != "%":
            found[(match["name"], match["type"])] += 1
        position = match.end()
    return found


# --------------------------------------------------------------------------- catalogues


def test_source_extraction_finds_the_strings(source_messages):
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in source_messages}
    assert {"Sign in", "Please fill in this field.", "%(num)s association found"} <= ids
    assert not any(Path(path).parts[0] in NOT_SOURCE for message in source_messages for path, _ in message.locations)


def test_every_source_string_has_a_german_translation(source_messages):
    german = load_catalog("de")
    missing = [
        f"{where(message)}: {message.id!r}"
        for message in source_messages
        if message.id and not is_translated(german.get(message.id, context=message.context))
    ]
    assert missing == [], (
        f"{len(missing)} strings without a (non-fuzzy) German translation; run the update in "
        "translations/README.md and translate them:\n" + "\n".join(missing)
    )


def test_german_plural_entries_fill_both_forms():
    german = load_catalog("de")
    assert german.num_plurals == 2
    for message in german:
        if message.id and message.pluralizable:
            assert len(message.string) == 2 and all(message.string), message.id


def test_arabic_uses_the_six_plural_forms_and_fills_every_form():
    arabic = load_catalog("ar")
    assert arabic.num_plurals == 6
    assert arabic.plural_expr.replace(" ", "") == ARABIC_PLURAL_FORMS.replace(" ", "")
    for message in arabic:
        if message.id and message.pluralizable and any(message.string):
            assert len(message.string) == 6 and all(message.string), f"{message.id}: every form must be filled"


def test_arabic_covers_layout_navigation_and_public_pages(source_messages):
    arabic = load_catalog("ar")
    required = [
        message
        for message in source_messages
        if any(path.replace(os.sep, "/").startswith(ARABIC_REQUIRED) for path, _ in message.locations)
    ]
    assert len(required) > 80
    missing = [f"{where(m)}: {m.id!r}" for m in required if not is_translated(arabic.get(m.id, context=m.context))]
    assert missing == [], "Arabic translation missing:\n" + "\n".join(missing)


def placeholder_problems(message, nplurals):
    """Why the translation of `message` would fail or lose information under Python's % formatting."""
    if not message.pluralizable:
        expected, found = placeholders(message.id), placeholders(message.string)
        return [] if found is not None and set(found) == set(expected) else [message.string]
    singular, plural = placeholders(message.id[0]), placeholders(message.id[1])
    problems = []
    for index, form in enumerate(message.string):
        found = placeholders(form)
        if found is None:
            problems.append(form)
        elif nplurals == 2:  # form 0 is the singular, form 1 the plural (German, English)
            if set(found) != set(singular if index == 0 else plural):
                problems.append(form)
        # Other languages may leave out the count in some forms ("جمعية واحدة"), never add or lose another name.
        elif not set(singular) & set(plural) <= set(found) <= set(singular) | set(plural):
            problems.append(form)
    return problems


@pytest.mark.parametrize("lang", ["de", "ar", "en"])
def test_placeholders_in_translations_match_the_msgid(lang):
    catalog = load_catalog(lang)
    problems = [
        f"{message.id!r} -> {problem!r}"
        for message in catalog
        if message.id and is_translated(message)
        for problem in placeholder_problems(message, catalog.num_plurals)
    ]
    assert problems == [], "Placeholders differ from the msgid:\n" + "\n".join(problems)


def test_placeholder_check_catches_mistakes():
    assert placeholders("%(num)s Vereine, 100 %% sicher") == Counter({("num", "s"): 1})
    assert placeholders("Höchstens %(max)d Zeichen") == Counter({("max", "d"): 1})
    assert placeholders("zu 100 %") is None
    assert set(placeholders("100 % sicher")) == {(None, "s")}  # "% s" is a conversion to Python
    assert set(placeholders("%(nam)s")) != set(placeholders("%(name)s"))
    assert set(placeholders("%(max)s")) != set(placeholders("%(max)d"))
    plural = Message(("%(num)s row", "%(num)s rows in %(file)s"), ("%(num)s Zeile", "%(num)s Zeilen in %(file)s"))
    assert placeholder_problems(plural, 2) == []
    plural.string = ("%(num)s Zeile", "%(num)s Zeilen")
    assert placeholder_problems(plural, 2) == ["%(num)s Zeilen"]
    plural = Message(("Add it to %(name)s", "Add these %(num)s to %(name)s"), ("%(name)s", "%(num)s %(name)s", "%(num)s"))
    assert placeholder_problems(plural, 3) == ["%(num)s"]  # the count may go, the name may not
    plural.string = ("%(name)s", "%(nam)s %(num)s", "%(num)s %(name)s")
    assert placeholder_problems(plural, 3) == ["%(nam)s %(num)s"]


def test_catalogues_have_no_fuzzy_entries():
    # `make translations` compiles with --use-fuzzy, so a fuzzy guess would reach the screen.
    for lang in ("de", "en", "ar"):
        fuzzy = [message.id for message in load_catalog(lang) if message.id and message.fuzzy]
        assert fuzzy == [], f"{lang}: fuzzy entries {fuzzy}"


# --------------------------------------------------------------------------- pages


def fetch(client, path, lang=None):
    """GET in a given browser language, with no locale cached from an earlier request of the same test."""
    refresh()
    headers = {"Accept-Language": lang} if lang else {}
    return client.get(path, headers=headers).get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "expected", "absent"),
    [
        ("de-DE,de;q=0.9", "de", "ltr", ["Anmelden", "Passwort vergessen?", "Zum Inhalt springen"], ["Sign in"]),
        ("en-GB,en;q=0.9", "en", "ltr", ["Sign in", "Forgot your password?", "Skip to content"], ["Anmelden"]),
        ("ar,en;q=0.5", "ar", "rtl", ["تسجيل الدخول", "نسيت كلمة المرور؟", "انتقل إلى المحتوى"], ["Sign in", "Anmelden"]),
    ],
)
def test_login_page_in_the_browser_language(client, accept, lang, direction, expected, absent):
    html = fetch(client, "/login", accept)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    for text in expected:
        assert text in html
    for text in absent:
        assert text not in html


def test_unknown_browser_language_falls_back_to_german(client):
    html = fetch(client, "/login", "tr-TR,tr;q=0.9")
    assert '<html lang="de" dir="ltr">' in html and "Anmelden" in html


def test_plurals_follow_the_language(client, factory):
    for _ in range(3):
        factory.association(listed=True)
    assert "3 Vereine gefunden" in fetch(client, "/directory/", "de")
    assert "3 associations found" in fetch(client, "/directory/", "en")
    arabic = fetch(client, "/directory/", "ar")
    assert "تم العثور على 3 جمعيات" in arabic  # the "few" form (3-10)
    assert "الثقافة" in arabic  # field label of the factory's associations


def test_error_page_in_arabic_is_right_to_left(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "ar"})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in html and "الصفحة غير موجودة" in html


def test_language_switch_beats_the_browser_language(client):
    client.post("/language", data={"lang": "ar", "next": "/login"})
    html = fetch(client, "/login", "de")
    assert '<html lang="ar" dir="rtl">' in html


@pytest.mark.parametrize(
    ("lang", "subject", "greeting"),
    [("de", "Einladung zum Vereinsnetz", "Guten Tag Aylin,"), ("ar", "دعوة إلى Vereinsnetz", "مرحباً Aylin،")],
)
def test_invitation_mail_is_written_in_the_invitees_language(client, factory, auth, db, lang, subject, greeting):
    association = factory.association()
    auth.login_as(factory.coordinator(association.municipality))  # writes in German
    client.post(
        f"/associations/{association.id}/representatives",
        data={"name": "Aylin", "email": "aylin@example.org", "locale": lang},
    )
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.to_addr == "aylin@example.org")).one()
    assert mail.subject == subject
    assert greeting in mail.body_text


# --------------------------------------------------------------------------- dates and times


def test_times_are_shown_in_berlin_time_per_locale(client, factory, auth, db):
    town = factory.municipality()
    coordinator = factory.coordinator(town)
    db.session.add(
        AccessRequest(
            municipality=town, association_name="Chor Harmonie", field=Field.culture, contact_name="Eva",
            email="eva@example.org", privacy_version="test", created_at=datetime(2026, 7, 1, 10, 0),  # stored as UTC
        )
    )
    db.session.commit()
    auth.login_as(coordinator)

    german = fetch(client, "/associations/requests")
    assert "01.07.26, 12:00" in german  # CEST is UTC+2
    assert "10:00" not in german

    coordinator.locale = "en"
    db.session.commit()
    english = fetch(client, "/associations/requests")
    assert "7/1/26, 12:00\u202fPM" in english


def test_dates_cross_midnight_in_berlin_time(client, db):
    db.session.add(SitePage(slug="imprint", locale="de", body="Stadt Musterstadt", updated_at=datetime(2026, 7, 1, 23, 30)))
    db.session.commit()
    assert "02.07.2026" in fetch(client, "/legal/imprint", "de")
    assert "Jul 2, 2026" in fetch(client, "/legal/imprint", "en")
