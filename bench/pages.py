"""Page benchmark: the main pages under gunicorn at town scale and at state scale, against the framework's floor.

    .venv/bin/python bench/pages.py                    # SQLite files
    .venv/bin/python bench/pages.py --db postgresql    # a throwaway PostgreSQL 15 cluster
    .venv/bin/python bench/pages.py --seconds 8 --clients 4

Town scale is the demo (`flask demo load`: 45 associations in one town). State scale is the demo
plus bulk data written with SQLAlchemy Core: 5,000 associations in 100 municipalities (the demo town
grows to 500, a city; the other 99 share the rest), 50,000 postings on the board, and 5,000 responses
to the demo's open survey. At state scale the demo coordinator's scope is all 100 municipalities
(a state office), so the dashboard and the board cover the whole state.

Both scales are served at once, each by its own gunicorn serving `bench/wsgi_floor.py` (the app plus
`/bench/floor`, a route doing one SELECT), and each page is measured at town and then at state scale
back to back, so a change in the machine's load hits both alike: `--clients` threads with keep-alive
sessions, signed in as the coordinator, for `--seconds` after a short warm-up. Printed per page:
requests/s as a share of the floor's, p50 latency at both scales and state/town; the imprint page (the
layout and nothing else) is printed too, as a reference. Then, in-process: the SQL statements per page
and their time, a profile of each page, and the plans of the slowest statements of the two slowest pages.
"""

import argparse
import os
import random
import signal
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    DEMO_PASSWORD,
    ROOT,
    Client,
    Gunicorn,
    Postgres,
    Stats,
    add_floor,
    app_env,
    form_with,
    machine,
    percentile,
    prepare_demo,
    tempdir,
)

sys.path.insert(0, str(ROOT))

COORDINATOR = "koordination@example.org"
GOAL_SHARE, GOAL_GROWTH = 0.40, 1.5
WORDS = (
    "Raum",
    "Saal",
    "Helfer",
    "Beamer",
    "Übersetzung",
    "Fahrdienst",
    "Förderantrag",
    "Workshop",
    "Küche",
    "Kinder",
    "Jugend",
    "Frauen",
    "Samstag",
    "Sonntag",
    "abends",
    "Turnier",
    "Fest",
    "Chor",
    "Nachhilfe",
)
DISTRICTS = ("Weststadt", "Oststadt", "Innenstadt", "Nordstadt", "Südstadt", "Altstadt", "Bahnhof")
LANGUAGES = ("de", "tr", "ar", "ru", "uk", "it", "el", "fa", "pl", "hr")


# --------------------------------------------------------------------------- data


def in_process_app(url):
    """The app in this process on the benchmark database: for bulk data and for counting statements."""
    from config import DevelopmentConfig
    from core import create_app

    config = type(
        "PagesBench",
        (DevelopmentConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "pages-bench",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "outbox-only",
            "SQLITE_SYNCHRONOUS": "OFF",
        },
    )
    return add_floor(create_app(config))


