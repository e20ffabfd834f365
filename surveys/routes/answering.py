"""Answering: signed-in representatives and personal links share one flow, and nothing typed is lost.

- Every page turn saves a draft; valid answers are kept even when another one on the page is not.
- A CSRF failure (session gone) shows the page again with everything typed and a fresh token.
- A signed-in representative whose session ended gets a sign-in form that carries the answers.
- A page saved over someone else's newer change becomes a conflict: both versions are kept.
"""

import json
import re
from contextlib import nullcontext

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import ValidationError, validate_csrf

from core.accounts import services as account_services
from core.extensions import csrf, db, limiter
from core.i18n import text_direction
from core.labels import LANGUAGE_LABELS
from core.models import Role, utcnow

from .. import bp, queries, responding
from ..access import respondent_for_token, respondent_for_user
from ..forms import make_response_form
from ..models import SOURCE_LANGUAGE, translate
from ..responding import Respondent
from ..structure import Structure, condition_for_client, describe_condition

FOREIGN_FIELD = re.compile(r"^q(\d+)(?:_.*)?$")


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _token_limit():
    return current_app.config["TOKEN_RATE_LIMIT"]


def _not_relogin():
    return request.form.get("action") != "relogin"


def _failed_link(response):
    return response.status_code in (404, 410)


class Flow:
    """One way into a response: signed in (`token` empty) or through a personal link."""

    def __init__(self, respondent):
        self.respondent = respondent
        self.survey = respondent.survey
        self.token = respondent.token

    def url(self, kind, section_id=None, lang=None, **extra):
        args = {"lang": lang} if lang else {}
        args.update(extra)
        if self.token:
            endpoint = {"start": "surveys.token_start", "page": "surveys.token_page", "review": "surveys.token_review"}[
                kind
            ]
            args["token"] = self.token
        else:
            endpoint = {
                "start": "surveys.answer_start",
                "page": "surveys.answer_page",
                "review": "surveys.answer_review",
            }[kind]
            args["survey_id"] = self.survey.id
        if section_id is not None:
            args["section_id"] = section_id
        return url_for(endpoint, **args)


def _csrf_ok():
    if not current_app.config.get("WTF_CSRF_ENABLED", True) or g.get("survey_csrf_checked"):
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def _lang(survey, response):
    """The respondent's survey language: chosen in the URL, else last used, else the UI's, else German."""
    offered = survey.languages or [SOURCE_LANGUAGE]
    for candidate in (request.args.get("lang"), response.locale if response else None, str(get_locale())):
        if candidate in offered:
            return candidate
    return SOURCE_LANGUAGE


def _ui(lang):
    """Pages follow the survey language when the interface speaks it too (messages included)."""
    return force_locale(lang) if lang in current_app.config["LANGUAGES"] else nullcontext()


def _respondent_name(flow):
    """The name given on the personal link; pages carry it too, so a new session learns it again."""
    if not flow.token:
        return ""
    names = session.get("survey_names", {})
    key = str(flow.respondent.invitation.id)
    posted = (request.form.get("respondent_name") or "").strip()[:120]
    if posted and names.get(key) != posted and request.endpoint != "surveys.token_start":
        session["survey_names"] = {**names, key: posted}
    return posted or names.get(key, "")


# --------------------------------------------------------------------------- entry points


@bp.route("/mine")
@login_required
def mine():
    """Surveys addressed to the representative's association."""
    if current_user.role is not Role.representative:
        abort(403)
    rows = queries.surveys_for_association(current_user.association_id) if current_user.association_id else []
    return render_template("surveys/mine.html", rows=rows)


@bp.route("/<int:survey_id>/answer")
@login_required
def answer_start(survey_id):
    """The association's response: progress, last change, continue or review."""
    return _start(Flow(respondent_for_user(current_user, survey_id)))


