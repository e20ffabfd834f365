"""Coordinators review suggestions and look after sub-networks; associations see theirs and their consent."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from core.access import coordinator_required, ensure_municipality_in_scope, roles_required
from core.audit import record_request
from core.cache import cached_page
from core.extensions import db
from core.forms import EmptyForm
from core.models import Municipality, Role

from . import bp, labels, queries, services, svg
from .forms import (
    AcceptForm,
    DismissForm,
    ExtendForm,
)
from .models import DismissedSuggestion, RunTrigger, SubNetwork

representative_required = roles_required(Role.representative)


@bp.record_once
def _template_helpers(state):
    # Globals rather than a context processor, so macros imported by the templates see them too.
    state.app.jinja_env.globals.update(
        fact_url=fact_url, matching_labels=labels, score_part_text=labels.score_part_text,
        parse_date=date.fromisoformat,
    )


def fact_url(link):
    """URL of a fact's source; None when the source has no page (or its feature is not installed)."""
    if not link:
        return None
    endpoint, args = link
    try:
        return url_for(endpoint, **dict(args))
    except BuildError:
        return None


def _municipality(municipality_id):
    ensure_municipality_in_scope(current_user, municipality_id)
    return db.get_or_404(Municipality, municipality_id)


def _in_scope(obj):
    ensure_municipality_in_scope(current_user, obj.municipality_id)
    return obj


def _page(template, municipality, **context):
    return render_template(
        f"matching/{template}", municipality=municipality,
        municipalities=queries.municipalities_for(current_user), **context,
    )


# --------------------------------------------------------------------------- suggestions


@bp.route("/")
@login_required
def index():
    """Representatives go to their sub-networks; coordinators to the suggestions of their town."""
    if current_user.is_representative:
        return redirect(url_for("matching.my_networks"))
    municipalities = queries.municipalities_for(current_user)
    if len(municipalities) == 1:
        return redirect(url_for("matching.suggestions", municipality_id=municipalities[0].id))
    return render_template("matching/choose.html", municipalities=municipalities)


@bp.route("/<int:municipality_id>/suggestions")
@coordinator_required
@cached_page
def suggestions(municipality_id):
    """Suggestions sorted by score, each member with the statements that put it there."""
    municipality = _municipality(municipality_id)
    computation, run, previous = services.refresh(municipality.id, current_user)
    db.session.commit()
    rules = {r.id: r for r in queries.rules_of(municipality.id)}
    new_keys = {s.key for s in computation.suggestions
                if previous is not None and previous.fingerprints.get(s.key) != s.fingerprint}
    return _page("suggestions.html", municipality, computation=computation, run=run, new_keys=new_keys,
                 rules=rules, run_form=EmptyForm())


@bp.route("/<int:municipality_id>/run", methods=["POST"])
@coordinator_required
def run(municipality_id):
    """Compute the suggestions now."""
    municipality = _municipality(municipality_id)
    if EmptyForm().validate_on_submit():
        computation, _run, _previous = services.refresh(municipality.id, current_user, RunTrigger.manual)
        record_request("matching.run", municipality, municipality_id=municipality.id,
                       suggestions=len(computation.suggestions))
        db.session.commit()
        flash(_("The matcher ran: %(count)s suggestions.", count=len(computation.suggestions)), "success")
    return redirect(url_for("matching.suggestions", municipality_id=municipality.id))


def _current_suggestion(municipality, key):
    computation, _run, _previous = services.refresh(municipality.id, current_user)
    db.session.commit()
    suggestion = computation.find(key)
    if suggestion is None:
        flash(_("This suggestion is no longer current: the data behind it changed. Here are the current ones."), "info")
    return computation, suggestion


@bp.route("/<int:municipality_id>/suggestions/<key>")
@coordinator_required
def suggestion(municipality_id, key):
    """One suggestion with everything needed to accept or dismiss it."""
    municipality = _municipality(municipality_id)
    computation, found = _current_suggestion(municipality, key)
    if found is None:
        return redirect(url_for("matching.suggestions", municipality_id=municipality.id))
    return _suggestion_page(municipality, computation, found)


