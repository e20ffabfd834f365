"""Reading a list of associations from CSV or XLSX, with every bad row reported by line number.

Nothing is written while reading: the rows are validated into plain dicts that the preview shows
and `apply_rows` later writes, updating associations whose name is already known.
"""

import csv
import io
import re
import zipfile

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import select

from ..extensions import db
from ..labels import LANGUAGE_LABELS
from ..models import Field, Topic
from ..text import fold
from . import services

MAX_ROWS = 5000

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


class ImportError_(ValueError):
    """The file as a whole cannot be read (not one bad row)."""


def read_table(filename, content):
    """Rows of strings, header first. XLSX is recognised by content, not by the name alone."""
    is_zip = content[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xlsx"):
        if not is_zip:
            raise ImportError_(_l("The file is not a valid XLSX file."))
        return _read_xlsx(content)
    if is_zip or b"\x00" in content[:4096]:
        raise ImportError_(_l("The file is not a CSV text file."))
    return _read_csv(content)


def _read_xlsx(content):
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportError_(_l("The file is not a valid XLSX file.")) from None
    sheet = book.worksheets[0]
    rows = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def _read_csv(content):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


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
    lookups = _Lookups()
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
            errors.append((line, values.get("name", ""), problems))
            continue
        existing = services.find_by_name(municipality_id, row["name"])
        rows.append({"line": line, "data": row, "existing_id": existing.id if existing else None})
    return rows, errors


class _Lookups:
    def __init__(self):
        self.topics = {}
        for topic in db.session.scalars(select(Topic).where(Topic.is_active.is_(True))):
            for word in [topic.key, *topic.names.values(), *topic.synonyms]:
                for variant in fold(word):
                    self.topics.setdefault(variant, topic.id)
        self.languages = {code: code for code in LANGUAGE_LABELS}


def _split(value):
    return [part.strip() for part in re.split(r"[;,|]", value or "") if part.strip()]


def _validate(values, lookups):
    problems, row = [], {}
    name = values.get("name", "")
    if not name:
        problems.append(str(_l("The name is missing.")))
    elif len(name) > 200:
        problems.append(str(_l("The name is longer than 200 characters.")))
    row["name"] = name[:200]
    field_word = values.get("field", "").strip().lower()
    row["field"] = Field.other.value
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
    email = values.get("email", "")
    if email and not EMAIL.match(email):
        problems.append(str(_l("'%(value)s' is not a valid e-mail address.", value=email[:60])))
    row["email"] = email.lower()[:254]
    for name_, low, high in (("founded_year", 1800, 2100), ("members_approx", 0, 1_000_000)):
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
    except ValueError:
        return None, str(_l("'%(value)s' is not a number.", value=text[:20]))
    if not low <= value <= high:
        return None, str(_l("%(value)s is outside %(low)s–%(high)s.", value=value, low=low, high=high))
    return value, None


def apply_rows(actor, municipality_id, rows):
    """Create or update; returns (created, updated). Matching by name keeps a re-import idempotent."""
    created = updated = 0
    for row in rows:
        data = dict(row["data"], field=Field(row["data"]["field"]))
        existing = services.find_by_name(municipality_id, data["name"])
        if existing is None:
            services.create_association(actor, municipality_id, data)
            created += 1
        else:
            services.apply_profile(existing, {k: v for k, v in data.items() if v not in ("", None, [])})
            updated += 1
        db.session.flush()
    return created, updated
