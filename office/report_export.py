"""The impact report as files: DOCX for the council paper (python-docx), CSV and XLSX of the figures.

All three read the same `ReportView`, so they show exactly what the page shows: exact figures for the
office, or with small numbers hidden ("< 3") when the view is the shareable one. The DOCX is always
made from the shareable view (it leaves the office by design).
"""

import csv
import io
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.export import neutralise


@dataclass
class Heading:
    title: str
    where: str
    period: str


def _note(view):
    return view.note


def _cell(view, value, column):
    """A value for a spreadsheet: numbers as numbers, a hidden one as "< 3", a share of nothing empty."""
    if value is None:
        return view.fmt(None)
    if isinstance(value, float):
        return round(value, 1)
    return value


def _table_rows(view, table):
    yield [table.title] + [c.label for c in table.columns]
    for row in [*table.rows, *([table.total] if table.total else [])]:
        yield [row.label] + [_cell(view, row.values.get(c.key), c) for c in table.columns]


# --------------------------------------------------------------------------- CSV and XLSX


def to_csv(view, heading):
    """One block per table (title and column names, then its rows), blank lines between."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([heading.title, heading.where, heading.period])
    writer.writerow([_note(view)])
    for section in view.sections:
        for table in section.tables:
            writer.writerow([])
            for line in _table_rows(view, table):
                writer.writerow([_csv_value(v) for v in line])
    return buffer.getvalue().encode("utf-8")


def _csv_value(value):
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return neutralise("" if value is None else str(value))


def to_xlsx(view, heading):
    """A sheet per section, each table as a block with a bold header row."""
    workbook = Workbook()
    first = workbook.active
    first.title = _("About")[:31]
    for line in ([heading.title], [heading.where], [heading.period], [_note(view)]):
        first.append([neutralise(v) for v in line])
    first["A1"].font = Font(bold=True, size=14)
    used = {first.title}
    for section in view.sections:
        sheet = workbook.create_sheet(_sheet_name(section.title, used))
        for table in section.tables:
            for index, line in enumerate(_table_rows(view, table)):
                sheet.append([neutralise(v) for v in line])
                if index == 0:
                    for cell in sheet[sheet.max_row]:
                        cell.font = Font(bold=True)
            sheet.append([])
        sheet.column_dimensions["A"].width = 48
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title, used):
    """Excel allows 31 characters and no []:*?/\\ in a sheet name, each name once."""
    name = "".join(" " if c in "[]:*?/\\" else c for c in title)[:31].strip() or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


# --------------------------------------------------------------------------- DOCX


def to_docx(view, heading):
    """Headings, a short text and the tables of every section: ready to paste into a council submission."""
    document = Document()
    document.core_properties.title = heading.title
    document.add_heading(heading.title, level=0)
    document.add_paragraph(f"{heading.where} · {heading.period}")
    note = document.add_paragraph(_note(view))
    note.runs[0].italic = True
    for section in view.sections:
        document.add_heading(section.title, level=1)
        for text in section.text:
            document.add_paragraph(text)
        for table in section.tables:
            _docx_table(document, view, table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(document, view, table):
    caption = document.add_paragraph()
    caption.add_run(table.title).bold = True
    rows = [*table.rows, *([table.total] if table.total else [])]
    grid = document.add_table(rows=1 + len(rows), cols=1 + len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    header = grid.rows[0].cells
    header[0].text = ""
    for index, column in enumerate(table.columns, start=1):
        header[index].text = column.label
    for cell in header:
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r, row in enumerate(rows, start=1):
        cells = grid.rows[r].cells
        cells[0].text = row.label
        for index, column in enumerate(table.columns, start=1):
            cells[index].text = view.fmt(row.values.get(column.key), column.kind)
            cells[index].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if row is table.total:
            for cell in cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    document.add_paragraph()


EXPORTERS = {"docx": to_docx, "csv": to_csv, "xlsx": to_xlsx}
