"""Load and fault benchmark: the demo town under gunicorn, many associations at once, nothing acknowledged lost.

    .venv/bin/python bench/load.py --db sqlite                 # SQLite file, one gunicorn
    .venv/bin/python bench/load.py --db postgresql             # throwaway PostgreSQL 15 cluster
    .venv/bin/python bench/load.py --servers 2                 # two gunicorns, one PostgreSQL, limits in Redis
    .venv/bin/python bench/load.py --db postgresql --fault worker-kill   # SIGKILL a worker mid-run
    .venv/bin/python bench/load.py --fault smtp-down           # SMTP server gone for a while
    .venv/bin/python bench/load.py --db postgresql --fault db-restart    # pg_ctl restart mid-run

Each of the demo's 45 associations is one simulated person with its own session (CSRF tokens parsed
from the forms): it signs in, answers this year's survey over several sittings (saves part of it,
signs out, comes back, submits), posts offers and requests, replies to other postings and answers
its conversations, and reads the board and the directory in between, for a fixed time and at most
a fixed number of requests. Every text it writes carries a unique marker. Afterwards the script
reads the database directly: every acknowledged write (a 2xx/3xx answer to the POST) must be there
exactly once, no marker may be there twice, and every queued mail must have reached the SMTP sink
exactly once. It exits with status 1 otherwise. Loopback only; all processes are its own children.
"""

import argparse
import os
import random
import re
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import (  # noqa: E402
    DEMO_PASSWORD,
    VENV_BIN,
    Client,
    Gunicorn,
    Postgres,
    Process,
    Redis,
    Stats,
    app_env,
    form_with,
    free_port,
    links,
    machine,
    prepare_demo,
    tempdir,
)

POSTS_PER_ASSOCIATION = 3  # the app allows 5 per 10 minutes per person
MESSAGES_PER_ASSOCIATION = 10  # the app allows 15 per 10 minutes per person


# --------------------------------------------------------------------------- acknowledgements


class Ledger:
    """Every write with a marker: acknowledged (2xx/3xx) or of unknown outcome (error, timeout, 5xx)."""

    def __init__(self, run):
        self.run, self.lock, self.seq = run, threading.Lock(), 0
        self.acked = []  # (kind, marker)
        self.unknown = []
        #: (association, field) -> [(marker, acknowledged)] in the order they were sent
        self.fields = {}
        self.submitted = set()  # association numbers whose submit was acknowledged

    def marker(self, number, kind):
        with self.lock:
            self.seq += 1
            return f"LT{self.run}-{kind}{number:02d}-{self.seq:05d}"

    def settle(self, kind, marker, response, key=None):
        ok = response is not None and response.status_code < 400
        with self.lock:
            if key is not None:
                self.fields.setdefault(key, []).append((marker, ok))
            (self.acked if ok else self.unknown).append((kind, marker))
            return ok

    def field_checks(self, found):
        """Failures of survey fields: the last acknowledged value, or one sent after it without an answer
        (it may have been stored before the connection broke), must be there exactly once; earlier ones not."""
        failures = []
        for (number, field), sent in self.fields.items():
            acked = [i for i, (_m, ok) in enumerate(sent) if ok]
            if not acked:
                continue
            last = acked[-1]
            candidates = [m for m, _ok in sent[last:]]
            if sum(found[m] for m in candidates) != 1:
                failures.append(
                    f"survey answer verein{number:02d} {field}: acknowledged {sent[last][0]} "
                    f"(or a later unacknowledged one) found {sum(found[m] for m in candidates)} times"
                )
            failures += [
                f"survey answer {m} was overwritten by a later acknowledged save but is still there"
                for m, _ok in sent[:last]
                if found[m]
            ]
        return failures


# --------------------------------------------------------------------------- one association


