"""The audit log for administrators: filter, page through, export as CSV.

Only administrators see it. The log also records what coordinators did and refused requests with
client addresses; a coordinator reading it would watch colleagues and see addresses outside any
municipality's scope, so coordinators get 403 like for the rest of /admin.
"""

import csv
import io
from datetime import datetime, time, timedelta

from flask import Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_babel import to_utc
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import contains_eager
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from ..access import admin_required
from ..audit import AuditEvent, record_request
from ..export import neutralise
from ..extensions import db
from ..forms import text_field
from ..models import Municipality, User, utcnow
from ..text import like_pattern
from . import bp

PAGE_SIZE = 50
#: Cells starting with these would run as formulas in a spreadsheet.


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    action = text_field(_l("Action (beginning)"), 64, description=_l('e.g. "login" or "survey.export"'))
    actor = text_field(_l("Who (e-mail address or part of it)"), 254)
    municipality = SelectField(_l("Municipality"), choices=[SelectChoice(0, _l("All"))], coerce=int, default=0)
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must not be before the start date."))


def _filter_form():
    form = AuditFilterForm(request.args)
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name)).all()
    form.municipality.choices = [(0, _l("All"))] + [(m.id, m.name) for m in municipalities]
    form.validate()
    return form


def _utc(day):
    """Midnight of a local calendar day as naive UTC, how `created_at` is stored."""
    return to_utc(datetime.combine(day, time.min))


def events_query(form):
    """Newest first, narrowed by every filter that is valid (a wrong one is shown, not applied)."""
    stmt = select(AuditEvent).outerjoin(AuditEvent.actor).options(contains_eager(AuditEvent.actor))
    if form.action.data and not form.action.errors:
        pattern = like_pattern(form.action.data.lower())[1:]  # "…%": the beginning of the action name
        stmt = stmt.where(AuditEvent.action.like(pattern, escape="\\"))
    if form.actor.data and not form.actor.errors:
        stmt = stmt.where(User.email.like(like_pattern(User.normalize_email(form.actor.data)), escape="\\"))
    if form.municipality.data and not form.municipality.errors:
        stmt = stmt.where(AuditEvent.municipality_id == form.municipality.data)
    if form.since.data and not form.since.errors:
        stmt = stmt.where(AuditEvent.created_at >= _utc(form.since.data))
    if form.until.data and not form.until.errors:
        stmt = stmt.where(AuditEvent.created_at < _utc(form.until.data + timedelta(days=1)))
    return stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def _filter_args(form):
    """The valid filters as query arguments, for pagination and the export link."""
    values = {name: request.args.get(name, "") for name in ("action", "actor", "municipality", "since", "until")}
    return {name: value for name, value in values.items() if value and not form[name].errors}


@bp.route("/audit")
@admin_required
def audit():
    """Who did what and when, filterable by action, person, municipality and dates."""
    form = _filter_form()
    page = db.paginate(events_query(form), per_page=PAGE_SIZE, error_out=False)
    names = dict(db.session.execute(select(Municipality.id, Municipality.name)).all())
    return render_template("admin/audit.html", form=form, page=page, names=names, args=_filter_args(form))


@bp.route("/audit/export.csv")
@admin_required
def audit_export():
    """The filtered list as CSV (UTF-8 with BOM, semicolons); the export itself is audited."""
    form = _filter_form()
    events = db.session.scalars(events_query(form)).all()
    names = dict(db.session.execute(select(Municipality.id, Municipality.name)).all())
    # Which filters were used, not what was typed into them.
    record_request("audit.export", rows=len(events), filters=",".join(sorted(_filter_args(form))))
    db.session.commit()
    filename = f"audit-{utcnow():%Y-%m-%d}.csv"
    return Response(
        to_csv(events, names),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Personal": "1"},
    )


def to_csv(events, names):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        ["time_utc", "actor", "role", "action", "target_type", "target_id", "municipality", "details", "ip_address"]
    )
    for e in events:
        details = " ".join(f"{key}={value}" for key, value in sorted((e.details or {}).items()))
        row = [
            e.created_at.isoformat(timespec="seconds"),
            e.actor.email if e.actor else "",
            e.actor_role,
            e.action,
            e.target_type,
            e.target_id or "",
            names.get(e.municipality_id, ""),
            details,
            e.ip_address,
        ]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value):
    return neutralise(str(value))
