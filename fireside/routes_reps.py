"""Associations: their chats, the answer page (signed in or through the personal link), host confirmation,
calendar files and feeds."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import roles_required
from core.extensions import db, limiter
from core.forms import EmptyForm
from core.models import Role, utcnow

from . import bp, forms, ics, queries, rsvp, services
from .models import CalendarFeed, ChatState, FiresideChat, InvitationState, RsvpAnswer, SeatState
from .routes import ics_response

representative_required = roles_required(Role.representative)


def _token_limit():
    return current_app.config["TOKEN_RATE_LIMIT"]


@bp.route("/mine")
@representative_required
def mine():
    """The association's invitations and answers, and chats it hosts that wait for its confirmation."""
    association_id = current_user.association_id
    invitations = queries.invitations_for(association_id)
    hosting = [c for c in queries.hosted_by(association_id) if c.host_confirmed_at is None]
    now = utcnow()
    upcoming = [i for i in invitations if i.chat.starts_at is None or i.chat.starts_at >= now]
    past = [i for i in invitations if i not in upcoming]
    return render_template("fireside/mine.html", upcoming=upcoming, past=past, hosting=hosting)


# --------------------------------------------------------------------------- the answer page


def _answer_page(invitation, chat, post_url, ics_url, form=None, vote_form=None, status=200, token=None):
    host_form = EmptyForm() if _may_confirm(chat) else None
    if invitation is not None and chat.state is ChatState.polling and vote_form is None:
        vote_form = forms.make_vote_form(chat, invitation)
    if invitation is not None and chat.state is ChatState.invited and form is None:
        form = forms.RsvpForm(max_persons=chat.max_per_association, data=_current_answer(invitation))
    return render_template(
        "fireside/answer.html", chat=chat, invitation=invitation, form=form, vote_form=vote_form,
        post_url=post_url, ics_url=ics_url, host_form=host_form, token=token,
        can_answer=invitation is not None and rsvp.can_answer(invitation), cutoff=rsvp.cutoff(chat),
        free=rsvp.free_seats(chat), position=_position(invitation),
    ), status


def _current_answer(invitation):
    if invitation.answer is RsvpAnswer.pending:
        return {}
    return {"answer": invitation.answer.value, "names": "\n".join(invitation.names or []), "note": invitation.note}


def _position(invitation):
    if invitation is None or invitation.seat_state is not SeatState.waitlisted:
        return None
    waiting = sorted((i for i in invitation.chat.invitations
                      if i.seat_state is SeatState.waitlisted and i.state is InvitationState.invited),
                     key=lambda i: (i.waitlisted_at, i.id))
    return waiting.index(invitation) + 1


def _may_confirm(chat):
    return (current_user.is_authenticated and current_user.is_representative
            and chat.host_association_id == current_user.association_id
            and chat.host_confirmed_at is None and chat.state is not ChatState.cancelled)


def _handle_answer(invitation, chat, post_url, ics_url, actor, token=None):
    """POST of the answer page: a date-poll vote or an RSVP."""
    if chat.state is ChatState.polling:
        form = forms.make_vote_form(chat, invitation, formdata=request.form)
        if not form.validate_on_submit():
            return _answer_page(invitation, chat, post_url, ics_url, vote_form=form, status=422, token=token)
        try:
            services.vote(invitation, forms.vote_answers(form, chat))
        except services.ChatError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
            return _answer_page(invitation, chat, post_url, ics_url, vote_form=form, status=422, token=token)
        db.session.commit()
        flash(_("Thank you: your answers to the date poll have been saved. You can change them while the poll is open."), "success")
        return redirect(post_url)
    form = forms.RsvpForm(max_persons=chat.max_per_association)
    if not form.validate_on_submit():
        return _answer_page(invitation, chat, post_url, ics_url, form=form, status=422, token=token)
    try:
        seat = rsvp.answer(invitation, RsvpAnswer(form.answer.data), form.name_list(), form.note.data or "", actor)
    except rsvp.RsvpError as error:
        db.session.rollback()
        target = form[error.field] if error.field else None
        (target.errors if target is not None else form.form_errors).append(str(error.message))
        return _answer_page(invitation, chat, post_url, ics_url, form=form, status=422, token=token)
    db.session.commit()
    flash(_answer_message(invitation, seat), "success" if seat is not SeatState.waitlisted else "warning")
    return redirect(post_url)


def _answer_message(invitation, seat):
    if seat is SeatState.confirmed:
        return _("Thank you: your seats are confirmed (%(count)d persons).", count=invitation.persons)
    if seat is SeatState.waitlisted:
        return _("The chat is full, so your association is on the waitlist (place %(place)d). "
                 "When a seat frees up you move up in order and we tell you by e-mail.", place=_position(invitation))
    return _("Thank you for your answer.")