class Association:
    def __init__(self, number, base, stats, ledger, deadline, budget, rng):
        self.number, self.stats, self.ledger, self.deadline, self.budget = number, stats, ledger, deadline, budget
        self.client = Client(base, stats)
        self.rng = rng
        self.email = f"verein{number:02d}@example.org"
        self.survey_pages, self.page_index, self.sittings, self.submitted = None, 0, 0, False
        self.posts = self.messages = 0

    def alive(self):
        return time.monotonic() < self.deadline and self.budget.take()

    def login(self):
        page = self.client.get("/login")
        form = page is not None and form_with(page.text, "email")
        if not form:
            return False
        data = dict(form.values()) | {"email": self.email, "password": DEMO_PASSWORD}
        response = self.client.post("/login", data)
        return response is not None and response.status_code in (302, 303)

    def logout(self):
        page = self.client.get("/surveys/mine")
        form = page is not None and form_with(page.text, action="/logout")
        if form:
            self.client.post("/logout", dict(form.values()))

    def run(self):
        while self.alive() and not self.login():
            time.sleep(1)
        actions = [self.survey_sitting, self.post, self.reply, self.answer, self.read, self.read]
        if self.alive():
            self.survey_sitting()  # the survey is what brings most of them in
        while self.alive():
            self.rng.choice(actions)()
            time.sleep(self.rng.uniform(0, 0.2))

    # ---- reading

    def read(self):
        self.client.get(self.rng.choice(["/exchange/", "/directory/", "/surveys/mine", "/exchange/messages"]))

    # ---- survey in several sittings

    def find_survey(self):
        mine = self.client.get("/surveys/mine")
        if mine is None or mine.status_code != 200:
            return False
        starts = links(mine.text, r"^/surveys/\d+/answer$")
        if not starts:
            self.survey_pages = []
            return False
        # The demo's open survey is this year's wave: the highest id.
        self.survey_start = max(starts, key=lambda h: int(re.search(r"\d+", h).group()))
        start = self.client.get(self.survey_start)
        if start is None or start.status_code != 200:
            return False
        self.survey_pages = [p for p in links(start.text, r"/answer/\d+") if "review" not in p]
        self.review = next(iter(links(start.text, r"/answer/review")), None)
        return True

    def survey_sitting(self):
        if self.submitted or self.survey_pages == []:
            return self.read()
        if self.survey_pages is None and not self.find_survey():
            return None
        if self.sittings == 1 and self.number % 3 == 0:  # every third comes back another day: a new session
            self.logout()
            if not self.login():
                return None
        self.sittings += 1
        last = self.page_index + self.rng.randint(2, 3)
        while self.page_index < min(last, len(self.survey_pages)) and self.alive():
            action = "save" if self.page_index == last - 1 else "next"
            if self.answer_page(self.survey_pages[self.page_index], action):
                self.page_index += 1
            else:
                return None
        if self.page_index >= len(self.survey_pages) and self.alive():
            self.submit()
        return None

    def answer_page(self, path, action, depth=0):
        page = self.client.get(path)
        if page is None or page.status_code != 200:
            return False
        form = form_with(page.text, "action", action=path.split("?")[0])
        if form is None:
            return False
        data, markers = fill_survey_form(form, self)
        data.append(("action", action))
        response = self.client.post(form.action or path, data)
        for field, marker, shown in markers:
            if shown:
                self.ledger.settle("survey answer", marker, response, key=(self.number, field))
            else:
                self.ledger.settle("survey answer to a hidden question", marker, None)
        if response is None:
            return False
        if response.status_code == 422:
            return True  # valid answers are kept; the rest is left as the representative left it
        location = response.headers.get("Location", "")
        if response.is_redirect and location.split("#")[0].split("?")[0] == path.split("?")[0] and depth < 2:
            return self.answer_page(path, action, depth + 1)  # further questions appeared on the page
        return response.status_code < 400

    def submit(self):
        page = self.client.get(self.review)
        if page is None or page.status_code != 200:
            return
        form = form_with(page.text, action="/answer/review")
        if not form:  # submitted before (the demo has 22 such): changes were saved directly
            self.submitted = True
            return
        response = self.client.post(form.action, [*form.values(), ("action", "submit")])
        if response is not None and response.status_code in (302, 303):
            self.submitted = True
            with self.ledger.lock:
                self.ledger.submitted.add(self.number)

    # ---- exchange board

    def post(self):
        if self.posts >= POSTS_PER_ASSOCIATION:
            return self.read()
        page = self.client.get("/exchange/new")
        form = page is not None and page.status_code == 200 and form_with(page.text, "title")
        if not form:
            return None
        self.posts += 1
        marker = self.ledger.marker(self.number, "p")
        data = [(k, v) for k, v in form.values() if k not in ("kind", "category", "topics", "title", "description")]
        topics = form.options("topics", "checkbox")
        data += [
            ("kind", self.rng.choice(["offer", "request"])),
            ("category", self.rng.choice([c for c in form.selects["category"] if c])),
            ("title", f"{marker} Raum für Elternabend"),
            ("description", f"{marker} Wir suchen für einen Abend im Monat einen Raum für 30 Personen."),
            *[("topics", t) for t in self.rng.sample(topics, 2)],
        ]
        response = self.client.post("/exchange/new", data)
        self.ledger.settle("posting", marker, response)
        return None

    def reply(self):
        if self.messages >= MESSAGES_PER_ASSOCIATION:
            return self.read()
        board = self.client.get("/exchange/?page=" + str(self.rng.randint(1, 2)))
        postings = board is not None and links(board.text, r"^/exchange/\d+$")
        if not postings:
            return None
        path = self.rng.choice(postings)
        page = self.client.get(path)
        form = page is not None and form_with(page.text, "body", action="/reply")
        if form:
            self.send(form, path + "/reply")
        return None

    def answer(self):
        if self.messages >= MESSAGES_PER_ASSOCIATION:
            return self.read()
        inbox = self.client.get("/exchange/messages")
        conversations = inbox is not None and links(inbox.text, r"/exchange/conversations/\d+$")
        if not conversations:
            return self.reply()
        path = self.rng.choice(conversations)
        page = self.client.get(path)
        form = page is not None and form_with(page.text, "body")
        if form:
            self.send(form, path)
        return None

    def send(self, form, path):
        self.messages += 1
        marker = self.ledger.marker(self.number, "m")
        data = [(k, v) for k, v in form.values() if k != "body"]
        data.append(("body", f"{marker} Gern! Passt euch Dienstagabend? Viele Grüße"))
        response = self.client.post(form.action or path, data)
        self.ledger.settle("message", marker, response)


