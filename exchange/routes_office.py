"""The coordination office's side: every posting in scope, reports, moderation, export and figures."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import coordinator_required, in_scope, municipalities_in_scope, municipality_ids
from core.associations.queries import active_topics
from core.audit import record_request
from core.extensions import db
from core.forms import EmptyForm
from core.models import Association, utcnow

from . import board, bp, feeds, moderation, queries
from .forms import ModerationForm, ReasonForm
from .models import Conversation, Message, Posting, Report
from .permissions import ensure_staff_in_scope
from .routes import board_page
from .services import ExchangeError


def _manage_filters():
    return board.BoardFilters.from_args(request.args, states=board.ALL_STATES, with_moderation=True)


@bp.route("/manage")
@coordinator_required
def manage():
    """Every posting in the coordinator's towns, in every state, filterable."""
    filters = _manage_filters()
    page = board_page(board.manage_conditions(current_user, filters, utcnow()), filters.sort)
    municipalities = municipalities_in_scope(current_user)
    return render_template(
        "exchange/manage.html", page=page, filters=filters, topics=active_topics(),
        districts=board.districts(in_scope(current_user, Association.municipality_id)),
        municipalities=municipalities if len(municipalities) > 1 else [],
        open_reports=queries.open_report_count(current_user),
    )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/manage/export.<fmt>")
@coordinator_required
def export(fmt):
    """The filtered list as CSV or XLSX (cells that look like formulas stay text)."""
    if fmt not in EXPORT_TYPES:
        abort(404)
    filters = _manage_filters()
    postings = db.session.scalars(board.ordered(board.manage_conditions(current_user, filters, utcnow()), filters.sort)).all()
    names = {m.id: m.name for m in municipalities_in_scope(current_user)}
    rows = [feeds.export_header(), *(feeds.export_row(p, names) for p in postings)]
    body = feeds.to_csv(rows) if fmt == "csv" else feeds.to_xlsx(rows, _("Postings"))
    filename = f"exchange-postings-{utcnow():%Y-%m-%d}.{fmt}"
    record_request("posting.export", format=fmt, rows=len(postings))
    db.session.commit()
    return Response(
        body, mimetype=EXPORT_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.route("/reports")
@coordinator_required
def reports():
    """Reported postings and messages in scope, the oldest open one first."""
    resolved = request.args.get("resolved") == "1"
    page = db.paginate(queries.reports_in_scope(current_user, resolved), per_page=20, error_out=False)
    return render_template("exchange/reports.html", page=page, resolved=resolved, form=EmptyForm())


def _report_in_scope(report_id):
    report = db.get_or_404(Report, report_id)
    ensure_staff_in_scope(current_user, report.municipality_id)
    return report


@bp.route("/reports/<int:report_id>/dismiss", methods=["POST"])
@coordinator_required
def dismiss_report(report_id):
    """Nothing to do about this report."""
    report = _report_in_scope(report_id)
    if EmptyForm().validate_on_submit():
        moderation.dismiss_report(current_user, report)
        record_request("report.dismiss", report)
        db.session.commit()
        flash(_("The report has been closed without action."), "success")
    return redirect(url_for("exchange.reports"))


@bp.route("/<int:posting_id>/moderate", methods=["GET", "POST"])
@coordinator_required
def moderate(posting_id):
    """Hide, remove or restore a posting with a reason the association sees; lock its conversations."""
    posting = db.get_or_404(Posting, posting_id)
    ensure_staff_in_scope(current_user, posting.municipality_id)
    form = ModerationForm()
    if form.validate_on_submit():
        try:
            moderation.moderate_posting(current_user, posting, form.action.data, form.reason.data or "")
        except ExchangeError as error:
            form.reason.errors.append(str(error.message))
        else:
            record_request(f"posting.{form.action.data}", posting)  # hide, remove or restore (a fixed choice)
            db.session.commit()
            flash(_("Done. The association has been told."), "success")
            return redirect(url_for("exchange.show", posting_id=posting.id))
    reports = db.session.scalars(
        db.select(Report).where(Report.posting_id == posting.id).order_by(Report.created_at.desc())
    ).all()
    return render_template(
        "exchange/moderate.html", posting=posting, form=form, reports=reports,
        conversations=queries.conversations_of(posting), empty_form=EmptyForm(),
    ), 422 if form.errors else 200


@bp.route("/messages/<int:message_id>/hide", methods=["GET", "POST"])
@coordinator_required
def hide_message(message_id):
    """Hide a reported message; both associations see the reason instead of the text."""
    message = db.get_or_404(Message, message_id)
    ensure_staff_in_scope(current_user, message.conversation.municipality_id)
    if not db.session.scalar(db.select(Report.id).where(Report.message_id == message.id).limit(1)):
        # Coordinators do not read conversations; they act only on messages someone reported.
        abort(404)
    form = ReasonForm()
    if form.validate_on_submit():
        moderation.hide_message(current_user, message, form.reason.data)
        record_request("message.hide", message, municipality_id=message.conversation.municipality_id)
        db.session.commit()
        flash(_("The message has been hidden."), "success")
        return redirect(url_for("exchange.reports"))
    return render_template("exchange/hide_message.html", message=message, form=form), 422 if form.errors else 200


def _conversation_in_scope(conversation_id):
    conversation = db.get_or_404(Conversation, conversation_id)
    ensure_staff_in_scope(current_user, conversation.municipality_id)
    return conversation


@bp.route("/conversations/<int:conversation_id>/lock", methods=["GET", "POST"])
@coordinator_required
def lock(conversation_id):
    """Close a conversation: it stays readable for both associations, nobody can write."""
    conversation = _conversation_in_scope(conversation_id)
    form = ReasonForm()
    if form.validate_on_submit():
        moderation.lock_conversation(current_user, conversation, form.reason.data)
        record_request("conversation.lock", conversation)
        db.session.commit()
        flash(_("The conversation has been closed."), "success")
        return redirect(url_for("exchange.moderate", posting_id=conversation.posting_id))
    return render_template("exchange/lock.html", conversation=conversation, form=form), 422 if form.errors else 200


@bp.route("/conversations/<int:conversation_id>/unlock", methods=["POST"])
@coordinator_required
def unlock(conversation_id):
    """Let the two associations write to each other again."""
    conversation = _conversation_in_scope(conversation_id)
    if EmptyForm().validate_on_submit():
        moderation.unlock_conversation(current_user, conversation)
        record_request("conversation.unlock", conversation)
        db.session.commit()
        flash(_("The conversation is open again."), "success")
    return redirect(url_for("exchange.moderate", posting_id=conversation.posting_id))


@bp.route("/figures")
@coordinator_required
def figures():
    """What came of the board: exchanges by category and between fields, for the office's report."""
    ids = municipality_ids(current_user)
    year = request.args.get("year", type=int)
    first = queries.years_with_postings(ids)
    this_year = utcnow().year
    years = list(range(this_year, (first or this_year) - 1, -1))
    if year not in years:
        year = None
    return render_template("exchange/figures.html", figures=queries.figures(ids, year), years=years, year=year)
