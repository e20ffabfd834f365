"""Sign-in, invitations, password reset, access requests, language and account settings."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import audit
from ..extensions import db, limiter
from ..forms import EmptyForm
from ..models import Municipality, TokenPurpose, utcnow
from ..urls import safe_next
from . import bp, forms, services


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _token_limit():
    return current_app.config["TOKEN_RATE_LIMIT"]


def _form_limit():
    return current_app.config["FORM_RATE_LIMIT"]


def start_session(user):
    """A new session on every sign-in: nothing from before survives into the signed-in one."""
    session.clear()
    login_user(user)
    session["started_at"] = session["seen_at"] = utcnow().timestamp()
    services.record_login(user)


def landing_for(user):
    if user.is_representative and user.association_id:
        return url_for("office.home")
    if user.is_admin:
        return url_for("admin.index")
    return url_for("office.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(landing_for(current_user))
    form = forms.LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            audit.record_login(user)
            db.session.commit()
            return redirect(safe_next(form.next.data, landing_for(user)))
        audit.record_failed_login(form.email.data)
        db.session.commit()
        form.password.errors.append(_("E-mail address or password is not correct."))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out."""
    if EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
        flash(_("You are signed out."), "success")
    return redirect(url_for("pages.home"))


@bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language; stored on the account when signed in."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("pages.home"))
    if EmptyForm().validate_on_submit() and lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(target)


def _usable_token_or_page(secret, purpose):
    token = services.find_token(secret, purpose)
    if token is None or not token.is_usable or not token.user.is_enabled:
        used = token is not None and token.used_at is not None
        return None, (render_template("accounts/token_invalid.html", used=used, purpose=purpose.value), 410)
    return token, None


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_token_limit)
def accept_invite(token):
    """Set a password from an invitation link and sign in."""
    found, page = _usable_token_or_page(token, TokenPurpose.invite)
    if page:
        return page
    form = forms.AcceptInviteForm(name=found.user.name)
    form._email = found.user.email
    if form.validate_on_submit():
        user = services.accept_invite(found, name=form.name.data, password=form.password.data)
        start_session(user)
        audit.record_request("invite.accept", user)
        db.session.commit()
        flash(_("Welcome! Your account is ready."), "success")
        # First visit: a representative checks the association's profile before anything else.
        if user.is_representative and user.association_id:
            return redirect(url_for("associations.show", association_id=user.association_id))
        return redirect(landing_for(user))
    return render_template("accounts/accept_invite.html", form=form, invited=found.user)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
def forgot_password():
    """Ask for a password reset link (also a fresh link for invited people)."""
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_token_limit)
def reset_password(token):
    """Choose a new password from a reset link."""
    found, page = _usable_token_or_page(token, TokenPurpose.reset)
    if page:
        return page
    form = forms.NewPasswordForm()
    form._email = found.user.email
    if form.validate_on_submit():
        user = services.reset_password(found, form.password.data)
        start_session(user)
        audit.record_request("password.reset", user)
        db.session.commit()
        flash(_("Your new password is set. You are signed in."), "success")
        return redirect(landing_for(user))
    return render_template("accounts/reset.html", form=form)


@bp.route("/access-request", methods=["GET", "POST"])
@limiter.limit(_form_limit, methods=["POST"])
def access_request():
    """An association not yet known asks to join."""
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name)).all()
    form = forms.AccessRequestForm(municipalities)
    if not municipalities:
        return render_template("accounts/access_request.html", form=None)
    if form.validate_on_submit():
        services.create_access_request(form.data)
        db.session.commit()
        return render_template("accounts/access_request_sent.html")
    return render_template("accounts/access_request.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    """Name, language and password of the signed-in person."""
    form = forms.SettingsForm(obj=current_user)
    password_form = forms.ChangePasswordForm(current_user, prefix="pw")
    if form.validate_on_submit():
        current_user.name, current_user.locale = form.name.data, form.locale.data
        session["lang"] = form.locale.data
        db.session.commit()
        flash(_("Your settings are saved."), "success")
        return redirect(url_for("accounts.settings"))
    return render_template("accounts/settings.html", form=form, password_form=password_form)


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit(_login_limit)
def change_password():
    """Change the password; other sessions of this account end."""
    form = forms.SettingsForm(obj=current_user)
    password_form = forms.ChangePasswordForm(current_user, prefix="pw")
    if password_form.validate_on_submit():
        services.change_password(current_user, password_form.password.data)
        start_session(current_user._get_current_object())
        audit.record_request("password.change", current_user._get_current_object())
        db.session.commit()
        flash(_("Your password is changed. Other devices have been signed out."), "success")
        return redirect(url_for("accounts.settings"))
    return render_template("accounts/settings.html", form=form, password_form=password_form)
