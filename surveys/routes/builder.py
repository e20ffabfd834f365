"""Building a survey: start it (template, copy, empty, import), settings, sections, questions, translations."""

import json
from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core.access import coordinator_required, ensure_municipality_in_scope, municipalities_in_scope
from core.audit import record_request
from core.extensions import db
from core.forms import EmptyForm
from core.labels import LANGUAGE_LABELS

from .. import bp, distribution, queries, services, translations
from ..access import question_of, section_of, survey_in_scope
from ..forms import (
    KIND_LABELS,
    ImportForm,
    NewSurveyForm,
    NewWaveForm,
    QuestionForm,
    SectionForm,
    SurveySettingsForm,
    translation_form,
)
from ..interchange import DefinitionError, export_definition, validate_definition
from ..models import SOURCE_LANGUAGE, QuestionKind, local_today
from ..services import SurveyRuleError
from ..structure import Structure, describe_condition
from ..template import TEMPLATE, TEMPLATE_KEY, template_definition

BLANK_OPTION_ROWS = 3


def _commit_or_flash(action, success, audit=None):
    """Run a service call; a rule it refuses is shown, nothing is half-saved. `audit(result)` records the change
    in the same transaction, so a refused change leaves no event either."""
    try:
        result = action()
    except SurveyRuleError as problem:
        db.session.rollback()
        flash(str(problem), "error")
        return False, None
    if audit is not None:
        audit(result)
    db.session.commit()
    if success:
        flash(success, "success")
    return True, result


# --------------------------------------------------------------------------- surveys


@bp.route("/")
@coordinator_required
def index():
    """Surveys in the coordinator's scope with their response rates."""
    page = db.paginate(queries.surveys_in_scope(current_user), per_page=25, error_out=False)
    figures = queries.survey_figures([s.id for s in page.items])
    return render_template("surveys/index.html", page=page, figures=figures, today=local_today())


def _starting_point(start, municipality_id):
    """(definition, template key, previous survey) for the chosen start."""
    if start == "template":
        return validate_definition(template_definition()), TEMPLATE_KEY, None
    if start.startswith("copy:") and start[5:].isdigit():
        source = survey_in_scope(current_user, int(start[5:]))
        definition = validate_definition(export_definition(Structure.load(source)))
        return definition, source.template_key, source if source.municipality_id == municipality_id else None
    return None, "", None


