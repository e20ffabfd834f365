"""Fireside routes after the chat: attendance, minutes, decisions, follow-ups.

Coordinators in scope keep the records. The representatives of the associations that came (and of an
association that owns one of the chat's follow-ups) read them; everyone else gets 404.
"""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.access import coordinator_required, ensure_municipality_in_scope, municipality_ids
from core.extensions import db
from core.forms import EmptyForm
from core.models import utcnow

from . import aftercare, bp, stats
from .aftercare import AfterError
from .forms_after import (
    ANSWER_LABELS,
    STATE_LABELS,
    DecisionForm,
    DraftPostingForm,
    FollowUpForm,
    FollowUpStateForm,
    MinutesForm,
    make_attendance_form,
    prefill_attendance,
)
from .minutes import render as render_minutes
from .models import ChatDecision, FiresideChat, FollowUp, FollowUpState

# --------------------------------------------------------------------------- access


def is_staff_for(user, chat):
    if not (user.is_authenticated and (user.is_coordinator or user.is_admin)):
        return False
    ids = municipality_ids(user)
    return ids is None or chat.municipality_id in ids


def own_association_id(user):
    return user.association_id if user.is_authenticated and user.is_representative else None


def can_read_outcome(user, chat):
    """Staff in scope; representatives of an association that came or owns one of the chat's follow-ups."""
    if is_staff_for(user, chat):
        return True
    association_id = own_association_id(user)
    if association_id is None or not aftercare.has_started(chat):
        return False
    return association_id in aftercare.attending_association_ids(chat) or any(
        f.owner_association_id == association_id for f in chat.follow_ups
    )


def staff_chat(chat_id):
    """For views behind @coordinator_required: the chat, 404 outside the coordinator's towns."""
    chat = db.get_or_404(FiresideChat, chat_id)
    ensure_municipality_in_scope(current_user, chat.municipality_id)
    return chat


def started_or_redirect(chat):
    if aftercare.has_started(chat):
        return None
    flash(_("Attendance, minutes and follow-ups can be recorded once the chat has begun."), "warning")
    return redirect(url_for("fireside.after", chat_id=chat.id))


def chat_url(chat):
    """The coordinators' page of the chat (fireside.routes)."""
    return url_for("fireside.chat", chat_id=chat.id)


@dataclass
class AfterSummary:
    """What the `_after.html` partial on the chat's page shows to the current user."""

    started: bool
    staff: bool
    can_read: bool
    attended: int
    persons: int
    open_follow_ups: int
    has_minutes: bool


@bp.app_template_global("fireside_after")
def fireside_after(chat):
    came = aftercare.attended(chat)
    return AfterSummary(
        started=aftercare.has_started(chat),
        staff=is_staff_for(current_user, chat),
        can_read=can_read_outcome(current_user, chat),
        attended=len(came),
        persons=sum(i.attended_persons or 0 for i in came),
        open_follow_ups=sum(1 for f in chat.follow_ups if f.state is FollowUpState.open),
        has_minutes=bool(chat.minutes.strip()),
    )


def render_page(template, **context):
    """One of the after-chat pages, with the labels and helpers they share."""
    context.update(
        follow_up_state_labels=STATE_LABELS,
        after_answer_labels=ANSWER_LABELS,
        chat_url=chat_url,
        is_overdue=stats.is_overdue,
    )
    return render_template(template, **context)


# --------------------------------------------------------------------------- the outcome page


def render_after(chat, decision_form=None, status=200):
    staff = is_staff_for(current_user, chat)
    return render_page(
        "fireside/after_show.html",
        chat=chat,
        staff=staff,
        started=aftercare.has_started(chat),
        invitations=aftercare.invited(chat),
        attended=aftercare.attended(chat),
        minutes_html=render_minutes(chat.minutes),
        decision_form=decision_form or DecisionForm(),
        form=EmptyForm(),
        own_id=own_association_id(current_user),
        today=stats.local_today(),
    ), status


@bp.route("/chats/<int:chat_id>/after")
@login_required
def after(chat_id):
    """Minutes, decisions and follow-ups of a chat (coordinators also record them here)."""
    chat = db.get_or_404(FiresideChat, chat_id)
    if not can_read_outcome(current_user, chat):
        abort(404)
    return render_after(chat)