@bp.route("/<int:survey_id>/answer/<int:section_id>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_login_limit, methods=["POST"], exempt_when=_not_relogin)
def answer_page(survey_id, section_id):
    """One section of the survey."""
    signed_in = _signed_in_respondent(survey_id)
    if not isinstance(signed_in, Respondent):
        return signed_in
    return _page(Flow(signed_in), section_id)


@bp.route("/<int:survey_id>/answer/review", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_login_limit, methods=["POST"], exempt_when=_not_relogin)
def answer_review(survey_id):
    """All answers at a glance; submit."""
    signed_in = _signed_in_respondent(survey_id)
    if not isinstance(signed_in, Respondent):
        return signed_in
    return _review(Flow(signed_in))


def _signed_in_respondent(survey_id):
    """The respondent, or a page: sign-in for GET, a sign-in form carrying the answers for POST."""
    if request.method == "POST" and request.form.get("action") == "relogin":
        return _relogin(survey_id)
    if current_user.is_authenticated:
        return respondent_for_user(current_user, survey_id)
    if request.method == "POST":
        return _relogin_page(), 401
    from core.extensions import login_manager

    return login_manager.unauthorized()


def _relogin_page(error=None):
    kept = [
        (k, v)
        for k in request.form
        if k not in ("csrf_token", "action", "email", "password")
        for v in request.form.getlist(k)
    ]
    return render_template(
        "surveys/answer_relogin.html", kept=kept, error=error, action_url=request.full_path.rstrip("?")
    )


def _relogin(survey_id):
    """Sign in again from the page that carried the answers, then save them as intended."""
    from core.accounts.routes import start_session

    if not _csrf_ok():
        return _relogin_page(_("The page had expired. Please enter your e-mail address and password again.")), 400
    # Signing in starts a new session (and CSRF secret); this request was checked against the old one.
    g.survey_csrf_checked = True
    user = account_services.authenticate(request.form.get("email", ""), request.form.get("password", ""))
    if user is None:
        return _relogin_page(_("E-mail address or password is not correct.")), 401
    start_session(user)
    db.session.commit()
    return respondent_for_user(user, survey_id)


@bp.route("/r/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_token_limit, deduct_when=_failed_link)
def token_start(token):
    """Entry through the personal link: no account needed."""
    flow = _token_flow(token)
    if not isinstance(flow, Flow):
        return flow
    if request.method == "POST" and not _csrf_ok():
        flash(_("For your security the page had expired. Please enter your name again."), "error")
    elif request.method == "POST":
        names = session.get("survey_names", {})
        names[str(flow.respondent.invitation.id)] = (request.form.get("respondent_name") or "").strip()[:120]
        session["survey_names"] = names
        flash(_("Thank you. Your name is shown to the others from your association with your changes."), "success")
        return redirect(flow.url("start", lang=request.args.get("lang")))
    return _start(flow)


@bp.route("/r/<token>/<int:section_id>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_token_limit, deduct_when=_failed_link)
def token_page(token, section_id):
    """One section, through the personal link."""
    flow = _token_flow(token)
    return _page(flow, section_id) if isinstance(flow, Flow) else flow


@bp.route("/r/<token>/review", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_token_limit, deduct_when=_failed_link)
def token_review(token):
    """Review and submit, through the personal link."""
    flow = _token_flow(token)
    return _review(flow) if isinstance(flow, Flow) else flow


def _token_flow(secret):
    respondent, token = respondent_for_token(secret, current_user)
    if respondent is None:
        return render_template("surveys/token_invalid.html"), 404
    survey = respondent.survey
    if survey.status() == "closed":
        return render_template("surveys/answer_closed.html", survey=survey, answers=None, lang=_lang(survey, None)), 410
    if request.endpoint == "surveys.token_start" and request.method == "GET":
        token.last_used_at = utcnow()
        db.session.commit()
    respondent.name = ""
    flow = Flow(respondent)
    respondent.name = _respondent_name(flow)
    return flow


# --------------------------------------------------------------------------- pages


def _not_accepting(flow, response, lang):
    survey = flow.survey
    status = survey.status()
    answers = None
    if status == "closed" and not flow.token:
        structure = Structure.load(survey)
        answers = _described_sections(structure, responding.stored_answers(response), lang)
    template = "surveys/answer_closed.html" if status == "closed" else "surveys/answer_scheduled.html"
    code = 409 if request.method == "POST" else 200
    return render_template(template, survey=survey, answers=answers, lang=lang, flow=flow), code


def _start(flow):
    survey, association = flow.survey, flow.respondent.association
    response = queries.response_for(survey.id, association.id)
    lang = _lang(survey, response)
    with _ui(lang):
        if not survey.accepts_answers():
            return _not_accepting(flow, response, lang)
        structure = Structure.load(survey)
        answers = responding.stored_answers(response)
        sections = structure.visible_sections(answers)
        visible = structure.visible_question_ids(answers)
        progress = [
            (
                s,
                sum(1 for q in structure.active_questions(s) if q.id in visible and q.id in answers),
                sum(1 for q in structure.active_questions(s) if q.id in visible),
            )
            for s in sections
        ]
        resume = next(
            (s for s in sections if s.position >= (response.last_section_position if response else 0)),
            sections[0] if sections else None,
        )
        return render_template(
            "surveys/answer_start.html",
            flow=flow,
            survey=survey,
            response=response,
            lang=lang,
            progress=progress,
            resume=resume,
            survey_languages=_language_choices(survey),
            **_lang_context(lang),
            respondent_name=flow.respondent.name,
        )


#: Each language in its own name: respondents look for the language they read.
ENDONYMS = {
    "de": "Deutsch",
    "tr": "Türkçe",
    "ar": "العربية",
    "ru": "Русский",
    "uk": "Українська",
    "fa": "فارسی",
    "it": "Italiano",
    "el": "Ελληνικά",
    "hr": "Hrvatski",
    "pl": "Polski",
    "ku": "Kurdî",
    "sq": "Shqip",
    "sr": "Srpski",
    "bs": "Bosanski",
    "ro": "Română",
    "es": "Español",
    "pt": "Português",
    "fr": "Français",
    "en": "English",
    "ti": "ትግርኛ",
    "so": "Soomaali",
    "vi": "Tiếng Việt",
    "ta": "தமிழ்",
    "ps": "پښتو",
}


def _language_choices(survey):
    return [
        (code, ENDONYMS.get(code) or str(LANGUAGE_LABELS.get(code, code)))
        for code in survey.languages or [SOURCE_LANGUAGE]
    ]


def _lang_context(lang):
    return {"survey_dir": text_direction(lang), "survey_lang": lang}


def _page(flow, section_id):
    survey, association = flow.survey, flow.respondent.association
    response = queries.response_for(survey.id, association.id)
    lang = _lang(survey, response)
    with _ui(lang):
        if not survey.accepts_answers():
            return _not_accepting(flow, response, lang)
        structure = Structure.load(survey)
        section = structure.section_by_id.get(section_id)
        if section is None:
            abort(404)
        stored = responding.stored_answers(response)
        if request.method == "POST":
            return _post_page(flow, structure, section, response, stored, lang)
        if section.id not in structure.visibility(stored)[0]:
            flash(_("This part does not apply to your association, based on your answers."), "info")
            return redirect(flow.url("start", lang=lang))
        questions = structure.active_questions(section)
        form = make_response_form(structure, questions, lang, data=responding.form_data(questions, stored))
        return _render_page(flow, structure, section, form, response, stored, lang)


def _page_questions(structure, section, answers):
    """(questions to render, ids rendered hidden): conditions on this page stay live for the script."""
    visible = structure.visible_question_ids(answers)
    on_page = {q.key for q in structure.active_questions(section)}
    rendered, hidden = [], set()
    for question in structure.active_questions(section):
        depends_here = bool(question.condition) and question.condition.get("question") in on_page
        if question.id in visible or depends_here:
            rendered.append(question)
            if question.id not in visible:
                hidden.add(question.id)
    return rendered, hidden


def _render_page(flow, structure, section, form, response, answers, lang, status=200, **extra):
    questions, hidden = _page_questions(structure, section, answers)
    sections = structure.visible_sections(answers)
    if section not in sections:
        sections = [*sections, section]
        sections.sort(key=lambda s: s.position)
    page_number = sections.index(section) + 1
    return render_template(
        "surveys/answer_page.html",
        flow=flow,
        survey=flow.survey,
        structure=structure,
        section=section,
        form=form,
        questions=questions,
        hidden_ids=hidden,
        response=response,
        lang=lang,
        survey_languages=_language_choices(flow.survey),
        page_number=page_number,
        page_count=len(sections),
        sections=sections,
        version=response.version if response else 0,
        preview=False,
        conditions=json.dumps(
            {f"question-{q.id}": condition_for_client(q.condition, structure) for q in questions if q.condition}
        ),
        error_links=_error_links(form, questions, lang),
        respondent_name=flow.respondent.name,
        **_lang_context(lang),
        **extra,
    ), status


def _error_links(form, questions, lang):
    """[(field id, question text, message)] for the error summary, in page order."""
    links = []
    for question in questions:
        for name in responding.field_names(question):
            if name in form and form[name].errors:
                field = form[name]
                target = f"{field.id}-0" if field.type in ("AnswerRadioField", "AnswerCheckboxField") else field.id
                for message in field.errors:
                    links.append((target, translate(question.text, lang)[0], message))
    return links


def _foreign_fields(questions):
    """Answer fields posted for questions that are not on this page (tampered or stale)."""
    own = {q.id for q in questions}
    return {int(m.group(1)) for key in request.form if (m := FOREIGN_FIELD.match(key)) and int(m.group(1)) not in own}


def _post_page(flow, structure, section, response, stored, lang):
    questions = structure.active_questions(section)
    form = make_response_form(structure, questions, lang, formdata=request.form)
    action = request.form.get("action", "save")
    if not _csrf_ok():
        notice = _(
            "For your security this page had expired. Your answers are still here, but not saved yet: please press the button again."
        )
        return _render_page(flow, structure, section, form, response, stored, lang, status=400, notice=notice)
    conflict = responding.open_conflict(response, request.form.get("conflict_id"))
    if action == "keep_theirs":
        responding.resolve_conflict(conflict, "theirs")
        db.session.commit()
        flash(_("The other version has been kept; yours was discarded."), "success")
        return redirect(flow.url("page", section.id, lang=lang))
    raw_version = request.form.get("version", "")
    posted_version = int(raw_version) if raw_version.isdigit() else 0
    if responding.is_conflict(response, section, posted_version, flow.respondent):
        return _conflict(flow, structure, section, form, response, stored, lang, posted_version)
    return _save_page(flow, structure, section, form, response, stored, lang, action, conflict)


def _save_page(flow, structure, section, form, response, stored, lang, action, conflict):
    questions = structure.active_questions(section)
    form.validate()
    values, invalid = responding.answers_from_form(form, questions)
    merged = {**stored, **values}
    visible = structure.visible_question_ids(merged)
    page_visible = {q.id for q in questions if q.id in visible}
    enforce = action in ("next", "review") or (response is not None and response.is_submitted)
    missing = responding.missing_answers(questions, merged, page_visible) if enforce else []
    for _question, name, message in missing:
        form[name].errors.append(message)
    refused = invalid | {q.id for q, _name, _message in missing}
    to_save = {qid: answer for qid, answer in values.items() if qid in page_visible and qid not in refused}
    new_lang = request.form.get("new_lang")
    locale = new_lang if action == "language" and new_lang in (flow.survey.languages or []) else lang
    response = response or responding.get_or_create_response(flow.respondent, locale)
    responding.save_answers(response, section, to_save, flow.respondent, locale, structure)
    responding.resolve_conflict(conflict, "mine")
    if response.is_submitted:
        responding.prune_hidden(response, structure, merged, visible)
    db.session.commit()
    foreign = _foreign_fields(questions)
    if refused or foreign:
        return _page_with_errors(flow, structure, section, form, response, merged, lang, to_save, foreign)
    return _after_save(flow, structure, section, merged, lang, action, page_visible)


def _page_with_errors(flow, structure, section, form, response, answers, lang, saved, foreign):
    notice = None
    if foreign:
        notice = _("The form contained answers to questions that are not on this page. They were ignored.")
    elif saved:
        notice = _("Your other answers on this page have been saved.")
    return _render_page(flow, structure, section, form, response, answers, lang, status=422, notice=notice)


def _after_save(flow, structure, section, answers, lang, action, page_visible):
    rendered = {int(v) for v in request.form.get("visible", "").split(",") if v.isdigit()}
    if not request.form.get("js") and page_visible - rendered and action != "language":
        flash(_("Based on your answers, further questions have appeared on this page."), "info")
        return redirect(flow.url("page", section.id, lang=lang, _anchor=f"question-{min(page_visible - rendered)}"))
    sections = structure.visible_sections(answers)
    index = sections.index(section) if section in sections else -1
    if action == "language":
        new_lang = request.form.get("new_lang")
        target_lang = new_lang if new_lang in (flow.survey.languages or []) else lang
        return redirect(flow.url("page", section.id, lang=target_lang))
    if action == "back":
        return redirect(
            flow.url("page", sections[index - 1].id, lang=lang) if index > 0 else flow.url("start", lang=lang)
        )
    if action in ("next", "review"):
        if 0 <= index < len(sections) - 1 and action == "next":
            return redirect(flow.url("page", sections[index + 1].id, lang=lang))
        return redirect(flow.url("review", lang=lang))
    flash(_("Your answers have been saved. You can continue later, where you left off."), "success")
    return redirect(flow.url("start", lang=lang))


def _conflict(flow, structure, section, form, response, stored, lang, posted_version):
    """Keep both: theirs stays saved, mine is recorded and shown in the form to save again or drop."""
    conflict = responding.record_conflict(response, section, flow.respondent, posted_version, request.form)
    db.session.commit()
    questions = structure.active_questions(section)
    theirs = [(translate(q.text, lang)[0], responding.describe(q, stored.get(q.id), lang)) for q in questions]
    return _render_page(
        flow,
        structure,
        section,
        form,
        response,
        stored,
        lang,
        status=409,
        conflict=conflict,
        theirs=theirs,
    )


# --------------------------------------------------------------------------- review and submit


def _described_sections(structure, answers, lang):
    visible = structure.visible_question_ids(answers)
    described = []
    for section in structure.visible_sections(answers):
        items = [
            (q, translate(q.text, lang)[0], responding.describe(q, answers.get(q.id), lang))
            for q in structure.active_questions(section)
            if q.id in visible
        ]
        described.append((section, items))
    return described


def _review(flow):
    survey, association = flow.survey, flow.respondent.association
    response = queries.response_for(survey.id, association.id)
    lang = _lang(survey, response)
    with _ui(lang):
        if not survey.accepts_answers():
            return _not_accepting(flow, response, lang)
        structure = Structure.load(survey)
        status, missing = 200, []
        if request.method == "POST":
            if not _csrf_ok():
                flash(_("For your security the page had expired. Please press the button again."), "error")
                return redirect(flow.url("review", lang=lang))
            response = response or responding.get_or_create_response(flow.respondent, lang)
            missing = responding.submit(response, structure, flow.respondent, lang)
            if not missing:
                db.session.commit()
                flash(
                    _(
                        "Thank you! Your answers have been submitted. You can still change them until the survey closes."
                    ),
                    "success",
                )
                return redirect(flow.url("start", lang=lang))
            db.session.rollback()
            status = 422
        answers = responding.stored_answers(response)
        if request.method == "GET" and response is not None:
            visible = structure.visible_question_ids(answers)
            missing = list(
                dict.fromkeys(
                    q
                    for q, _n, _m in responding.missing_answers(
                        [q for q in structure.questions if q.id in visible], answers, visible
                    )
                )
            )
        return render_template(
            "surveys/answer_review.html",
            flow=flow,
            survey=survey,
            response=response,
            lang=lang,
            sections=_described_sections(structure, answers, lang),
            missing=missing,
            submitting=request.method == "POST",
            survey_languages=_language_choices(survey),
            respondent_name=flow.respondent.name,
            **_lang_context(lang),
        ), status


# --------------------------------------------------------------------------- preview


def preview_page(survey, section_id):
    """A coordinator's view of a page as respondents see it; the form posts nowhere."""
    structure = Structure.load(survey)
    lang = request.args.get("lang") if request.args.get("lang") in survey.languages else SOURCE_LANGUAGE
    sections = [s for s in structure.sections if structure.active_questions(s)]
    if not sections:
        flash(_("The survey has no questions yet."), "info")
        return redirect(url_for("surveys.edit", survey_id=survey.id))
    section = structure.section_by_id.get(section_id) if section_id else sections[0]
    if section is None or section not in sections:
        abort(404)
    with _ui(lang):
        questions = structure.active_questions(section)
        on_page = {q.key for q in questions}
        hidden = {q.id for q in questions if q.condition and q.condition.get("question") in on_page}
        notes = {q.id: describe_condition(q.condition, structure, lang) for q in questions if q.condition}
        form = make_response_form(structure, questions, lang)
        index = sections.index(section)
        return render_template(
            "surveys/answer_page.html",
            survey=survey,
            structure=structure,
            section=section,
            form=form,
            questions=questions,
            hidden_ids=hidden,
            response=None,
            lang=lang,
            survey_languages=_language_choices(survey),
            page_number=index + 1,
            page_count=len(sections),
            sections=sections,
            version=0,
            preview=True,
            condition_notes=notes,
            previous_section=sections[index - 1] if index else None,
            next_section=sections[index + 1] if index + 1 < len(sections) else None,
            conditions=json.dumps(
                {f"question-{q.id}": condition_for_client(q.condition, structure) for q in questions if q.condition}
            ),
            error_links=[],
            flow=None,
            respondent_name="",
            **_lang_context(lang),
        )
