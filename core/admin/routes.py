"""Administration: municipalities, coordinator and admin accounts, legal page texts."""

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..access import admin_required
from ..accounts import services as account_services
from ..audit import record_request
from ..extensions import db
from ..forms import EmptyForm
from ..models import Municipality, Role, SitePage, User
from ..pages.routes import LEGAL_PAGES
from . import bp
from .forms import MunicipalityForm, SitePageForm, StaffEditForm, StaffInviteForm


def _municipalities():
    return db.session.scalars(select(Municipality).order_by(Municipality.name)).all()


def _name_taken(name, municipality=None):
    """Names are unique regardless of case, so "stadt x" cannot sit beside "Stadt X"."""
    clash = db.session.scalar(select(Municipality).where(func.lower(Municipality.name) == name.lower()))
    return clash is not None and clash is not municipality


def _ids(municipalities):
    return ",".join(str(m.id) for m in sorted(municipalities, key=lambda m: m.id))


@bp.route("/")
@admin_required
def index():
    """Municipalities and staff accounts at a glance."""
    staff = db.session.scalars(
        select(User).where(User.role.in_([Role.admin, Role.coordinator])).order_by(User.role, User.email)
    ).all()
    return render_template(
        "admin/index.html", municipalities=_municipalities(), staff=staff, pages=LEGAL_PAGES,
        languages=current_app.config["LANGUAGES"],
    )


@bp.route("/municipalities/new", methods=["GET", "POST"])
@admin_required
def create_municipality():
    """Add a municipality the deployment serves."""
    form = MunicipalityForm()
    if form.validate_on_submit():
        if _name_taken(form.name.data):
            form.name.errors.append(_("A municipality with this name exists already."))
        else:
            municipality = Municipality()
            form.populate_obj(municipality)
            db.session.add(municipality)
            db.session.flush()
            record_request("municipality.create", municipality, municipality_id=municipality.id)
            db.session.commit()
            flash(_("The municipality has been added."), "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/municipality.html", form=form, municipality=None)


@bp.route("/municipalities/<int:municipality_id>", methods=["GET", "POST"])
@admin_required
def edit_municipality(municipality_id):
    """Rename a municipality or change its office details."""
    municipality = db.get_or_404(Municipality, municipality_id)
    form = MunicipalityForm(obj=municipality)
    if form.validate_on_submit():
        if _name_taken(form.name.data, municipality):
            form.name.errors.append(_("A municipality with this name exists already."))
        else:
            form.populate_obj(municipality)
            record_request("municipality.edit", municipality, municipality_id=municipality.id)
            db.session.commit()
            flash(_("The municipality has been saved."), "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/municipality.html", form=form, municipality=municipality)


@bp.route("/staff/invite", methods=["GET", "POST"])
@admin_required
def invite_staff():
    """Invite a coordinator (with the municipalities in their scope) or another admin."""
    form = StaffInviteForm()
    form.municipalities.choices = [(m.id, m.name) for m in _municipalities()]
    if form.validate_on_submit():
        role = Role(form.role.data)
        if role is Role.coordinator and not form.municipalities.data:
            form.municipalities.errors.append(_("A coordinator needs at least one municipality."))
        else:
            chosen = [db.session.get(Municipality, i) for i in form.municipalities.data] if role is Role.coordinator else []
            invited = account_services.invite_user(
                current_user, email=form.email.data, name=form.name.data, locale=form.locale.data,
                role=role, municipalities=chosen,
            )
            record_request("staff.invite", invited, role=role.value, municipalities=_ids(chosen))
            db.session.commit()
            flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/invite.html", form=form)


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_staff(user_id):
    """Change a coordinator's municipalities or disable a staff account."""
    user = db.get_or_404(User, user_id)
    if user.role is Role.representative:
        abort(404)
    form = StaffEditForm(obj=user)
    form.municipalities.choices = [(m.id, m.name) for m in _municipalities()]
    if not form.is_submitted():
        form.municipalities.data = [m.id for m in user.municipalities]
    if form.validate_on_submit():
        if user.id == current_user.id and not form.is_enabled.data:
            form.is_enabled.errors.append(_("You cannot disable your own account."))
        elif user.is_coordinator and not form.municipalities.data:
            form.municipalities.errors.append(_("A coordinator needs at least one municipality."))
        else:
            user.municipalities = [db.session.get(Municipality, i) for i in form.municipalities.data]
            if user.is_enabled != form.is_enabled.data:
                account_services.set_enabled(current_user, user, form.is_enabled.data)
            record_request("staff.edit", user, municipalities=_ids(user.municipalities), enabled=user.is_enabled)
            db.session.commit()
            flash(_("The account has been saved."), "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/staff.html", form=form, user=user, empty_form=EmptyForm())


@bp.route("/pages/<slug>/<locale>", methods=["GET", "POST"])
@admin_required
def edit_page(slug, locale):
    """Replace the built-in text of a legal page in one language."""
    if slug not in LEGAL_PAGES or locale not in current_app.config["LANGUAGES"]:
        abort(404)
    page = db.session.scalar(select(SitePage).where(SitePage.slug == slug, SitePage.locale == locale))
    form = SitePageForm(obj=page)
    if form.validate_on_submit():
        if page is None:
            page = SitePage(slug=slug, locale=locale)
            db.session.add(page)
        page.body = form.body.data
        record_request("page.edit", page, slug=slug, locale=locale)
        db.session.commit()
        flash(_("The page has been saved."), "success")
        return redirect(url_for("pages.legal", slug=slug))
    return render_template("admin/page.html", form=form, slug=slug, locale=locale, page=page, empty_form=EmptyForm())


@bp.route("/pages/<slug>/<locale>/reset", methods=["POST"])
@admin_required
def reset_page(slug, locale):
    """Go back to the built-in text."""
    if slug not in LEGAL_PAGES or locale not in current_app.config["LANGUAGES"]:
        abort(404)
    page = db.session.scalar(select(SitePage).where(SitePage.slug == slug, SitePage.locale == locale))
    if page is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        record_request("page.reset", page, slug=slug, locale=locale)
        db.session.delete(page)
        db.session.commit()
        flash(_("The built-in text is used again."), "success")
    return redirect(url_for("pages.legal", slug=slug))
