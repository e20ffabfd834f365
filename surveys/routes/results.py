"""Results: figures with charts and tables, the responses behind them, waves, sharing and export."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from core.access import coordinator_required
from core.audit import record_request
from core.cache import cached_page
from core.extensions import db
from core.i18n import text_direction
from core.models import Association

from .. import bp, charts, export, queries, results
from ..access import can_see_summary, survey_in_scope
from ..forms import ShareForm
from ..models import QuestionKind, ResponseState, ShareLevel, SurveyConflict, SurveyResponse, translate
from ..responding import describe, stored_answers
from ..structure import Structure

PAGE_SIZE = 50


def _lang():
    return str(get_locale())


def _charts(question_results, lang, rtl, scale_labels=True):
    """{question id: SVG} for every question with counts."""
    drawn = {}
    for result in question_results:
        title = translate(result.question.text, lang)[0]
        if result.rows:
            drawn[result.question.id] = charts.bar_chart(
                title, [(r.label, [(r.count, r.percent)]) for r in result.rows], rtl
            )
        elif result.matrix:
            labels = _scale_labels(result.question, lang)
            drawn[result.question.id] = charts.stacked_chart(
                title, [(label, cells) for label, cells, *_rest in result.matrix], labels, rtl
            )
    return drawn


def _scale_labels(question, lang):
    settings = question.settings or {}
    low, high = int(settings.get("scale_min", 1)), int(settings.get("scale_max", 5))
    labels = [str(v) for v in range(low, high + 1)]
    low_text = translate(settings.get("low_label") or {}, lang)[0]
    high_text = translate(settings.get("high_label") or {}, lang)[0]
    if low_text:
        labels[0] = f"{labels[0]} = {low_text}"
    if high_text:
        labels[-1] = f"{labels[-1]} = {high_text}"
    return labels


@bp.route("/<int:survey_id>/results")
@coordinator_required
@cached_page
def results_page(survey_id):
    """Every question's figures, filtered and cross-tabulated; each figure links to its responses."""
    survey = survey_in_scope(current_user, survey_id)
    structure = Structure.load(survey)
    filters = results.Filters.from_args(request.args)
    lang = _lang()
    total, question_results = results.aggregate(survey, structure, filters, lang)
    return render_template(
        "surveys/results.html",
        survey=survey,
        structure=structure,
        filters=filters,
        total=total,
        results=question_results,
        charts=_charts(question_results, lang, text_direction(lang) == "rtl"),
        topics=results.topic_summary(survey, structure, filters, lang),
        group_choices=results.group_choices(structure, lang),
        districts=queries.districts_of(survey.municipality_id),
        lang=lang,
        scale_labels={r.question.id: _scale_labels(r.question, lang) for r in question_results if r.matrix},
    )


