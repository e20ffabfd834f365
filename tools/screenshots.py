"""Screenshots of every foundation page, for looking at the design on a phone and a desk.

    .venv/bin/python tools/screenshots.py [--out /tmp/shots] [--only NAME] [--axe]

Builds the demo (`flask demo load`) in a temporary SQLite database, serves it on a loopback
port and photographs each page at phone (390×844) and desktop (1280×900) width, as anonymous
visitor, representative and coordinator, in German and Arabic. `--axe` also runs axe-core
(WCAG 2.1 AA) on every page and prints the violations. Not part of the test suite; the PNGs
stay outside the repository.
"""

import argparse
import os
import re
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "tablet": {"width": 768, "height": 1024},
    "desktop": {"width": 1280, "height": 900},
}
LOCALES = ("de", "ar")
PASSWORD = "demo-pass-2024"


def build_app(tmp):
    os.environ["VEREINSNETZ_INSTANCE"] = str(tmp / "instance")
    from config import Config
    from core import create_app
    from core.extensions import db

    config = type(
        "ShotConfig",
        (Config,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'demo.sqlite3'}",
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "outbox-only",
        },
    )
    app = create_app(config)
    with app.app_context():
        # The models' schema, not the migrations: a feature in progress may not have its revision yet.
        db.create_all()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    if result.exit_code != 0:
        raise SystemExit(f"flask demo load failed: {result.output} {result.exception!r}")
    return app


def pending_invite_path(app):
    """Invite one more representative so the 'set up your account' page can be photographed."""
    from sqlalchemy import select

    from core.accounts.services import invite_user
    from core.extensions import db
    from core.models import Association, OutboxMail, Role, User

    with app.app_context():
        coordinator = User.by_email("koordination@example.org")
        association = db.session.scalars(select(Association).order_by(Association.id)).first()
        invite_user(
            coordinator,
            email="neue.vertretung@example.org",
            name="Ayşe Yılmaz-Schäfer",
            locale="de",
            role=Role.representative,
            association=association,
        )
        db.session.commit()
        body = db.session.scalars(select(OutboxMail.body_text).order_by(OutboxMail.id.desc())).first()
        return re.search(r"https?://\S+(/invite/\S+)", body).group(1), association.id


def serve(app):
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def pages_for(role, association_id, invite_path):
    """(name, path, action) for each page; action fills a form to show its error state."""
    common = [
        ("directory", "/directory/", None),
        ("directory-search", "/directory/?q=turk&field=education", None),
        ("directory-profile", f"/directory/{association_id}", None),
        ("privacy", "/legal/privacy", None),
        ("accessibility", "/legal/accessibility", None),
        ("imprint", "/legal/imprint", None),
        ("not-found", "/associations/999999", None),
    ]
    if role == "anonymous":
        return [
            ("home", "/", None),
            ("login", "/login", None),
            ("login-error", "/login", "login_error"),
            ("forgot", "/password/forgot", None),
            ("access-request", "/access-request", None),
            ("access-request-error", "/access-request", "submit_empty"),
            ("invite", invite_path, None),
            ("invite-error", invite_path, "invite_error"),
            ("token-invalid", "/invite/not-a-valid-token", None),
            *common,
        ]
    if role == "representative":
        return [
            ("association", f"/associations/{association_id}", None),
            ("association-edit", f"/associations/{association_id}/edit", None),
            ("association-edit-error", f"/associations/{association_id}/edit", "edit_error"),
            ("association-saved", f"/associations/{association_id}/edit", "save"),
            ("account", "/account", None),
            ("forbidden", "/associations/", None),
            *common,
        ]
    if role == "admin":
        return [
            ("admin", "/admin/", None),
            ("admin-municipality", "/admin/municipalities/new", None),
            ("admin-municipality-error", "/admin/municipalities/new", "submit_empty"),
            ("admin-invite", "/admin/staff/invite", None),
            ("admin-page", "/admin/pages/privacy/de", None),
        ]
    return [
        ("associations", "/associations/", None),
        ("association", f"/associations/{association_id}", None),
        ("association-invite-error", f"/associations/{association_id}", "invite_rep_error"),
        ("association-new", "/associations/new", None),
        ("association-new-error", "/associations/new", "submit_empty"),
        ("import", "/associations/import", None),
        ("access-requests", "/associations/requests", None),
        ("account", "/account", None),
        *common,
    ]