@bp.route("/chats/<int:chat_id>/answer", methods=["GET", "POST"])
@representative_required
def invitation(chat_id):
    """The chat for a signed-in representative: details, the date poll or the RSVP, host confirmation."""
    chat = db.get_or_404(FiresideChat, chat_id)
    found = queries.invitation_of(chat, current_user.association_id)
    is_host = chat.host_association_id == current_user.association_id
    if (found is None or chat.state is ChatState.draft) and not is_host:
        abort(404)
    if chat.state is ChatState.draft:
        found = None  # the host sees the draft to confirm it; nobody answers before the invitations
    post_url = url_for("fireside.invitation", chat_id=chat.id)
    ics_url = url_for("fireside.download", chat_id=chat.id) if found is not None else None
    if request.method == "POST":
        if found is None:
            abort(404)
        return _handle_answer(found, chat, post_url, ics_url, current_user)
    return _answer_page(found, chat, post_url, ics_url)


@bp.route("/chats/<int:chat_id>/confirm-host", methods=["POST"])
@representative_required
def confirm_host(chat_id):
    """The host association confirms venue and date."""
    chat = db.get_or_404(FiresideChat, chat_id)
    if chat.host_association_id != current_user.association_id or chat.state is ChatState.cancelled:
        abort(404)
    if EmptyForm().validate_on_submit():
        services.confirm_host(chat, current_user)
        db.session.commit()
        flash(_("Thank you: you have confirmed that your association hosts this chat."), "success")
    return redirect(url_for("fireside.invitation", chat_id=chat.id))


# --------------------------------------------------------------------------- the personal link


def _token_or_page(secret):
    """(token, None) when the link works, else (None, a page saying why)."""
    token = services.find_token(secret)
    if token is None:
        return None, (render_template("fireside/link_problem.html", problem="unknown"), 404)
    problem = services.token_problem(token)
    if problem is not None:
        return None, (render_template("fireside/link_problem.html", problem=problem, chat=token.invitation.chat), 410)
    return token, None


@bp.route("/r/<token>", methods=["GET", "POST"])
@limiter.limit(_token_limit)
def token_page(token):
    """The answer page through the personal link in the mail (no account needed)."""
    found, page = _token_or_page(token)
    if page is not None:
        return page
    invitation, chat = found.invitation, found.invitation.chat
    found.last_used_at = utcnow()
    post_url = url_for("fireside.token_page", token=token)
    ics_url = url_for("fireside.token_ics", token=token) if chat.state is ChatState.invited else None
    if request.method == "POST":
        return _handle_answer(invitation, chat, post_url, ics_url, None, token=token)
    db.session.commit()
    return _answer_page(invitation, chat, post_url, ics_url, token=token)


@bp.route("/r/<token>/chat.ics")
@limiter.limit(_token_limit)
def token_ics(token):
    """The chat as an .ics file through the personal link."""
    found, page = _token_or_page(token)
    if page is not None:
        return page
    if found.invitation.chat.state is not ChatState.invited:
        abort(404)
    return ics_response(found.invitation.chat)


# --------------------------------------------------------------------------- calendar feeds


@bp.route("/calendar-feeds", methods=["GET", "POST"])
@representative_required
def feeds():
    """The association's secret calendar feed addresses: create one, see them, revoke them."""
    association = current_user.association
    if association is None:
        abort(404)
    if request.method == "POST":
        if EmptyForm().validate_on_submit():
            _feed, secret = services.create_feed(association, current_user)
            db.session.commit()
            session["fireside_new_feed"] = url_for("fireside.feed", token=secret, _external=True)
            flash(_("A new calendar address has been created. Copy it now: it is shown only once."), "success")
        return redirect(url_for("fireside.feeds"))
    rows = db.session.scalars(db.select(CalendarFeed).where(CalendarFeed.association_id == association.id)
                              .order_by(CalendarFeed.created_at.desc())).all()
    return render_template("fireside/feeds.html", feeds=rows, new_url=session.pop("fireside_new_feed", None),
                           form=EmptyForm())


@bp.route("/calendar-feeds/<int:feed_id>/revoke", methods=["POST"])
@representative_required
def revoke_feed(feed_id):
    """Revoke a feed address: calendar programs using it get nothing more."""
    feed = db.get_or_404(CalendarFeed, feed_id)
    if feed.association_id != current_user.association_id:
        abort(404)
    if EmptyForm().validate_on_submit() and feed.revoked_at is None:
        services.revoke_feed(feed, current_user)
        db.session.commit()
        flash(_("The calendar address has been revoked."), "success")
    return redirect(url_for("fireside.feeds"))


@bp.route("/feed/<token>.ics")
@limiter.limit(_token_limit)
def feed(token):
    """An association's chats as an iCalendar feed (secret address, no sign-in)."""
    from flask import Response

    found = services.find_feed(token)
    if found is None:
        abort(404)
    found.last_used_at = utcnow()
    chats = queries.feed_chats(found.association_id)
    text = ics.calendar(chats, name=found.association.name,
                        organizer=lambda c: ics.organizer_of(c, current_app.config))
    db.session.commit()
    return Response(text, mimetype="text/calendar")