@bp.route("/new", methods=["GET", "POST"])
@coordinator_required
def create():
    """Start a survey from the template, a previous survey or empty."""
    year = date.today().year
    form = NewSurveyForm(
        municipalities_in_scope(current_user),
        queries.other_surveys(current_user),
        TEMPLATE["title"][SOURCE_LANGUAGE],
        data={
            "start": "template",
            "title": f"{TEMPLATE['title'][SOURCE_LANGUAGE]} {year}",
            "wave_label": str(year),
            "languages": ["en"],
        },
    )
    if form.validate_on_submit():
        ensure_municipality_in_scope(current_user, form.municipality_id.data)
        definition, template_key, previous = _starting_point(form.start.data, form.municipality_id.data)
        survey = services.create_survey(
            current_user,
            form.municipality_id.data,
            title=form.title.data,
            intro=form.intro.data,
            languages=form.languages.data,
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            wave_label=form.wave_label.data,
            definition=definition,
            template_key=template_key,
            previous=previous,
        )
        record_request("survey.create", survey)
        db.session.commit()
        flash(_("The survey has been created as a draft. Check the questions, then open it."), "success")
        return redirect(url_for("surveys.edit", survey_id=survey.id))
    return render_template("surveys/new.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
@coordinator_required
def import_definition():
    """Create a survey from a definition exported in another town (JSON)."""
    form = ImportForm(municipalities_in_scope(current_user))
    problems = []
    if form.validate_on_submit():
        ensure_municipality_in_scope(current_user, form.municipality_id.data)
        try:
            data = json.loads(form.file.data.read().decode("utf-8-sig"))
            definition = validate_definition(data)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # deep nesting: not ours
            form.file.errors.append(_("This file is not a JSON file."))
        except DefinitionError as error:
            problems = error.problems
            form.file.errors.append(_("The definition cannot be imported; see the list below."))
        else:
            survey = services.create_survey(
                current_user,
                form.municipality_id.data,
                title=definition["title"][SOURCE_LANGUAGE],
                languages=definition["languages"],
                definition=definition,
            )
            record_request("survey.import", survey)
            db.session.commit()
            flash(_("The survey has been imported as a draft."), "success")
            return redirect(url_for("surveys.edit", survey_id=survey.id))
    return render_template("surveys/import.html", form=form, problems=problems), 422 if form.errors else 200


@bp.route("/<int:survey_id>")
@coordinator_required
def show(survey_id):
    """The survey at a glance: state, response rate, languages, waves and what to do next."""
    survey = survey_in_scope(current_user, survey_id)
    structure = Structure.load(survey)
    invited, submitted, drafts = queries.survey_figures([survey.id]).get(survey.id, (0, 0, 0))
    return render_template(
        "surveys/show.html",
        survey=survey,
        structure=structure,
        invited=invited,
        submitted=submitted,
        drafts=drafts,
        completeness=translations.completeness(structure, survey.languages),
        waves=queries.waves_of(survey),
        form=EmptyForm(),
        today=local_today(),
    )


def _settings_data(survey):
    return {
        "title": (survey.title or {}).get(SOURCE_LANGUAGE, ""),
        "intro": (survey.intro or {}).get(SOURCE_LANGUAGE, ""),
        "wave_label": survey.wave_label,
        "languages": [code for code in survey.languages if code != SOURCE_LANGUAGE],
        "opens_on": survey.opens_on,
        "closes_on": survey.closes_on,
    }


@bp.route("/<int:survey_id>/settings", methods=["GET", "POST"])
@coordinator_required
def settings(survey_id):
    """Title, introduction, languages and dates."""
    survey = survey_in_scope(current_user, survey_id)
    form = SurveySettingsForm(data=_settings_data(survey))
    if form.validate_on_submit():
        services.update_settings(
            current_user,
            survey,
            title=form.title.data,
            intro=form.intro.data,
            languages=form.languages.data,
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            wave_label=form.wave_label.data,
        )
        record_request("survey.edit", survey)
        db.session.commit()
        flash(_("The settings have been saved."), "success")
        return redirect(url_for("surveys.show", survey_id=survey.id))
    return render_template("surveys/settings.html", survey=survey, form=form), 422 if form.errors else 200


@bp.route("/<int:survey_id>/open", methods=["POST"])
@coordinator_required
def open_(survey_id):
    """Open the survey for answers; associations invited while it was a draft get their mail now."""
    survey = survey_in_scope(current_user, survey_id)
    if EmptyForm().validate_on_submit():

        def action():
            services.open_survey(current_user, survey, local_today())
            record_request("survey.open", survey)
            return distribution.send_pending_invitations(survey)

        done, sent = _commit_or_flash(action, None)
        if done:
            flash(_("The survey is open. %(count)s invitation e-mails are on their way.", count=sent), "success")
    return redirect(url_for("surveys.show", survey_id=survey.id))


@bp.route("/<int:survey_id>/close", methods=["POST"])
@coordinator_required
def close(survey_id):
    """Close the survey: it accepts nothing more and personal links stop working."""
    survey = survey_in_scope(current_user, survey_id)
    if EmptyForm().validate_on_submit():
        record_request("survey.close", survey)  # a refused close rolls the event back with it
        _commit_or_flash(lambda: services.close_survey(current_user, survey), _("The survey is closed."))
    return redirect(url_for("surveys.show", survey_id=survey.id))


@bp.route("/<int:survey_id>/delete", methods=["POST"])
@coordinator_required
def delete(survey_id):
    """Delete a survey that has no answers."""
    survey = survey_in_scope(current_user, survey_id)
    if EmptyForm().validate_on_submit():
        record_request("survey.delete", survey)  # a refused deletion rolls the event back with it
        done, _result = _commit_or_flash(
            lambda: services.delete_survey(current_user, survey), _("The survey has been deleted.")
        )
        if done:
            return redirect(url_for("surveys.index"))
    return redirect(url_for("surveys.show", survey_id=survey_id))


@bp.route("/<int:survey_id>/wave", methods=["GET", "POST"])
@coordinator_required
def new_wave(survey_id):
    """Copy the survey for the next wave; questions keep their keys so waves can be compared."""
    survey = survey_in_scope(current_user, survey_id)
    form = NewWaveForm(
        data={"wave_label": str(date.today().year + (1 if survey.wave_label == str(date.today().year) else 0))}
    )
    if form.validate_on_submit():
        wave = services.copy_as_wave(
            current_user,
            survey,
            wave_label=form.wave_label.data,
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
        )
        record_request("survey.wave", wave, previous_id=survey.id)
        db.session.commit()
        flash(_("The new wave has been created as a draft."), "success")
        return redirect(url_for("surveys.show", survey_id=wave.id))
    return render_template("surveys/wave.html", survey=survey, form=form), 422 if form.errors else 200


@bp.route("/<int:survey_id>/definition.json")
@coordinator_required
def export_json(survey_id):
    """The survey's definition as JSON, to share with another town."""
    survey = survey_in_scope(current_user, survey_id)
    body = json.dumps(export_definition(Structure.load(survey)), ensure_ascii=False, indent=2)
    record_request("survey.export", survey, format="definition.json")
    db.session.commit()
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="survey-{survey.id}.json"', "X-Personal": "1"},
    )


