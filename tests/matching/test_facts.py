"""Facts from profiles, released survey answers and postings, each linking back to its source."""

from datetime import timedelta

from flask_babel import force_locale

from core.models import utcnow
from matching import facts, services
from matching.engine import Polarity
from tests.matching.conftest import make_association


def by_source(found, source):
    return sorted((f.association_id, f.topic, f.polarity.value) for f in found if f.source == source)


def test_profile_topics_become_facts_with_polarity_by_category(app, town):
    elternverein = town["Türkischer Elternverein"]
    with force_locale("en"):
        found = facts.facts_of(elternverein)
    assert by_source(found, "profile") == [
        (elternverein.id, "children", "interest"),
        (elternverein.id, "hsu-tr", "activity"),
        (elternverein.id, "rooms", "interest"),
    ]
    hsu = next(f for f in found if f.topic == "hsu-tr")
    assert hsu.label == "Profile topic “Heritage-language teaching: Turkish”"
    assert hsu.ref == f"profile:{elternverein.id}"
    assert hsu.link == ("associations.show", (("association_id", elternverein.id),))
    assert hsu.on == elternverein.updated_at.date()


def test_gather_covers_one_municipality_and_marks_opted_out_associations(app, db, factory, town):
    make_association(factory, factory.municipality("Stadt Y"), "Anderswo", ["hsu-tr"])
    services.set_networking(town["Sportverein"], False, False, town.coordinator)
    db.session.commit()
    gathered = facts.gather(town.municipality.id)
    assert sorted(a.name for a in gathered.associations) == sorted(town.associations)
    assert {a.name for a in gathered.associations if not a.networking} == {"Sportverein"}
    assert {f.association_id for f in gathered.facts} == {a.id for a in town.associations.values()}


def test_gathering_takes_the_same_number_of_queries_for_more_associations(app, db, factory, town):
    from tests.conftest import count_queries

    with count_queries(db.engine) as few:
        facts.gather(town.municipality.id)
    for number in range(15):
        make_association(factory, town.municipality, f"Noch ein Verein {number}", ["hsu-ar", "funding"], languages=["ar"])
    db.session.expire_all()
    with count_queries(db.engine) as many:
        facts.gather(town.municipality.id)
    assert len(many) == len(few)


def _survey(db, town, wave="2024"):
    from surveys.models import QuestionKind, Survey, SurveyOption, SurveyQuestion, SurveySection, SurveyState

    survey = Survey(municipality_id=town.municipality.id, series_key="bedarf", wave_label=wave,
                    title={"de": "Bedarfserhebung", "en": "Needs survey"}, state=SurveyState.open)
    first = SurveySection(survey=survey, key="s1", position=0)
    second = SurveySection(survey=survey, key="s2", position=1)
    intro = SurveyQuestion(survey=survey, section=first, key="q1", position=0, kind=QuestionKind.short_text, text={"de": "Name?"})
    rooms = SurveyQuestion(survey=survey, section=second, key="q2", position=0, kind=QuestionKind.topic_choice,
                           text={"de": "Was brauchen oder bieten Sie?"})
    options = {
        "need-rooms": SurveyOption(question=rooms, key="need-rooms", position=0, polarity=_polarity("need"),
                                   topic_id=_topic(db, "rooms")),
        "offer-hsu": SurveyOption(question=rooms, key="offer-hsu", position=1, polarity=_polarity("offer"),
                                  topic_id=_topic(db, "hsu-tr")),
        "funding": SurveyOption(question=rooms, key="funding", position=2, topic_id=_topic(db, "funding")),
    }
    db.session.add_all([survey, first, second, intro, rooms, *options.values()])
    db.session.flush()
    return survey, rooms, options


def _polarity(value):
    from surveys.models import Polarity as SurveyPolarity

    return SurveyPolarity(value)


def _topic(db, key):
    from sqlalchemy import select

    from core.models import Topic

    return db.session.scalar(select(Topic.id).where(Topic.key == key))


def _answer(db, survey, association, question, chosen, submitted=True, text=None):
    from surveys.models import ResponseState, SurveyAnswer, SurveyResponse

    response = SurveyResponse(survey=survey, association=association,
                              state=ResponseState.submitted if submitted else ResponseState.draft,
                              submitted_at=utcnow() - timedelta(days=3) if submitted else None)
    db.session.add(response)
    for option, shared in chosen:
        db.session.add(SurveyAnswer(response=response, question=question, option=option, share_consent=shared,
                                    value_text=text))
    db.session.flush()
    return response


