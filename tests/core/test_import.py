"""Importing a list of associations: CSV and XLSX, preview with every bad row, confirm, re-import."""

import io
import re
import zipfile
from datetime import date
from html import unescape

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from core.models import Association, Field, ImportBatch
from tests.conftest import PASSWORD

HEADER = ["Verein", "Bereich", "Stadtteil", "E-Mail", "Sprachen", "Themen", "Gegründet", "Webseite"]
GOOD_ROWS = [
    [
        "Türkischer Elternverein",
        "Bildung",
        "Weststadt",
        "info@elternverein.example",
        "tr, de",
        "Räume; hsu-tr",
        "1989",
        "www.elternverein.example",
    ],
    ["Griechische Gemeinde", "Kultur", "Oststadt", "", "el", "Griechischunterricht", "", "https://gemeinde.example/"],
    ["Förderverein Süd", "", "Süd", "", "", "", "", ""],
]
BAD_ROWS = [
    ["", "Kultur", "Nord", "", "", "", "", ""],  # line 5: no name
    ["Verein mit Post", "Kultur", "", "keine-adresse", "", "", "", ""],  # line 6: bad e-mail
    ["Kochclub", "Kochen", "", "", "", "", "", ""],  # line 7: unknown field of activity
    ["Themenverein", "Sport", "", "", "", "Raketenbau", "", ""],  # line 8: unknown topic
    ["Zeitreisende", "Sport", "", "", "", "", "2999", ""],  # line 9: year in the future
    ["türkischer elternverein", "Bildung", "", "", "", "", "", ""],  # line 10: same name as line 2
    ["Skriptverein", "Kultur", "", "", "", "", "", "javascript:alert(1)"],  # line 11: not a web address
]
BAD_LINES = {
    5: "The name is missing.",
    6: "is not a valid e-mail address",
    7: "Unknown field of activity",
    8: "Unknown topic(s): Raketenbau",
    9: "is outside 1800",
    10: "Same name as line 2.",
    11: "is not a web address",
}


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def town(factory):
    return factory.municipality("Stadt X")


@pytest.fixture
def coordinator(client, factory, town):
    user = factory.coordinator(town, email="k@example.org", locale="en")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return user