def _suggestion_page(municipality, computation, found, accept_form=None, dismiss_form=None, status=200):
    network = db.session.get(SubNetwork, found.network_id) if found.network_id else None
    if accept_form is None:
        accept_form = ExtendForm() if network else AcceptForm(name=found.title)
    return _page("suggestion.html", municipality, s=found, network=network, computation=computation,
                 accept_form=accept_form, dismiss_form=dismiss_form or DismissForm()), status


def _unchanged(found):
    if request.form.get("fingerprint") != found.fingerprint:
        flash(_("The members of this suggestion changed while you were reading. Please check them again."), "warning")
        return False
    return True


@bp.route("/<int:municipality_id>/suggestions/<key>/accept", methods=["POST"])
@coordinator_required
def accept(municipality_id, key):
    """Accept: a new sub-network, or new members for the sub-network the suggestion extends."""
    municipality = _municipality(municipality_id)
    computation, found = _current_suggestion(municipality, key)
    if found is None:
        return redirect(url_for("matching.suggestions", municipality_id=municipality.id))
    form = ExtendForm() if found.network_id else AcceptForm()
    if not form.validate_on_submit():
        return _suggestion_page(municipality, computation, found, accept_form=form, status=422)
    if not _unchanged(found):
        return redirect(url_for("matching.suggestion", municipality_id=municipality.id, key=key))
    details = {"name": form.name.data, "notes": form.notes.data or ""} if isinstance(form, AcceptForm) else {}
    network = services.accept_suggestion(municipality.id, found, current_user, **details)
    record_request("suggestion.accept", network, key=key)
    db.session.commit()
    flash(_("Accepted: “%(name)s” now has %(count)s members.", name=network.name, count=len(network.active_members)), "success")
    return redirect(url_for("matching.network", network_id=network.id))


@bp.route("/<int:municipality_id>/suggestions/<key>/dismiss", methods=["POST"])
@coordinator_required
def dismiss(municipality_id, key):
    """Dismiss with a reason; it stays away until its members change materially."""
    municipality = _municipality(municipality_id)
    computation, found = _current_suggestion(municipality, key)
    if found is None:
        return redirect(url_for("matching.suggestions", municipality_id=municipality.id))
    form = DismissForm()
    if not form.validate_on_submit():
        return _suggestion_page(municipality, computation, found, dismiss_form=form, status=422)
    if not _unchanged(found):
        return redirect(url_for("matching.suggestion", municipality_id=municipality.id, key=key))
    dismissal = services.dismiss_suggestion(municipality.id, found, form.reason.data, current_user)
    record_request("suggestion.dismiss", dismissal, municipality_id=municipality.id, key=key)
    db.session.commit()
    flash(_("Dismissed. It comes back only if its members change materially."), "success")
    return redirect(url_for("matching.suggestions", municipality_id=municipality.id))


@bp.route("/<int:municipality_id>/dismissed")
@coordinator_required
def dismissed(municipality_id):
    """Dismissed suggestions with their reasons; a dismissal can be withdrawn."""
    municipality = _municipality(municipality_id)
    page = db.paginate(queries.dismissals_query(municipality.id), per_page=25, error_out=False)
    return _page("dismissed.html", municipality, page=page, form=EmptyForm())


@bp.route("/dismissed/<int:dismissal_id>/restore", methods=["POST"])
@coordinator_required
def restore(dismissal_id):
    """Withdraw a dismissal so the suggestion may come back."""
    row = _in_scope(db.get_or_404(DismissedSuggestion, dismissal_id))
    if EmptyForm().validate_on_submit():
        record_request("suggestion.restore", row)
        services.restore_dismissed(row, current_user)
        db.session.commit()
        flash(_("The dismissal was withdrawn."), "success")
    return redirect(url_for("matching.dismissed", municipality_id=row.municipality_id))


@bp.route("/<int:municipality_id>/overview")
@coordinator_required
def overview(municipality_id):
    """Which associations share which topics: a drawn matrix and the same as a table."""
    municipality = _municipality(municipality_id)
    networks = queries.networks_of(municipality.id)
    highlight = next((n for n in networks if str(n.id) == request.args.get("network")), None)
    matrix = svg.build_matrix(municipality.id, highlight)
    return _page("overview.html", municipality, matrix=matrix, networks=networks, highlight=highlight,
                 picture=svg.render(matrix), legend=svg.legend())


from . import routes_networks, routes_rules  # noqa: E402,F401
