"""The board, the public board, and an association's own postings from posting to fulfilled."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from core.access import in_scope, municipalities_in_scope
from core.associations.queries import active_topics
from core.cache import cached_page
from core.extensions import db
from core.forms import EmptyForm
from core.models import Association, Municipality, utcnow
from core.urls import absolute_url

from . import bp, feeds, matches, queries, ratelimit, services
from .board import BoardFilters, board_conditions, districts, ordered, paginate, public_conditions
from .display import topic_names
from .forms import DigestForm, FulfilForm, MessageForm, PostingForm, ReportForm, StateForm
from .models import DigestSubscription, Moderation, Posting, PostingKind, PostingState
from .permissions import (
    can_post,
    ensure_can_view,
    ensure_poster,
    is_partner,
    is_poster,
    own_association_id,
    representative_required,
    staff_in_scope,
)
from .services import ExchangeError


def page_number():
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def board_page(conditions, sort):
    config = current_app.config
    return paginate(conditions, page_number(), config["EXCHANGE_PAGE_SIZE"], config["EXCHANGE_COUNT_CAP"], sort)


def load_posting(posting_id):
    return ensure_can_view(current_user, db.get_or_404(Posting, posting_id))


def rate_limited(form, scope):
    """None when the submission may go ahead; else the 429 headers, with the message in the form's errors."""
    if ratelimit.allow(scope):
        return None
    seconds = ratelimit.retry_after(scope)
    form.form_errors.append(ngettext(
        "You have sent a lot in a short time. Please wait about %(num)s minute and send it again – "
        "everything you typed is still here.",
        "You have sent a lot in a short time. Please wait about %(num)s minutes and send it again – "
        "everything you typed is still here.",
        max(1, round(seconds / 60)),
    ))
    return {"Retry-After": str(seconds)}


# --------------------------------------------------------------------------- boards


@bp.route("/")
@login_required
@cached_page
def board():
    """Offers and requests of the associations in the user's towns."""
    filters = BoardFilters.from_args(request.args)
    page = board_page(board_conditions(current_user, filters, utcnow()), filters.sort)
    municipalities = municipalities_in_scope(current_user)
    return render_template(
        "exchange/board.html", page=page, filters=filters, topics=active_topics(),
        districts=districts(in_scope(current_user, Association.municipality_id)),
        municipalities=municipalities if len(municipalities) > 1 else [],
        has_town=bool(municipalities), can_post=can_post(current_user),
    )


@bp.route("/public")
def public_board():
    """The public board: open offers and requests their associations chose to show to everyone."""
    filters = BoardFilters.from_args(request.args)
    page = board_page(public_conditions(filters, utcnow()), filters.sort)
    municipalities = db.session.scalars(db.select(Municipality).order_by(Municipality.name)).all()
    return render_template(
        "exchange/public_board.html", page=page, filters=filters, topics=active_topics(),
        districts=districts(), municipalities=municipalities if len(municipalities) > 1 else [],
    )


def public_posting(posting_id):
    posting = db.get_or_404(Posting, posting_id)
    if not (posting.is_public and posting.is_visible and posting.is_active and posting.expires_at > utcnow()):
        abort(404)
    return posting


@bp.route("/public/<int:posting_id>")
def public_show(posting_id):
    """One public posting, without contact details."""
    return render_template("exchange/public_posting.html", posting=public_posting(posting_id))


# --------------------------------------------------------------------------- own postings


@bp.route("/mine")
@representative_required
def mine():
    """The association's postings in every state, and exchanges others asked it to confirm."""
    association_id = own_association_id(current_user)
    page = db.paginate(queries.own_postings(association_id), page=page_number(), per_page=20, error_out=False)
    return render_template(
        "exchange/mine.html", page=page, to_confirm=queries.awaiting_confirmation(association_id), form=EmptyForm(),
        now=utcnow(),
    )


def posting_form(posting=None):
    association = current_user.association
    town_districts = districts(Association.municipality_id == association.municipality_id)
    form = PostingForm(active_topics(), town_districts, obj=posting)
    if request.method == "GET":
        if posting is not None:
            form.fill_from(posting)
        else:
            form.kind.data = request.args.get("kind") if request.args.get("kind") in {k.value for k in PostingKind} else None
            form.district.data = association.district if association.district in town_districts else ""
            form.contact_name.data = current_user.name
            form.contact_email.data = association.email or current_user.email
            form.contact_phone.data = association.phone
            form.languages.data = association.languages
    return form


