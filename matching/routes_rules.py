"""The matcher's rules, edited by coordinators in a form."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import coordinator_required
from core.audit import record_request
from core.extensions import db
from core.forms import EmptyForm

from . import bp, facts, queries, services
from .engine import resolve_topics
from .forms import RuleForm
from .models import MatchRule
from .routes import _in_scope, _municipality, _page


@bp.route("/<int:municipality_id>/rules")
@coordinator_required
def rules(municipality_id):
    """Every rule of the town, with problems (deleted topics) marked."""
    municipality = _municipality(municipality_id)
    services.ensure_rules(municipality.id, current_user)
    db.session.commit()
    rows = queries.rules_of(municipality.id)
    topic_infos = {t.key: t for t in facts.topic_infos()}
    problems = {r.id: resolve_topics(queries.engine_rule(r), topic_infos)[1] for r in rows}
    return _page("rules.html", municipality, rules=rows, problems=problems, topics=queries.topics_by_key(),
                 form=EmptyForm())


def _save(municipality, rule, form):
    action = "rule.edit" if rule is not None else "rule.create"
    rule = services.save_rule(rule, municipality.id, form.rule_data(), current_user)
    record_request(action, rule)
    db.session.commit()
    flash(_("The rule “%(name)s” has been saved. The suggestions are recomputed.", name=rule.name), "success")
    return redirect(url_for("matching.rules", municipality_id=municipality.id))


@bp.route("/<int:municipality_id>/rules/new", methods=["GET", "POST"])
@coordinator_required
def new_rule(municipality_id):
    """Add a rule."""
    municipality = _municipality(municipality_id)
    form = RuleForm(queries.topics_by_key())
    if form.validate_on_submit():
        return _save(municipality, None, form)
    return _page("rule_form.html", municipality, form=form, rule=None), 422 if form.is_submitted() else 200


@bp.route("/rules/<int:rule_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_rule(rule_id):
    """Change a rule; problems such as a deleted topic are shown beside the field."""
    rule = _in_scope(db.get_or_404(MatchRule, rule_id))
    form = RuleForm(queries.topics_by_key(), selected=rule.topic_keys or ())
    if not form.is_submitted():
        form.load(rule)
        form.check_stored_topics()
    elif form.validate_on_submit():
        return _save(rule.municipality, rule, form)
    status = 422 if form.is_submitted() else 200
    return _page("rule_form.html", rule.municipality, form=form, rule=rule, delete_form=EmptyForm()), status


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@coordinator_required
def delete_rule(rule_id):
    """Delete a rule; sub-networks it found stay."""
    rule = _in_scope(db.get_or_404(MatchRule, rule_id))
    municipality_id = rule.municipality_id
    if EmptyForm().validate_on_submit():
        name = rule.name
        record_request("rule.delete", rule)
        services.delete_rule(rule, current_user)
        db.session.commit()
        flash(_("The rule “%(name)s” has been deleted.", name=name), "success")
    return redirect(url_for("matching.rules", municipality_id=municipality_id))


@bp.route("/<int:municipality_id>/rules/defaults", methods=["POST"])
@coordinator_required
def restore_defaults(municipality_id):
    """Add back any shipped default rule the town no longer has."""
    municipality = _municipality(municipality_id)
    if EmptyForm().validate_on_submit():
        added = services.install_default_rules(municipality.id, current_user)
        record_request("rule.restore_defaults", municipality_id=municipality.id, added=len(added))
        db.session.commit()
        flash(_("%(count)s default rules added.", count=len(added)), "success")
    return redirect(url_for("matching.rules", municipality_id=municipality.id))
