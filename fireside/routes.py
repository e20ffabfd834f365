"""Coordinators plan fireside chats: create, edit, date poll, invitations, the list, cancel, calendar."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from core.access import coordinator_required, ensure_municipality_in_scope, municipalities_in_scope
from core.extensions import db
from core.forms import EmptyForm
from core.models import Association, Municipality

from . import bp, forms, ics, queries, services
from .forms import when
from .models import ChatDateOption, ChatInvitation, ChatOrigin, ChatState, FiresideChat, InvitationState


@bp.record_once
def _template_helpers(state):
    state.app.jinja_env.globals.update(fireside_labels=forms, fireside_network_chats=network_chats,
                                       fireside_ends_at=ics.ends_at, fireside_when=when,
                                       fireside_language=language_name)


def language_name(code):
    from core.labels import LANGUAGE_LABELS

    return LANGUAGE_LABELS.get(code, code)


def network_chats(network, upcoming_only=False):
    """Chats of a sub-network for the matching pages; representatives see the upcoming ones they are invited to."""
    if current_user.is_authenticated and current_user.is_representative:
        return queries.chats_of_network(network.id, upcoming_only=True, association_id=current_user.association_id)
    return queries.chats_of_network(network.id, upcoming_only=upcoming_only)


def _chat(chat_id):
    chat = db.get_or_404(FiresideChat, chat_id)
    ensure_municipality_in_scope(current_user, chat.municipality_id)
    return chat


def _topics():
    from matching.queries import topics_by_key

    return topics_by_key()


@bp.route("/")
@login_required
def index():
    """Representatives go to their chats, coordinators to the calendar."""
    if current_user.is_representative:
        return redirect(url_for("fireside.mine"))
    return redirect(url_for("fireside.calendar"))


@bp.route("/calendar")
@coordinator_required
def calendar():
    """All chats of the coordinator's towns, by month."""
    chats = queries.chats_in_scope(current_user)
    return render_template("fireside/calendar.html", months=queries.by_month(chats),
                           municipalities=municipalities_in_scope(current_user))


# --------------------------------------------------------------------------- create


def _source(municipality_id=None, network_id=None, key=None):
    """(municipality, candidate associations, checked ids, sub-network, origin, reasons) for a new chat."""
    if network_id is not None:
        from matching.models import SubNetwork

        network = db.get_or_404(SubNetwork, network_id)
        ensure_municipality_in_scope(current_user, network.municipality_id)
        members = network.active_members
        reasons = {m.association_id: m.reason for m in members}
        associations = [m.association for m in members]
        return network.municipality, associations, [a.id for a in associations], network, ChatOrigin.sub_network, reasons
    ensure_municipality_in_scope(current_user, municipality_id)
    municipality = db.get_or_404(Municipality, municipality_id)
    if key is not None:
        from matching import queries as matching_queries

        suggestion = matching_queries.compute(municipality.id).find(key)
        if suggestion is None:
            abort(404)
        ids = [m.association_id for m in suggestion.members]
        associations = db.session.scalars(select(Association).where(Association.id.in_(ids))).all()
        associations.sort(key=lambda a: ids.index(a.id))
        reasons = {m.association_id: suggestion.title for m in suggestion.members}
        return municipality, associations, ids, None, ChatOrigin.suggestion, reasons
    return municipality, queries.town_associations(municipality.id), [], None, ChatOrigin.manual, {}


@bp.route("/new/town/<int:municipality_id>", methods=["GET", "POST"], endpoint="new")
@bp.route("/new/network/<int:network_id>", methods=["GET", "POST"], endpoint="new")
@bp.route("/new/suggestion/<int:municipality_id>/<key>", methods=["GET", "POST"], endpoint="new")
@coordinator_required
def new(municipality_id=None, network_id=None, key=None):
    """Plan a chat for a sub-network, a matcher suggestion or associations picked by hand."""
    municipality, candidates, checked, network, origin, reasons = _source(municipality_id, network_id, key)
    form = forms.ChatForm(associations=candidates, topics=_topics())
    if not form.is_submitted():
        form.association_ids.data = checked
        if network is not None:
            form.title.data = _("Fireside chat: %(name)s", name=network.name)
            form.topic_keys.data = list(network.topic_keys or [])
    if form.validate_on_submit():
        chosen = [a for a in candidates if a.id in set(form.association_ids.data)]
        chat = services.create_chat(municipality, form.chat_data(), chosen, current_user, sub_network=network,
                                    origin=origin, reasons=reasons)
        db.session.commit()
        flash(_("The chat has been created as a draft. Nobody has been told yet."), "success")
        return redirect(url_for("fireside.chat", chat_id=chat.id))
    return render_template("fireside/chat_form.html", form=form, chat=None, municipality=municipality,
                           network=network, origin=origin), 422 if form.is_submitted() else 200