def act(page, action):
    main = page.locator("main")
    if action == "login_error":
        page.fill("#email", "verein01@example.org")
        page.fill("#password", "wrong")
    elif action == "invite_error":
        page.fill("#password", "short")
        page.fill("#confirm", "different")
    elif action == "edit_error":
        page.fill("#website", "not a web address")
        page.fill("#founded_year", "1700")
    elif action == "invite_rep_error":
        page.fill("#email", "not-an-address")
    main.locator("button[type=submit]").last.click()
    page.wait_for_load_state()


def sign_in(page, base, email):
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state()


def switch_language(page, base, code):
    page.goto(base + "/legal/imprint")
    if page.locator("html").get_attribute("lang") == code:
        return
    with page.expect_navigation():
        page.select_option("#language-select", code)  # app.js submits on change


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--only", help="photograph only pages whose name contains this")
    parser.add_argument("--roles", default="anonymous,representative,coordinator", help="… and admin")
    parser.add_argument("--locales", default=",".join(LOCALES))
    parser.add_argument("--viewports", default="phone,desktop", help="phone, tablet, desktop")
    parser.add_argument("--axe", action="store_true", help="run axe-core on every page")
    parser.add_argument("--slices", action="store_true", help="also save long pages in screen-high parts")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="vn-shots-"))
    app = build_app(tmp)
    invite_path, association_id = pending_invite_path(app)
    server, base = serve(app)
    axe = None
    if args.axe:
        from importlib.resources import files

        axe = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
    accounts = {
        "anonymous": None,
        "representative": "verein01@example.org",
        "coordinator": "koordination@example.org",
        "admin": "admin@example.org",
    }
    problems = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for role in args.roles.split(","):
            for code in args.locales.split(","):
                for vp in args.viewports.split(","):
                    context = browser.new_context(viewport=VIEWPORTS[vp], locale="de-DE", bypass_csp=bool(axe))
                    page = context.new_page()
                    if accounts[role]:
                        sign_in(page, base, accounts[role])
                    switch_language(page, base, code)
                    for name, path, action in pages_for(role, association_id, invite_path):
                        if args.only and args.only not in name:
                            continue
                        page.goto(base + path)
                        if action:
                            act(page, action)
                        file = out / f"{role}-{code}-{vp}-{name}.png"
                        page.screenshot(path=str(file), full_page=True)
                        if args.slices:
                            save_slices(page, file)
                        problems += check_page(page, axe, file.name)
                    context.close()
        browser.close()
    server.shutdown()
    print(f"Screenshots in {out}; {problems} pages with axe violations" if axe else f"Screenshots in {out}")


def save_slices(page, file, most=6):
    """Long pages in parts of one screen height (full-page images get too small to read)."""
    height = page.evaluate("document.documentElement.scrollHeight")
    size = page.viewport_size
    for number, top in enumerate(range(0, min(height, most * size["height"]), size["height"]), 1):
        clip = {"x": 0, "y": top, "width": size["width"], "height": min(size["height"], height - top)}
        page.screenshot(path=str(file.with_name(f"{file.stem}.{number}.png")), full_page=True, clip=clip)


def check_page(page, axe, label):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    found = 0
    if width > viewport:
        print(f"{label}: page is {width}px wide on a {viewport}px screen (horizontal scrolling)")
        found = 1
    if axe:
        page.evaluate(axe)
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})"
        )
        for v in result["violations"]:
            print(f"{label}: {v['id']} ({v['impact']}) {[n['target'][0] for n in v['nodes'][:4]]}")
        found = found or int(bool(result["violations"]))
    return found


if __name__ == "__main__":
    main()
