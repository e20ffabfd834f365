"""Reading a list of associations from CSV or XLSX, with every bad row reported by line number.

Nothing is written while reading: the rows are validated into plain dicts that the preview shows
and `apply_rows` later writes, updating associations whose name is already known.
"""

import csv
import io
import itertools
import logging
import re
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import delete, select

from ..extensions import db
from ..labels import LANGUAGE_LABELS
from ..models import Association, Field, ImportBatch, Topic, utcnow
from ..text import fold, one_line
from . import services

MAX_ROWS = 5000
MAX_COLUMNS = 60
STALE_BATCH = timedelta(days=1)
log = logging.getLogger("vereinsnetz.import")

#: Accepted column names (German and English) for each profile field.
COLUMNS = {
    "name": {"name", "verein", "vereinsname", "association", "organisation", "organization"},
    "field": {"field", "bereich", "handlungsfeld", "taetigkeitsfeld", "tätigkeitsfeld", "feld"},
    "district": {"district", "stadtteil", "bezirk", "quartier", "neighbourhood"},
    "email": {"email", "e-mail", "mail", "kontakt-e-mail"},
    "phone": {"phone", "telefon", "tel"},
    "website": {"website", "webseite", "homepage", "internet"},
    "founded_year": {"founded", "gegruendet", "gegründet", "gruendungsjahr", "gründungsjahr", "founded_year"},
    "members_approx": {"members", "mitglieder", "members_approx"},
    "languages": {"languages", "sprachen"},
    "topics": {"topics", "themen"},
    "description": {"description", "beschreibung"},
    "is_migrant_org": {"migrant_org", "migrantenorganisation", "mo"},
}

FIELD_WORDS = {
    Field.leisure: {"leisure", "freizeit"},
    Field.culture: {"culture", "kultur"},
    Field.sport: {"sport"},
    Field.education: {"education", "bildung"},
    Field.religion: {"religion"},
    Field.social: {"social", "soziales", "sozial"},
    Field.other: {"other", "sonstiges", "andere"},
}

