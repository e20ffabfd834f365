"""Every form of the app, as every role, filled with hostile input: never a 500, never markup echoed raw.

The forms are found, not listed: each GET route of the URL map is opened (with the access matrix's
URLs) by every role the page opens for, and each `<form>` in it is parsed with lxml. Hypothesis
then fills its fields with very long strings, control characters, right-to-left marks, emoji,
HTML and script, SQL-like text, wrong types for number and date fields, unknown choices, broken
files and missing fields. A form added later is fuzzed as soon as its page has a matrix entry.
Finally every page is opened again, so input that was stored must come back escaped too.
"""

import io
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html
from werkzeug.exceptions import HTTPException

from tests.core.test_access_matrix import client_for
from tests.fuzz.walk import clients, every_get_case, full_world, roles_that_open

MARKER = "vn-fuzz"
SCRIPT = f'<script>alert("{MARKER}")</script>'
IMG = f'"><img src=x onerror=alert("{MARKER}")>'
#: What must never appear in a page as written: the same text escaped is fine.
RAW_MARKUP = (f'<script>alert("{MARKER}")', "<img src=x onerror=", f"<b>{MARKER}</b>")

HOSTILE_TEXT = [
    SCRIPT,
    IMG,
    f"<b>{MARKER}</b> {{{{ 7*7 }}}} {{% raw %}} %s %n {{0}}",
    "Robert'); DROP TABLE users; -- 1' OR '1'='1",
    "\u202egnp.exe\u202c \u200fمرحبا\u200e \u05e9\u05dc\u05d5\u05dd",
    "😀👨‍👩‍👧‍👦🏳️‍🌈 \U0001f600" * 3,
    "a\x00b\x01c\x07d\x1b[31m\x7f\u0085\u2028\u2029",
    "line\r\nSet-Cookie: evil=1\r\n\r\n",
    "../../../../etc/passwd",
    "x" * 20000,
    "ß€" * 3000,
    "   ",
    "",
]
WRONG_NUMBERS = ["abc", "1e309", "-1", "NaN", "Infinity", "99999999999999999999999", "1.5", "0x10", "١٢٣", "−5"]
WRONG_DATES = ["2026-02-30", "0000-00-00", "31.12.99999", "yesterday", "9999-12-31", "1-1-1", "2026-13-01"]
WRONG_CHOICES = ["999999", "-1", "2147483648", "not-a-choice", "0"]
FILES = [
    (b"PK\x03\x04" + b"\xff\x00" * 200, "liste.xlsx"),
    (b"PK\x03\x04" + b"\x00" * 50, "liste.csv"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "bild.csv"),
    (("name\n" + SCRIPT + "\n").encode(), f"{IMG}.csv"),
    (b"[" * 100000, "definition.json"),
    (b'{"title": 1, "sections": "x"}', "definition.json"),
    (b"", "leer.csv"),
    (b"\xff\xfe\x00\x00garbage", "../../etc/passwd"),
]

SKIPPED_TYPES = {"submit", "button", "reset", "image"}
#: <input type> → how the fuzz fills it (anything else is text).
KINDS = {
    "checkbox": "choice",
    "radio": "choice",
    "number": "number",
    "range": "number",
    "file": "file",
    **{t: "date" for t in ("date", "datetime-local", "time", "month", "week")},
}


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, choice, file
    options: list = field(default_factory=list)


@dataclass
class Form:
    role: str
    page: str
    method: str
    action: str
    base: list  # (name, value) pairs the browser would send untouched
    fields: list
    submits: list  # (name, value) of named submit buttons


def parse_forms(role, page_url, body):
    tree = lxml_html.fromstring(body)
    forms = []
    for element in tree.forms:
        method = (element.get("method") or "get").lower()
        action = urljoin(page_url, element.get("action") or page_url)
        if method == "get":
            action = action.partition("?")[0]  # a browser replaces the query with the form's fields
        if urlsplit(action).netloc not in {"", "localhost"}:
            continue
        fields, seen = [], {}
        for control in element.inputs:
            name = control.get("name")
            if not name:
                continue
            if control.tag == "select":
                kind = "choice"
            elif control.tag == "textarea":
                kind = "text"
            else:
                kind = (control.get("type") or "text").lower()
                if kind in SKIPPED_TYPES:
                    continue
                kind = KINDS.get(kind, "text")
            if name not in seen:
                seen[name] = Field(name, kind)
                fields.append(seen[name])
            if kind == "choice":
                options = [o.get("value", o.text or "") for o in control.iter("option")] or [control.get("value", "on")]
                seen[name].options += options
        submits = [
            (b.get("name"), b.get("value", ""))
            for b in element.iter("button", "input")
            if b.get("name") and (b.get("type") or ("submit" if b.tag == "button" else "text")).lower() == "submit"
        ]
        base = [(n, v) for n, v in element.form_values() if n in seen and seen[n].kind != "file"]
        forms.append(Form(role, page_url, method, action, base, fields, submits))
    return forms


def collect_forms(app, world):
    """Every distinct form that some role can reach, with the page it was found on."""
    found, seen = [], set()
    role_clients = clients(app, world)
    for endpoint, case in every_get_case(app):
        url = case.url_for(world)
        for role in roles_that_open(case):
            response = role_clients[role].get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in parse_forms(role, url, response.get_data(as_text=True)):
                key = (role, form.method, urlsplit(form.action).path, tuple(f.name for f in form.fields))
                if key not in seen:
                    seen.add(key)
                    found.append((endpoint, form))
    return found


KEEP, MISSING = object(), object()


