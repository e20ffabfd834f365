"""The public directory of associations that agreed to be listed."""

from flask import abort, current_app, render_template, request
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..associations.queries import ListFilters, active_topics, apply_filters, districts, page_number
from ..cache import cached_page
from ..extensions import db
from ..labels import FIELD_LABELS, LANGUAGE_LABELS
from ..models import Association, Municipality
from . import bp

LISTED = Association.directory_consent_at.is_not(None)


@bp.route("/")
@cached_page
def index():
    """Search and filter the listed associations."""
    filters = ListFilters.from_args(request.args)
    stmt = (
        apply_filters(select(Association).where(LISTED), filters)
        .options(selectinload(Association.topics), selectinload(Association.language_rows))
        .order_by(Association.name_key, Association.id)
    )
    page = db.paginate(
        stmt, page=page_number(request.args), per_page=current_app.config["DIRECTORY_PAGE_SIZE"], error_out=False
    )
    return render_template(
        "directory/index.html",
        page=page,
        filters=filters,
        topics=active_topics(),
        districts=districts(LISTED),
        municipalities=db.session.scalars(select(Municipality).order_by(Municipality.name)).all(),
        field_labels=FIELD_LABELS,
        language_labels=LANGUAGE_LABELS,
        locale=str(get_locale()),
    )


@bp.route("/<int:association_id>")
def show(association_id):
    """Public profile of a listed association."""
    association = db.get_or_404(Association, association_id)
    if not association.is_listed:
        abort(404)
    return render_template(
        "directory/show.html",
        association=association,
        field_labels=FIELD_LABELS,
        language_labels=LANGUAGE_LABELS,
        locale=str(get_locale()),
    )
