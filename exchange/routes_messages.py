"""Conversations between two associations about a posting: reply, read, answer, report a message."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from core.extensions import db

from . import bp, queries, services
from .forms import MessageForm, ReportForm
from .models import Conversation, ConversationRead, Message
from .permissions import ensure_participant, is_poster, representative_required
from .routes import load_posting, page_number, rate_limited, render_show
from .services import ExchangeError


@bp.route("/<int:posting_id>/reply", methods=["POST"])
@representative_required
def reply(posting_id):
    """Answer a posting: opens the conversation between the two associations."""
    posting = load_posting(posting_id)
    if is_poster(current_user, posting):
        abort(403)
    form = MessageForm()
    if not form.validate_on_submit():
        return render_show(posting, reply_form=form, status=422)
    limited = rate_limited(form, "message")
    if limited:
        return *render_show(posting, reply_form=form, status=429), limited
    try:
        conversation, _message = services.reply(current_user, posting, form.body.data)
    except ExchangeError as error:
        db.session.rollback()
        form.body.errors.append(str(error.message))
        return render_show(posting, reply_form=form, status=422)
    db.session.commit()
    flash(_("Your message has been sent to %(association)s.", association=posting.association.name), "success")
    return redirect(url_for("exchange.conversation", conversation_id=conversation.id))


@bp.route("/messages")
@representative_required
def inbox():
    """The association's conversations, newest first, with unread counts."""
    page = db.paginate(queries.inbox(current_user.association_id), page=page_number(), per_page=20, error_out=False)
    unread = queries.unread_by_conversation(current_user, [c.id for c in page.items])
    return render_template("exchange/inbox.html", page=page, unread=unread)


def render_conversation(conversation, form, status=200):
    messages = conversation.messages
    unread_from = None
    read = db.session.get(ConversationRead, (current_user.id, conversation.id))
    last_read = read.last_read_message_id if read else 0
    for message in messages:
        if message.association_id != current_user.association_id and message.id > last_read:
            unread_from = message.id
            break
    if messages:
        services.mark_read(current_user, conversation, messages[-1].id)
        db.session.commit()
    return render_template(
        "exchange/conversation.html", conversation=conversation, posting=conversation.posting, messages=messages,
        form=form, own_side=current_user.association_id, unread_from=unread_from,
        poster_side=is_poster(current_user, conversation.posting),
    ), status


@bp.route("/conversations/<int:conversation_id>", methods=["GET", "POST"])
@login_required
def conversation(conversation_id):
    """Read and answer a conversation (both associations' representatives only)."""
    conversation = ensure_participant(current_user, db.get_or_404(Conversation, conversation_id))
    form = MessageForm()
    if form.validate_on_submit():
        limited = rate_limited(form, "message")
        if limited:
            return *render_conversation(conversation, form, 429), limited
        try:
            services.add_message(current_user, conversation, form.body.data)
        except ExchangeError as error:
            db.session.rollback()
            form.body.errors.append(str(error.message))
            return render_conversation(conversation, form, 422)
        db.session.commit()
        return redirect(url_for("exchange.conversation", conversation_id=conversation.id, _anchor="latest"))
    return render_conversation(conversation, form, 422 if form.errors else 200)


@bp.route("/messages/<int:message_id>/report", methods=["GET", "POST"])
@login_required
def report_message(message_id):
    """Tell the coordination office about a message from the other association."""
    message = db.get_or_404(Message, message_id)
    conversation = ensure_participant(current_user, message.conversation)
    if message.association_id == current_user.association_id:
        abort(403)
    form = ReportForm()
    if form.validate_on_submit():
        services.report(current_user, form.reason.data, message=message)
        db.session.commit()
        flash(_("Thank you. The coordination office will look at it."), "success")
        return redirect(url_for("exchange.conversation", conversation_id=conversation.id))
    return render_template(
        "exchange/report.html", form=form, posting=conversation.posting, message=message
    ), 422 if form.errors else 200