def render_posting_form(form, posting=None, status=200):
    return render_template("exchange/form.html", form=form, posting=posting, kind_choice=form.kind.data), status


@bp.route("/new", methods=["GET", "POST"])
@representative_required
def create():
    """Post an offer or a request."""
    form = posting_form()
    if form.validate_on_submit():
        limited = rate_limited(form, "posting")
        if limited:
            return *render_posting_form(form, status=429), limited
        posting = services.create_posting(current_user, current_user.association, form.posting_data())
        db.session.commit()
        flash(_("Your posting is on the board until %(date)s.", date=_date(posting.expires_at)), "success")
        return redirect(url_for("exchange.show", posting_id=posting.id))
    return render_posting_form(form, status=422 if form.errors else 200)


def _date(moment):
    return format_date(moment)


@bp.route("/<int:posting_id>")
@login_required
def show(posting_id):
    """A posting: details, and for its association the counterparts and conversations."""
    posting = load_posting(posting_id)
    return render_show(posting)


def render_show(posting, reply_form=None, status=200):
    now = utcnow()
    own = is_poster(current_user, posting)
    staff = staff_in_scope(current_user, posting.municipality_id)
    context = {
        "posting": posting, "own": own, "staff": staff, "partner": is_partner(current_user, posting),
        "form": EmptyForm(), "now": now, "can_renew": own and services.renewal_due(posting, now),
        "conversation": queries.conversation_with(posting, own_association_id(current_user)) if not own else None,
        "reply_form": reply_form or MessageForm(),
    }
    if own or staff:
        context["counterparts"] = matches.counterparts_for(posting, now)
        context["survey_counterparts"] = matches.survey_counterparts_for(posting)
        context["topic_names"] = topic_names(active_topics())
        context["conversations"] = queries.conversations_of(posting)
        context["unread"] = queries.unread_by_conversation(current_user) if own else {}
    return render_template("exchange/posting.html", **context), status


@bp.route("/<int:posting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(posting_id):
    """Change one's own posting."""
    posting = ensure_poster(current_user, db.get_or_404(Posting, posting_id))
    if posting.moderation is Moderation.removed:
        flash(_("This posting was removed by the coordination office and cannot be changed."), "error")
        return redirect(url_for("exchange.show", posting_id=posting.id))
    form = posting_form(posting)
    if form.validate_on_submit():
        try:
            services.update_posting(current_user, posting, form.posting_data())
        except ExchangeError as error:
            flash(str(error.message), "error")
            return redirect(url_for("exchange.show", posting_id=posting.id))
        db.session.commit()
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for("exchange.show", posting_id=posting.id))
    return render_posting_form(form, posting, status=422 if form.errors else 200)


def _act(posting, action, success):
    """Run a service on a posting after a valid POST; the outcome is flashed either way.
    `success` is a message, or a function of the service's result returning one."""
    try:
        result = action()
    except ExchangeError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(success(result) if callable(success) else success, "success")
    return redirect(url_for("exchange.show", posting_id=posting.id))


STATE_MESSAGES = {
    PostingState.open: _l("The posting is open again."),
    PostingState.in_progress: _l("The posting is marked as in progress."),
    PostingState.withdrawn: _l("The posting has been withdrawn."),
}


@bp.route("/<int:posting_id>/state", methods=["POST"])
@login_required
def set_state(posting_id):
    """Mark in progress, open again or withdraw."""
    posting = ensure_poster(current_user, db.get_or_404(Posting, posting_id))
    form = StateForm()
    if not form.validate_on_submit() or PostingState(form.state.data) not in STATE_MESSAGES:
        abort(400)
    state = PostingState(form.state.data)
    return _act(posting, lambda: services.change_state(current_user, posting, state), str(STATE_MESSAGES[state]))