def csv_bytes(rows, delimiter=";", encoding="utf-8-sig"):
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([int(c) if c.isdigit() else (c or None) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, town, content, filename):
    return client.post(
        "/associations/import",
        data={"municipality_id": town.id, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def preview(client, town, content, filename):
    response = upload(client, town, content, filename)
    assert response.status_code == 302, file_error(response.get_data(as_text=True))
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def file_error(html):
    match = re.search(r'<p class="error" id="file-error">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else None


def associations(db):
    return {a.name: a for a in db.session.scalars(select(Association))}


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def error_lines(html):
    return {int(n): unescape(text) for n, text in re.findall(r"<li>Line (\d+)(.*?)</li>", html, re.S)}


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    "filename, content",
    [
        ("liste.csv", csv_bytes([HEADER, *GOOD_ROWS], ";", "utf-8-sig")),
        ("liste.csv", csv_bytes([HEADER, *GOOD_ROWS], ",", "utf-8")),
        ("liste.csv", csv_bytes([HEADER, *GOOD_ROWS], "\t", "utf-8")),
        ("liste.csv", csv_bytes([HEADER, *GOOD_ROWS], ";", "cp1252")),
        ("LISTE.XLSX", xlsx_bytes([HEADER, *GOOD_ROWS])),
    ],
    ids=["utf8-bom-semicolon", "utf8-comma", "tab", "cp1252-umlauts", "xlsx"],
)
def test_every_format_imports_the_same_associations(client, db, town, coordinator, filename, content):
    url, html = preview(client, town, content, filename)
    assert "3 rows can be imported" in html and "Türkischer Elternverein" in html and "Förderverein Süd" in html
    assert count(db, Association) == 0, "nothing is written before the confirmation"
    response = client.post(url)
    assert response.status_code == 302 and response.headers["Location"] == "/associations/"
    found = associations(db)
    assert set(found) == {"Türkischer Elternverein", "Griechische Gemeinde", "Förderverein Süd"}
    parents = found["Türkischer Elternverein"]
    assert parents.field is Field.education and parents.district == "Weststadt" and parents.founded_year == 1989
    assert parents.languages == ["de", "tr"] and {t.key for t in parents.topics} == {"rooms", "hsu-tr"}
    assert parents.email == "info@elternverein.example" and parents.website == "https://www.elternverein.example"
    assert {t.key for t in found["Griechische Gemeinde"].topics} == {"hsu-el"}
    assert found["Förderverein Süd"].field is Field.other
    assert all(a.municipality_id == town.id and not a.is_listed for a in found.values())
    assert count(db, ImportBatch) == 0


def test_preview_reports_every_bad_row_by_line_and_writes_nothing(client, db, town, coordinator):
    url, html = preview(client, town, csv_bytes([HEADER, *GOOD_ROWS, *BAD_ROWS]), "liste.csv")
    assert "3 rows can be imported" in html and "7 rows have errors" in html
    lines = error_lines(html)
    assert set(lines) == set(BAD_LINES)
    for line, message in BAD_LINES.items():
        assert message in lines[line], (line, lines[line])
    assert count(db, Association) == 0
    client.post(url)
    assert set(associations(db)) == {"Türkischer Elternverein", "Griechische Gemeinde", "Förderverein Süd"}


def test_bad_rows_in_xlsx_are_reported_too(client, db, town, coordinator):
    _, html = preview(client, town, xlsx_bytes([HEADER, *GOOD_ROWS, *BAD_ROWS]), "liste.xlsx")
    assert set(error_lines(html)) == set(BAD_LINES)


def test_reimport_updates_instead_of_duplicating(client, db, factory, town, coordinator):
    content = csv_bytes([HEADER, *GOOD_ROWS])
    client.post(preview(client, town, content, "liste.csv")[0])
    assert count(db, Association) == 3
    parents = associations(db)["Türkischer Elternverein"]
    parents_id = parents.id
    parents.field = Field.culture  # changed by hand since: a list without the field must not undo it
    parents.description = "Seit 1989 in der Weststadt."
    db.session.commit()

    changed = [
        ["Verein", "Stadtteil", "Gegründet"],
        ["TÜRKISCHER ELTERNVEREIN", "Innenstadt", "1990"],
        ["Griechische Gemeinde", "Oststadt", ""],
        ["Neuer Verein", "Nord", ""],
    ]
    url, html = preview(client, town, csv_bytes(changed), "liste-2.csv")
    assert html.count(">update<") == 2 and html.count(">new<") == 1
    response = client.post(url, follow_redirects=True)
    assert "1 added, 2 updated" in response.get_data(as_text=True)
    assert count(db, Association) == 4
    db.session.expire_all()
    parents = db.session.get(Association, parents_id)
    assert parents.name == "TÜRKISCHER ELTERNVEREIN", "the list is the source for the spelling too"
    assert (parents.district, parents.founded_year, parents.field) == ("Innenstadt", 1990, Field.culture)
    assert parents.description == "Seit 1989 in der Weststadt."
    assert {t.key for t in parents.topics} == {"rooms", "hsu-tr"}

    client.post(preview(client, town, content, "liste.csv")[0])
    assert count(db, Association) == 4


def test_same_names_in_another_town_are_separate(client, db, factory, town):
    other = factory.municipality("Stadt Y")
    factory.association(other, name="Türkischer Elternverein")
    coordinator = factory.coordinator(town, other, email="kreis@example.org", locale="en")
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    url, html = preview(client, town, csv_bytes([HEADER, *GOOD_ROWS]), "liste.csv")
    assert html.count(">new<") == 3
    client.post(url)
    assert count(db, Association) == 4


# --------------------------------------------------------------------------- files that are not lists


def _png():
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def _zip_without_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "filename, content, message",
    [
        ("liste.csv", _png(), "not a CSV text file"),
        ("liste.csv", xlsx_bytes([HEADER, *GOOD_ROWS]), "not a CSV text file"),
        ("liste.xlsx", csv_bytes([HEADER, *GOOD_ROWS]), "not a valid XLSX file"),
        ("liste.xlsx", _zip_without_workbook(), "not a valid XLSX file"),
        ("liste.xlsx", b"PK\x03\x04" + b"\xff" * 200, "not a valid XLSX file"),
        ("liste.csv", bytes(range(0x80, 0x100)) * 4, "text encoding"),
        ("liste.csv", b"", "The file is empty."),
        ("liste.csv", b"\r\n\r\n", "The file is empty."),
        (
            "liste.csv",
            csv_bytes([["Adresse", "Telefon"], ["Hauptstr. 1", "123"]]),
            "a column 'name' (or 'Verein') is required",
        ),
        ("liste.xlsx", xlsx_bytes([["Adresse"], ["Hauptstr. 1"]]), "a column 'name' (or 'Verein') is required"),
        ("liste.txt", csv_bytes([HEADER, *GOOD_ROWS]), "Please choose a CSV or XLSX file."),
        ("liste.csv", b'name\n"' + b"x" * 200_000 + b'"\n', "could not be read"),
    ],
    ids=[
        "png-as-csv",
        "xlsx-as-csv",
        "text-as-xlsx",
        "zip-as-xlsx",
        "broken-zip",
        "binary",
        "empty",
        "blank-lines",
        "no-name-column",
        "xlsx-no-name-column",
        "wrong-extension",
        "huge-cell",
    ],
)
def test_files_that_are_not_a_list_get_a_message_beside_the_field(
    client, db, town, coordinator, filename, content, message
):
    response = upload(client, town, content, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in (file_error(html) or ""), file_error(html)
    assert 'id="error-summary"' in html
    assert count(db, ImportBatch) == 0 and count(db, Association) == 0


def test_missing_file_is_reported(client, db, town, coordinator):
    response = client.post(
        "/associations/import", data={"municipality_id": town.id}, content_type="multipart/form-data"
    )
    assert file_error(response.get_data(as_text=True)) == "Please choose a file."


def test_too_many_rows_are_refused(client, db, town, coordinator):
    rows = [["name"]] + [[f"Verein {n}"] for n in range(5001)]
    response = upload(client, town, csv_bytes(rows), "liste.csv")
    assert "At most 5000 rows" in file_error(response.get_data(as_text=True))


def test_numbers_and_flags_are_checked(client, db, town, coordinator):
    rows = [
        ["name", "founded", "members", "migrant_org", "languages"],
        ["Eins", "1e400", "viele", "vielleicht", "tr"],
        ["Zwei", str(date.today().year), "12,0", "ja", "xx, tr"],
        ["Drei", "1990.0", "-3", "nein", ""],
    ]
    _, html = preview(client, town, csv_bytes(rows, ","), "liste.csv")
    lines = error_lines(html)
    assert "'1e400' is not a number" in lines[2] and "'viele' is not a number" in lines[2] and "yes or no" in lines[2]
    assert "Unknown language code(s): xx" in lines[3]
    assert "-3 is outside 0–1000000" in lines[4]


def test_control_characters_in_cells_are_refused(client, db, town, coordinator):
    rows = [["name", "email"], ["Escape\x1bVerein", "a@b.example"], ["Gut", "x\x01@b.example"]]
    _, html = preview(client, town, csv_bytes(rows, ","), "liste.csv")
    lines = error_lines(html)
    assert set(lines) == {2, 3} and all("control characters" in text for text in lines.values())


# --------------------------------------------------------------------------- batches


def test_a_batch_is_only_for_the_coordinator_who_uploaded_it(app, client, db, factory, town, coordinator):
    url, _ = preview(client, town, csv_bytes([HEADER, *GOOD_ROWS]), "liste.csv")
    colleague = factory.coordinator(town, email="kollegin@example.org")
    other = app.test_client()
    other.post("/login", data={"email": colleague.email, "password": PASSWORD})
    assert other.get(url).status_code == 404
    assert other.post(url).status_code == 404
    assert count(db, Association) == 0


def test_a_batch_is_confirmed_only_once(client, db, town, coordinator):
    url, _ = preview(client, town, csv_bytes([HEADER, *GOOD_ROWS]), "liste.csv")
    client.post(url)
    assert client.post(url).status_code == 404
    assert count(db, Association) == 3


def test_a_batch_for_a_town_no_longer_in_scope_is_404(client, db, factory, town, coordinator):
    url, _ = preview(client, town, csv_bytes([HEADER, *GOOD_ROWS]), "liste.csv")
    coordinator.municipalities = [factory.municipality("Stadt Y")]
    db.session.commit()
    assert client.post(url).status_code == 404
    assert count(db, Association) == 0


def test_importing_into_a_town_outside_scope_is_refused(client, db, factory, town, coordinator):
    other = factory.municipality("Stadt Y")
    response = client.post(
        "/associations/import",
        data={"municipality_id": other.id, "file": (io.BytesIO(csv_bytes([HEADER, *GOOD_ROWS])), "liste.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert count(db, ImportBatch) == 0


def test_an_association_created_meanwhile_is_updated_not_duplicated(client, db, factory, town, coordinator):
    url, _ = preview(client, town, csv_bytes([HEADER, *GOOD_ROWS]), "liste.csv")
    factory.association(town, name="Griechische Gemeinde")
    client.post(url)
    assert count(db, Association) == 3


@pytest.mark.parametrize(
    "data",
    [
        {"municipality_id": "abc"},
        {"municipality_id": "99999999999999999999"},
        {"municipality_id": "\x00"},
        {"file": "just a string, not a file"},
        {"file": (io.BytesIO(b"name\nVerein\n"), "")},
        {"file": (io.BytesIO(b"name\nVerein\n"), "../../etc/passwd\x00.csv")},
        {"file": (io.BytesIO(b"name\nVerein\n"), "x" * 5000 + ".csv")},
        {"file": [(io.BytesIO(b"name\nA\n"), "a.csv"), (io.BytesIO(b"name\nB\n"), "b.csv")]},
    ],
)
def test_garbage_uploads_never_fail(client, db, town, coordinator, data):
    payload = {"municipality_id": town.id, "file": (io.BytesIO(b"name\nVerein\n"), "liste.csv"), **data}
    response = client.post("/associations/import", data=payload, content_type="multipart/form-data")
    assert response.status_code in (200, 302)
    assert count(db, Association) == 0
    if response.status_code == 302:
        batch = db.session.scalars(select(ImportBatch)).one()
        assert len(batch.filename) <= 200 and "/" not in batch.filename and "\x00" not in batch.filename
        assert client.get(response.headers["Location"]).status_code == 200


def test_a_nul_byte_deep_in_the_file_is_reported_not_stored(client, db, town, coordinator):
    rows = [["name", "email"]] + [[f"Verein {n}", ""] for n in range(1000)] + [["Null", "a\x00@b.example"]]
    _, html = preview(client, town, csv_bytes(rows, ","), "liste.csv")
    assert "control characters" in error_lines(html)[1002]


def test_unconfirmed_previews_are_dropped_after_a_day(client, db, town, coordinator):
    from datetime import timedelta

    from core.models import utcnow

    preview(client, town, csv_bytes([HEADER, *GOOD_ROWS]), "gestern.csv")
    db.session.scalars(select(ImportBatch)).one().created_at = utcnow() - timedelta(days=1, minutes=1)
    db.session.commit()
    preview(client, town, csv_bytes([HEADER, *GOOD_ROWS]), "heute-frueh.csv")
    url, _ = preview(client, town, csv_bytes([HEADER, *GOOD_ROWS]), "heute.csv")
    db.session.expire_all()
    assert sorted(b.filename for b in db.session.scalars(select(ImportBatch))) == ["heute-frueh.csv", "heute.csv"]
    assert client.get(url).status_code == 200