def fill_survey_form(form, person):
    """What a representative would type: keep what is there, choose where nothing is chosen, write texts."""
    data = [(k, v) for k, v in form.values() if k != "new_lang"]
    checked = {k for k, _v in data if k in form.names("checkbox") + form.names("radio")}
    # Questions shown now; one whose condition is not met is on the page but its answer is not kept.
    visible = {f"q{n}" for k, v in data if k == "visible" for n in v.split(",")}
    markers = []

    def put(name, value):
        data[:] = [(k, v) for k, v in data if k != name] + [(name, value)]

    for kind, name, value, extra in form.fields:
        if kind in ("checkbox", "radio"):
            if name not in checked and not name.endswith("_share"):
                data.append((name, value))
                checked.add(name)
        elif kind == "date" and not value:
            put(name, "2027-03-15")
        elif kind == "text" and extra.get("inputmode"):
            if not value:
                put(name, "12")
        elif kind == "textarea" or (kind == "text" and name.startswith("q") and not name.endswith("_other")):
            marker = person.ledger.marker(person.number, "s")
            put(name, f"{marker} Räume am Wochenende")
            markers.append((name, marker, name in visible))
    return data, markers


class Budget:
    """The total number of actions all simulated people may still start (the run's request bound)."""

    def __init__(self, limit):
        self.left, self.lock = limit, threading.Lock()

    def take(self):
        with self.lock:
            self.left -= 1
            return self.left >= 0


# --------------------------------------------------------------------------- mail