def test_released_survey_answers_become_facts_and_the_rest_is_only_counted(app, db, town):
    survey, question, options = _survey(db, town)
    elternverein, schule, alevi = town["Türkischer Elternverein"], town["Arabische Schule"], town["Alevitische Gemeinde"]
    response = _answer(db, survey, elternverein, question, [(options["need-rooms"], True), (options["offer-hsu"], False)])
    _answer(db, survey, schule, question, [(options["funding"], True)], text="Wir suchen Förderung für Samstagskurse")
    _answer(db, survey, alevi, question, [(options["need-rooms"], True)], submitted=False)
    db.session.commit()
    with force_locale("en"):
        gathered = facts.gather(town.municipality.id)
    survey_facts = [f for f in gathered.facts if f.source == "survey"]
    assert by_source(survey_facts, "survey") == [(elternverein.id, "rooms", "need"), (schule.id, "funding", "interest")]
    # The unreleased offer of heritage-language teaching is counted, never read; drafts are neither.
    assert gathered.held_back == 1
    rooms = next(f for f in survey_facts if f.topic == "rooms")
    assert rooms.label == "Needs survey 2024, question 2: “Rooms and premises”"
    assert rooms.ref == f"survey:{response.id}:{question.id}"
    assert rooms.link == ("surveys.response_detail", (("survey_id", survey.id), ("response_id", response.id)))
    assert rooms.on == response.submitted_at.date()
    funding = next(f for f in survey_facts if f.topic == "funding")
    assert funding.label == "Needs survey 2024, question 2: “Wir suchen Förderung für Samstagskurse”"


def test_question_polarity_applies_when_the_option_has_none(app, db, town):
    survey, question, options = _survey(db, town)
    question.settings = {"polarity": "offer"}
    _answer(db, survey, town["Sportverein"], question, [(options["funding"], True)])
    db.session.commit()
    assert by_source(facts.gather(town.municipality.id).facts, "survey") == [(town["Sportverein"].id, "funding", "offer")]


def _posting(db, association, kind, category, title, topics=(), **kwargs):
    from core.models import Topic
    from exchange.models import Category, Posting, PostingKind

    kwargs.setdefault("expires_at", utcnow() + timedelta(days=30))
    posting = Posting(
        municipality_id=association.municipality_id, association_id=association.id, kind=PostingKind(kind),
        category=Category(category), title=title, **kwargs,
    )
    posting.topics = [db.session.query(Topic).filter_by(key=key).one() for key in topics]
    db.session.add(posting)
    db.session.commit()
    return posting


def test_postings_on_the_board_become_needs_and_offers(app, db, town):
    from exchange.models import Moderation, PostingState

    schule, sport = town["Arabische Schule"], town["Sportverein"]
    request = _posting(db, schule, "request", "rooms", "Raum für Samstagskurse", topics=["hsu-ar"])
    offer = _posting(db, sport, "offer", "knowhow", "Vereinsbuchhaltung erklärt")
    _posting(db, sport, "offer", "rooms", "Alter Saal", state=PostingState.fulfilled)
    _posting(db, sport, "offer", "rooms", "Versteckt", moderation=Moderation.hidden)
    _posting(db, sport, "offer", "equipment", "Abgelaufen", expires_at=utcnow() - timedelta(days=1))
    with force_locale("en"):
        found = facts.gather(town.municipality.id).facts
    assert by_source(found, "posting") == sorted([
        (schule.id, "hsu-ar", "need"), (schule.id, "rooms", "need"), (sport.id, "advice", "offer"),
    ])
    room = next(f for f in found if f.source == "posting" and f.topic == "rooms")
    assert (room.label, room.ref, room.link) == (
        "Request “Raum für Samstagskurse” · Rooms and premises", f"posting:{request.id}",
        ("exchange.show", (("posting_id", request.id),)))
    assert next(f for f in found if f.topic == "advice").ref == f"posting:{offer.id}"


def test_what_is_used_is_listed_for_the_association_itself(app, db, town):
    sport = town["Sportverein"]
    _posting(db, town["Arabische Schule"], "request", "rooms", "Raum gesucht")
    _posting(db, sport, "offer", "rooms", "Halle am Samstag frei")
    found = facts.facts_of(sport)
    assert {f.association_id for f in found} == {sport.id}
    assert sorted((f.source, f.topic, f.polarity) for f in found) == [
        ("posting", "rooms", Polarity.offer),
        ("profile", "rooms", Polarity.interest), ("profile", "sport", Polarity.activity),
        ("profile", "youth", Polarity.interest),
    ]
