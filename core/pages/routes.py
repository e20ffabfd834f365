"""Start page, legal pages and the health check."""

from flask import abort, current_app, redirect, render_template
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select, text

from ..extensions import db
from ..models import Association, SitePage
from . import bp

LEGAL_PAGES = ("privacy", "imprint", "accessibility")


@bp.route("/")
def home():
    """What Vereinsnetz is, and where to go next."""
    if current_user.is_authenticated:
        from ..accounts.routes import landing_for

        return redirect(landing_for(current_user))
    listed = db.session.scalar(select(func.count(Association.id)).where(Association.directory_consent_at.is_not(None)))
    return render_template("pages/home.html", listed=listed)


@bp.route("/legal/<slug>")
def legal(slug):
    """Privacy notice, imprint and accessibility statement; an admin's own text wins."""
    if slug not in LEGAL_PAGES:
        abort(404)
    locale = str(get_locale())
    custom = db.session.scalar(
        select(SitePage).where(SitePage.slug == slug, SitePage.locale.in_([locale, "de"])).order_by(
            (SitePage.locale == locale).desc()
        )
    )
    return render_template(f"pages/{slug}.html", custom=custom, config=current_app.config)


@bp.route("/healthz")
def health():
    """For load balancers and monitoring: the app answers and the database is reachable."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
