"""Results aggregated in SQL: counts, percentages, numbers, texts, cross-tabs, topics, small cells."""

import pytest
from sqlalchemy import insert

from core.models import Association, Field
from surveys import results
from surveys.models import ResponseState, ShareLevel, SurveyAnswer, SurveyResponse
from surveys.structure import Structure
from tests.conftest import count_queries


def add_response(db, kit, survey, association, answers, state=ResponseState.submitted, share=False):
    """Write a response directly: {question key: option key(s) | number | text | {row key: value}}."""
    response = SurveyResponse(
        survey_id=survey.id, association_id=association.id, state=state, section_versions={}, version=1
    )
    db.session.add(response)
    db.session.flush()
    structure = Structure.load(survey)
    rows = []
    for key, value in answers.items():
        question = structure.question_by_key[key]
        options = {o.key: o.id for o in question.options}
        base = {
            "response_id": response.id,
            "question_id": question.id,
            "option_id": None,
            "value_text": None,
            "value_number": None,
            "value_date": None,
            "share_consent": share,
        }
        if isinstance(value, dict):
            rows += [{**base, "option_id": options[row], "value_number": float(v)} for row, v in value.items()]
        elif question.kind.has_options:
            rows += [{**base, "option_id": options[v]} for v in (value if isinstance(value, list) else [value])]
        elif isinstance(value, str):
            rows.append({**base, "value_text": value})
        else:
            rows.append({**base, "value_number": float(value)})
    db.session.execute(insert(SurveyAnswer), rows)
    db.session.commit()
    return response


@pytest.fixture
def answered(db, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations)
    a = associations
    add_response(
        db,
        kit,
        survey,
        a[0],
        {
            "raumbedarf": 1,
            "raumbedarf-zweck": ["unterricht", "treffen"],
            "mitglieder": 10,
            "anmerkungen": "Wir brauchen einen Saal",
            "wichtigkeit": {"raeume": 5, "vernetzung": 3},
            "angebote": ["rooms"],
        },
        share=True,
    )
    add_response(
        db,
        kit,
        survey,
        a[1],
        {
            "raumbedarf": 1,
            "raumbedarf-zweck": ["unterricht"],
            "mitglieder": 20,
            "wichtigkeit": {"raeume": 4},
            "beratung": ["funding"],
        },
    )
    add_response(
        db,
        kit,
        survey,
        a[2],
        {"raumbedarf": 0, "mitglieder": 40, "anmerkungen": '=HYPERLINK("x")', "beratung": ["funding", "founding"]},
    )
    add_response(db, kit, survey, a[3], {"raumbedarf": 1, "mitglieder": 30, "beratung": ["funding"]})
    add_response(db, kit, survey, a[4], {"raumbedarf": 1, "mitglieder": 999}, state=ResponseState.draft)
    return survey