# --------------------------------------------------------------------------- one chat


def _addable(chat):
    present = {i.association_id for i in chat.invitations if i.state is InvitationState.invited}
    return [a for a in queries.town_associations(chat.municipality_id) if a.id not in present]


def _chat_page(chat, add_form=None, status=200):
    rows, totals = services.poll_table(chat)
    return render_template(
        "fireside/chat.html", chat=chat, counts=queries.counts(chat), rows=rows, totals=totals,
        problems=services.ready_problems(chat) if chat.state in (ChatState.draft, ChatState.polling) else [],
        add_form=add_form or forms.AddInviteeForm(associations=_addable(chat)), button=EmptyForm(),
        invitations=sorted(chat.invitations, key=lambda i: (i.state.value != "invited", i.association.name.lower())),
    ), status


@bp.route("/chats/<int:chat_id>")
@coordinator_required
def chat(chat_id):
    """The chat with its list, answers, waitlist, poll table and what comes next."""
    return _chat_page(_chat(chat_id))


@bp.route("/chats/<int:chat_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit(chat_id):
    """Change the chat; after the invitations went out, a new time or place is mailed as an update."""
    chat = _chat(chat_id)
    if chat.state is ChatState.cancelled:
        flash(_("This chat has been cancelled and can no longer be changed."), "warning")
        return redirect(url_for("fireside.chat", chat_id=chat.id))
    invitees = [i.association for i in chat.invitations if i.state is InvitationState.invited]
    if chat.host_association is not None and chat.host_association not in invitees:
        invitees.append(chat.host_association)
    poll_allowed = chat.state is ChatState.draft and not services._has_votes(chat)
    form = forms.ChatForm(associations=invitees, topics=_topics(), with_list=False, poll_allowed=poll_allowed,
                          seats_taken=chat.seats_taken,
                          date_required=not poll_allowed and chat.state is not ChatState.polling)
    if not form.is_submitted():
        form.fill_from(chat)
    if form.validate_on_submit():
        try:
            changed = services.update_chat(chat, form.chat_data(), current_user)
        except services.ChatError as error:
            db.session.rollback()
            return _form_error(form, error, chat)
        db.session.commit()
        if changed and chat.state is ChatState.invited:
            flash(_("Saved. The invited associations have been sent the update."), "success")
        else:
            flash(_("Saved."), "success")
        return redirect(url_for("fireside.chat", chat_id=chat.id))
    return render_template("fireside/chat_form.html", form=form, chat=chat, municipality=chat.municipality,
                           network=None, origin=chat.origin), 422 if form.is_submitted() else 200


def _form_error(form, error, chat):
    target = form[error.field] if error.field and error.field in form else None
    if target is not None:
        target.errors = [*target.errors, str(error.message)] if isinstance(target.errors, list) else [str(error.message)]
    else:
        form.form_errors.append(str(error.message))
    return render_template("fireside/chat_form.html", form=form, chat=chat, municipality=chat.municipality,
                           network=None, origin=chat.origin), 422


def _act(chat, action, success):
    """Run a button's service call; a ChatError becomes a flash message."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        result = action()
    except services.ChatError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("fireside.chat", chat_id=chat.id))
    db.session.commit()
    flash(success(result) if callable(success) else success, "success")
    return redirect(url_for("fireside.chat", chat_id=chat.id))


@bp.route("/chats/<int:chat_id>/poll", methods=["POST"])
@coordinator_required
def start_poll(chat_id):
    """Send the date poll to the invited associations."""
    chat = _chat(chat_id)
    return _act(chat, lambda: services.start_poll(chat, current_user),
                _("The date poll has been sent to the invited associations."))


@bp.route("/chats/<int:chat_id>/ask-host", methods=["POST"])
@coordinator_required
def ask_host(chat_id):
    """Ask the host association by mail to confirm venue and date."""
    chat = _chat(chat_id)
    return _act(chat, lambda: services.ask_host(chat, current_user),
                _("The host association has been asked to confirm."))


@bp.route("/chats/<int:chat_id>/send", methods=["POST"])
@coordinator_required
def send(chat_id):
    """Send the invitations (the list is frozen from now on)."""
    chat = _chat(chat_id)
    return _act(chat, lambda: services.send_invitations(chat, current_user), _("The invitations have been sent."))


@bp.route("/chats/<int:chat_id>/fix-date/<int:option_id>", methods=["POST"])
@coordinator_required
def fix_date(chat_id, option_id):
    """Fix one of the proposed dates; the invitations go out if the host has confirmed."""
    chat = _chat(chat_id)
    option = db.get_or_404(ChatDateOption, option_id)
    if option.chat_id != chat.id:
        abort(404)
    return _act(chat, lambda: services.fix_date(chat, option, current_user), lambda sent: (
        _("The date is fixed and the invitations have been sent.") if sent
        else _("The date is fixed. Send the invitations once the host has confirmed.")))


@bp.route("/chats/<int:chat_id>/invitees", methods=["POST"])
@coordinator_required
def add_invitee(chat_id):
    """Add an association to the list (invited by mail at once when invitations have gone out)."""
    chat = _chat(chat_id)
    form = forms.AddInviteeForm(associations=_addable(chat))
    if not form.validate_on_submit():
        return _chat_page(chat, add_form=form, status=422)
    association = db.get_or_404(Association, form.association_id.data)
    try:
        services.add_invitee(chat, association, current_user, form.reason.data or "")
    except services.ChatError as error:
        db.session.rollback()
        form.association_id.errors = [str(error.message)]
        return _chat_page(chat, add_form=form, status=422)
    db.session.commit()
    flash(_("%(name)s has been added to the list.", name=association.name), "success")
    return redirect(url_for("fireside.chat", chat_id=chat.id))


@bp.route("/chats/<int:chat_id>/invitees/<int:invitation_id>/withdraw", methods=["POST"])
@coordinator_required
def withdraw_invitee(chat_id, invitation_id):
    """Take an association off the list; once invited, it is told by mail."""
    chat = _chat(chat_id)
    invitation = db.get_or_404(ChatInvitation, invitation_id)
    if invitation.chat_id != chat.id or invitation.state is not InvitationState.invited:
        abort(404)
    name = invitation.association.name
    return _act(chat, lambda: services.withdraw_invitee(invitation, current_user),
                _("%(name)s has been taken off the list.", name=name))


@bp.route("/chats/<int:chat_id>/cancel", methods=["GET", "POST"])
@coordinator_required
def cancel(chat_id):
    """Cancel with a reason; invited associations get a cancellation."""
    chat = _chat(chat_id)
    if chat.state is ChatState.cancelled:
        flash(_("This chat has already been cancelled."), "info")
        return redirect(url_for("fireside.chat", chat_id=chat.id))
    form = forms.CancelForm()
    if form.validate_on_submit():
        services.cancel_chat(chat, current_user, form.reason.data)
        db.session.commit()
        flash(_("The chat has been cancelled."), "success")
        return redirect(url_for("fireside.chat", chat_id=chat.id))
    return render_template("fireside/cancel.html", chat=chat, form=form), 422 if form.is_submitted() else 200


@bp.route("/chats/<int:chat_id>/chat.ics")
@login_required
def download(chat_id):
    """The chat as an .ics file, for coordinators in scope and invited associations."""
    chat = db.get_or_404(FiresideChat, chat_id)
    if current_user.is_representative:
        if chat.state is ChatState.draft or queries.invitation_of(chat, current_user.association_id) is None:
            abort(404)
    else:
        ensure_municipality_in_scope(current_user, chat.municipality_id)
    return ics_response(chat)


def ics_response(chat, filename="fireside-chat.ics"):
    from flask import current_app

    if chat.starts_at is None:
        abort(404)
    text = ics.calendar([chat], organizer=ics.organizer_of(chat, current_app.config))
    return Response(text, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


from . import routes_reps  # noqa: E402,F401