@bp.route("/<int:survey_id>/responses")
@coordinator_required
def responses(survey_id):
    """The responses behind a figure (or all), with their associations."""
    survey = survey_in_scope(current_user, survey_id)
    structure = Structure.load(survey)
    filters = results.Filters.from_args(request.args)
    drafts = request.args.get("state") == "draft"
    if drafts:
        ids = select(SurveyResponse.id).where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.state == ResponseState.draft
        )
    else:
        ids = results.responses_stmt(survey, filters, structure)
    page_number = max(request.args.get("page", 1, type=int), 1)
    stmt = (
        select(SurveyResponse, Association)
        .join(Association, Association.id == SurveyResponse.association_id)
        .where(SurveyResponse.id.in_(ids))
        .order_by(func.lower(Association.name))
    )
    count = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    rows = db.session.execute(stmt.limit(PAGE_SIZE).offset((page_number - 1) * PAGE_SIZE)).all()
    return render_template(
        "surveys/responses.html",
        survey=survey,
        structure=structure,
        filters=filters,
        rows=rows,
        count=count,
        drafts=drafts,
        page_number=page_number,
        pages=max((count + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        answer_label=_answer_label(structure, filters.answer),
    )


def _answer_label(structure, spec):
    key, _sep, value = spec.partition("=")
    question = structure.question_by_key.get(key)
    if question is None:
        return None
    lang = _lang()
    options = {o.key: o for o in question.options}
    if value == "*":
        shown = _("answered")
    elif value in options:
        shown = options[value].label_in(lang)[0]
    elif value in ("yes", "no"):
        shown = _("Yes") if value == "yes" else _("No")
    elif "." in value and value.rpartition(".")[0] in options:
        row, _dot, number = value.rpartition(".")
        shown = f"{options[row].label_in(lang)[0]}: {number}"
    else:
        shown = value
    return translate(question.text, lang)[0], shown


@bp.route("/<int:survey_id>/responses/<int:response_id>")
@coordinator_required
def response_detail(survey_id, response_id):
    """One association's answers, retired questions included, and any conflicting versions kept."""
    survey = survey_in_scope(current_user, survey_id)
    response = db.get_or_404(SurveyResponse, response_id)
    if response.survey_id != survey.id:
        abort(404)
    structure = Structure.load(survey)
    answers = stored_answers(response)
    lang = _lang()
    sections = [
        (
            section,
            [
                (q, translate(q.text, lang)[0], describe(q, answers.get(q.id), lang))
                for q in section.questions
                if q.id in answers or not q.is_retired
            ],
        )
        for section in structure.sections
    ]
    conflicts = db.session.scalars(
        select(SurveyConflict)
        .where(SurveyConflict.response_id == response.id)
        .order_by(SurveyConflict.created_at.desc())
    ).all()
    return render_template(
        "surveys/response.html", survey=survey, response=response, sections=sections, conflicts=conflicts
    )


@bp.route("/<int:survey_id>/compare")
@coordinator_required
def compare(survey_id):
    """This wave beside another wave of the same survey, question by question (matched by key)."""
    survey = survey_in_scope(current_user, survey_id)
    waves = queries.waves_of(survey)
    other_id = request.args.get("with", type=int) or (
        survey.previous_id if survey.previous_id in {w.id for w in waves} else None
    )
    other = next((w for w in waves if w.id == other_id), None)
    if other is None:
        return render_template("surveys/compare.html", survey=survey, other=None, waves=waves, pairs=[])
    survey_in_scope(current_user, other.id)
    lang = _lang()
    filters = results.Filters()
    this_total, this_results = results.aggregate(survey, Structure.load(survey), filters, lang, with_texts=False)
    other_total, other_results = results.aggregate(other, Structure.load(other), filters, lang, with_texts=False)
    pairs = _pairs(
        this_results, other_results, lang, text_direction(lang) == "rtl", [_wave_name(other), _wave_name(survey)]
    )
    return render_template(
        "surveys/compare.html",
        survey=survey,
        other=other,
        waves=waves,
        pairs=pairs,
        this_total=this_total,
        other_total=other_total,
    )


def _wave_name(survey):
    return survey.wave_label or survey.name


def _pairs(this_results, other_results, lang, rtl, names):
    earlier = {r.question.key: r for r in other_results}
    pairs = []
    for result in this_results:
        before = earlier.get(result.question.key)
        if before is None:
            continue
        if result.rows:
            old = {row.value: row for row in before.rows}
            rows = [(row.label, old.get(row.value), row) for row in result.rows]
            chart = charts.bar_chart(
                translate(result.question.text, lang)[0],
                [(label, [(o.count, o.percent) if o else (0, 0.0), (n.count, n.percent)]) for label, o, n in rows],
                rtl,
                names,
            )
            pairs.append((result, before, rows, chart))
        elif result.question.kind in (QuestionKind.number,) or result.matrix:
            pairs.append((result, before, None, None))
    return pairs


@bp.route("/<int:survey_id>/share", methods=["GET", "POST"])
@coordinator_required
def share(survey_id):
    """Publish the results summary to the associations or the public; small cells stay hidden."""
    survey = survey_in_scope(current_user, survey_id)
    form = ShareForm(data={"share_level": survey.share_level.value})
    if form.validate_on_submit():
        from ..services import set_share_level

        set_share_level(current_user, survey, ShareLevel(form.share_level.data))
        record_request("survey.share", survey, level=survey.share_level.value)
        db.session.commit()
        flash(_("Sharing has been updated."), "success")
        return redirect(url_for("surveys.show", survey_id=survey.id))
    return render_template("surveys/share.html", survey=survey, form=form)


@bp.route("/<int:survey_id>/summary")
def summary(survey_id):
    """The shared results summary: counts under 3 are shown as "fewer than 3", no free texts."""
    from ..models import Survey

    survey = db.get_or_404(Survey, survey_id)
    if not can_see_summary(current_user, survey):
        abort(404)
    structure = Structure.load(survey)
    lang = _lang()
    total, question_results = results.aggregate(survey, structure, results.Filters(), lang, with_texts=False)
    question_results = [r for r in question_results if not r.question.is_retired and (r.rows or r.matrix or r.stats)]
    results.suppress(question_results, total)
    topics = results.suppress_topics(results.topic_summary(survey, structure, results.Filters(), lang))
    rtl = text_direction(lang) == "rtl"
    return (
        render_template(
            "surveys/summary.html",
            survey=survey,
            total=total,
            results=question_results,
            charts=_charts(question_results, lang, rtl),
            topics=topics,
            lang=lang,
            too_few=total < results.SMALL_CELL,
            scale_labels={r.question.id: _scale_labels(r.question, lang) for r in question_results if r.matrix},
        ),
        200,
        {"X-Personal": "1"} if survey.share_level is not ShareLevel.public else {},
    )


def _export(survey_id, build, mimetype, extension):
    survey = survey_in_scope(current_user, survey_id)
    body = build(survey, Structure.load(survey), include_drafts=request.args.get("drafts") == "1")
    # The wave label is typed freely ("2024–25"): secure_filename keeps the header ASCII and unquoted-safe.
    label = secure_filename(survey.wave_label or "") or "export"
    filename = f"survey-{survey.id}-{label}.{extension}"
    record_request("survey.export", survey, format=extension, drafts=request.args.get("drafts") == "1")
    db.session.commit()
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Personal": "1"},
    )


@bp.route("/<int:survey_id>/export.csv")
@coordinator_required
def export_csv(survey_id):
    """All submitted responses as CSV (UTF-8 with BOM, semicolons)."""
    return _export(survey_id, export.to_csv, "text/csv; charset=utf-8", "csv")


@bp.route("/<int:survey_id>/export.xlsx")
@coordinator_required
def export_xlsx(survey_id):
    """All submitted responses as an Excel workbook with a codebook sheet."""
    return _export(
        survey_id, export.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    )
