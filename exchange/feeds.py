"""Machine-readable output: the Atom feed of public offers and the coordinators' CSV/XLSX export."""

import csv
import io
from xml.etree import ElementTree as ET

from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import Workbook

from core.export import neutralise
from core.labels import LANGUAGE_LABELS

from .display import posting_when, posting_where
from .labels import CATEGORY_LABELS, KIND_LABELS, MODERATION_LABELS, STATE_LABELS, VISIBILITY_LABELS

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _rfc3339(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def atom_feed(postings, *, title, feed_url, board_url, entry_url):
    """An Atom 1.0 document; `entry_url(posting)` gives each entry's public page."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: str(get_locale())})
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_url
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": feed_url, "type": "application/atom+xml"})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": board_url, "type": "text/html"})
    updated = max((p.updated_at for p in postings), default=None)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _rfc3339(updated) if updated else "1970-01-01T00:00:00Z"
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = "Vereinsnetz"
    locale = str(get_locale())
    for posting in postings:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = entry_url(posting)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}title").text = posting.title
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": url, "type": "text/html"})
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _rfc3339(posting.created_at)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _rfc3339(posting.updated_at)
        ET.SubElement(ET.SubElement(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = posting.association.name
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": posting.category.value, "label": str(CATEGORY_LABELS[posting.category])})
        for topic in posting.topics:
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": topic.key, "label": topic.name(locale)})
        summary = f"{posting_where(posting)} · {posting_when(posting)}\n\n{posting.description}"
        ET.SubElement(entry, f"{{{ATOM}}}summary", {"type": "text"}).text = summary
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


# --------------------------------------------------------------------------- export

def export_header():
    return [
        _("ID"), _("Municipality"), _("Association"), _("Kind"), _("Category"), _("Title"), _("Description"),
        _("Topics"), _("Languages"), _("Where"), _("When"), _("Visibility"), _("State"), _("Moderation"),
        _("Created"), _("Ends"), _("Fulfilled with"), _("Partner confirmed"),
    ]


def export_row(posting, municipality_names):
    locale = str(get_locale())
    return [
        posting.id,
        municipality_names.get(posting.municipality_id, ""),
        posting.association.name,
        str(KIND_LABELS[posting.kind]),
        str(CATEGORY_LABELS[posting.category]),
        posting.title,
        posting.description,
        ", ".join(t.name(locale) for t in posting.topics),
        ", ".join(str(LANGUAGE_LABELS.get(code, code)) for code in posting.languages),
        posting_where(posting),
        posting_when(posting),
        str(VISIBILITY_LABELS[posting.visibility]),
        str(STATE_LABELS[posting.state]),
        str(MODERATION_LABELS[posting.moderation]),
        posting.created_at.strftime("%Y-%m-%d %H:%M"),
        posting.expires_at.strftime("%Y-%m-%d"),
        posting.partner.name if posting.partner else "",
        posting.partner_confirmed_at.strftime("%Y-%m-%d") if posting.partner_confirmed_at else "",
    ]


def to_csv(rows):
    """UTF-8 with a byte order mark and semicolons, as German spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows, sheet_title):
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for row in rows:
        sheet.append(row)
    for line in sheet.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                # openpyxl stores a string starting with "=" as a formula unless told it is text.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
