"""Impact report routes: the page (exact or shareable, printable) and its DOCX, CSV and XLSX exports."""

from flask import Response, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from core.access import coordinator_required, municipalities_in_scope
from core.audit import record_request
from core.extensions import db
from core.i18n import text_direction

from . import bp, report_export
from .report import build as build_figures
from .report_charts import bar_chart
from .report_form import ReportForm, defaults, presets, validate
from .report_view import ACTIVITY_LABELS, build_view

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Choice:
    """What the coordinator asked for: the validated form, the towns and the figures (None when invalid)."""

    def __init__(self, shared=None):
        self.municipalities = municipalities_in_scope(current_user)
        args = MultiDict(request.args)
        for key, value in defaults().items():
            args.setdefault(key, value)
        if shared is not None:
            args["variant"] = "shared" if shared else "internal"
        self.form = ReportForm(self.municipalities, formdata=args)
        self.valid = validate(self.form)
        self.municipality = next((m for m in self.municipalities if str(m.id) == self.form.municipality.data), None)
        self.ids = [self.municipality.id] if self.municipality else [m.id for m in self.municipalities]
        self.view = None
        if self.valid:
            figures = build_figures(self.ids, self.form.start.data, self.form.end.data)
            self.view = build_view(figures, shared=self.form.shared)

    def args(self, **changes):
        """The valid choice as query arguments (for preset links and downloads)."""
        values = {"municipality": self.form.municipality.data or "", "start": self.form.start.data.isoformat(),
                  "end": self.form.end.data.isoformat(), "variant": self.form.variant.data}
        return {**values, **changes}


def _page(choice, status=200):
    return render_template(
        "office/report.html", choice=choice, form=choice.form, view=choice.view, presets=presets(),
        activity_labels=ACTIVITY_LABELS, chart=lambda table: bar_chart(choice.view, table, rtl=text_direction(get_locale()) == "rtl"),
    ), status


@bp.route("/report")
@coordinator_required
def report():
    """The impact report for a period and a municipality (or all in scope), exact or shareable."""
    choice = Choice()
    return _page(choice, 200 if choice.valid else 422)


def _download(fmt, shared=None):
    choice = Choice(shared=shared)
    if not choice.valid:
        return _page(choice, 422)
    body = report_export.EXPORTERS[fmt](choice.view, title_of(choice))
    record_request("report.export", municipality_id=choice.municipality.id if choice.municipality else None,
                   format=fmt, variant="shared" if choice.view.shared else "internal",
                   start=choice.form.start.data.isoformat(), end=choice.form.end.data.isoformat(),
                   municipalities=len(choice.ids))
    db.session.commit()
    suffix = "-shareable" if choice.view.shared else ""
    filename = f"report-{choice.form.start.data.isoformat()}-{choice.form.end.data.isoformat()}{suffix}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Personal": "1"})


def title_of(choice):
    from flask_babel import format_date
    from flask_babel import gettext as _

    where = choice.municipality.name if choice.municipality else ", ".join(m.name for m in choice.municipalities)
    return report_export.Heading(
        title=_("Impact report of the coordination office"),
        where=where or "–",
        period=_("%(start)s to %(end)s", start=format_date(choice.form.start.data),
                 end=format_date(choice.form.end.data)),
    )


@bp.route("/report.docx")
@coordinator_required
def report_docx():
    """The shareable report as a Word document for the council paper (small numbers always hidden)."""
    return _download("docx", shared=True)


@bp.route("/report.csv")
@coordinator_required
def report_csv():
    """The figures as CSV (UTF-8 with BOM, semicolons), exact or shareable."""
    return _download("csv")


@bp.route("/report.xlsx")
@coordinator_required
def report_xlsx():
    """The figures as an Excel workbook, one sheet per section, exact or shareable."""
    return _download("xlsx")
