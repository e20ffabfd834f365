"""Regression test from the security review: a freely typed wave label never breaks the export header."""


def test_export_filename_is_safe_for_any_wave_label(db, client, auth, open_survey, coordinator):
    open_survey.wave_label = 'Welle 2024–25 "Herbst"'
    db.session.commit()
    auth.login_as(coordinator)
    for extension in ("csv", "xlsx"):
        response = client.get(f"/surveys/{open_survey.id}/export.{extension}")
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
        disposition.encode("latin-1")  # a header the WSGI server can send
        assert disposition == f'attachment; filename="survey-{open_survey.id}-Welle_202425_Herbst.{extension}"'
