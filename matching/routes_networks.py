"""Sub-networks: coordinators look after members and notes; associations see theirs, leave, and decide
what the matcher may use."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.access import coordinator_required, ensure_can_manage
from core.audit import record_request
from core.extensions import db
from core.models import Association

from . import bp, facts, queries, services
from .forms import AddMemberForm, LeaveForm, NetworkForm, NetworkingForm, RemoveMemberForm
from .models import MembershipSource, MembershipState, SubNetwork, SubNetworkMember
from .routes import _in_scope, _municipality, _page, representative_required


@bp.route("/<int:municipality_id>/networks")
@coordinator_required
def networks(municipality_id):
    """Every sub-network of the town, active ones first."""
    municipality = _municipality(municipality_id)
    return _page("networks.html", municipality, networks=queries.networks_of(municipality.id),
                 counts=queries.network_counts(municipality.id), topics=queries.topics_by_key())


@bp.route("/<int:municipality_id>/networks/new", methods=["GET", "POST"])
@coordinator_required
def new_network(municipality_id):
    """Form a sub-network by hand (members are added on its page)."""
    municipality = _municipality(municipality_id)
    form = NetworkForm(queries.topics_by_key())
    if form.validate_on_submit():
        network = services.create_network(municipality.id, form.network_data(), current_user)
        record_request("network.create", network)
        db.session.commit()
        flash(_("The sub-network has been created. Now add its members."), "success")
        return redirect(url_for("matching.network", network_id=network.id))
    return _page("network_form.html", municipality, form=form, network=None)


def _network(network_id):
    return _in_scope(db.get_or_404(SubNetwork, network_id))


def _network_page(network, add_form=None, status=200):
    members = network.memberships
    return _page(
        "network.html", network.municipality, network=network, topics=queries.topics_by_key(),
        computed=[m for m in members if m.state is MembershipState.active and m.source is MembershipSource.computed],
        manual=[m for m in members if m.state is MembershipState.active and m.source is MembershipSource.manual],
        ended=[m for m in members if m.state is not MembershipState.active],
        visible=queries.visible_ids([m.association_id for m in members]),
        add_form=add_form or AddMemberForm(queries.associations_for_adding(network)),
    ), status


@bp.route("/networks/<int:network_id>")
@coordinator_required
def network(network_id):
    """Members (matcher's and by hand, shown apart, each with its reason), history and notes."""
    return _network_page(_network(network_id))


@bp.route("/networks/<int:network_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_network(network_id):
    """Name, topics, status and notes."""
    network = _network(network_id)
    form = NetworkForm(queries.topics_by_key(), obj=network)
    if not form.is_submitted():
        form.status.data = network.status.value
    if form.validate_on_submit():
        services.update_network(network, form.network_data(), current_user)
        record_request("network.edit", network)
        db.session.commit()
        flash(_("The sub-network has been saved."), "success")
        return redirect(url_for("matching.network", network_id=network.id))
    return _page("network_form.html", network.municipality, form=form, network=network)


@bp.route("/networks/<int:network_id>/members", methods=["POST"])
@coordinator_required
def add_member(network_id):
    """Add an association by hand, with a reason."""
    network = _network(network_id)
    form = AddMemberForm(queries.associations_for_adding(network))
    if not form.validate_on_submit():
        return _network_page(network, add_form=form, status=422)
    association = _in_scope(db.get_or_404(Association, form.association_id.data))
    services.add_member(network, association, form.reason.data, current_user)
    record_request("network.member_add", network, association_id=association.id)
    db.session.commit()
    flash(_("%(name)s has been added.", name=association.name), "success")
    return redirect(url_for("matching.network", network_id=network.id))


@bp.route("/networks/<int:network_id>/members/<int:member_id>/remove", methods=["GET", "POST"])
@coordinator_required
def remove_member(network_id, member_id):
    """Remove a member, with a reason kept in the history."""
    network = _network(network_id)
    member = db.get_or_404(SubNetworkMember, member_id)
    if member.sub_network_id != network.id or member.state is not MembershipState.active:
        abort(404)
    form = RemoveMemberForm()
    if form.validate_on_submit():
        services.end_membership(member, form.reason.data, current_user)
        record_request("network.member_remove", network, association_id=member.association_id)
        db.session.commit()
        flash(_("%(name)s has been removed from the sub-network.", name=member.association.name), "success")
        return redirect(url_for("matching.network", network_id=network.id))
    return _page("remove_member.html", network.municipality, network=network, member=member, form=form)


# --------------------------------------------------------------------------- the association's side


def _own_membership(network_id):
    member = queries.membership(network_id, current_user.association_id or 0)
    if member is None or member.state is not MembershipState.active:
        abort(404)
    return member


@bp.route("/my")
@representative_required
def my_networks():
    """The sub-networks the representative's association belongs to."""
    memberships = queries.memberships_of_association(current_user.association_id or 0)
    return render_template("matching/my_networks.html", memberships=memberships, association=current_user.association)


@bp.route("/my/<int:network_id>")
@representative_required
def my_network(network_id):
    """One of the association's sub-networks: why it is in, and the members that agreed to be seen."""
    member = _own_membership(network_id)
    network = member.sub_network
    others = [m for m in network.active_members if m.association_id != member.association_id]
    visible = queries.visible_ids([m.association_id for m in others])
    return render_template(
        "matching/my_network.html", member=member, network=network, topics=queries.topics_by_key(),
        shown=[m for m in others if m.association_id in visible], hidden_count=sum(m.association_id not in visible for m in others),
        form=LeaveForm(),
    )


@bp.route("/my/<int:network_id>/leave", methods=["POST"])
@representative_required
def leave(network_id):
    """The association leaves the sub-network; the matcher will not suggest it there again."""
    member = _own_membership(network_id)
    form = LeaveForm()
    if form.validate_on_submit():
        services.end_membership(member, form.reason.data or "", current_user, MembershipState.left)
        db.session.commit()
        flash(_("Your association has left “%(name)s”.", name=member.sub_network.name), "success")
    return redirect(url_for("matching.my_networks"))


@bp.route("/association/<int:association_id>/networking", methods=["GET", "POST"])
@login_required
def networking(association_id):
    """What the matcher uses about the association, and the switches to turn it off or be visible."""
    association = ensure_can_manage(current_user, db.get_or_404(Association, association_id))
    consent = queries.consent_of(association.id)
    form = NetworkingForm(data={"is_enabled": facts.networking_enabled(consent),
                                "is_visible": bool(consent and consent.is_visible)})
    can_change = current_user.is_representative
    if form.is_submitted():
        if not can_change:
            abort(403)
        if form.validate():
            services.set_networking(association, form.is_enabled.data, form.is_visible.data, current_user)
            db.session.commit()
            flash(_("Your choices have been saved."), "success")
            return redirect(url_for("matching.networking", association_id=association.id))
    return render_template(
        "matching/networking.html", association=association, form=form, can_change=can_change,
        consent=consent, used=facts.facts_of(association),
        memberships=queries.memberships_of_association(association.id),
    )