class SMTPSink:
    """A real SMTP server on loopback (aiosmtpd) that records each Message-ID it accepted."""

    def __init__(self):
        self.port, self.received, self.controller = free_port(), Counter(), None

    def start(self):
        from aiosmtpd.controller import Controller

        sink = self

        class Collect:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
                found = re.search(rb"^Message-ID:\s*(\S+)", envelope.original_content, re.M | re.I)
                sink.received[found.group(1).decode() if found else "?"] += 1
                return "250 OK"

        self.controller = Controller(Collect(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class MailService:
    """`flask mail send --loop` kept running the way the README's systemd unit would (Restart=always)."""

    def __init__(self, env, work):
        self.env, self.work, self.exits, self.stopping = env, work, [], False
        self.process = self._start()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _start(self):
        args = [str(VENV_BIN / "flask"), "--app", "wsgi", "mail", "send", "--loop", "--interval", "2"]
        return Process(args, self.env, self.work / f"mail-{len(self.exits)}.log")

    def _watch(self):
        while not self.stopping:
            code = self.process.proc.poll()
            if code is not None and not self.stopping:
                self.process.log.close()
                tail = Path(self.process.log_path).read_text().strip().splitlines()[-1:]
                self.exits.append(f"exit status {code}: {tail[0] if tail else ''}"[:300])
                time.sleep(1)
                self.process = self._start()
            time.sleep(0.5)

    def stop(self):
        self.stopping = True
        self.process.stop()


# --------------------------------------------------------------------------- verification


def verify(engine, ledger, sink, run):
    """Failures as text lines; empty when every acknowledged write is in the database exactly once."""
    from sqlalchemy import text

    failures = []
    like = f"%LT{run}-%"
    with engine.connect() as conn:
        texts = [
            *conn.execute(
                text("SELECT value_text FROM survey_answers WHERE value_text LIKE :p"), {"p": like}
            ).scalars(),
            *conn.execute(text("SELECT title FROM exchange_postings WHERE title LIKE :p"), {"p": like}).scalars(),
            *conn.execute(text("SELECT body FROM exchange_messages WHERE body LIKE :p"), {"p": like}).scalars(),
        ]
        found = Counter(m for t in texts for m in set(re.findall(rf"LT{run}-\w\d\d-\d+", t)))
        submitted = {
            int(re.search(r"\d+", email).group())
            for email in conn.execute(
                text(
                    "SELECT u.email FROM survey_responses r JOIN users u ON u.association_id = r.association_id "
                    "WHERE r.state = 'submitted' AND u.email LIKE 'verein%'"
                )
            ).scalars()
        }
        per_association = conn.execute(
            text(
                "SELECT survey_id, association_id, count(*) FROM survey_responses GROUP BY survey_id, association_id "
                "HAVING count(*) > 1"
            )
        ).all()
        mails = conn.execute(text("SELECT message_id, state FROM outbox_mails")).all()
        retried = conn.execute(text("SELECT count(*) FROM outbox_mails WHERE attempts > 1")).scalar()
    must_exist = [(k, m) for k, m in ledger.acked if k != "survey answer"]
    for kind, marker in must_exist:
        if found[marker] != 1:
            failures.append(f"acknowledged {kind} {marker} found {found[marker]} times")
    failures += ledger.field_checks(found)
    # Counted per survey field with an acknowledged save (a field saved twice counts once).
    must_exist += [("survey answer", key) for key, sent in ledger.fields.items() if any(ok for _m, ok in sent)]
    failures += [f"marker {m} stored {n} times" for m, n in found.items() if n > 1]
    failures += [f"acknowledged submission of verein{n:02d} is not submitted" for n in ledger.submitted - submitted]
    failures += [f"survey {s}: association {a} has {n} responses" for s, a, n in per_association]
    states = Counter(state for _id, state in mails)
    for message_id, state in mails:
        if state != "sent":
            failures.append(f"mail {message_id} is still {state}")
        elif sink.received[message_id] != 1:
            failures.append(f"mail {message_id} arrived {sink.received[message_id]} times")
    outbox_ids = {message_id for message_id, _state in mails}
    failures += [f"unknown mail {m} arrived" for m in sink.received if m not in outbox_ids]
    counts = {
        "acknowledged": Counter(k.split(" (")[0] for k, _m in must_exist),
        "unknown outcome": Counter(k for k, _m in ledger.unknown),
        "unknown outcome stored": sum(1 for _k, m in ledger.unknown if found[m]),
        "submissions": len(ledger.submitted),
        "mails": states,
        "mails received": sum(sink.received.values()),
        "mails retried": retried,
    }
    return failures, counts


def wait_for_outbox(engine, seconds):
    """Let `flask mail send --loop` finish: no mail pending or being sent (backoff included)."""
    from sqlalchemy import text

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            left = conn.execute(
                text("SELECT count(*) FROM outbox_mails WHERE state IN ('pending', 'sending')")
            ).scalar()
        if not left:
            return 0
        time.sleep(1)
    return left


# --------------------------------------------------------------------------- main


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--servers", type=int, choices=[1, 2], default=1, help="2: two gunicorns, PostgreSQL, Redis")
    parser.add_argument("--fault", choices=["none", "worker-kill", "smtp-down", "db-restart"], default="none")
    parser.add_argument("--seconds", type=float, default=30, help="length of the run")
    parser.add_argument("--max-actions", type=int, default=20000, help="bound on the actions of all people together")
    parser.add_argument("--associations", type=int, default=45)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--mail-wait", type=float, default=150, help="seconds to wait for the outbox afterwards")
    args = parser.parse_args()
    if args.servers == 2 or args.fault == "db-restart":
        args.db = "postgresql"
    return args


def schedule_fault(args, servers, pg, sink, log):
    """The fault of the run, in a thread, at fixed points of the run."""

    def at(fraction):
        time.sleep(args.seconds * fraction)

    def run():
        # Mid-run, when every person is signed in and writing (they arrive over the first third).
        if args.fault == "worker-kill":
            at(0.5)
            victim = servers[0].worker_pids()[0]
            signal_pid(victim)
            log.append(f"t={args.seconds * 0.5:.0f}s SIGKILL gunicorn worker {victim}")
        elif args.fault == "db-restart":
            at(0.5)
            started = time.monotonic()
            pg.restart()
            log.append(f"t={args.seconds * 0.5:.0f}s pg_ctl restart -m fast ({time.monotonic() - started:.1f} s)")
        elif args.fault == "smtp-down":
            at(0.35)
            sink.stop()
            log.append(f"t={args.seconds * 0.35:.0f}s SMTP server stopped")
            at(0.35)
            sink.start()
            log.append(f"t={args.seconds * 0.7:.0f}s SMTP server started again")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def signal_pid(pid):
    os.kill(pid, signal.SIGKILL)


def interrupted(_signum, _frame):
    raise KeyboardInterrupt  # so `finally` stops every process this script started


def main():
    signal.signal(signal.SIGTERM, interrupted)
    args = parse_args()
    work = tempdir("vn-load-")
    run = random.Random().randint(1000, 9999)
    started = []
    pg = redis = None
    try:
        if args.db == "postgresql":
            pg = Postgres(work).start()
            started.append(pg)
            url = pg.create_database()
        else:
            url = f"sqlite:///{work / 'load.sqlite3'}"
        if args.servers == 2:
            redis = Redis(work)
            started.append(redis)
        sink = SMTPSink().start()
        started.append(sink)
        limits = {
            "RATELIMIT_ENABLED": "1",
            "RATELIMIT_STORAGE_URI": redis.url if redis else "memory://",
            # All simulated associations come from 127.0.0.1: the per-IP sign-in limit is raised for this run
            # only. Every other limit (postings and messages per person, forms, token links) stays as shipped.
            "LOGIN_RATE_LIMIT": "2000 per minute",
        }
        env = app_env(url, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_TIMEOUT=5, **limits)
        missing = prepare_demo(env)
        servers = [
            Gunicorn(env, work, workers=args.workers, threads=args.threads, name=f"gunicorn{i}")
            for i in range(args.servers)
        ]
        started += servers
        for server in servers:
            server.wait_ready()
        mailer = MailService(env, work)
        started.append(mailer)
        print_header(args, url, limits, missing, servers)
        ok = drive(args, servers, pg, sink, run, url, mailer)
        if redis:
            import redis as redis_client

            keys = redis_client.Redis.from_url(redis.url).keys("*")
            print(f"redis: {len(keys)} rate-limit keys shared by both servers, e.g. {sorted(keys)[:2]}")
        return 0 if ok else 1
    finally:
        for thing in reversed(started):
            thing.stop()
        print(f"Logs and data: {work}")


def print_header(args, url, limits, missing, servers):
    print(f"bench/load.py — {machine()}")
    print(
        f"database: {args.db} ({url.split('@')[-1]}), servers: {len(servers)} gunicorn × {args.workers} workers × "
        f"{args.threads} threads, fault: {args.fault}"
    )
    print(
        f"limits: RATELIMIT_ENABLED=1, storage {limits['RATELIMIT_STORAGE_URI']}, LOGIN_RATE_LIMIT overridden to "
        f"'{limits['LOGIN_RATE_LIMIT']}' for this run (one IP for all people); all other limits as shipped"
    )
    if missing:
        print(
            f"migrations lag behind the models (lead generates them at the end); schema built from the models. "
            f"Not yet in migrations: {missing}"
        )
    print(f"{args.associations} associations for {args.seconds:.0f} s (at most {args.max_actions} actions)")


def drive(args, servers, pg, sink, run, url, mailer):
    from sqlalchemy import create_engine

    stats, ledger, budget = Stats(), Ledger(run), Budget(args.max_actions)
    deadline = time.monotonic() + args.seconds
    people = [
        Association(n, servers[n % len(servers)].url, stats, ledger, deadline, budget, random.Random(run * 100 + n))
        for n in range(1, args.associations + 1)
    ]
    threads = [threading.Thread(target=p.run, daemon=True) for p in people]
    fault_log = []
    stats.started = time.monotonic()
    fault = schedule_fault(args, servers, pg, sink, fault_log) if args.fault != "none" else None
    for thread in threads:
        thread.start()
        # People arrive over the first third of the run, not all in one second: a sign-in costs a
        # deliberately slow password hash, and 45 at once would only measure that.
        time.sleep(args.seconds / 3 / len(threads))
    for thread in threads:
        thread.join(args.seconds + 60)
    stats.stopped = time.monotonic()
    if fault:
        fault.join(5)
    engine = create_engine(url)
    left = wait_for_outbox(engine, args.mail_wait)
    failures, counts = verify(engine, ledger, sink, run)
    if left:
        failures.append(f"{left} mails still pending after {args.mail_wait:.0f} s")
    fault_log += [f"the mail service exited and was restarted (as systemd would): {line}" for line in mailer.exits]
    report(stats, counts, fault_log, failures)
    return not failures


def report(stats, counts, fault_log, failures):
    s = stats.summary()
    for line in fault_log:
        print(f"fault: {line}")
    print(f"requests: {s['requests']} in {s['seconds']:.1f} s = {s['rps']:.1f} requests/s")
    print(f"latency: p50 {s['p50'] * 1000:.0f} ms, p95 {s['p95'] * 1000:.0f} ms, p99 {s['p99'] * 1000:.0f} ms")
    for label in ("read", "write", "sign-in"):
        part = stats.summary(label)
        print(
            f"  {label:>8}: {part['requests']:>5} requests, p50 {part['p50'] * 1000:.0f} ms, "
            f"p95 {part['p95'] * 1000:.0f} ms, p99 {part['p99'] * 1000:.0f} ms"
        )
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.kinds.items(), key=lambda kv: -kv[1])))
    print(
        "acknowledged writes: "
        + ", ".join(f"{k} {v}" for k, v in counts["acknowledged"].items())
        + f", survey submissions {counts['submissions']}"
    )
    unknown = counts["unknown outcome"]
    if unknown:
        print(
            "writes without acknowledgement: "
            + ", ".join(f"{k} {v}" for k, v in unknown.items())
            + f" (of these {counts['unknown outcome stored']} stored, none twice)"
        )
    print(
        f"mail: outbox {dict(counts['mails'])}, received by the SMTP server {counts['mails received']}, "
        f"delivered only after a failed attempt {counts['mails retried']}"
    )
    if failures:
        print(f"VERIFICATION FAILED ({len(failures)}):")
        for line in failures[:40]:
            print("  " + line)
    else:
        print("verified: every acknowledged write is in the database exactly once; every mail arrived exactly once")


if __name__ == "__main__":
    sys.exit(main())
