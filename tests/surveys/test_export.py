"""CSV and XLSX export: one row per response, a codebook, umlauts for Excel, no formula injection."""

import csv
import io

from openpyxl import load_workbook

from surveys.export import neutralise
from surveys.models import ResponseState

from .test_results import add_response


def test_neutralise_formula_starts_only():
    assert neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert neutralise("+49 7141") == "'+49 7141"
    assert neutralise("-x") == "'-x" and neutralise("@cmd") == "'@cmd" and neutralise("\tx") == "'\tx"
    assert neutralise("Räume") == "Räume" and neutralise(-5) == -5 and neutralise(None) is None
    assert neutralise("a\x00b") == "ab"


def _survey_with_answers(db, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations)
    associations[0].name = "=Übel Verein"
    db.session.commit()
    add_response(
        db,
        kit,
        survey,
        associations[0],
        {
            "taetigkeitsfelder": ["kultur", "sonstiges"],
            "raumbedarf": 1,
            "mitglieder": 12,
            "anmerkungen": "@SUM(1+1) Grüße",
            "wichtigkeit": {"raeume": 5},
            "angebote": ["rooms"],
            "eigene-raeume": "eigene",
        },
        share=True,
    )
    add_response(db, kit, survey, associations[1], {"raumbedarf": 0, "mitglieder": 7.5})
    add_response(db, kit, survey, associations[2], {"raumbedarf": 1}, state=ResponseState.draft)
    return survey


def test_csv_has_bom_semicolons_one_row_per_response_and_neutralised_cells(
    client, db, auth, kit, town, coordinator, associations
):
    survey = _survey_with_answers(db, kit, town, coordinator, associations)
    auth.login_as(coordinator)
    response = client.get(f"/surveys/{survey.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    header, *lines = rows
    assert len(lines) == 2, "drafts are left out"
    first = dict(zip(header, next(line for line in lines if "Übel" in line[0]), strict=True))
    assert first["association"] == "'=Übel Verein"
    assert first["anmerkungen"] == "'@SUM(1+1) Grüße"
    assert first["taetigkeitsfelder__kultur"] == "1" and first["taetigkeitsfelder__sport"] == "0"
    assert first["wichtigkeit__raeume"] == "5" and first["angebote__share"] == "1"
    assert first["eigene-raeume"] == "Eigene oder gemietete Räume"
    second = dict(zip(header, next(line for line in lines if "Übel" not in line[0]), strict=True))
    assert second["mitglieder"] == "7,5" and second["taetigkeitsfelder__kultur"] == ""
    with_drafts = client.get(f"/surveys/{survey.id}/export.csv?drafts=1").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(with_drafts), delimiter=";"))) == 4


def test_xlsx_opens_with_answers_and_codebook(client, db, auth, kit, town, coordinator, associations):
    survey = _survey_with_answers(db, kit, town, coordinator, associations)
    auth.login_as(coordinator)
    response = client.get(f"/surveys/{survey.id}/export.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    answers, codebook = book.worksheets
    header = [c.value for c in answers[1]]
    values = {
        row[0].value: dict(zip(header, [c.value for c in row], strict=True)) for row in answers.iter_rows(min_row=2)
    }
    first = values["'=Übel Verein"]
    assert first["mitglieder"] == 12 and first["anmerkungen"] == "'@SUM(1+1) Grüße"
    assert first["taetigkeitsfelder__sonstiges"] == 1
    assert all(cell.data_type != "f" for row in answers.iter_rows() for cell in row)
    columns = {row[0].value: [c.value for c in row] for row in codebook.iter_rows(min_row=2)}
    assert set(header) <= set(columns)
    assert columns["angebote__rooms"][6] in ("Offer", "Angebot") and columns["angebote__rooms"][7] == "rooms"
    assert columns["raumbedarf"][2] == "Braucht Ihr Verein (weitere) Räume?"
