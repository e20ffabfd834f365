"""Benchmark of the exchange board: 5,000 associations, 100,000 postings, time per board page.

    .venv/bin/python bench/exchange.py                       # a temporary SQLite file
    .venv/bin/python bench/exchange.py --db postgresql+psycopg://user@host/dbname   # an EMPTY database
    .venv/bin/python bench/exchange.py --explain             # also print the query plans

Pages are requested through the real app (routing, access checks, templates) as a signed-in
representative of the town. All postings are in one town, the worst case for that town's board.
It prints the median and 95th percentile per page, and with --explain the plan of each page's
posting query, to show that the indexes carry it and no page reads every posting.
"""

import argparse
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from config import TestConfig  # noqa: E402
from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.models import Association, Field, Municipality, Role, Topic, User, utcnow  # noqa: E402
from core.text import search_key  # noqa: E402
from core.topics import sync_topics  # noqa: E402
from exchange.models import (  # noqa: E402
    Category,
    Moderation,
    Posting,
    PostingKind,
    PostingLanguage,
    PostingState,
    Visibility,
    posting_topics,
)

PASSWORD = "bench-password-1"
WORDS = ("Raum", "Saal", "Helfer", "Beamer", "Übersetzung", "Fahrdienst", "Förderantrag", "Workshop", "Küche",
         "Kinder", "Jugend", "Frauen", "Samstag", "Sonntag", "abends", "Turnier", "Fest", "Chor", "Nachhilfe")
DISTRICTS = ("Weststadt", "Oststadt", "Innenstadt", "Eglosheim", "Grünbühl", "Oßweil", "Hoheneck", "")
LANGUAGES = ("de", "tr", "ar", "ru", "uk", "it", "el", "fa", "pl", "hr")

PAGES = {
    "board, unfiltered (page 1)": "/exchange/",
    "board, unfiltered (page 40)": "/exchange/?page=40",
    "board, sorted by ending": "/exchange/?sort=ending",
    "text search 'raum samstag'": "/exchange/?q=raum+samstag",
    "text search 'übersetzung' (umlaut)": "/exchange/?q=%C3%BCbersetzung",
    "text search, rare word": "/exchange/?q=zebrastreifen",
    "topic filter 'hsu-tr'": "/exchange/?topic=hsu-tr",
    "topic + language + district": "/exchange/?topic=rooms&language=tr&district=Weststadt",
    "public board": "/exchange/public",
}


def build(associations, postings, seed=7):
    rng = random.Random(seed)
    sync_topics()
    town = Municipality(name="Benchstadt")
    db.session.add(town)
    db.session.flush()
    now = utcnow()
    db.session.execute(insert(Association), [
        {"municipality_id": town.id, "name": f"Verein {n}", "name_key": f"verein {n}", "search_text": f"verein {n}",
         "field": rng.choice(list(Field)), "district": rng.choice(DISTRICTS[:-1]), "description": "",
         "email": "", "phone": "", "website": "", "created_at": now, "updated_at": now}
        for n in range(associations)
    ])
    ids = db.session.scalars(select(Association.id).order_by(Association.id)).all()
    rep = User(email="bench@example.org", name="Bench", role=Role.representative, association_id=ids[0],
               password_hash=generate_password_hash(PASSWORD), locale="de")
    db.session.add(rep)
    topics = db.session.scalars(select(Topic)).all()
    keys = [t.key for t in topics]
    topic_by_key = {t.key: t for t in topics}
    names_of = {t.key: list((t.names or {}).values()) + list(t.synonyms or []) for t in topics}
    batch = 5000
    for start in range(0, postings, batch):
        rows, topic_rows, language_rows = [], [], []
        for n in range(start, min(start + batch, postings)):
            created = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
            state = rng.choices(list(PostingState), weights=[40, 10, 25, 10, 15])[0]
            expires = created + timedelta(days=60)
            if state in (PostingState.open, PostingState.in_progress) and expires <= now:
                state = PostingState.expired
            chosen = rng.sample(keys, rng.randint(1, 3))
            title = " ".join(rng.sample(WORDS, 3)) + f" {n}"
            description = " ".join(rng.choices(WORDS, k=25))
            rows.append({
                "id": n + 1, "municipality_id": town.id, "association_id": rng.choice(ids),
                "kind": rng.choice(list(PostingKind)), "category": rng.choice(list(Category)), "title": title,
                "description": description, "district": rng.choice(DISTRICTS), "weekdays": rng.choice([0, 0, 32, 96, 31]),
                "visibility": rng.choice([Visibility.network, Visibility.public]), "share_contact": False,
                "contact_name": "", "contact_email": "", "contact_phone": "", "state": state, "state_changed_at": created,
                "expires_at": expires, "moderation": Moderation.visible, "moderation_reason": "",
                "search_text": search_key(title, description, *[name for k in chosen for name in names_of[k]]),
                "created_at": created, "updated_at": created,
            })
            topic_rows += [{"posting_id": n + 1, "topic_id": topic_by_key[k].id} for k in chosen]
            language_rows += [{"posting_id": n + 1, "code": c} for c in rng.sample(LANGUAGES, rng.randint(1, 2))]
        db.session.execute(insert(Posting), rows)
        db.session.execute(insert(posting_topics), topic_rows)
        db.session.execute(insert(PostingLanguage), language_rows)
        print(f"  {min(start + batch, postings):>7} postings", end="\r", flush=True)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval('exchange_postings_id_seq', (SELECT max(id) FROM exchange_postings))"))
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    print()


class Recorder:
    """Collects the statements a request sends, to explain the posting queries afterwards."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, *args):
        self.seen.append((statement, parameters))


def explain(statement, parameters):
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
    finally:
        raw.close()
    return "\n".join("      " + " ".join(str(part) for part in row) for row in rows)


def measure(client, url, repeat):
    client.get(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, math.ceil(len(times) * 0.95) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database URL (must be empty); default: a temporary SQLite file")
    parser.add_argument("--associations", type=int, default=5000)
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="print the plan of each page's posting queries")
    args = parser.parse_args()
    workdir = None if args.db else tempfile.mkdtemp(prefix="vn-bench-")
    url = args.db or f"sqlite:///{workdir}/bench.sqlite3"
    config = type("BenchConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ECHO": False})
    app = create_app(config)
    with app.app_context():
        if db.session.scalar(text("SELECT 1")) != 1:
            raise SystemExit("database not reachable")
        db.create_all()
        print(f"Database: {db.engine.dialect.name}. Building {args.associations} associations, {args.postings} postings …")
        started = time.perf_counter()
        build(args.associations, args.postings)
        print(f"Built in {time.perf_counter() - started:.1f} s.\n")
        client = app.test_client()
        response = client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
        assert response.status_code == 302, "login failed"
        print(f"{'page':40} {'median ms':>10} {'p95 ms':>8} {'statements':>11}")
        for label, path in PAGES.items():
            median, p95 = measure(client, path, args.repeat)
            with Recorder(db.engine) as recorder:
                client.get(path)
            print(f"{label:40} {median:10.1f} {p95:8.1f} {len(recorder.seen):11d}")
            if args.explain:
                for statement, parameters in recorder.seen:
                    if "FROM exchange_postings" in statement and "count(" not in statement.lower()[:40] or \
                            "FROM (SELECT exchange_postings.id" in statement:
                        print("    " + " ".join(statement.split())[:160] + " …")
                        print(explain(statement, parameters))
        db.session.remove()
        db.engine.dispose()
    if workdir:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