def grow_to_state(app, rng, associations=5000, municipalities=100, postings=50000, responses=5000):
    """Bulk rows on top of the demo: see the module docstring for the shape."""
    from sqlalchemy import func, insert, select, text

    from core.extensions import db
    from core.models import (
        Association,
        AssociationLanguage,
        Municipality,
        User,
        association_topics,
        coordinator_municipalities,
        utcnow,
    )
    from core.text import search_key

    with app.app_context():
        town = db.session.scalar(select(Municipality).order_by(Municipality.id))
        coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR))
        now = utcnow()
        ids = db.session.scalars(
            insert(Municipality).returning(Municipality.id),
            [
                {"name": f"Gemeinde {n:03d}", "office_name": f"Integration Gemeinde {n:03d}", "office_email": ""}
                for n in range(1, municipalities)
            ],
        ).all()
        db.session.execute(
            insert(coordinator_municipalities), [{"user_id": coordinator.id, "municipality_id": m} for m in ids]
        )
        existing = db.session.scalar(select(func.count()).select_from(Association))
        homes = [town.id] * (500 - existing) + [ids[n % len(ids)] for n in range(associations - 500)]
        topic_ids = db.session.scalars(text("SELECT id FROM topics WHERE is_active")).all()
        new_ids = []
        for start in range(0, len(homes), 1000):
            rows = []
            for n in range(start, min(start + 1000, len(homes))):
                name, district = f"Verein {n:05d} {rng.choice(WORDS)}", rng.choice(DISTRICTS)
                rows.append(
                    {
                        "municipality_id": homes[n],
                        "name": name,
                        "name_key": sorted(search_key(name).split(" | "))[0],
                        "search_text": search_key(name, district),
                        "field": rng.choice(["culture", "sport", "education", "social", "religion", "leisure"]),
                        "district": district,
                        "description": "Wir laden alle ein.",
                        "email": "",
                        "phone": "",
                        "website": "",
                        "is_migrant_org": rng.random() < 0.6,
                        "directory_consent_at": now if rng.random() < 0.9 else None,
                        "directory_consent_version": "2026-11",
                    }
                )
            new_ids += db.session.scalars(insert(Association).returning(Association.id), rows).all()
        db.session.execute(
            insert(association_topics),
            [{"association_id": a, "topic_id": t} for a in new_ids for t in rng.sample(topic_ids, 3)],
        )
        db.session.execute(
            insert(AssociationLanguage),
            [{"association_id": a, "code": c} for a in new_ids for c in {"de", rng.choice(LANGUAGES)}],
        )
        db.session.commit()
        all_ids = db.session.execute(select(Association.id, Association.municipality_id)).all()
        _postings(db, rng, all_ids, topic_ids, postings)
        _responses(db, rng, [a for a, _m in all_ids], responses)
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def _postings(db, rng, associations, topic_ids, count):
    from sqlalchemy import insert

    from core.models import utcnow
    from core.text import search_key
    from exchange.models import Posting, PostingLanguage, posting_topics

    now = utcnow()
    for start in range(0, count, 5000):
        rows, topics, languages = [], [], []
        for n in range(start, min(start + 5000, count)):
            association, municipality = rng.choice(associations)
            created = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
            expires = created + timedelta(days=60)
            state = rng.choices(["open", "in_progress", "fulfilled", "withdrawn", "expired"], [40, 10, 25, 10, 15])[0]
            if state in ("open", "in_progress") and expires <= now:
                state = "expired"
            title = " ".join(rng.sample(WORDS, 3)) + f" {n}"
            description = " ".join(rng.choices(WORDS, k=25))
            rows.append(
                {
                    "municipality_id": municipality,
                    "association_id": association,
                    "kind": rng.choice(["offer", "request"]),
                    "category": rng.choice(["rooms", "volunteers", "equipment", "translation", "event", "funding"]),
                    "title": title,
                    "description": description,
                    "district": rng.choice(DISTRICTS),
                    "weekdays": 0,
                    "visibility": rng.choice(["network", "public"]),
                    "share_contact": False,
                    "contact_name": "",
                    "contact_email": "",
                    "contact_phone": "",
                    "state": state,
                    "state_changed_at": created,
                    "expires_at": expires,
                    "moderation": "visible",
                    "moderation_reason": "",
                    "search_text": search_key(title, description),
                    "created_at": created,
                    "updated_at": created,
                }
            )
        ids = db.session.scalars(insert(Posting).returning(Posting.id), rows).all()
        for posting_id in ids:
            topics += [{"posting_id": posting_id, "topic_id": t} for t in rng.sample(topic_ids, rng.randint(1, 3))]
            languages += [{"posting_id": posting_id, "code": c} for c in rng.sample(LANGUAGES, rng.randint(1, 2))]
        db.session.execute(insert(posting_topics), topics)
        db.session.execute(insert(PostingLanguage), languages)
        db.session.commit()


