"""Benchmark of survey results: a survey of 40 questions with 5,000 responses.

    .venv/bin/python bench/surveys.py                        # a temporary SQLite file
    .venv/bin/python bench/surveys.py --db postgresql+psycopg://user@host/dbname   # an EMPTY database
    .venv/bin/python bench/surveys.py --responses 20000 --repeat 5

Prints the time to render the results page (plain, and broken down by district and by a
choice question) through the real app as a signed-in coordinator, the number of SQL
statements each page needed, and the time to export the XLSX file. Not a test: it measures,
it does not assert a time.
"""

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from config import TestConfig  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.models import Association, Field, Municipality, Role, User  # noqa: E402
from core.topics import sync_topics  # noqa: E402
from surveys import services  # noqa: E402
from surveys.interchange import validate_definition  # noqa: E402
from surveys.models import QuestionKind, ResponseState, SurveyAnswer, SurveyResponse, local_today  # noqa: E402
from surveys.structure import Structure  # noqa: E402
from surveys.template import template_definition  # noqa: E402

PASSWORD = "bench-password-1"
DISTRICTS = ("Weststadt", "Oststadt", "Innenstadt", "Eglosheim", "Grünbühl", "Oßweil", "Hoheneck")
TEXTS = ("Wir brauchen einen Saal für 60 Personen.", "Mehr Austausch mit anderen Vereinen.", "Danke!", "=1+1")


def forty_questions():
    """The template (about 35 questions) topped up with copies to exactly 40, conditions dropped."""
    definition = template_definition()
    questions = [q for s in definition["sections"] for q in s["questions"]]
    extra = 40 - len(questions)
    last = definition["sections"][-1]["questions"]
    for number in range(extra):
        copy = dict(questions[number % len(questions)], key=f"extra-{number}", condition=None)
        last.append(copy)
    for section in definition["sections"]:
        section["condition"] = None
        for question in section["questions"]:
            question["condition"] = None
    return definition


def build(responses, rng):
    town = Municipality(name="Benchstadt")
    db.session.add(town)
    coordinator = User(
        email="bench@example.org",
        name="Bench",
        role=Role.coordinator,
        municipalities=[town],
        password_hash=generate_password_hash(PASSWORD),
    )
    db.session.add(coordinator)
    db.session.flush()
    survey = services.create_survey(
        coordinator,
        town.id,
        title="Bedarfserhebung Bench",
        definition=validate_definition(forty_questions()),
        languages=["en"],
        wave_label="bench",
    )
    services.open_survey(coordinator, survey, local_today())
    db.session.commit()
    structure = Structure.load(survey)
    assert len(structure.questions) == 40, len(structure.questions)
    for start in range(0, responses, 1000):
        _batch(town, survey, structure, range(start, min(start + 1000, responses)), rng)
    return survey, coordinator


def _batch(town, survey, structure, numbers, rng):
    association_ids = db.session.scalars(
        insert(Association).returning(Association.id),
        [
            {
                "municipality_id": town.id,
                "name": f"Verein {n:05d}",
                "name_key": f"verein {n:05d}",
                "search_text": "",
                "field": rng.choice(list(Field)),
                "district": rng.choice(DISTRICTS),
                "description": "",
                "email": "",
                "phone": "",
                "website": "",
                "is_migrant_org": rng.random() < 0.6,
            }
            for n in numbers
        ],
    ).all()
    response_ids = db.session.scalars(
        insert(SurveyResponse).returning(SurveyResponse.id),
        [
            {
                "survey_id": survey.id,
                "association_id": aid,
                "state": ResponseState.submitted,
                "version": 3,
                "section_versions": {},
                "locale": "de",
                "last_section_position": 7,
                "updated_by_name": "Bench",
            }
            for aid in association_ids
        ],
    ).all()
    rows = [row for rid in response_ids for q in structure.questions for row in _answer(rid, q, rng)]
    for start in range(0, len(rows), 20000):
        db.session.execute(insert(SurveyAnswer), rows[start : start + 20000])
    db.session.commit()


def _answer(response_id, question, rng):
    base = {
        "response_id": response_id,
        "question_id": question.id,
        "option_id": None,
        "value_text": None,
        "value_number": None,
        "value_date": None,
        "share_consent": rng.random() < 0.5,
    }
    kind, options = question.kind, question.options
    if rng.random() < 0.15:
        return []
    if kind is QuestionKind.single_choice:
        return [{**base, "option_id": rng.choice(options).id}]
    if kind in (QuestionKind.multiple_choice, QuestionKind.topic_choice):
        return [{**base, "option_id": o.id} for o in rng.sample(options, rng.randint(1, min(3, len(options))))]
    if kind is QuestionKind.matrix:
        return [{**base, "option_id": o.id, "value_number": float(rng.randint(1, 5))} for o in options]
    if kind in (QuestionKind.short_text, QuestionKind.long_text):
        return [{**base, "value_text": rng.choice(TEXTS)}]
    if kind is QuestionKind.date:
        return [{**base, "value_date": local_today()}]
    if kind is QuestionKind.yes_no:
        return [{**base, "value_number": float(rng.random() < 0.5)}]
    if kind is QuestionKind.scale:
        return [{**base, "value_number": float(rng.randint(1, 5))}]
    return [{**base, "value_number": float(rng.randint(0, 300))}]


def timed(repeat, action):
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), max(durations)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument("--responses", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vn-bench-surveys-"))
    url = args.db or f"sqlite:///{workdir / 'bench.sqlite3'}"
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    app = create_app(config)
    try:
        with app.app_context():
            db.create_all()
            sync_topics()
            db.session.commit()
            start = time.perf_counter()
            survey, coordinator = build(args.responses, random.Random(7))
            print(
                f"Data: 40 questions, {args.responses} responses, built in {time.perf_counter() - start:.1f} s ({db.engine.dialect.name})"
            )
            client = app.test_client()
            client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
            statements = []
            event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
            for label, query in (
                ("results page", ""),
                ("results by district", "?by=district"),
                ("results by a choice question", "?by=q:raumbedarf"),
                ("results filtered", "?field=culture&answer=raumbedarf%3Dyes"),
            ):

                def page(query=query):
                    response = client.get(f"/surveys/{survey.id}/results{query}")
                    assert response.status_code == 200, response.status_code

                page()  # warm up: the first request also loads the user and fills caches
                statements.clear()
                page()
                count = len(statements)
                median, worst = timed(args.repeat, page)
                print(
                    f"{label:32s} median {median * 1000:7.0f} ms   max {worst * 1000:7.0f} ms   {count} SQL statements"
                )

            def xlsx():
                response = client.get(f"/surveys/{survey.id}/export.xlsx")
                assert response.status_code == 200 and len(response.data) > 1000

            median, worst = timed(args.repeat, xlsx)
            print(f"{'XLSX export':32s} median {median * 1000:7.0f} ms   max {worst * 1000:7.0f} ms")
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
