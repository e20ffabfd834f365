"""A town for the privacy tests: association A with two people who leave traces everywhere, B and C beside it."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import JSON, Enum, String, Text, select

from core.accounts.services import record_consent
from core.associations.services import set_directory_consent
from core.audit import record
from core.mail import queue_mail
from core.models import AccessRequest, Field, Token, TokenPurpose, utcnow
from exchange import services as exchange_services
from exchange.models import Category, PostingKind, Visibility
from matching import services as matching_services
from surveys import distribution
from surveys import services as survey_services
from surveys.interchange import validate_definition
from surveys.models import QuestionKind, ResponseState, SurveyAnswer, SurveyResponse, local_today
from surveys.structure import Structure
from surveys.template import TEMPLATE_KEY, template_definition

ZOFIA = {"name": "Zofia Quellenberg-Ptak", "email": "zofia.quellenberg@example.org"}
BERND = {"name": "Bernd Armbrusterling", "email": "bernd.armbruster@example.org"}
BORIS = {"name": "Boris Brandtmaier", "email": "boris.brandt@example.org"}
A_NAME = "Zukunftswerkstatt Wendelinhof"


@dataclass
class World:
    town: object
    other_town: object
    a: object
    b: object
    c: object
    zofia: object
    bernd: object
    boris: object
    carla: object
    coordinator: object
    survey: object
    own_posting: object
    b_posting: object


def posting_data(title, **overrides):
    data = {
        "kind": PostingKind.offer,
        "category": Category.rooms,
        "title": title,
        "description": "Ein Raum für 20 Personen, samstags.",
        "district": "",
        "starts_on": None,
        "ends_on": None,
        "weekdays": [5],
        "visibility": Visibility.network,
        "share_contact": False,
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "topics": [],
        "languages": ["de"],
    }
    data.update(overrides)
    return data


def _survey(db, coordinator, town, associations):
    definition = validate_definition(template_definition())
    survey = survey_services.create_survey(
        coordinator,
        town.id,
        title="Bedarfserhebung 2026",
        languages=("en",),
        definition=definition,
        template_key=TEMPLATE_KEY,
        closes_on=local_today() + timedelta(days=30),
        wave_label="2026",
    )
    db.session.flush()
    distribution.invite(coordinator, survey, associations)
    survey_services.open_survey(coordinator, survey, local_today())
    db.session.flush()
    return survey


def answer(db, survey, association, person, text):
    """A submitted response: one option of every choice question, a number, and a free text naming people."""
    structure = Structure.load(survey)
    response = SurveyResponse(
        survey=survey,
        association=association,
        state=ResponseState.submitted,
        updated_by=person,
        updated_by_name=person.name if person else "",
        submitted_at=utcnow(),
    )
    db.session.add(response)
    db.session.flush()
    for index, question in enumerate(structure.questions):
        if question.kind in (QuestionKind.single_choice, QuestionKind.multiple_choice) and question.options:
            option = question.options[(association.id + index) % len(question.options)]
            db.session.add(SurveyAnswer(response=response, question=question, option=option, share_consent=True))
        elif question.kind is QuestionKind.number:
            db.session.add(SurveyAnswer(response=response, question=question, value_number=association.id * 3))
        elif question.kind in (QuestionKind.short_text, QuestionKind.long_text):
            db.session.add(SurveyAnswer(response=response, question=question, value_text=text))
    db.session.flush()
    return response


@pytest.fixture
def world(db, factory):
    town, other_town = factory.municipality("Stadt X"), factory.municipality("Stadt Y")
    a = factory.association(
        town,
        A_NAME,
        field=Field.education,
        district="Weststadt",
        email=ZOFIA["email"],
        phone="07141 4711",
        description=f"Ansprechpartnerin: {ZOFIA['name']}",
    )
    b = factory.association(town, "Nachbarschaftshilfe Oststadt", field=Field.social, district="Oststadt")
    c = factory.association(other_town, "Kulturkreis Andersdorf", field=Field.culture)
    zofia = factory.representative(a, **ZOFIA)
    bernd = factory.representative(a, **BERND)
    boris = factory.representative(b, **BORIS)
    carla = factory.representative(c, name="Carla Cortesini", email="carla.c@example.org")
    coordinator = factory.coordinator(town, name="Koordination X", email="koord-x@example.org")

    record_consent("privacy", "2026-11", user=zofia)
    set_directory_consent(zofia, a, True)
    matching_services.set_networking(a, True, True, zofia)
    record(coordinator, "association.invite", a, name=ZOFIA["name"], email=ZOFIA["email"])
    db.session.add(
        AccessRequest(
            municipality_id=town.id,
            association_name=A_NAME,
            contact_name=ZOFIA["name"],
            email=ZOFIA["email"],
            privacy_version="2026-11",
            association_id=a.id,
        )
    )
    Token.issue(zofia, TokenPurpose.reset, timedelta(hours=2))
    queue_mail(zofia.email, "Willkommen", "mail/reset.txt", user=zofia, link="http://x/", valid_hours=2)

    own_posting = exchange_services.create_posting(
        zofia,
        a,
        posting_data(
            "Raum im Wendelinhof",
            share_contact=True,
            contact_name=ZOFIA["name"],
            contact_email=ZOFIA["email"],
            contact_phone="0171 555",
        ),
    )
    b_posting = exchange_services.create_posting(boris, b, posting_data("Bus für Ausflüge", kind=PostingKind.request))
    conversation, _ = exchange_services.reply(boris, own_posting, "Gerne! Danke, Zofia Quellenberg-Ptak.")
    exchange_services.add_message(zofia, conversation, f"Bis Samstag, {ZOFIA['name']} ({ZOFIA['email']})")
    exchange_services.reply(bernd, b_posting, f"Wir hätten Interesse. Gruß, {BERND['name']}")

    survey = _survey(db, coordinator, town, [a, b])
    answer(db, survey, a, zofia, f"Bitte {ZOFIA['name']} anrufen")
    answer(db, survey, b, boris, "Mehr Räume")
    db.session.commit()
    return World(town, other_town, a, b, c, zofia, bernd, boris, carla, coordinator, survey, own_posting, b_posting)


# --------------------------------------------------------------------------- the completeness check


def text_columns(table):
    for column in table.columns:
        if isinstance(column.type, Enum):
            continue
        if isinstance(column.type, String | Text | JSON):
            yield column


def mentions(db, *needles):
    """Every (table, column, value) in the whole database whose text contains one of the needles."""
    needles = [n.lower() for n in needles if n]
    found = []
    for table in db.metadata.sorted_tables:
        columns = list(text_columns(table))
        if not columns:
            continue
        for row in db.session.execute(select(*columns)).all():
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(needle in text.lower() for needle in needles):
                    found.append((table.name, column.name, text[:120]))
    return found


def results_of(survey):
    """Aggregate survey results as plain numbers: total, and per question the answered count and row counts."""
    from core.extensions import db
    from surveys.models import Survey
    from surveys.results import Filters, aggregate

    survey = db.session.get(Survey, survey.id)
    structure = Structure.load(survey, fresh=True)
    total, results = aggregate(survey, structure, Filters.from_args({}), "de", with_texts=False)
    numbers = {}
    for result in results:
        numbers[result.question.key] = (
            result.answered,
            tuple(getattr(row, "count", None) for row in getattr(result, "rows", [])),
            tuple(sorted((result.stats or {}).items())),
        )
    _, by_district = aggregate(survey, structure, Filters.from_args({"by": "district"}), "de", with_texts=False)
    crosstabs = {r.question.key: repr(r.crosstab) for r in by_district if r.crosstab is not None}
    return total, numbers, crosstabs
