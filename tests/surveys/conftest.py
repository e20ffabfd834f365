"""Fixtures for survey tests: a town with associations, an open survey from the template, tokens."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import OutboxMail
from surveys import distribution, services
from surveys.interchange import validate_definition
from surveys.models import Survey, SurveyToken, local_today
from surveys.structure import Structure
from surveys.template import TEMPLATE_KEY, template_definition


class SurveyKit:
    """Builds surveys the way coordinators do, through the services."""

    def __init__(self, db, factory):
        self.db, self.factory = db, factory

    def survey(
        self,
        town,
        actor=None,
        definition=None,
        languages=("en",),
        open_=True,
        invite=(),
        closes_in=30,
        title="Bedarfserhebung Test",
    ):
        definition = validate_definition(definition or template_definition())
        survey = services.create_survey(
            actor,
            town.id,
            title=title,
            languages=languages,
            definition=definition,
            template_key=TEMPLATE_KEY,
            closes_on=local_today() + timedelta(days=closes_in),
            wave_label="2026",
        )
        self.db.session.flush()
        if invite:
            distribution.invite(actor, survey, list(invite))
        if open_:
            services.open_survey(actor, survey, local_today())
            distribution.send_pending_invitations(survey)
        self.db.session.commit()
        return survey

    def token(self, survey, association):
        """A fresh personal link secret for the association's invitation."""
        from surveys import queries

        invitation = queries.invitation_for(survey.id, association.id)
        _token, secret = SurveyToken.issue(invitation)
        self.db.session.commit()
        return secret

    def structure(self, survey):
        return Structure.load(self.db.session.get(Survey, survey.id))

    def question(self, survey, key):
        return self.structure(survey).question_by_key[key]

    def option(self, survey, key, option_key):
        return next(o for o in self.question(survey, key).options if o.key == option_key)

    def mails(self):
        return self.db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()

    @staticmethod
    def link_path(mail):
        return re.search(r"https?://[^/\s]+(/surveys/r/[^\s?]+)", mail.body_text).group(1)


@pytest.fixture
def kit(db, factory):
    return SurveyKit(db, factory)


@pytest.fixture
def town(factory):
    return factory.municipality("Musterstadt", office_name="Koordinierungsstelle Musterstadt")


@pytest.fixture
def associations(factory, town):
    from core.models import Field

    return [
        factory.association(
            town,
            name=f"Verein {n:02d}",
            email=f"verein{n:02d}@example.org",
            field=[Field.culture, Field.education, Field.sport][n % 3],
            district=["Weststadt", "Oststadt"][n % 2],
            is_migrant_org=n % 2 == 0,
        )
        for n in range(1, 7)
    ]


@pytest.fixture
def coordinator(factory, town):
    return factory.coordinator(town, name="Koordination")


@pytest.fixture
def open_survey(kit, town, associations, coordinator):
    return kit.survey(town, coordinator, invite=associations)


def page_data(kit, survey, values, version=0, action="save", **extra):
    """Form data for an answer page: {question key: value or list}; option keys become option ids."""
    structure = kit.structure(survey)
    data = {"version": str(version), "action": action, "js": "1"}
    for key, value in values.items():
        question = structure.question_by_key[key.split("__")[0]]
        suffix = key.split("__")[1] if "__" in key else ""
        name = f"q{question.id}" + (f"_{suffix}" if suffix and not suffix.startswith("r:") else "")
        if suffix.startswith("r:"):
            row = next(o for o in question.options if o.key == suffix[2:])
            name = f"q{question.id}_r{row.id}"
            data[name] = str(value)
            continue
        options = {o.key: o.id for o in question.options}
        if isinstance(value, list):
            data[name] = [str(options.get(v, v)) for v in value]
        else:
            data[name] = str(options.get(value, value)) if not suffix else value
    data.update(extra)
    return data