@bp.route("/<int:posting_id>/publish", methods=["POST"])
@login_required
def publish(posting_id):
    """Put a draft prepared for the association on the board."""
    posting = ensure_poster(current_user, db.get_or_404(Posting, posting_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(
        posting, lambda: services.publish(current_user, posting),
        lambda published: _("Your posting is on the board until %(date)s.", date=_date(published.expires_at)),
    )


@bp.route("/<int:posting_id>/renew", methods=["POST"])
@login_required
def renew(posting_id):
    """One click: another full run from today."""
    posting = ensure_poster(current_user, db.get_or_404(Posting, posting_id))
    if not EmptyForm().validate_on_submit():
        abort(400)

    return _act(
        posting, lambda: services.renew(current_user, posting),
        lambda renewed: _("The posting has been renewed and runs until %(date)s.", date=_date(renewed.expires_at)),
    )


@bp.route("/<int:posting_id>/fulfil", methods=["GET", "POST"])
@login_required
def fulfil(posting_id):
    """Close the loop: fulfilled, and with which association."""
    posting = ensure_poster(current_user, db.get_or_404(Posting, posting_id))
    talked, others = queries.partner_choices(posting)
    form = FulfilForm(talked, others, partner_id=request.args.get("partner", 0, type=int))
    if form.validate_on_submit():
        partner = db.session.get(Association, form.partner_id.data) if form.partner_id.data else None
        return _act(
            posting, lambda: services.mark_fulfilled(current_user, posting, partner),
            _("Thank you! The posting is marked as fulfilled.")
            + (" " + _("%(association)s is asked to confirm.", association=partner.name) if partner else ""),
        )
    return render_template("exchange/fulfil.html", posting=posting, form=form), 422 if form.errors else 200


@bp.route("/<int:posting_id>/confirm", methods=["POST"])
@login_required
def confirm(posting_id):
    """The partner association confirms that the exchange took place."""
    posting = load_posting(posting_id)
    if not is_partner(current_user, posting):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(posting, lambda: services.confirm_partner(current_user, posting), _("Thank you for confirming the exchange."))


@bp.route("/<int:posting_id>/deny", methods=["POST"])
@login_required
def deny(posting_id):
    """The partner association says the exchange did not happen with it."""
    posting = load_posting(posting_id)
    if not is_partner(current_user, posting):
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.deny_partner(current_user, posting)
    db.session.commit()
    flash(_("Noted: your association is no longer named as the partner of this exchange."), "success")
    return redirect(url_for("exchange.mine"))


@bp.route("/<int:posting_id>/report", methods=["GET", "POST"])
@login_required
def report_posting(posting_id):
    """Tell the coordination office about a posting that does not belong here."""
    posting = load_posting(posting_id)
    if is_poster(current_user, posting):
        abort(403)
    form = ReportForm()
    if form.validate_on_submit():
        services.report(current_user, form.reason.data, posting=posting)
        db.session.commit()
        flash(_("Thank you. The coordination office will look at it."), "success")
        return redirect(url_for("exchange.show", posting_id=posting.id))
    return render_template("exchange/report.html", form=form, posting=posting, message=None), 422 if form.errors else 200


# --------------------------------------------------------------------------- digest


@bp.route("/digest", methods=["GET", "POST"])
@representative_required
def digest():
    """Opt the association in or out of the weekly e-mail of matching new postings."""
    association = current_user.association
    subscribed = db.session.get(DigestSubscription, association.id) is not None
    form = DigestForm(data={"subscribe": subscribed} if request.method == "GET" else None)
    if form.validate_on_submit():
        services.set_digest(current_user, association, form.subscribe.data)
        db.session.commit()
        flash(_("The weekly e-mail is switched on.") if form.subscribe.data else _("The weekly e-mail is switched off."), "success")
        return redirect(url_for("exchange.digest"))
    return render_template("exchange/digest.html", form=form, association=association, subscribed=subscribed)


# --------------------------------------------------------------------------- feed


@bp.route("/feed.atom")
def feed():
    """Atom feed of the public offers (of one town with ?municipality=<id>) for the town's website."""
    municipality = request.args.get("municipality", type=int)
    filters = BoardFilters(kind="offer", municipality=municipality)
    postings = db.session.scalars(ordered(public_conditions(filters, utcnow())).limit(50)).all()
    town = db.session.get(Municipality, municipality) if municipality else None
    body = feeds.atom_feed(
        postings,
        title=_("Offers of the associations in %(town)s", town=town.name) if town else _("Offers of the associations"),
        feed_url=absolute_url("exchange.feed", **({"municipality": municipality} if municipality else {})),
        board_url=absolute_url("exchange.public_board"),
        entry_url=lambda p: absolute_url("exchange.public_show", posting_id=p.id),
    )
    return Response(body, mimetype="application/atom+xml")