def _responses(db, rng, associations, count):
    """Submitted responses to the demo's open survey from `count` associations (those without one yet)."""
    from sqlalchemy import insert, select

    from core.models import utcnow
    from surveys.models import ResponseState, Survey, SurveyAnswer, SurveyResponse, SurveyState
    from surveys.structure import Structure

    survey = db.session.scalar(select(Survey).where(Survey.state == SurveyState.open).order_by(Survey.id.desc()))
    structure = Structure.load(survey)
    now = utcnow()
    answered = set(
        db.session.scalars(select(SurveyResponse.association_id).where(SurveyResponse.survey_id == survey.id))
    )
    fresh = [a for a in associations if a not in answered][: count - len(answered)]
    for start in range(0, len(fresh), 1000):
        ids = db.session.scalars(
            insert(SurveyResponse).returning(SurveyResponse.id),
            [
                {
                    "survey_id": survey.id,
                    "association_id": a,
                    "state": ResponseState.submitted,
                    "version": 3,
                    "section_versions": {},
                    "locale": "de",
                    "last_section_position": 7,
                    "updated_by_name": "Bench",
                    "submitted_at": now,
                }
                for a in fresh[start : start + 1000]
            ],
        ).all()
        rows = [row for rid in ids for q in structure.questions for row in _answer(rid, q, rng)]
        for part in range(0, len(rows), 20000):
            db.session.execute(insert(SurveyAnswer), rows[part : part + 20000])
        db.session.commit()


def _answer(response_id, question, rng):
    """One question's answer rows, as bench/surveys.py writes them."""
    from surveys.models import QuestionKind, local_today

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
    if kind is QuestionKind.single_choice and options:
        return [{**base, "option_id": rng.choice(options).id}]
    if kind in (QuestionKind.multiple_choice, QuestionKind.topic_choice) and options:
        return [{**base, "option_id": o.id} for o in rng.sample(options, rng.randint(1, min(3, len(options))))]
    if kind is QuestionKind.matrix:
        return [{**base, "option_id": o.id, "value_number": float(rng.randint(1, 5))} for o in options]
    if kind in (QuestionKind.short_text, QuestionKind.long_text):
        return [{**base, "value_text": rng.choice(WORDS)}]
    if kind is QuestionKind.date:
        return [{**base, "value_date": local_today()}]
    if kind is QuestionKind.yes_no:
        return [{**base, "value_number": float(rng.random() < 0.5)}]
    return [{**base, "value_number": float(rng.randint(1, 5))}]


def page_urls(app):
    """The main pages of this database: (label, path)."""
    from sqlalchemy import select

    from core.extensions import db
    from core.models import Municipality
    from surveys.models import Survey, SurveyState

    with app.app_context():
        town = db.session.scalar(select(Municipality.id).order_by(Municipality.id))
        survey = db.session.scalar(select(Survey.id).where(Survey.state == SurveyState.open).order_by(Survey.id.desc()))
        dashboard = "/office/" if "office.dashboard" in app.view_functions else "/associations/"
    return [
        ("floor (one SELECT)", "/bench/floor"),
        ("layout only (imprint)", "/legal/imprint"),
        ("coordinator dashboard", dashboard),
        ("directory", "/directory/"),
        ("exchange board", "/exchange/"),
        ("survey results", f"/surveys/{survey}/results"),
        ("matcher suggestions", f"/matching/{town}/suggestions"),
    ]


# --------------------------------------------------------------------------- measuring


def signed_in(base, stats):
    client = Client(base, stats)
    form = form_with(client.get("/login").text, "email")
    response = client.post("/login", dict(form.values()) | {"email": COORDINATOR, "password": DEMO_PASSWORD})
    if response is None or response.status_code not in (302, 303):
        raise RuntimeError(f"coordinator sign-in failed: {response and response.status_code}")
    return client


def hammer(clients, path, seconds):
    """All clients request `path` for `seconds`; returns (requests/s, sorted latencies, non-200 count)."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds

    def run(client):
        mine, bad = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = client.http.get(client.base + path, timeout=60, allow_redirects=False)
            mine.append(time.perf_counter() - started)
            bad += response.status_code != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - started), sorted(latencies), errors[0]


def measure(servers, pages, args):
    """Each page at town and at state scale back to back, so a change in the machine's load hits both alike."""
    stats = Stats()
    clients = {name: [signed_in(server.url, stats) for _ in range(args.clients)] for name, server in servers.items()}
    results = {name: {} for name in servers}
    for label, path in pages:
        for name in servers:
            hammer(clients[name][:1], path, args.warmup)
            rps, latencies, errors = hammer(clients[name], path, args.seconds)
            results[name][label] = {
                "rps": rps,
                "p50": percentile(latencies, 50),
                "p95": percentile(latencies, 95),
                "n": len(latencies),
                "errors": errors,
            }
            r = results[name][label]
            print(
                f"  {name:<5} {label:<24} {path:<26} {rps:7.1f} req/s  p50 {r['p50'] * 1000:6.0f} ms  "
                f"p95 {r['p95'] * 1000:6.0f} ms  ({len(latencies)} requests, {errors} not 200)",
                flush=True,
            )
    return results


