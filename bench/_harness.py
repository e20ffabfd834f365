"""Shared pieces of `bench/load.py` and `bench/pages.py`: databases, servers, an HTTP client, statistics.

Everything runs on loopback and in temporary directories; every process started here is stopped
by its own id at the end. Nothing here imports the app: servers and CLI commands are separate
processes, as in production.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import requests

#: The app that is served: this tree, or a copy of it named in VN_APP_TREE (a snapshot keeps a run
#: consistent while the working tree is being edited).
ROOT = Path(os.environ.get("VN_APP_TREE") or Path(__file__).resolve().parent.parent)
VENV_BIN = Path(__file__).resolve().parent.parent / ".venv" / "bin"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = Path("/usr/bin/redis-server")
DEMO_PASSWORD = "demo-pass-2024"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def machine():
    """One line about the machine: the figures mean little without it."""
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average at start {load}, Python {sys.version.split()[0]}"


def wait_for_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


# --------------------------------------------------------------------------- databases


class Postgres:
    """A throwaway PostgreSQL 15 cluster in a temp dir (as in tests/conftest.py); `postgres` user when root."""

    def __init__(self, workdir):
        self.dir = Path(workdir) / "pg"
        self.dir.mkdir()
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _ctl(self, *args, check=True):
        return subprocess.run(
            [*self.as_user, str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=check,
            capture_output=True,
            text=True,
        )

    def start(self):
        if self.as_user:
            shutil.chown(self.dir, "postgres")
            self.dir.parent.chmod(0o755)  # the postgres user must reach its directory inside our temp dir
        subprocess.run(
            [
                *self.as_user,
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        # Durable settings (fsync on): the fault cases must prove that an acknowledged write survives.
        self._ctl(
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200",
        )
        return self

    def restart(self):
        """`pg_ctl restart -m fast`: every open connection is cut, as in a database failover or update."""
        self._ctl(
            "-l",
            str(self.dir / "log"),
            "-w",
            "-m",
            "fast",
            "restart",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200",
        )

    def url(self, database="vereinsnetz"):
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name="vereinsnetz"):
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self):
        self._ctl("-m", "immediate", "stop", check=False)


def app_env(database_url, **extra):
    """Environment of every app process (CLI and gunicorn) of a benchmark."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "VEREINSNETZ_", "RATELIMIT_"))}
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-" + os.urandom(16).hex(),
        VEREINSNETZ_ENV="development",
        PYTHONPATH=str(ROOT),
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run(args, env, check=True):
    """A command in ROOT; on failure its output is shown, not only its exit status."""
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode:
        raise RuntimeError(f"{' '.join(map(str, args))[:200]} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return result


def flask(env, *args, check=True):
    return run([str(VENV_BIN / "flask"), "--app", "wsgi", *args], env, check=check)


#: Migrations lag behind the models while features are being written (the lead generates them at the
#: end): after `flask db upgrade`, tables and columns the models have but the migrations lack are
#: reported, and then the schema is built from the models instead, so the served app finds all it uses.
SCHEMA_CHECK = """
import sqlalchemy as sa
from wsgi import app
from core.extensions import db
with app.app_context():
    inspector = sa.inspect(db.engine)
    tables = set(inspector.get_table_names())
    lacking = []
    for table in db.metadata.sorted_tables:
        if table.name not in tables:
            lacking.append(table.name)
        else:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            lacking += [f"{table.name}.{c.name}" for c in table.columns if c.name not in have]
    if lacking:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    print(" ".join(lacking))
"""


def prepare_demo(env):
    """`flask db upgrade` (or the models' schema, see SCHEMA_CHECK), `flask demo load`; returns what migrations lack."""
    flask(env, "db", "upgrade")
    lacking = run([str(VENV_BIN / "python"), "-c", SCHEMA_CHECK], env).stdout.strip()
    if lacking:
        flask(env, "db", "stamp", "head")
    flask(env, "demo", "load")
    return lacking


def add_floor(app):
    """`/bench/floor` on a benchmark's own app object: one SELECT and a short text, the framework's floor."""
    from sqlalchemy import select

    from core.extensions import db
    from core.models import Municipality

    def floor():
        return f"{db.session.scalar(select(Municipality.id).limit(1))}\n", 200, {"Content-Type": "text/plain"}

    app.add_url_rule("/bench/floor", "bench_floor", floor)
    return app


# --------------------------------------------------------------------------- servers


class Process:
    """A child process with its own log file, stopped by its pid."""

    def __init__(self, args, env, log_path, cwd=ROOT):
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Idempotent: stopping twice is harmless."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Gunicorn(Process):
    def __init__(self, env, workdir, app="wsgi:app", workers=2, threads=4, name="gunicorn"):
        self.port = free_port()
        args = [
            str(VENV_BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            app,
        ]
        super().__init__(args, env, Path(workdir) / f"{name}-{self.port}.log")
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn stopped; see {self.log_path}:\n{Path(self.log_path).read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")

    def worker_pids(self):
        """The workers are the master's children (read from /proc, no process names involved)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []


class Redis(Process):
    def __init__(self, workdir):
        self.port = free_port()
        args = [
            str(REDIS_SERVER),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ]
        super().__init__(args, os.environ.copy(), Path(workdir) / "redis.log")
        wait_for_port(self.port)
        self.url = f"redis://127.0.0.1:{self.port}/0"


# --------------------------------------------------------------------------- HTML forms


class Form:
    def __init__(self, attrs):
        self.action = attrs.get("action") or ""
        self.method = (attrs.get("method") or "get").lower()
        self.attrs = attrs
        self.fields = []  # (kind, name, value, extra) in page order
        self.buttons = []  # (name, value)
        self.selects = {}  # name -> [option values]
        self.text = ""

    def values(self):
        """What a browser sends without any change: hidden and text fields, checked boxes, selected options."""
        data = []
        for kind, name, value, extra in self.fields:
            if kind in ("checkbox", "radio"):
                if extra.get("checked"):
                    data.append((name, value if value is not None else "on"))
            elif kind == "select":
                data.append((name, extra.get("selected", (self.selects.get(name) or [""])[0])))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                data.append((name, value or ""))
        return data

    def names(self, kind):
        return list(dict.fromkeys(name for k, name, _v, _e in self.fields if k == kind))

    def options(self, name, kind):
        return [value for k, n, value, _e in self.fields if n == name and k == kind]


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = Form(attrs)
            self.forms.append(self.form)
        if self.form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "image"):
                self.form.buttons.append((name, attrs.get("value", "")))
            else:
                self.form.fields.append((kind, name, attrs.get("value"), {**attrs, "checked": "checked" in attrs}))
        elif tag == "button":
            if name:
                self.form.buttons.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self.select = name
            self.form.selects[name] = []
            self.form.fields.append(("select", name, None, {}))
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            self.form.selects[self.select].append(value)
            if "selected" in attrs:
                self.form.fields[-1][3]["selected"] = value
        elif tag == "textarea" and name:
            self.textarea = name
            self.form.fields.append(("textarea", name, "", attrs))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.form is not None:
            kind, name, value, extra = self.form.fields[-1]
            self.form.fields[-1] = (kind, name, value + data, extra)


def forms(html):
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def form_with(html, field=None, action=None):
    """The first POST form that has `field` (a field or button name) or whose action contains `action`."""
    for form in forms(html):
        if form.method != "post":
            continue
        names = {n for _k, n, _v, _e in form.fields} | {n for n, _v in form.buttons}
        if (field is None or field in names) and (action is None or action in form.action):
            return form
    return None


LINK = re.compile(r'href="([^"#]+)"')


def links(html, pattern):
    rx = re.compile(pattern)
    return list(dict.fromkeys(h for h in LINK.findall(html) if rx.search(h)))


# --------------------------------------------------------------------------- measuring


class Stats:
    """Latencies and outcomes of all requests, shared by all simulated clients (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.by_label = {}
        self.kinds = Counter()
        self.started = self.stopped = None

    def record(self, seconds, kind, label="request"):
        with self.lock:
            self.latencies.append(seconds)
            self.by_label.setdefault(label, []).append(seconds)
            self.kinds[kind] += 1

    def error(self, kind):
        with self.lock:
            self.kinds[kind] += 1

    def summary(self, label=None):
        lat = sorted(self.latencies if label is None else self.by_label.get(label, []))
        elapsed = (self.stopped or time.monotonic()) - self.started
        return {
            "requests": len(lat),
            "seconds": elapsed,
            "rps": len(lat) / elapsed if elapsed else 0.0,
            "p50": percentile(lat, 50),
            "p95": percentile(lat, 95),
            "p99": percentile(lat, 99),
        }


def percentile(values, p):
    """Nearest-rank percentile of sorted values (seconds); 0 for none."""
    if not values:
        return 0.0
    rank = max(1, -(-len(values) * p // 100))
    return values[int(rank) - 1]


def outcome(status):
    if status < 400:
        return "ok"
    return {401: "401", 403: "403", 404: "404", 409: "409 conflict", 422: "422 invalid", 429: "429 rate-limited"}.get(
        status, "5xx server error" if status >= 500 else f"{status}"
    )


class Client:
    """One simulated person: a `requests` session (keep-alive, cookies) that records every request."""

    def __init__(self, base, stats, timeout=30):
        self.base, self.stats, self.timeout = base, stats, timeout
        self.http = requests.Session()

    def request(self, method, path, **kwargs):
        url = urljoin(self.base, path)
        label = ("sign-in" if "/login" in path else "write") if method == "POST" else "read"
        started = time.perf_counter()
        try:
            response = self.http.request(method, url, timeout=self.timeout, allow_redirects=False, **kwargs)
        except requests.Timeout:
            self.stats.record(time.perf_counter() - started, "timeout", label)
            return None
        except requests.RequestException:  # refused, reset, or a body cut off when a worker dies
            self.stats.record(time.perf_counter() - started, "connection error", label)
            return None
        self.stats.record(time.perf_counter() - started, outcome(response.status_code), label)
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, data):
        return self.request("POST", path, data=data)

    def follow(self, response):
        """The page a redirect leads to (one hop, as measured requests of their own)."""
        if response is not None and response.is_redirect:
            return self.get(response.headers["Location"])
        return response


def tempdir(prefix):
    return Path(tempfile.mkdtemp(prefix=prefix))