@bp.route("/chats/<int:chat_id>/attendance", methods=["GET", "POST"])
@coordinator_required
def attendance(chat_id):
    """Record who came, per invited association."""
    chat = staff_chat(chat_id)
    if (early := started_or_redirect(chat)) is not None:
        return early
    invitations = aftercare.invited(chat)
    form = make_attendance_form(chat, invitations, formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        prefill_attendance(form)
    elif form.validate():
        try:
            aftercare.record_attendance(chat, form.entries(), current_user)
        except AfterError as error:
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The attendance has been saved."), "success")
            return redirect(url_for("fireside.after", chat_id=chat.id))
    return render_page("fireside/after_attendance.html", chat=chat, form=form), 422 if form.errors else 200


@bp.route("/chats/<int:chat_id>/minutes", methods=["GET", "POST"])
@coordinator_required
def minutes(chat_id):
    """Write or correct the minutes."""
    chat = staff_chat(chat_id)
    if (early := started_or_redirect(chat)) is not None:
        return early
    form = MinutesForm(data={"minutes": chat.minutes} if request.method == "GET" else None)
    if form.validate_on_submit():
        aftercare.save_minutes(chat, form.minutes.data, current_user)
        db.session.commit()
        flash(_("The minutes have been saved."), "success")
        return redirect(url_for("fireside.after", chat_id=chat.id))
    return render_page("fireside/after_minutes.html", chat=chat, form=form), 422 if form.errors else 200


@bp.route("/chats/<int:chat_id>/decisions", methods=["POST"])
@coordinator_required
def add_decision(chat_id):
    """Add a decision of the chat."""
    chat = staff_chat(chat_id)
    if (early := started_or_redirect(chat)) is not None:
        return early
    form = DecisionForm()
    if not form.validate_on_submit():
        return render_after(chat, decision_form=form, status=422)
    aftercare.add_decision(chat, form.text.data, current_user)
    db.session.commit()
    flash(_("The decision has been added."), "success")
    return redirect(url_for("fireside.after", chat_id=chat.id, _anchor="decisions-heading"))


@bp.route("/decisions/<int:decision_id>/delete", methods=["POST"])
@coordinator_required
def delete_decision(decision_id):
    """Remove a decision entered by mistake."""
    decision = db.get_or_404(ChatDecision, decision_id)
    chat = staff_chat(decision.chat_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    aftercare.delete_decision(decision, current_user)
    db.session.commit()
    flash(_("The decision has been removed."), "success")
    return redirect(url_for("fireside.after", chat_id=chat.id, _anchor="decisions-heading"))


# --------------------------------------------------------------------------- follow-ups


def save_follow_up(form, chat, follow_up, template):
    try:
        if follow_up is None:
            aftercare.add_follow_up(chat, form.values(), current_user)
        else:
            aftercare.update_follow_up(follow_up, form.values(), current_user)
    except AfterError as error:
        db.session.rollback()
        form.owner_association_id.errors.append(str(error.message))
        return render_page(template, chat=chat, form=form, follow_up=follow_up), 422
    db.session.commit()
    flash(_("The follow-up has been saved."), "success")
    return redirect(url_for("fireside.after", chat_id=chat.id, _anchor="follow-ups-heading"))


@bp.route("/chats/<int:chat_id>/follow-ups/new", methods=["GET", "POST"])
@coordinator_required
def new_follow_up(chat_id):
    """Add a follow-up: what, who, by when."""
    chat = staff_chat(chat_id)
    if (early := started_or_redirect(chat)) is not None:
        return early
    form = FollowUpForm(chat, aftercare.invited(chat))
    if form.validate_on_submit():
        return save_follow_up(form, chat, None, "fireside/after_follow_up.html")
    return render_page(
        "fireside/after_follow_up.html", chat=chat, form=form, follow_up=None
    ), 422 if form.errors else 200


@bp.route("/follow-ups/<int:follow_up_id>/edit", methods=["GET", "POST"])
@coordinator_required
def edit_follow_up(follow_up_id):
    """Change a follow-up, close or drop it."""
    follow_up = db.get_or_404(FollowUp, follow_up_id)
    chat = staff_chat(follow_up.chat_id)
    form = FollowUpForm(chat, aftercare.invited(chat), obj=follow_up, with_state=True)
    if request.method == "GET":
        form.owner_association_id.data = follow_up.owner_association_id or 0
        form.state.data = follow_up.state.value
    if form.validate_on_submit():
        return save_follow_up(form, chat, follow_up, "fireside/after_follow_up.html")
    return render_page(
        "fireside/after_follow_up.html", chat=chat, form=form, follow_up=follow_up
    ), 422 if form.errors else 200


@bp.route("/follow-ups/<int:follow_up_id>/state", methods=["POST"])
@login_required
def follow_up_state(follow_up_id):
    """Mark a follow-up done (its owner association or the office), or open or drop it (the office)."""
    follow_up = db.get_or_404(FollowUp, follow_up_id)
    chat = follow_up.chat
    if not can_read_outcome(current_user, chat):
        abort(404)
    staff = is_staff_for(current_user, chat)
    if not staff and own_association_id(current_user) != follow_up.owner_association_id:
        abort(403)
    form = FollowUpStateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        aftercare.set_follow_up_state(follow_up, FollowUpState(form.state.data), current_user)
    except AfterError:
        abort(403)
    db.session.commit()
    flash(_("“%(title)s” is now: %(state)s.", title=follow_up.title, state=STATE_LABELS[follow_up.state]), "success")
    if request.args.get("next") == "list":
        return redirect(url_for("fireside.follow_ups"))
    return redirect(url_for("fireside.after", chat_id=chat.id, _anchor=f"follow-up-{follow_up.id}"))


@bp.route("/follow-ups/<int:follow_up_id>/posting", methods=["GET", "POST"])
@coordinator_required
def follow_up_posting(follow_up_id):
    """Prepare an exchange posting for the owner association: a draft only it sees until it publishes."""
    follow_up = db.get_or_404(FollowUp, follow_up_id)
    chat = staff_chat(follow_up.chat_id)
    if follow_up.owner_association is None or follow_up.posting_id is not None:
        flash(_("A posting draft needs a follow-up owned by an association, and only one per follow-up."), "error")
        return redirect(url_for("fireside.after", chat_id=chat.id, _anchor=f"follow-up-{follow_up.id}"))
    form = DraftPostingForm(
        data={"title": follow_up.title[:120], "description": follow_up.description} if request.method == "GET" else None
    )
    if form.validate_on_submit():
        aftercare.create_posting_draft(follow_up, form.posting_data(), current_user)
        db.session.commit()
        flash(
            _(
                "A draft posting is waiting for %(association)s under “Our postings”.",
                association=follow_up.owner_association.name,
            ),
            "success",
        )
        return redirect(url_for("fireside.after", chat_id=chat.id, _anchor=f"follow-up-{follow_up.id}"))
    return render_page(
        "fireside/after_posting.html", chat=chat, follow_up=follow_up, form=form
    ), 422 if form.errors else 200


@bp.route("/follow-ups")
@coordinator_required
def follow_ups():
    """Open follow-ups of every chat in the coordinator's towns; filter by overdue or owner."""
    overdue = request.args.get("overdue") == "1"
    owner = request.args.get("owner", "")
    owner_id = int(owner) if owner.isdigit() and len(owner) < 10 else None
    page_arg = request.args.get("page", "1")
    page = int(page_arg) if page_arg.isdigit() and 0 < len(page_arg) < 6 else 1
    items = db.paginate(
        stats.follow_ups(current_user, overdue=overdue, owner_id=owner_id),
        page=max(page, 1),
        per_page=25,
        error_out=False,
    )
    owners = stats.follow_up_owners(current_user)
    return render_page(
        "fireside/after_follow_ups.html",
        page=items,
        overdue=overdue,
        owner_id=owner_id,
        owners=owners,
        form=EmptyForm(),
        today=stats.local_today(),
        now=utcnow(),
        filter_args={k: v for k, v in (("overdue", "1" if overdue else ""), ("owner", owner_id or "")) if v},
    )