# --------------------------------------------------------------------------- builder


@bp.route("/<int:survey_id>/edit")
@coordinator_required
def edit(survey_id):
    """Sections and questions: add, edit, reorder, retire."""
    survey = survey_in_scope(current_user, survey_id)
    structure = Structure.load(survey)
    answered = queries.answered_question_ids(survey.id)
    conditions = {
        item.key: describe_condition(item.condition, structure, SOURCE_LANGUAGE)
        for item in [*structure.sections, *structure.questions]
        if item.condition
    }
    return render_template(
        "surveys/edit.html",
        survey=survey,
        structure=structure,
        answered=answered,
        conditions=conditions,
        kinds=KIND_LABELS,
        form=EmptyForm(),
    )


@bp.route("/<int:survey_id>/sections/new", methods=["GET", "POST"])
@coordinator_required
def section_new(survey_id):
    """Add a section at the end."""
    survey = survey_in_scope(current_user, survey_id)
    structure = Structure.load(survey)
    form = SectionForm()
    form.set_condition_choices(structure.questions)
    if form.validate_on_submit() and form.validate_condition():
        done, section = _commit_or_flash(
            lambda: services.add_section(
                current_user, survey, title=form.title.data, intro=form.intro.data, condition=form.condition_data()
            ),
            _("The section has been added."),
            audit=lambda section: record_request("survey.section_add", survey, section_id=section.id),
        )
        if done:
            return redirect(url_for("surveys.edit", survey_id=survey.id, _anchor=f"section-{section.key}"))
    return render_template(
        "surveys/section_form.html", survey=survey, form=form, section=None
    ), 422 if form.errors else 200


@bp.route("/<int:survey_id>/sections/<int:section_id>", methods=["GET", "POST"])
@coordinator_required
def section_edit(survey_id, section_id):
    """Change a section's title, introduction or condition."""
    survey = survey_in_scope(current_user, survey_id)
    section = section_of(survey, section_id)
    structure = Structure.load(survey)
    form = SectionForm(
        data={"title": section.title.get(SOURCE_LANGUAGE, ""), "intro": (section.intro or {}).get(SOURCE_LANGUAGE, "")}
    )
    form.set_condition_choices(structure.earlier_questions(section))
    if request.method == "GET":
        form.load_condition(section.condition)
    if form.validate_on_submit() and form.validate_condition():
        done, _result = _commit_or_flash(
            lambda: services.update_section(
                current_user, section, title=form.title.data, intro=form.intro.data, condition=form.condition_data()
            ),
            _("The section has been saved."),
            audit=lambda _result: record_request("survey.section_edit", survey, section_id=section.id),
        )
        if done:
            return redirect(url_for("surveys.edit", survey_id=survey.id, _anchor=f"section-{section.key}"))
    return render_template(
        "surveys/section_form.html", survey=survey, form=form, section=section
    ), 422 if form.errors else 200


@bp.route("/<int:survey_id>/sections/<int:section_id>/move", methods=["POST"])
@coordinator_required
def section_move(survey_id, section_id):
    """Move a section up or down."""
    survey = survey_in_scope(current_user, survey_id)
    section = section_of(survey, section_id)
    if EmptyForm().validate_on_submit():
        delta = -1 if request.form.get("direction") == "up" else 1
        _commit_or_flash(
            lambda: services.move_section(current_user, section, delta), None,
            audit=lambda _result: record_request("survey.section_move", survey, section_id=section.id),
        )
    return redirect(url_for("surveys.edit", survey_id=survey.id, _anchor=f"section-{section.key}"))


@bp.route("/<int:survey_id>/sections/<int:section_id>/delete", methods=["POST"])
@coordinator_required
def section_delete(survey_id, section_id):
    """Delete a section whose questions have no answers."""
    survey = survey_in_scope(current_user, survey_id)
    section = section_of(survey, section_id)
    if EmptyForm().validate_on_submit():
        record_request("survey.section_delete", survey, section_id=section.id)  # rolled back if refused
        _commit_or_flash(lambda: services.delete_section(current_user, section), _("The section has been deleted."))
    return redirect(url_for("surveys.edit", survey_id=survey.id))


