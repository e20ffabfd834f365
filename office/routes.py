"""Office desk routes: dashboard, representative start page, advice log, handover."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.access import admin_required, coordinator_required, ensure_can_manage, municipalities_in_scope
from core.associations.queries import number_arg, page_number
from core.cache import cached_page
from core.extensions import db
from core.forms import EmptyForm
from core.models import Association, Municipality, User, utcnow
from surveys.models import local_today

from . import bp, dashboard, forms, handover, queries, services

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PER_PAGE = 25


def _download(body, mimetype, filename):
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --------------------------------------------------------------------------- start pages


@bp.route("/", endpoint="dashboard")
@coordinator_required
@cached_page
def desk():
    """The coordinator's desk: what needs attention now."""
    desk = dashboard.coordinator_desk(current_user, local_today())
    return render_template("office/dashboard.html", desk=desk, **dashboard.LINKS)


@bp.route("/start")
@login_required
def home():
    """The representative's start page; staff go to their desk."""
    if not current_user.is_representative:
        return redirect(url_for("office.dashboard"))
    desk = dashboard.representative_desk(current_user, local_today())
    return render_template("office/home.html", desk=desk, association=current_user.association, **dashboard.LINKS)


# --------------------------------------------------------------------------- the advice log


def _filter_form():
    return forms.FilterForm(
        municipalities_in_scope(current_user), queries.associations_in_scope(current_user), formdata=request.args
    )


@bp.route("/consultations")
@coordinator_required
def consultations():
    """The advice log: search, filter, page through, export."""
    form = _filter_form()
    filters = form.filters()
    stmt = queries.consultations(current_user, filters)
    page = db.paginate(stmt, page=page_number(request.args), per_page=PER_PAGE, error_out=False)
    count, minutes = queries.totals(stmt)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("office/consultations.html", form=form, page=page, count=count, minutes=minutes, args=args)


@bp.route("/consultations/export.<fmt>")
@coordinator_required
def export_consultations(fmt):
    """The filtered advice log as CSV or XLSX, with the office's internal notes (the office's own file)."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    filters = _filter_form().filters()
    rows = db.session.scalars(queries.consultations(current_user, filters)).unique().all()
    header, table = handover.consultation_table(rows, with_notes=True)
    services.record_export(current_user, "consultation", len(table), filters.get("municipality_id"), fmt)
    db.session.commit()
    body = handover.to_csv(header, table) if fmt == "csv" else handover.to_xlsx(header, table, _("Consultations"))
    return _download(body, EXPORT_TYPES[fmt], f"consultations-{utcnow():%Y-%m-%d}.{fmt}")


def _consultation_form(association=None):
    form = forms.ConsultationForm(queries.associations_in_scope(current_user))
    if request.method == "GET" and association is not None:
        form.association_id.data = association.id
    return form


@bp.route("/consultations/new", methods=["GET", "POST"])
@coordinator_required
def new_consultation():
    """Log a consultation with an association."""
    preset = number_arg(request.args.get("association_id", ""))
    association = db.session.get(Association, preset) if preset else None
    if association is not None:
        ensure_can_manage(current_user, association)
    form = _consultation_form(association=association)
    if form.validate_on_submit():
        chosen = ensure_can_manage(current_user, db.get_or_404(Association, form.association_id.data))
        consultation = services.create_consultation(current_user, chosen, form.values())
        db.session.commit()
        flash(_("The consultation with %(name)s is logged.", name=chosen.name), "success")
        return redirect(url_for("office.consultation", consultation_id=consultation.id))
    status = 422 if form.errors else 200
    return render_template("office/consultation_form.html", form=form, consultation=None), status


@bp.route("/consultations/<int:consultation_id>")
@coordinator_required
def consultation(consultation_id):
    """One consultation with everything the office recorded."""
    item = queries.consultation_in_scope(current_user, consultation_id)
    return render_template("office/consultation.html", consultation=item, done_form=EmptyForm())


@bp.route("/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_consultation(consultation_id):
    """Change a consultation (the association stays the same)."""
    item = queries.consultation_in_scope(current_user, consultation_id)
    # Only the consultation's own association is offered; a posted id for another one is overruled.
    form = forms.ConsultationForm([item.association], data=forms.initial(item))
    form.association_id.data = item.association_id
    if form.validate_on_submit():
        services.update_consultation(current_user, item, form.values())
        db.session.commit()
        flash(_("The consultation is saved."), "success")
        return redirect(url_for("office.consultation", consultation_id=item.id))
    status = 422 if form.errors else 200
    return render_template("office/consultation_form.html", form=form, consultation=item), status


@bp.route("/consultations/<int:consultation_id>/done", methods=["POST"])
@coordinator_required
def next_step_done(consultation_id):
    """Mark the consultation's next step as done."""
    item = queries.consultation_in_scope(current_user, consultation_id)
    if EmptyForm().validate_on_submit() and services.mark_next_step_done(current_user, item):
        db.session.commit()
        flash(_("The next step is marked as done."), "success")
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/office/") and not target.startswith("//") else
                    url_for("office.consultation", consultation_id=item.id))