YES = {"ja", "yes", "j", "y", "1", "x", "true", "wahr"}
NO = {"nein", "no", "n", "0", "false", "falsch"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEBSITE = re.compile(r"^https?://[^\s/?#@]+\.[^\s/?#@]+([/?#]\S*)?$", re.IGNORECASE)


class ImportError_(ValueError):
    """The file as a whole cannot be read (not one bad row)."""


def display_name(filename):
    """The uploaded file's own name, safe to store and show (no path, no control characters)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return one_line(name, 200) or "upload"


def read_table(filename, content):
    """Rows of strings, header first. The content decides, not the name: an XLSX is a zip archive."""
    is_zip = content[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xlsx"):
        if not is_zip:
            raise ImportError_(_l("The file is not a valid XLSX file. Please save the list as XLSX or CSV."))
        return _read_xlsx(content)
    if is_zip or b"\x00" in content[:4096]:
        raise ImportError_(_l("The file is not a CSV text file. Please save the list as CSV (UTF-8) or XLSX."))
    return _read_csv(content)


def _read_xlsx(content):
    # openpyxl parses untrusted zip and XML here and may fail in many ways; any failure means
    # the upload is not a workbook we can read, which the person has to be told beside the field.
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = [
                ["" if v is None else str(v).strip() for v in row]
                for row in sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True)
            ]
        finally:
            book.close()
    except Exception:  # noqa: BLE001
        log.info("Unreadable XLSX upload", exc_info=True)
        raise ImportError_(_l("The file is not a valid XLSX file. Please save the list as XLSX or CSV.")) from None
    return rows


def _decode(content):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportError_(_l("The text encoding of the file is not recognised. Please save the list as CSV (UTF-8)."))


def _delimiter(text):
    """The separator the header row uses most (Excel writes ';' in German settings, ',' elsewhere)."""
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in ";,\t"}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(content):
    text = _decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return [[cell.strip() for cell in row[:MAX_COLUMNS]] for row in itertools.islice(reader, MAX_ROWS + 2)]
    except csv.Error:
        raise ImportError_(_l("The CSV file could not be read. Please check that it is a plain list with one association per row.")) from None


def _header_map(header):
    mapping = {}
    for index, title in enumerate(header):
        key = title.strip().lower().replace(" ", "_")
        for name, aliases in COLUMNS.items():
            if key in aliases or key.replace("_", "-") in aliases or key.replace("_", "") in aliases:
                mapping.setdefault(name, index)
    return mapping


def parse(filename, content, municipality_id):
    """Return (rows, errors): valid rows as dicts, errors as (line, message) pairs."""
    table = [row for row in read_table(filename, content)]
    if not table or not any(table[0]):
        raise ImportError_(_l("The file is empty."))
    mapping = _header_map(table[0])
    if "name" not in mapping:
        raise ImportError_(_l("The first row must name the columns; a column 'name' (or 'Verein') is required."))
    if len(table) - 1 > MAX_ROWS:
        raise ImportError_(_l("At most %(n)s rows can be imported at once.", n=MAX_ROWS))
    lookups = _Lookups(municipality_id)
    rows, errors, seen = [], [], {}
    for line, raw in enumerate(table[1:], start=2):
        if not any(cell for cell in raw):
            continue
        values = {name: (raw[i] if i < len(raw) else "") for name, i in mapping.items()}
        row, problems = _validate(values, lookups)
        key = min(fold(row.get("name", "")))
        if row.get("name") and key in seen:
            problems.append(str(_l("Same name as line %(line)s.", line=seen[key])))
        seen.setdefault(key, line)
        if problems:
            errors.append((line, one_line(values.get("name", ""), 200), problems))
            continue
        rows.append({"line": line, "data": row, "existing_id": lookups.known.get(services.name_key(row["name"]))})
    return rows, errors


class _Lookups:
    """Everything rows are checked against, read once per file rather than once per row."""

    def __init__(self, municipality_id):
        self.known = dict(
            db.session.execute(
                select(Association.name_key, Association.id).where(Association.municipality_id == municipality_id)
            ).all()
        )
        self.topics = {}
        for topic in db.session.scalars(select(Topic).where(Topic.is_active.is_(True))):
            for word in [topic.key, *topic.names.values(), *topic.synonyms]:
                for variant in fold(word):
                    self.topics.setdefault(variant, topic.id)
        self.languages = {code: code for code in LANGUAGE_LABELS}


def _split(value):
    return [part.strip() for part in re.split(r"[;,|]", value or "") if part.strip()]


def _control_characters(values):
    return [
        str(_l("%(column)s contains invisible control characters.", column=column))
        for column, text in values.items()
        if any(ord(c) < 32 and c not in "\n\r\t" for c in text)
    ]


def _validate(values, lookups):
    problems, row = _control_characters(values), {"name": one_line(values.get("name", ""), 200)}
    if problems:
        return row, problems  # nothing else is checked, so no raw cell is echoed into a message
    name = values.get("name", "")
    if not name:
        problems.append(str(_l("The name is missing.")))
    elif len(name) > 200:
        problems.append(str(_l("The name is longer than 200 characters.")))
    row["name"] = name[:200]
    field_word = values.get("field", "").strip().lower()
    # None: the list does not say, so a re-import keeps what the profile has.
    row["field"] = None
    if field_word:
        matches = [f for f, words in FIELD_WORDS.items() if field_word in words]
        if matches:
            row["field"] = matches[0].value
        else:
            problems.append(str(_l("Unknown field of activity '%(value)s'.", value=values["field"][:40])))
    for name_, limit in (("district", 120), ("phone", 40), ("website", 300), ("description", 4000)):
        text = values.get(name_, "")
        if len(text) > limit:
            problems.append(str(_l("%(column)s is longer than %(n)s characters.", column=name_, n=limit)))
        row[name_] = text[:limit]
    row["website"], problem = _website(row["website"])
    if problem:
        problems.append(problem)
    email = values.get("email", "")
    if email and not EMAIL.match(email):
        problems.append(str(_l("'%(value)s' is not a valid e-mail address.", value=email[:60])))
    row["email"] = email.lower()[:254]
    for name_, low, high in (("founded_year", 1800, date.today().year), ("members_approx", 0, 1_000_000)):
        row[name_], problem = _number(values.get(name_, ""), low, high)
        if problem:
            problems.append(problem)
    row["languages"], unknown = [], []
    for part in _split(values.get("languages")):
        (row["languages"] if part.lower() in lookups.languages else unknown).append(part.lower())
    if unknown:
        problems.append(str(_l("Unknown language code(s): %(codes)s (use ISO codes such as tr, ar, ru).", codes=", ".join(unknown)[:80])))
    row["topics"], unknown = [], []
    for part in _split(values.get("topics")):
        found = next((lookups.topics[v] for v in fold(part) if v in lookups.topics), None)
        (row["topics"].append(found) if found else unknown.append(part))
    if unknown:
        problems.append(str(_l("Unknown topic(s): %(topics)s.", topics=", ".join(unknown)[:80])))
    flag = values.get("is_migrant_org", "").strip().lower()
    row["is_migrant_org"] = True if flag in YES else False if flag in NO else None
    if flag and flag not in YES | NO:
        problems.append(str(_l("migrant_org must be yes or no.")))
    return row, problems


def _number(text, low, high):
    text = (text or "").strip()
    if not text:
        return None, None
    try:
        value = int(float(text.replace(",", ".")))
    except (ValueError, OverflowError):
        return None, str(_l("'%(value)s' is not a number.", value=text[:20]))
    if not low <= value <= high:
        return None, str(_l("%(value)s is outside %(low)s–%(high)s.", value=value, low=low, high=high))
    return value, None


def _website(text):
    """An http(s) address; a bare "www.example.org" gets https:// in front, other schemes are refused."""
    if not text:
        return "", None
    if not re.match(r"^[a-z][a-z0-9+.-]*:(?!\d)", text, re.IGNORECASE):
        text = "https://" + text
    if not WEBSITE.match(text):
        return "", str(_l("'%(value)s' is not a web address starting with http:// or https://.", value=text[:60]))
    return text, None


def forget_stale_batches(now=None):
    """Previews nobody confirmed within a day are dropped: they hold contact data for no purpose."""
    cutoff = (now or utcnow()) - STALE_BATCH
    db.session.execute(delete(ImportBatch).where(ImportBatch.created_at < cutoff))


def apply_rows(actor, municipality_id, rows):
    """Create or update; returns (created, updated). Matching by name keeps a re-import idempotent."""
    created = updated = 0
    for row in rows:
        data = dict(row["data"])
        data["field"] = Field(data["field"]) if data.get("field") else None
        existing = services.find_by_name(municipality_id, data["name"])
        if existing is None:
            services.create_association(actor, municipality_id, {**data, "field": data["field"] or Field.other})
            created += 1
        else:
            services.apply_profile(existing, {k: v for k, v in data.items() if v not in ("", None, [])})
            updated += 1
        db.session.flush()
    return created, updated
