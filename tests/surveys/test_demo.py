"""`flask demo load` builds both survey waves with realistic figures."""

from sqlalchemy import func, select

from surveys import queries, results
from surveys.models import ResponseState, ShareLevel, Survey, SurveyResponse, SurveyState
from surveys.structure import Structure


def test_demo_has_this_years_survey_with_22_of_45_and_last_years_wave(app, runner, db):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    current, previous = db.session.scalars(select(Survey).order_by(Survey.id.desc())).all()
    assert current.state is SurveyState.open and current.accepts_answers()
    assert previous.state is SurveyState.closed and previous.share_level is ShareLevel.associations
    assert current.previous_id == previous.id and current.series_key == previous.series_key
    assert queries.response_rate(current.id)[0] == (None, 45, 22)
    drafts = db.session.scalar(
        select(func.count(SurveyResponse.id)).where(
            SurveyResponse.survey_id == current.id, SurveyResponse.state == ResponseState.draft
        )
    )
    assert drafts >= 3
    assert queries.response_rate(previous.id)[0][2] == 18
    with app.test_request_context():
        summary = results.topic_summary(current, Structure.load(current), results.Filters(), "de")
    needs = sorted(((counts.get("need", (0, 0))[0], topic.key) for topic, counts in summary), reverse=True)
    assert {key for _count, key in needs[:3]} == {"rooms", "funding", "hsu"}
    offers = {topic.key for topic, counts in summary if counts.get("offer", (0, 0))[0]}
    assert {"rooms", "volunteers", "translation"} <= offers