@pytest.fixture
def request_context(app):
    """Labels such as "Yes" are translated: the aggregation runs inside a request, as in the views."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def by_key(question_results):
    return {r.question.key: r for r in question_results}


def test_counts_percentages_and_numbers(request_context, answered):
    total, found = results.aggregate(answered, Structure.load(answered), results.Filters(), "de")
    found = by_key(found)
    assert total == 4, "drafts are not counted"
    rooms = found["raumbedarf"]
    assert rooms.answered == 4
    assert [(r.label, r.count, r.percent) for r in rooms.rows] == [("Yes", 3, 75.0), ("No", 1, 25.0)]
    purpose = {r.value: (r.count, r.percent) for r in found["raumbedarf-zweck"].rows}
    assert purpose["unterricht"] == (2, 100.0) and purpose["treffen"] == (1, 50.0) and purpose["sport"] == (0, 0.0)
    members = found["mitglieder"].stats
    assert (
        members["n"] == 4
        and members["mean"] == 25
        and members["median"] == 25
        and (members["min"], members["max"]) == (10, 40)
    )
    matrix = {row[4].key: row for row in found["wichtigkeit"].matrix}
    assert matrix["raeume"][2] == 4.5 and [c.count for c in matrix["raeume"][1]] == [0, 0, 0, 1, 1]
    assert [t["text"] for t in found["anmerkungen"].texts] == ["Wir brauchen einen Saal", '=HYPERLINK("x")']


def test_filters_and_answer_filter_narrow_the_responses(request_context, answered, associations):
    structure = Structure.load(answered)
    total, _found = results.aggregate(answered, structure, results.Filters(field="education"), "de")
    assert total == sum(1 for a in associations[:4] if a.field is Field.education)
    total, found = results.aggregate(answered, structure, results.Filters(answer="raumbedarf-zweck=unterricht"), "de")
    assert total == 2 and by_key(found)["mitglieder"].stats["mean"] == 15
    total, _found = results.aggregate(answered, structure, results.Filters(answer="raumbedarf=no"), "de")
    assert total == 1
    total, _found = results.aggregate(answered, structure, results.Filters(answer="wichtigkeit=raeume.5"), "de")
    assert total == 1
    total, _found = results.aggregate(answered, structure, results.Filters(answer="nonsense=1"), "de")
    assert total == 0
    total, _found = results.aggregate(answered, structure, results.Filters(migrant="unknown"), "de")
    assert total == 0
    total, _found = results.aggregate(answered, structure, results.Filters(topic="funding:need"), "de")
    assert total == 3


def test_cross_tabulation_by_district_and_by_a_choice_question(request_context, answered):
    structure = Structure.load(answered)
    _total, found = results.aggregate(answered, structure, results.Filters(by="district"), "de")
    table = by_key(found)["raumbedarf"].crosstab
    sizes = {label: size for _value, label, size in table["groups"]}
    assert sizes == {"Oststadt": 2, "Weststadt": 2}
    yes_row = table["rows"][0]
    assert sum(count for count, _pct, _link in yes_row[1]) == 3
    assert {tuple(link.items()) for _count, _pct, link in yes_row[1]} == {(("district", "Oststadt"),), (("district", "Weststadt"),)}
    _total, found = results.aggregate(answered, structure, results.Filters(by="q:raumbedarf"), "de")
    table = by_key(found)["raumbedarf-zweck"].crosstab
    assert {label for _v, label, _s in table["groups"]} == {"Yes", "No"}
    assert all(link is None for _row, cells in table["rows"] for _c, _p, link in cells), "two answers: no single filter"


def test_cross_tab_cells_link_to_the_responses_behind_them(client, auth, coordinator, answered):
    auth.login_as(coordinator)
    page = client.get(f"/surveys/{answered.id}/results?by=district").get_data(as_text=True)
    link = f"/surveys/{answered.id}/responses?district=Weststadt&amp;answer=raumbedarf%3Dyes"
    assert link in page
    listed = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    weststadt = {a.name for a in answered.municipality.associations if a.district == "Weststadt"}
    oststadt = {a.name for a in answered.municipality.associations if a.district == "Oststadt"}
    assert any(name in listed for name in weststadt)
    assert not any(name in listed for name in oststadt), "the link lists only the cell's responses"


def test_topic_summary_counts_needs_and_offers_with_consent(request_context, answered):
    summary = {
        topic.key: counts
        for topic, counts in results.topic_summary(answered, Structure.load(answered), results.Filters(), "de")
    }
    assert summary["funding"]["need"] == (3, 0)
    assert summary["rooms"]["need"] == (2, 1) and summary["rooms"]["offer"] == (1, 1)
    assert list(summary)[0] == "funding", "most frequent first"


def test_shared_summary_suppresses_small_cells(request_context, answered):
    structure = Structure.load(answered)
    total, found = results.aggregate(answered, structure, results.Filters(), "de")
    shown = by_key(results.suppress(found, total))
    rooms = shown["raumbedarf"].rows
    assert rooms[1].suppressed and rooms[1].count is None
    assert rooms[0].count is None, "3 of 4 would reveal the 1 beside it"
    purpose = {r.value: r for r in shown["raumbedarf-zweck"].rows}
    assert purpose["unterricht"].count is None and purpose["treffen"].count is None
    assert shown["anmerkungen"].texts == []
    assert shown["mitglieder"].stats == {"n": 4, "mean": 25}


def test_secondary_suppression_hides_a_second_cell_when_one_could_be_derived():
    cells = [results.Row("a", 5, 50.0, "a"), results.Row("b", 1, 10.0, "b"), results.Row("c", 4, 40.0, "c")]
    cells[1].suppressed = True
    results._secondary(cells)
    assert [c.count for c in cells] == [5, None, None]


def test_results_page_links_figures_to_their_responses(client, auth, answered, coordinator):
    auth.login_as(coordinator)
    page = client.get(f"/surveys/{answered.id}/results")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "answer=raumbedarf-zweck%3Dunterricht" in body and "<svg" in body and "<table" in body
    listed = client.get(f"/surveys/{answered.id}/responses?answer=raumbedarf-zweck%3Dunterricht").get_data(as_text=True)
    assert listed.count("/responses/") == 2
    assert client.get(f"/surveys/{answered.id}/results?by=q:raumbedarf&field=education").status_code == 200
    assert client.get(f"/surveys/{answered.id}/responses?state=draft").status_code == 200


def test_summary_visibility_follows_the_share_level(app, client, db, auth, factory, answered, associations, town):
    rep = factory.representative(associations[0])
    outsider = factory.representative(factory.association(factory.municipality("Anderswo")))
    url = f"/surveys/{answered.id}/summary"
    assert client.get(url).status_code == 404
    answered.share_level = ShareLevel.associations
    db.session.commit()
    assert client.get(url).status_code == 404
    auth.login_as(outsider)
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login_as(rep)
    page = client.get(url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Wir brauchen einen Saal" not in body
    assert "fewer than 3" in body or "weniger als 3" in body
    auth.logout()
    answered.share_level = ShareLevel.public
    db.session.commit()
    assert client.get(url).status_code == 200


def _bulk_responses(db, survey, town, count, offset):
    """Many responses with an answer to every question, written in bulk."""
    associations = [
        {
            "municipality_id": town.id,
            "name": f"Bulk {offset + n}",
            "name_key": f"bulk {offset + n}",
            "search_text": "",
            "field": Field.culture,
            "district": "Mitte",
            "description": "",
            "email": "",
            "phone": "",
            "website": "",
        }
        for n in range(count)
    ]
    ids = db.session.scalars(insert(Association).returning(Association.id), associations).all()
    response_ids = db.session.scalars(
        insert(SurveyResponse).returning(SurveyResponse.id),
        [
            {
                "survey_id": survey.id,
                "association_id": i,
                "state": ResponseState.submitted,
                "version": 1,
                "section_versions": {},
                "locale": "de",
                "last_section_position": 1,
                "updated_by_name": "",
            }
            for i in ids
        ],
    ).all()
    structure = Structure.load(survey)
    rows = []
    for rid in response_ids:
        for q in structure.questions:
            base = {
                "response_id": rid,
                "question_id": q.id,
                "option_id": None,
                "value_text": None,
                "value_number": None,
                "value_date": None,
                "share_consent": False,
            }
            if q.kind.has_options:
                rows.append(
                    {
                        **base,
                        "option_id": q.options[rid % len(q.options)].id,
                        "value_number": 3.0 if q.kind.value == "matrix" else None,
                    }
                )
            elif q.kind.value in ("short_text", "long_text"):
                rows.append({**base, "value_text": f"Text {rid}"})
            elif q.kind.value != "date":
                rows.append({**base, "value_number": float(rid % 5)})
    db.session.execute(insert(SurveyAnswer), rows)
    db.session.commit()


def test_results_page_query_count_does_not_grow_with_responses_or_questions(client, db, auth, kit, town, coordinator):
    from copy import deepcopy

    from surveys.template import template_definition

    small = kit.survey(town, coordinator, title="Klein")
    definition = template_definition()
    bigger = deepcopy(definition)
    for section in bigger["sections"]:
        for question in list(section["questions"]):
            copy = deepcopy(question)
            copy["key"] += "-b"
            copy["condition"] = None
            section["questions"].append(copy)
    large = kit.survey(town, coordinator, definition=bigger, title="Groß")
    assert len(Structure.load(large).questions) == 2 * len(Structure.load(small).questions)
    _bulk_responses(db, small, town, 3, 0)
    _bulk_responses(db, large, town, 60, 100)
    auth.login_as(coordinator)

    def queries_for(survey, query=""):
        client.get(f"/surveys/{survey.id}/results{query}")
        with count_queries(db.engine) as statements:
            assert client.get(f"/surveys/{survey.id}/results{query}").status_code == 200
        return len(statements)

    assert queries_for(small) == queries_for(large)
    assert queries_for(small, "?by=district") == queries_for(large, "?by=district")
    assert queries_for(small, "?by=q:raumbedarf") == queries_for(large, "?by=q:raumbedarf")


def test_waves_are_compared_question_by_question(client, db, auth, kit, town, coordinator, associations, answered):
    from surveys import services

    wave = services.copy_as_wave(coordinator, answered, wave_label="2027")
    services.open_survey(coordinator, wave, answered.opens_on)
    db.session.commit()
    add_response(db, kit, wave, associations[0], {"raumbedarf": 0, "mitglieder": 12})
    auth.login_as(coordinator)
    page = client.get(f"/surveys/{wave.id}/compare")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "2026" in body and "2027" in body and body.count("<svg") >= 1