def _question_form(survey, structure, section, question=None, data=None):
    form = QuestionForm(survey.sections, queries.active_topics(), data=data)
    if question is not None:
        earlier = structure.earlier_questions(question.section, question)
    else:
        earlier = [q for s in structure.sections[: structure.sections.index(section) + 1] for q in s.questions]
    form.set_condition_choices(earlier)
    return form


def _question_data(question):
    settings = question.settings or {}
    data = {
        "kind": question.kind.value,
        "section_id": question.section_id,
        "key": question.key,
        "text": question.text.get(SOURCE_LANGUAGE, ""),
        "help": (question.help or {}).get(SOURCE_LANGUAGE, ""),
        "is_required": question.is_required,
        "integer": settings.get("integer", True),
        "number_min": _plain(settings.get("min")),
        "number_max": _plain(settings.get("max")),
        "max_length": settings.get("max_length"),
        "scale_min": settings.get("scale_min", 1),
        "scale_max": settings.get("scale_max", 5),
        "low_label": (settings.get("low_label") or {}).get(SOURCE_LANGUAGE, ""),
        "high_label": (settings.get("high_label") or {}).get(SOURCE_LANGUAGE, ""),
        "topic_polarity": settings.get("polarity", ""),
        "topics": [str(o.topic_id) for o in question.active_options if o.topic_id],
        "options": [
            {
                "option_id": str(o.id),
                "text": (o.label or {}).get(SOURCE_LANGUAGE, ""),
                "topic_id": str(o.topic_id or ""),
                "polarity": o.polarity.value if o.polarity else "",
                "is_other": o.is_other,
                "remove": o.is_retired,
            }
            for o in question.options
            if question.kind is not QuestionKind.topic_choice
        ],
    }
    return data


def _plain(number):
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)


def _question_values(form, structure):
    return {
        "key": form.key.data or None,
        "text": form.text.data,
        "help": form.help.data,
        "required": bool(form.is_required.data),
        "settings": form.settings_data(),
        "condition": form.condition_data(),
        "options": form.options_data(),
        "topic_ids": [int(t) for t in form.topics.data or []],
        "section": structure.section_by_id.get(form.section_id.data),
    }


@bp.route("/<int:survey_id>/sections/<int:section_id>/questions/new", methods=["GET", "POST"])
@coordinator_required
def question_new(survey_id, section_id):
    """Add a question of the chosen type at the end of a section."""
    survey = survey_in_scope(current_user, survey_id)
    section = section_of(survey, section_id)
    try:
        kind = QuestionKind(request.args.get("kind", ""))
    except ValueError:
        abort(404)
    structure = Structure.load(survey)
    form = _question_form(survey, structure, section, data={"kind": kind.value, "section_id": section.id})
    form.kind.data, form.section_id.data = kind.value, section.id
    if request.method == "GET" or request.form.get("action") == "more_rows":
        form.add_blank_rows(BLANK_OPTION_ROWS if request.method == "GET" else 5)
    elif form.validate():
        done, question = _commit_or_flash(
            lambda: services.add_question(current_user, section, kind, _question_values(form, structure)),
            _("The question has been added."),
            audit=lambda question: record_request("survey.question_add", survey, question_id=question.id),
        )
        if done:
            return redirect(url_for("surveys.edit", survey_id=survey.id, _anchor=f"question-{question.key}"))
    return render_template(
        "surveys/question_form.html",
        survey=survey,
        section=section,
        form=form,
        question=None,
        kind=kind,
        has_answers=False,
    ), 422 if form.errors else 200


@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@coordinator_required
def question_edit(survey_id, question_id):
    """Edit a question; with answers, the old wording is kept on record and options are retired."""
    survey = survey_in_scope(current_user, survey_id)
    question = question_of(survey, question_id)
    structure = Structure.load(survey)
    has_answers = queries.question_has_answers(question.id)
    form = _question_form(survey, structure, question.section, question, data=_question_data(question))
    form.kind.data = question.kind.value
    if request.method == "GET":
        form.load_condition(question.condition)
        form.add_blank_rows(BLANK_OPTION_ROWS)
    elif request.form.get("action") == "more_rows":
        form.add_blank_rows(5)
    elif form.validate():
        done, _result = _commit_or_flash(
            lambda: services.update_question(current_user, question, _question_values(form, structure)),
            _("The question has been saved."),
            audit=lambda _result: record_request("survey.question_edit", survey, question_id=question.id),
        )
        if done:
            return redirect(url_for("surveys.edit", survey_id=survey.id, _anchor=f"question-{question.key}"))
    return render_template(
        "surveys/question_form.html",
        survey=survey,
        section=question.section,
        form=form,
        question=question,
        kind=question.kind,
        has_answers=has_answers,
    ), 422 if form.errors else 200