def statements(app, pages, explain_slowest=True):
    """SQL statements per page, and the slowest statements of the slowest page with their plans."""
    from sqlalchemy import event

    from core.extensions import db

    counts, cold, timings, profiles = {}, {}, {}, {}
    client = app.test_client()
    client.post("/login", data={"email": COORDINATOR, "password": DEMO_PASSWORD})
    with app.app_context():
        engine = db.engine
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append((time.perf_counter() - conn.info.pop("bench_started", time.perf_counter()), statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    caches = [app.extensions["vn_page_cache"], app.extensions["vn_value_cache"]]
    try:
        for label, path in pages:
            client.get(path)  # the first request of a process pays for imports and compiled templates
            for cache in caches:  # cold: as after a write to a table the page reads (core/cache.py)
                cache.clear()
            seen.clear()
            started = time.perf_counter()
            client.get(path)
            cold[label] = (len(seen), time.perf_counter() - started, sum(s[0] for s in seen))
            timings[label] = sorted(seen, key=lambda s: -s[0])[:3]
            seen.clear()  # warm: served from the page cache
            started = time.perf_counter()
            status = client.get(path).status_code
            counts[label] = (len(seen), time.perf_counter() - started, sum(s[0] for s in seen), status)
            for cache in caches:
                cache.clear()
            profiles[label] = profile(client, path)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return counts, cold, timings, profiles


def profile(client, path, top=8):
    """Where one request's time goes, by function (own time), as short text lines."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:top]  # (file, line, name) -> (cc, nc, tt, ct, ..)
    lines = [f"profiled request {total * 1000:.0f} ms; most own time in:"]
    for (filename, line, name), (_cc, calls, own, _cum, _callers) in rows:
        short = filename.replace(str(ROOT) + "/", "").replace(str(Path(sys.prefix)) + "/", "")
        lines.append(f"  {own * 1000:6.1f} ms {calls:>7} calls  {short}:{line} {name}")
    return lines


def explain(app, statement, parameters):
    from core.extensions import db

    if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
        return "        (not a SELECT: no plan)"
    with app.app_context():
        prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute(prefix + statement, parameters)
            rows = cursor.fetchall()
        finally:
            raw.close()
    return "\n".join("        " + " ".join(str(part) for part in row) for row in rows)


# --------------------------------------------------------------------------- main


def prepare(name, work, pg, grow):
    """A database at one scale: (env for gunicorn, in-process app, pages, statements, timings, profiles)."""
    print(f"\n== {name} scale", flush=True)
    url = pg.create_database(f"pages_{name}") if pg else f"sqlite:///{work / f'pages-{name}.sqlite3'}"
    env = app_env(url, RATELIMIT_ENABLED="0", SQLITE_SYNCHRONOUS="NORMAL")
    lacking = prepare_demo(env)
    if lacking:
        print(f"  (migrations lag behind the models; schema built from the models: {lacking})")
    app = in_process_app(url)
    if grow:
        started = time.perf_counter()
        grow_to_state(app, random.Random(7))
        print(f"  bulk data written in {time.perf_counter() - started:.0f} s", flush=True)
    pages = page_urls(app)
    counts, cold, timings, profiles = statements(app, pages)
    return {"env": env, "app": app, "pages": pages, "counts": counts, "cold": cold, "timings": timings,
            "profiles": profiles}


def interrupted(_signum, _frame):
    raise KeyboardInterrupt  # so `finally` stops every process this script started


def main():
    signal.signal(signal.SIGTERM, interrupted)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=8, help="measuring time per page")
    parser.add_argument("--warmup", type=float, default=1.5, help="warm-up time per page")
    parser.add_argument("--clients", type=int, default=4, help="client threads (keep-alive sessions)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    work = tempdir("vn-pages-")
    print(f"bench/pages.py — {machine()}")
    print(
        f"database: {args.db}; gunicorn {args.workers} workers × {args.threads} threads; {args.clients} clients "
        f"with keep-alive, {args.seconds:.0f} s per page after {args.warmup:.1f} s warm-up; "
        f"rate limits off for this run (RATELIMIT_ENABLED=0: one IP, GET pages only)"
    )
    pg = Postgres(work).start() if args.db == "postgresql" else None
    servers = {}
    try:
        scales = {"town": prepare("town", work, pg, grow=False), "state": prepare("state", work, pg, grow=True)}
        print(f"\n== measuring (load average now {' / '.join(f'{x:.2f}' for x in os.getloadavg())})", flush=True)
        for name, scale in scales.items():
            servers[name] = Gunicorn(
                scale["env"],
                work,
                app="bench.wsgi_floor:app",
                workers=args.workers,
                threads=args.threads,
                name=f"gunicorn-{name}",
            )
        for server in servers.values():
            server.wait_ready()
        results = measure(servers, scales["town"]["pages"], args)
        for server in servers.values():
            server.stop()
        report(scales, results)  # before the database stops: it explains the slowest statements
    finally:
        for server in servers.values():
            server.stop()
        if pg:
            pg.stop()
    print(f"\nData and logs: {work}")


def report(scales, results):
    town, state = scales["town"], scales["state"]
    pages = town["pages"]
    floor = pages[0][0]
    print(
        f"\n{'page':<24} {'share of floor':>15} {'town p50':>9} {'state p50':>10} {'state/town':>11} "
        f"{'SQL town/state':>15}  goal"
    )
    for label, _path in pages:
        t, s = results["town"][label], results["state"][label]
        share_t, share_s = t["rps"] / results["town"][floor]["rps"], s["rps"] / results["state"][floor]["rps"]
        growth = s["p50"] / t["p50"] if t["p50"] else 0
        met = (min(share_t, share_s) >= GOAL_SHARE and growth <= GOAL_GROWTH) or label in (floor, pages[1][0])
        print(
            f"{label:<24} {share_t:6.0%} / {share_s:<6.0%} {t['p50'] * 1000:7.0f}ms {s['p50'] * 1000:8.0f}ms "
            f"{growth:10.2f}× {town['counts'][label][0]:>7} / {state['counts'][label][0]:<6} "
            f"{'' if label in (floor, pages[1][0]) else 'met' if met else 'MISSED'}"
        )
    print(
        f"(share of floor: town / state; goal ≥ {GOAL_SHARE:.0%} of the floor and state ≤ {GOAL_GROWTH}× town; "
        "the layout-only page is a reference, not a main page)"
    )
    print(
        "\nin-process, one request each (test client, no server): time, SQL statements and their time;\n"
        "cold = the page cache emptied first, as after a write to a table the page reads (core/cache.py)"
    )
    for label, _path in pages:
        for name, scale in scales.items():
            n, seconds, sql, status = scale["counts"][label]
            cold_n, cold_seconds, cold_sql = scale["cold"][label]
            print(
                f"  {label:<24} {name:<5} warm {seconds * 1000:5.0f} ms, {n:>3} statements, "
                f"{sql * 1000:5.1f} ms SQL | cold {cold_seconds * 1000:5.0f} ms, {cold_n:>3} statements, "
                f"{cold_sql * 1000:6.1f} ms SQL (status {status})"
            )
    print("\nprofiles at state scale (one cold request each, in-process, under cProfile):")
    for label, _path in pages[1:]:
        print(f"  {label}: " + "\n    ".join(state["profiles"][label]))
    slowest = sorted(pages[2:], key=lambda p: -results["state"][p[0]]["p50"])[:2]
    for label, _path in slowest:
        print(f"\nslow at state scale: {label}; its slowest statements (in-process, one cold request):")
        for seconds, statement, parameters in state["timings"][label]:
            print(f"    {seconds * 1000:.1f} ms: {' '.join(statement.split())[:400]}")
            print(explain(state["app"], statement, parameters))


if __name__ == "__main__":
    main()
