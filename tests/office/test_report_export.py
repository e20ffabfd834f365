"""The report's files opened back (python-docx, openpyxl, csv) and the small-number rules."""

import csv
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from office.report_view import Column, Row, Table, shareable
from tests.office import report_dataset

PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}


@pytest.fixture
def data(db, factory):
    return report_dataset.build(db, factory)


def download(client, auth, data, url, **args):
    auth.login_as(data.coordinator_x)
    response = client.get(url, query_string={"municipality": data.town_x.id, **PERIOD, **args})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.data


def docx_tables(document):
    """{caption (the bold paragraph before each table): [[cell texts], …]}."""
    found, caption = {}, None
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            caption = text or caption
        elif tag == "tbl":
            table = next(t for t in document.tables if t._tbl is child)
            found[caption] = [[cell.text for cell in row.cells] for row in table.rows]
    return found


# --------------------------------------------------------------------------- DOCX


def test_docx_has_headings_texts_and_shareable_tables(client, auth, data):
    document = Document(io.BytesIO(download(client, auth, data, "/office/report.docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings == [
        "Impact report of the coordination office",
        "Associations identified and active",
        "Survey participation",
        "Most frequent needs and offers",
        "Exchange board: postings and completed exchanges",
        "Sub-networks",
        "Fireside chats",
        "Advice: consultations by topic and time spent",
        "Follow-ups done and open",
        "Development per quarter",
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert "Stadt X · Jan 1, 2025 to Dec 31, 2025" in paragraphs
    assert any(p.startswith("Numbers from 1 to 2 are shown as “< 3”, so that") and "(“x”)" in p for p in paragraphs)
    # The section texts use the hidden figures too.
    # No topic is named when its number is hidden.
    assert "Consultations: 3 with < 3 associations, 3.0 hours in total." in paragraphs
    assert ("Associations known to the coordination office at the end of the period: 5, of which newly identified "
            "in the period: < 3. Active in the period: 4.") in paragraphs
    assert "“Bedarfserhebung (en) 2025”: < 3 of 4 invited associations took part." in paragraphs
    tables = docx_tables(document)
    assert tables["Consultations by topic"] == [
        ["", "Consultations", "Hours"],
        ["Funding application", "< 3", "x"],
        ["Founding an association", "< 3", "x"],
        ["Event planning", "< 3", "x"],
        ["Premises", "0", "0.0"],
        ["Volunteers", "0", "0.0"],
        ["Language courses", "0", "0.0"],
        ["Other", "0", "0.0"],
        ["All topics", "3", "3.0"],
    ]
    assert tables["Associations by field of activity"][0] == ["", "Identified", "Newly identified", "Active"]
    assert tables["Associations by field of activity"][-1] == ["All fields", "5", "< 3", "4"]
    assert document.core_properties.title == "Impact report of the coordination office"


def test_docx_total_rows_are_bold(client, auth, data):
    document = Document(io.BytesIO(download(client, auth, data, "/office/report.docx")))
    table = document.tables[0]
    last = table.rows[-1].cells[0].paragraphs[0].runs[0]
    assert table.rows[-1].cells[0].text == "All fields" and last.bold


# --------------------------------------------------------------------------- XLSX and CSV


def sheet_rows(workbook, title_start):
    sheet = next(ws for ws in workbook.worksheets if ws.title.startswith(title_start))
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_has_exact_numbers_as_numbers(client, auth, data):
    workbook = load_workbook(io.BytesIO(download(client, auth, data, "/office/report.xlsx")))
    assert workbook.sheetnames[0] == "About"
    about = sheet_rows(workbook, "About")
    assert about[:3] == [["Impact report of the coordination office"], ["Stadt X"],
                         ["Jan 1, 2025 to Dec 31, 2025"]]
    assert about[3][0].startswith("Exact figures for the coordination office.")
    advice = sheet_rows(workbook, "Advice")
    assert ["Funding application", 2, 1.8] in advice
    assert ["All topics", 3, 3] in advice
    assert ["In person", 1] in [r[:2] for r in advice]
    quarters = sheet_rows(workbook, "Development")
    assert quarters[0] == ["Development per quarter", "Active associations", "Survey responses", "Postings",
                           "Exchanges completed", "Fireside chats", "Consultations", "Hours of advice"]
    assert quarters[2] == ["Q2 2025", 2, 2, 1, 0, 0, 1, 1.5]
    assert quarters[5] == ["Whole period", 4, 2, 2, 1, 1, 3, 3]
    assert len(workbook.sheetnames) == 10


def test_xlsx_shareable_hides_small_numbers(client, auth, data):
    workbook = load_workbook(io.BytesIO(download(client, auth, data, "/office/report.xlsx", variant="shared")))
    advice = sheet_rows(workbook, "Advice")
    assert ["Funding application", "< 3", "x"] in advice
    assert ["Premises", 0, 0] in advice
    assert sheet_rows(workbook, "About")[3][0].startswith("Numbers from 1 to 2 are shown as “< 3”, so that")


def csv_rows(body):
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_exact_and_shareable(client, auth, data):
    exact = csv_rows(download(client, auth, data, "/office/report.csv"))
    assert exact[0] == ["Impact report of the coordination office", "Stadt X", "Jan 1, 2025 to Dec 31, 2025"]
    assert ["Consultations by topic", "Consultations", "Hours"] in exact
    assert ["Funding application", "2", "1,8"] in exact
    assert ["Culture", "2", "0", "100"] not in exact  # the survey table is its own block
    assert ["Bedarfserhebung (en) 2025", "4", "2", "50"] in exact
    shared = csv_rows(download(client, auth, data, "/office/report.csv", variant="shared"))
    assert ["Funding application", "< 3", "x"] in shared
    assert ["All topics", "3", "3,0"] in shared
    assert ["Bedarfserhebung (en) 2025", "4", "< 3", "x"] in shared


def test_text_cells_never_start_a_formula(client, auth, db, data):
    data.survey.title = {"de": "=HYPERLINK(\"http://x\")", "en": "=HYPERLINK(\"http://x\")"}
    db.session.commit()
    exact = csv_rows(download(client, auth, data, "/office/report.csv"))
    assert any(row and row[0].startswith("'=HYPERLINK") for row in exact)
    workbook = load_workbook(io.BytesIO(download(client, auth, data, "/office/report.xlsx")))
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)


# --------------------------------------------------------------------------- small-number rules


def table(counts, total=True, extra=None):
    rows = [Row(f"row {i}", {"n": n, **(extra[i] if extra else {})}, f"r{i}") for i, n in enumerate(counts)]
    columns = [Column("n", "N")]
    if extra:
        columns += [Column("share", "Share", "percent", ("n", "of")), Column("of", "Of"),
                    Column("hours", "Hours", "hours", ("n",))]
    return Table("t", "T", columns, rows, Row("total", {"n": sum(counts)}, "total") if total else None)


def values(t, key="n"):
    return [r.values[key] for r in t.rows] + ([t.total.values[key]] if t.total else [])


def test_counts_below_the_threshold_are_hidden_zeros_stay(app):
    [t] = shareable([table([0, 1, 2, 3, 10])], 3)
    assert values(t) == [0, None, None, 3, 10, 16]


def test_one_hidden_cell_and_a_total_hide_the_next_smallest(app):
    [t] = shareable([table([1, 5, 7])], 3)
    assert values(t) == [None, "x", 7, 13]
    [without_total] = shareable([table([1, 5, 7], total=False)], 3)
    assert values(without_total) == [None, 5, 7]


def test_hidden_counts_adding_up_to_less_than_the_threshold_hide_one_more(app):
    [t] = shareable([table([1, 1, 4, 9])], 3)
    assert values(t) == [None, None, "x", 9, 15]
    [t] = shareable([table([1, 2, 4, 9])], 3)
    assert values(t) == [None, None, 4, 9, 16]


def test_hidden_counts_that_can_only_be_all_the_largest_small_value_hide_one_more(app):
    [t] = shareable([table([2, 2, 4])], 3)  # 2 + 2 = 8 - 4: both must be 2
    assert values(t) == [None, None, "x", 8]


def test_a_withheld_count_that_still_gives_the_small_one_away_is_followed_by_another(app):
    [t] = shareable([table([1, 3, 4, 9])], 3)  # hiding 1 and 3 (sum 4) leaves only 1 + 3
    assert values(t) == [None, "x", "x", 9, 17]
    [t] = shareable([table([1, 3, 3, 9])], 3)  # 1 + 3 + 3 = 7 still leaves only 1 + 3 + 3
    assert values(t) == [None, "x", "x", "x", 16]


def test_when_nothing_is_left_to_hide_the_total_is_withheld(app):
    [t] = shareable([table([1, 3])], 3)
    assert values(t) == [None, "x", "x"]


def test_a_small_total_is_hidden_too(app):
    [t] = shareable([table([1, 1, 0])], 3)
    assert values(t) == [None, None, 0, None]


def test_shares_and_hours_follow_their_counts(app):
    extra = [{"share": 50, "of": 4, "hours": 1.5}, {"share": 80, "of": 10, "hours": 6.0}, {"share": "", "of": 0, "hours": 0}]
    [t] = shareable([table([2, 8, 0], total=False, extra=extra)], 3)
    assert values(t, "share")[:3] == ["x", 80, ""]
    assert values(t, "hours")[:3] == ["x", 6.0, 0]
    assert values(t, "of")[:3] == [4, 10, 0]


def test_the_threshold_comes_from_the_config(app, data):
    from flask_babel import force_locale

    from office import report
    from office.report_view import build_view

    app.config["REPORT_MIN_CELL"] = 5
    with force_locale("en"):
        view = build_view(report.build([data.town_x.id], report_dataset.START, report_dataset.END), shared=True)
    total = view.section("associations").table("associations_by_field").total.values
    assert total == {"identified": 5, "new": None, "active": None}
    assert view.fmt(None) == "< 5"