def hostile_value(kind, options):
    if kind == "file":
        return st.sampled_from(FILES).map(lambda f: (io.BytesIO(f[0]), f[1]))
    text = st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=300),
    )
    if kind == "number":
        return st.one_of(st.sampled_from(WRONG_NUMBERS), text)
    if kind == "date":
        return st.one_of(st.sampled_from(WRONG_DATES), text)
    if kind == "choice":
        wrong = st.one_of(st.sampled_from(WRONG_CHOICES), st.sampled_from(HOSTILE_TEXT[:3]))
        several = st.lists(st.sampled_from(options or WRONG_CHOICES) | wrong, min_size=2, max_size=4)
        return st.one_of(wrong, several)
    return text


def value_for(field_):
    # Hostile first: Hypothesis starts from the first alternative, so the first example is all-hostile.
    return st.one_of(hostile_value(field_.kind, field_.options), st.just(MISSING), st.just(KEEP))


def payload(form, choices):
    data = {}
    for name, value in form.base:
        data.setdefault(name, []).append(value)
    for field_, choice in zip(form.fields, choices, strict=True):
        if choice is KEEP:
            continue
        data.pop(field_.name, None)
        if choice is not MISSING:
            data[field_.name] = choice
    return data


def raw_markup(body):
    """Hostile markup that made it into a page unescaped, or an element the parser built from it."""
    found = [marker for marker in RAW_MARKUP if marker in body]
    tree = lxml_html.fromstring(body) if body.strip() else None
    if tree is not None:
        found += [f"<{e.tag} onerror>" for e in tree.iter() if isinstance(e.tag, str) and e.get("onerror")]
        found += ["inline script" for s in tree.iter("script") if MARKER in (s.text or "")]
    return found


def check(response, where):
    assert response.status_code < 500, (where, response.status_code)
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True)
        assert not raw_markup(body), (where, raw_markup(body))


def fuzz_form(app, world, endpoint, form, max_examples):
    strategies = [value_for(f) for f in form.fields]
    submit = st.sampled_from(form.submits) if form.submits else st.just(None)

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(st.tuples(*strategies), submit)
    def submit_hostile(choices, button):
        data = payload(form, choices)
        if button is not None:
            data[button[0]] = button[1]
        client = client_for(app, world.user(form.role))
        where = (endpoint, form.role, form.method, form.action, {k: str(v)[:60] for k, v in data.items()})
        if form.method == "post":
            has_file = any(isinstance(v, tuple) for v in data.values())
            response = client.post(
                form.action,
                data=data,
                content_type="multipart/form-data" if has_file else None,
                follow_redirects=True,
            )
        else:
            response = client.get(form.action, query_string=data, follow_redirects=True)
        check(response, where)
        response.close()
        world.db.session.rollback()

    submit_hostile()


def form_endpoint(app, form):
    """The route a form posts to (the same form on another object's page is the same form)."""
    try:
        return app.url_map.bind("localhost").match(urlsplit(form.action).path, method=form.method.upper())[0]
    except HTTPException:
        return urlsplit(form.action).path


def test_every_form_survives_hostile_input_as_every_role(app, db, factory):
    world = full_world(app, db, factory)
    forms = collect_forms(app, world)
    posts = [f for _, f in forms if f.method == "post"]
    assert len(posts) > 100 and len({f.role for f in posts}) == 7  # every role found forms
    assert any(f.role == "anonymous" for _, f in forms)
    # Each distinct form gets several examples once; the same form as another role gets the
    # all-hostile example (the first), which keeps every role covered within the time budget.
    fuzzed = set()
    for endpoint, form in forms:
        key = (form.method, form_endpoint(app, form), tuple(f.name for f in form.fields))
        examples = 1 if key in fuzzed else (4 if form.method == "post" else 2)
        fuzzed.add(key)
        fuzz_form(app, world, endpoint, form, max_examples=examples)
    # Whatever was stored must be shown escaped wherever it appears now.
    for endpoint, case in every_get_case(app):
        for role in roles_that_open(case):
            response = client_for(app, world.user(role)).get(case.url_for(world))
            check(response, (endpoint, role, "after the fuzz"))
            db.session.rollback()


def test_the_checks_catch_what_they_look_for():
    assert raw_markup(f"<p>{SCRIPT}</p>")
    assert raw_markup(f'<input value=""><img src=x onerror=alert("{MARKER}")>">')
    assert not raw_markup("<p>&lt;script&gt;alert(&#34;vn-fuzz&#34;)&lt;/script&gt;</p>")
    forms = parse_forms(
        "rep_a",
        "/page",
        '<form method="post" action="/go"><input name="a" value="1"><select name="s"><option value="x" selected>'
        '</option><option value="y"></option></select><input type="checkbox" name="c" value="k">'
        '<input type="date" name="d"><input type="file" name="f"><button name="action" value="save">S</button></form>'
        '<form action="https://elsewhere.example/x"></form>',
    )
    assert len(forms) == 1
    form = forms[0]
    assert form.action == "/go" and form.method == "post" and form.submits == [("action", "save")]
    assert [(f.name, f.kind) for f in form.fields] == [
        ("a", "text"),
        ("s", "choice"),
        ("c", "choice"),
        ("d", "date"),
        ("f", "file"),
    ]
    assert form.fields[1].options == ["x", "y"]
    assert payload(form, [KEEP, MISSING, ["k", "zz"], "2026-02-30", KEEP]) == {
        "a": ["1"],
        "c": ["k", "zz"],
        "d": "2026-02-30",
    }