def _question_action(survey_id, question_id, action, message=None, audit=None):
    survey = survey_in_scope(current_user, survey_id)
    question = question_of(survey, question_id)
    if EmptyForm().validate_on_submit():
        if audit:
            record_request(audit, survey, question_id=question.id)  # rolled back if refused
        _commit_or_flash(lambda: action(question), message)
    return redirect(url_for("surveys.edit", survey_id=survey.id, _anchor=f"question-{question.key}"))


@bp.route("/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
@coordinator_required
def question_move(survey_id, question_id):
    """Move a question up or down within its section."""
    delta = -1 if request.form.get("direction") == "up" else 1
    return _question_action(
        survey_id, question_id, lambda q: services.move_question(current_user, q, delta), audit="survey.question_move"
    )


@bp.route("/<int:survey_id>/questions/<int:question_id>/retire", methods=["POST"])
@coordinator_required
def question_retire(survey_id, question_id):
    """Hide a question from respondents; its answers stay in the results."""
    return _question_action(
        survey_id, question_id, lambda q: services.retire_question(current_user, q), _("The question has been retired."),
        audit="survey.question_retire",
    )


@bp.route("/<int:survey_id>/questions/<int:question_id>/restore", methods=["POST"])
@coordinator_required
def question_restore(survey_id, question_id):
    """Show a retired question again."""
    return _question_action(
        survey_id, question_id, lambda q: services.restore_question(current_user, q), _("The question is shown again."),
        audit="survey.question_restore",
    )


@bp.route("/<int:survey_id>/questions/<int:question_id>/delete", methods=["POST"])
@coordinator_required
def question_delete(survey_id, question_id):
    """Delete a question that has no answers."""
    survey = survey_in_scope(current_user, survey_id)
    question = question_of(survey, question_id)
    if EmptyForm().validate_on_submit():
        record_request("survey.question_delete", survey, question_id=question.id)  # rolled back if refused
        _commit_or_flash(lambda: services.delete_question(current_user, question), _("The question has been deleted."))
    return redirect(url_for("surveys.edit", survey_id=survey.id))


# --------------------------------------------------------------------------- preview


@bp.route("/<int:survey_id>/preview", defaults={"section_id": None})
@bp.route("/<int:survey_id>/preview/<int:section_id>")
@coordinator_required
def preview(survey_id, section_id):
    """The survey as a respondent sees it, page by page and in each language; nothing is saved."""
    from .answering import preview_page

    survey = survey_in_scope(current_user, survey_id)
    return preview_page(survey, section_id)


# --------------------------------------------------------------------------- translations


@bp.route("/<int:survey_id>/translations")
@coordinator_required
def translations_index(survey_id):
    """How complete each language is."""
    survey = survey_in_scope(current_user, survey_id)
    structure = Structure.load(survey)
    return render_template(
        "surveys/translations.html",
        survey=survey,
        completeness=translations.completeness(structure, survey.languages),
    )


@bp.route("/<int:survey_id>/translations/<lang>", methods=["GET", "POST"])
@coordinator_required
def translate(survey_id, lang):
    """Translate every text into one language, the German source beside each field."""
    survey = survey_in_scope(current_user, survey_id)
    if lang == SOURCE_LANGUAGE or lang not in survey.languages:
        abort(404)
    structure = Structure.load(survey)
    items = translations.items(structure, lang)
    form = translation_form(items, lang, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        translations.save(
            current_user, structure, lang, {item.field_name: form[item.field_name].data for item in items}
        )
        record_request("survey.translate", survey, language=lang)
        db.session.commit()
        flash(_("The translations have been saved."), "success")
        return redirect(url_for("surveys.translations_index", survey_id=survey.id))
    return render_template(
        "surveys/translate.html",
        survey=survey,
        lang=lang,
        lang_label=LANGUAGE_LABELS.get(lang, lang),
        items=items,
        form=form,
        structure=structure,
    ), 422 if form.errors else 200
