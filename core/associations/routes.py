"""Identifying associations, their profiles and representatives, imports and access requests."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import (
    coordinator_required,
    ensure_can_manage,
    ensure_municipality_in_scope,
    municipalities_in_scope,
)
from ..accounts import services as account_services
from ..accounts.forms import InviteForm
from ..audit import record_request
from ..extensions import db
from ..forms import EmptyForm
from ..models import AccessRequest, Association, ImportBatch, RequestState, Role, User
from . import bp, importer, queries, services
from .forms import ApproveForm, AssociationForm, DeclineForm, ImportForm


def _association_form(association=None):
    form = AssociationForm(municipalities_in_scope(current_user), queries.active_topics(), obj=association)
    if association is not None and request.method == "GET":
        form.field.data = association.field.value
        form.topics.data = [t.id for t in association.topics]
        form.languages.data = association.languages
        form.is_migrant_org.data = {True: "yes", False: "no"}.get(association.is_migrant_org, "")
        form.directory_consent.data = association.is_listed
    return form


@bp.route("/")
@coordinator_required
def index():
    """All associations in the coordinator's scope, searchable and filterable."""
    filters = queries.ListFilters.from_args(request.args)
    page = db.paginate(
        queries.associations_in_scope(current_user, filters),
        page=queries.page_number(request.args), per_page=25, error_out=False,
    )
    return render_template(
        "associations/index.html",
        page=page,
        filters=filters,
        municipalities=municipalities_in_scope(current_user),
        pending=queries.pending_request_count(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def create():
    """Identify an association by hand."""
    form = _association_form()
    if form.validate_on_submit():
        ensure_municipality_in_scope(current_user, form.municipality_id.data)
        if services.find_by_name(form.municipality_id.data, form.name.data):
            form.name.errors.append(_("An association with this name already exists in this municipality."))
        else:
            association = services.create_association(current_user, form.municipality_id.data, form.profile_data())
            services.set_directory_consent(current_user, association, form.directory_consent.data)
            record_request("association.create", association)
            db.session.commit()
            flash(_("The association has been added."), "success")
            return redirect(url_for("associations.show", association_id=association.id))
    return render_template("associations/edit.html", form=form, association=None)


@bp.route("/<int:association_id>")
@login_required
def show(association_id):
    """The association's own page: profile, representatives, invitations."""
    association = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    return render_template(
        "associations/show.html",
        association=association,
        invite_form=InviteForm(),
        empty_form=EmptyForm(),
    )


@bp.route("/<int:association_id>/edit", methods=["GET", "POST"])
@login_required
def edit(association_id):
    """Edit the profile (representatives their own, coordinators all in scope)."""
    association = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    form = _association_form(association)
    del form.municipality_id
    if form.validate_on_submit():
        duplicate = services.find_by_name(association.municipality_id, form.name.data)
        if duplicate is not None and duplicate.id != association.id:
            form.name.errors.append(_("An association with this name already exists in this municipality."))
        else:
            services.update_association(current_user, association, form.profile_data())
            services.set_directory_consent(current_user, association, form.directory_consent.data)
            record_request("association.edit", association, listed=association.is_listed)
            db.session.commit()
            flash(_("The profile has been saved."), "success")
            return redirect(url_for("associations.show", association_id=association.id))
    return render_template("associations/edit.html", form=form, association=association)


@bp.route("/<int:association_id>/representatives", methods=["POST"])
@login_required
def invite(association_id):
    """Invite a person to speak for the association."""
    association = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    form = InviteForm()
    if form.validate_on_submit():
        invited = services.invite_representative(
            current_user, association, name=form.name.data, email=form.email.data, locale=form.locale.data
        )
        record_request("representative.invite", association, user_id=invited.id)
        db.session.commit()
        flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for("associations.show", association_id=association.id))
    return render_template(
        "associations/show.html", association=association, invite_form=form, empty_form=EmptyForm()
    ), 422


def _representative(association, user_id):
    user = db.get_or_404(User, user_id)
    if user.association_id != association.id:
        abort(404)
    return user


@bp.route("/<int:association_id>/representatives/<int:user_id>/reinvite", methods=["POST"])
@login_required
def reinvite(association_id, user_id):
    """Send a fresh invitation link to someone who has not set a password yet."""
    association = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    user = _representative(association, user_id)
    if EmptyForm().validate_on_submit() and user.password_hash is None:
        account_services.reinvite(current_user, user)
        record_request("representative.reinvite", association, user_id=user.id)
        db.session.commit()
        flash(_("A new invitation has been sent to %(email)s.", email=user.email), "success")
    return redirect(url_for("associations.show", association_id=association.id))


@bp.route("/<int:association_id>/representatives/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_representative(association_id, user_id):
    """Someone no longer speaks for the association: the account is detached and disabled."""
    association = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    user = _representative(association, user_id)
    if EmptyForm().validate_on_submit():
        account_services.set_enabled(current_user, user, False)
        user.association = None
        record_request("representative.remove", association, user_id=user.id)
        db.session.commit()
        flash(_("%(name)s no longer speaks for this association.", name=user.name or user.email), "success")
        if user.id == current_user.id:
            return redirect(url_for("pages.home"))
    return redirect(url_for("associations.show", association_id=association.id))


@bp.route("/import", methods=["GET", "POST"])
@coordinator_required
def import_upload():
    """Upload a CSV or XLSX list; nothing is written before the preview is confirmed."""
    form = ImportForm(municipalities_in_scope(current_user))
    if form.validate_on_submit():
        ensure_municipality_in_scope(current_user, form.municipality_id.data)
        upload = form.file.data
        try:
            rows, errors = importer.parse(upload.filename, upload.read(), form.municipality_id.data)
        except importer.ImportError_ as problem:
            form.file.errors.append(str(problem))
        else:
            importer.forget_stale_batches()
            batch = ImportBatch(
                user_id=current_user.id,
                municipality_id=form.municipality_id.data,
                filename=importer.display_name(upload.filename),
                rows={"rows": rows, "errors": errors},
            )
            db.session.add(batch)
            db.session.commit()
            return redirect(url_for("associations.import_preview", batch_id=batch.id))
    return render_template("associations/import.html", form=form)


def _own_batch(batch_id):
    batch = db.get_or_404(ImportBatch, batch_id)
    if batch.user_id != current_user.id:
        abort(404)
    ensure_municipality_in_scope(current_user, batch.municipality_id)
    return batch


@bp.route("/import/<int:batch_id>", methods=["GET", "POST"])
@coordinator_required
def import_preview(batch_id):
    """Preview every row (new, update, error) and import the valid ones on confirmation."""
    batch = _own_batch(batch_id)
    form = EmptyForm()
    if form.validate_on_submit():
        created, updated = importer.apply_rows(current_user, batch.municipality_id, batch.rows["rows"])
        db.session.delete(batch)
        record_request("association.import", municipality_id=batch.municipality_id, created=created, updated=updated)
        db.session.commit()
        flash(_("Import finished: %(created)s added, %(updated)s updated.", created=created, updated=updated), "success")
        return redirect(url_for("associations.index"))
    return render_template("associations/import_preview.html", batch=batch, form=form)


@bp.route("/requests")
@coordinator_required
def access_requests():
    """Access requests in scope, the open ones first."""
    requests_ = db.paginate(
        queries.access_requests_in_scope(current_user),
        page=queries.page_number(request.args), per_page=25, error_out=False,
    )
    return render_template(
        "associations/access_requests.html", page=requests_, approve_form=ApproveForm(), decline_form=DeclineForm()
    )


def _pending_request(request_id):
    access_request = db.get_or_404(AccessRequest, request_id)
    ensure_municipality_in_scope(current_user, access_request.municipality_id)
    if access_request.state is not RequestState.pending:
        flash(_("This request has already been decided."), "info")
        return None
    return access_request


def _approval_problem(access_request, existing):
    """Why the request cannot be approved this way, or None."""
    if existing is None and services.find_by_name(access_request.municipality_id, access_request.association_name):
        return _("An association with this name exists already. Choose it in the list to link the request to it.")
    user = User.by_email(access_request.email)
    if user is None:
        return None
    if user.role is not Role.representative:
        return _("This e-mail address belongs to a staff account and cannot be used.")
    if existing is None or user.association_id != existing.id:
        return _("This e-mail address already has an account for another association.")
    return None


@bp.route("/requests/<int:request_id>/approve", methods=["POST"])
@coordinator_required
def approve_request(request_id):
    """Approve: create or link the association and invite the requester."""
    access_request = _pending_request(request_id)
    if access_request is None:
        return redirect(url_for("associations.access_requests"))
    form = ApproveForm()
    form.association_id.choices = [(0, "")] + [
        (a.id, a.name) for a in queries.associations_of(access_request.municipality_id)
    ]
    if not form.validate_on_submit():
        flash(_("Please choose an association of this municipality, or none to create a new one."), "error")
        return redirect(url_for("associations.access_requests"))
    existing = db.session.get(Association, form.association_id.data) if form.association_id.data else None
    problem = _approval_problem(access_request, existing)
    if problem:
        flash(problem, "error")
        return redirect(url_for("associations.access_requests"))
    has_account = User.by_email(access_request.email) is not None
    association, _user = account_services.approve_access_request(current_user, access_request, existing)
    record_request("access_request.approve", access_request, association_id=association.id)
    db.session.commit()
    if has_account:
        flash(_("Approved. %(email)s already speaks for this association.", email=access_request.email), "success")
    else:
        flash(_("Approved. An invitation has been sent to %(email)s.", email=access_request.email), "success")
    return redirect(url_for("associations.show", association_id=association.id))


@bp.route("/requests/<int:request_id>/decline", methods=["POST"])
@coordinator_required
def decline_request(request_id):
    """Decline with an optional reason that is sent to the requester."""
    access_request = _pending_request(request_id)
    form = DeclineForm()
    if access_request is not None and form.validate_on_submit():
        account_services.decline_access_request(current_user, access_request, form.note.data or "")
        record_request("access_request.decline", access_request)
        db.session.commit()
        flash(_("The request has been declined."), "success")
    elif access_request is not None:
        for message in form.note.errors:
            flash(_("The request has not been declined: %(problem)s", problem=message), "error")
    return redirect(url_for("associations.access_requests"))