@bp.route("/associations/<int:association_id>/consultations")
@login_required
def association_consultations(association_id):
    """Consultations about one association: coordinators see everything, its representatives no internal notes."""
    association = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    page = db.paginate(queries.of_association(association.id), page=page_number(request.args), per_page=PER_PAGE,
                       error_out=False)
    return render_template("office/association_consultations.html", association=association, page=page,
                           staff=not current_user.is_representative)


# --------------------------------------------------------------------------- handover


def _transfer_form(**kwargs):
    return forms.TransferForm(municipalities_in_scope(current_user), queries.coordinators(), **kwargs)


@bp.route("/handover")
@coordinator_required
def handover_export():
    """Choose a town to hand over; admins can also move a town's coordination here."""
    form = forms.HandoverForm(municipalities_in_scope(current_user), meta={"csrf": False}, formdata=None)
    transfer = _transfer_form(formdata=None) if current_user.is_admin else None
    return render_template("office/handover.html", form=form, transfer=transfer)


@bp.route("/handover/download")
@coordinator_required
def handover_download():
    """Everything the office knows about a town as a ZIP of CSV and JSON files with a README."""
    form = forms.HandoverForm(municipalities_in_scope(current_user), meta={"csrf": False}, formdata=request.args)
    if not form.validate():
        transfer = _transfer_form(formdata=None) if current_user.is_admin else None
        return render_template("office/handover.html", form=form, transfer=transfer), 422
    town = db.get_or_404(Municipality, form.municipality_id.data)
    body, counts = handover.build_zip(town, current_user)
    services.record_export(current_user, "office.handover", sum(counts.values()), town.id, "zip")
    db.session.commit()
    return _download(body, "application/zip", f"handover-{town.id}-{utcnow():%Y-%m-%d}.zip")


@bp.route("/handover/transfer", methods=["POST"])
@admin_required
def handover_transfer():
    """Move a town's coordination to another coordinator account in one step."""
    form = _transfer_form()
    if form.validate_on_submit():
        town = db.get_or_404(Municipality, form.municipality_id.data)
        new = db.get_or_404(User, form.new_coordinator_id.data)
        removed = services.transfer_coordination(current_user, town, new, keep_previous=form.keep_previous.data)
        db.session.commit()
        flash(_("%(town)s is now coordinated by %(email)s (%(count)s other accounts lost access).",
                town=town.name, email=new.email, count=len(removed)), "success")
        return redirect(url_for("office.handover_export"))
    handover_form = forms.HandoverForm(municipalities_in_scope(current_user), meta={"csrf": False}, formdata=None)
    return render_template("office/handover.html", form=handover_form, transfer=form), 422


@bp.app_context_processor
def labels():
    return {"consultation_topic_labels": forms.TOPIC_LABELS_BY_VALUE, "consultation_format_labels": forms.FORMAT_LABELS}


@bp.context_processor
def today():
    return {"today": local_today()}
