"""GDPR routes: "Your data" (export, consents, delete account), single-use downloads, coordinators' actions."""

import io

from flask import abort, current_app, flash, make_response, redirect, render_template, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from core.access import coordinator_required, ensure_can_manage
from core.extensions import db, limiter
from core.forms import EmptyForm
from core.models import Association, ConsentRecord, utcnow

from . import bp, consents, erasure, export
from .forms import DeleteAccountForm, EraseAssociationForm

#: Why a download is refused → HTTP status (the page says why in words).
REFUSALS = {"unknown": 404, "foreign": 403, "used": 410, "expired": 410}


def _export_limit():
    return current_app.config["DATA_EXPORT_RATE_LIMIT"]


def _per_user():
    return f"user:{current_user.get_id()}"


export_limit = limiter.shared_limit(_export_limit, scope="privacy-export", key_func=_per_user)


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
@login_required
def index(delete_form=None):
    """Your data: download it, see and withdraw consents, delete the account."""
    records = consents.visible_to(current_user)
    return _no_store(
        render_template(
            "privacy/index.html",
            records=records,
            kind_labels=consents.KIND_LABELS,
            withdrawable={r.id for r in records if consents.is_withdrawable(r)},
            delete_form=delete_form or DeleteAccountForm(current_user),
            form=EmptyForm(),
            export_hours=int(current_app.config["DATA_EXPORT_VALID_FOR"].total_seconds() // 3600),
        )
    )


@bp.route("/export", methods=["POST"])
@login_required
@export_limit
def export_own():
    """Prepare a download of one's own data."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    _, secret = export.request_export(current_user, user=current_user)
    db.session.commit()
    return redirect(url_for(".download", secret=secret))


@bp.route("/associations/<int:association_id>/export", methods=["POST"])
@login_required
@export_limit
def export_association(association_id):
    """Prepare a download of an association's data (its representatives; coordinators on request, audited)."""
    association = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    _, secret = export.request_export(current_user, association=association)
    db.session.commit()
    return redirect(url_for(".download", secret=secret))


@bp.route("/download/<secret>", methods=["GET", "POST"])
@login_required
def download(secret):
    """GET shows the export and its button; POST delivers the ZIP once and marks the link used."""
    item = export.find(secret)
    reason = export.refusal(item, current_user)
    if reason is None and EmptyForm().validate_on_submit():
        if export.mark_downloaded(item):
            subject, data = export.data_of(item)
            payload = export.build_zip(subject, data)
            db.session.commit()
            name = f"vereinsnetz-data-{utcnow():%Y%m%d-%H%M}.zip"
            return _no_store(
                send_file(io.BytesIO(payload), mimetype="application/zip", as_attachment=True, download_name=name)
            )
        reason = "used"
    status = REFUSALS[reason] if reason else 200
    page = render_template("privacy/download.html", export=item, reason=reason, form=EmptyForm())
    return _no_store((page, status))


@bp.route("/consents/<int:consent_id>/withdraw", methods=["POST"])
@login_required
def withdraw_consent(consent_id):
    """Withdraw a consent with one button: the listing or visibility it allowed ends at once."""
    record = db.get_or_404(ConsentRecord, consent_id)
    if not consents.can_see(current_user, record):
        abort(404)
    if EmptyForm().validate_on_submit() and consents.is_withdrawable(record):
        consents.withdraw(record, current_user)
        db.session.commit()
        flash(_("Your consent is withdrawn."), "success")
    return redirect(url_for(".index"))


@bp.route("/account/delete", methods=["POST"])
@login_required
def delete_account():
    """A representative deletes their own account (password confirms)."""
    if not current_user.is_representative:
        abort(403)
    form = DeleteAccountForm(current_user)
    if not form.validate_on_submit():
        return index(delete_form=form), 200
    erasure.erase_user(current_user._get_current_object(), current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Your account and your personal data have been deleted."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/associations/<int:association_id>")
@coordinator_required
def association(association_id, erase_form=None):
    """For coordinators: export or anonymise an association when it asks."""
    item = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    return _no_store(
        render_template(
            "privacy/association.html",
            association=item,
            anonymised=erasure.is_anonymised(item),
            erase_form=erase_form or EraseAssociationForm(item),
            form=EmptyForm(),
        )
    )


@bp.route("/associations/<int:association_id>/erase", methods=["POST"])
@coordinator_required
def erase_association(association_id):
    """Anonymise an association on its request (audited)."""
    item = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    if erasure.is_anonymised(item):
        return redirect(url_for(".association", association_id=item.id))
    form = EraseAssociationForm(item)
    if not form.validate_on_submit():
        return association(association_id, erase_form=form)
    erasure.erase_association(item, current_user)
    db.session.commit()
    flash(_("The association has been anonymised."), "success")
    return redirect(url_for(".association", association_id=association_id))
