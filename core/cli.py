"""Command-line interface: `flask users …`, `flask topics sync`, `flask mail send`, `flask demo load`."""

import logging
import time

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from . import demo
from .backup import backup_cli
from .extensions import db
from .mail import send_pending
from .models import Municipality, Role, User
from .passwords import problems
from .topics import sync_topics

logger = logging.getLogger("vereinsnetz.mail")

users_cli = AppGroup("users", help="Create staff accounts for a real deployment.")
municipalities_cli = AppGroup("municipalities", help="Municipalities the deployment serves.")
topics_cli = AppGroup("topics", help="The controlled vocabulary of topics.")
mail_cli = AppGroup("mail", help="Deliver the mail outbox.")
demo_cli = AppGroup("demo", help="Demo data for trying Vereinsnetz out.")


def register_cli(app):
    for group in (users_cli, municipalities_cli, topics_cli, mail_cli, demo_cli, backup_cli):
        app.cli.add_command(group)


def _password_problem(password, email):
    """The first reason to refuse a password, in English like the rest of the command line."""
    with force_locale("en"):
        found = problems(password, email=email)
        return str(found[0]) if found else None


def _prompt_password(email):
    while True:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        problem = _password_problem(password, email)
        if problem is None:
            return password
        click.echo(problem, err=True)


def _valid_email(email):
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.ClickException(f"{email!r} is not a valid e-mail address: {error}") from None


def _create_staff(email, name, role, municipalities, password):
    email = _valid_email(email)
    if User.by_email(email):
        raise click.ClickException(f"An account with {email} exists already.")
    if password is None:
        password = _prompt_password(email)
    elif problem := _password_problem(password, email):
        raise click.ClickException(problem)
    user = User(email=email, name=name, role=role, municipalities=municipalities, locale="de")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"{role.value.capitalize()} {user.email} created.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administration")
@click.option("--password", envvar="VEREINSNETZ_PASSWORD", help="Read from the environment; prompted when missing.")
def create_admin(email, name, password):
    """Create an administrator account."""
    _create_staff(email, name, Role.admin, [], password)


@users_cli.command("create-coordinator")
@click.argument("email")
@click.option(
    "--municipality", "names", multiple=True, required=True, help="Name of a municipality in scope (repeatable)."
)
@click.option("--name", default="Koordinierungsstelle")
@click.option("--password", envvar="VEREINSNETZ_PASSWORD", help="Read from the environment; prompted when missing.")
def create_coordinator(email, names, name, password):
    """Create a coordinator for one or more municipalities."""
    found = [db.session.scalar(select(Municipality).where(Municipality.name == n)) for n in names]
    missing = [n for n, m in zip(names, found, strict=True) if m is None]
    if missing:
        raise click.ClickException(f"Unknown municipality: {', '.join(missing)}")
    _create_staff(email, name, Role.coordinator, found, password)


@municipalities_cli.command("create")
@click.argument("name")
@click.option("--office-email", default="")
def create_municipality(name, office_email):
    """Add a municipality."""
    name = name.strip()
    if not name:
        raise click.ClickException("The name must not be empty.")
    if db.session.scalar(select(Municipality).where(Municipality.name == name)):
        raise click.ClickException(f"{name} exists already.")
    db.session.add(Municipality(name=name, office_email=office_email))
    db.session.commit()
    click.echo(f"Municipality {name} created.")


@topics_cli.command("sync")
def topics_sync():
    """Add missing starter topics (safe to run on every deployment)."""
    added = sync_topics()
    db.session.commit()
    click.echo(f"{added} topics added.")


@mail_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep running as a service.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between passes with --loop.")
def mail_send(loop, interval):
    """Deliver due mails from the outbox (one pass, or continuously with --loop).

    With --loop a database that is briefly away (a restart, a failover) does not end the service: the
    pass is rolled back and tried again after the interval. Claims are atomic, so nothing is sent twice.
    """
    while True:
        try:
            sent, failed = send_pending()
        except OperationalError as error:
            if not loop:
                raise
            db.session.rollback()
            logger.warning("Mail pass skipped, the database is not reachable: %s", str(error).splitlines()[0])
            sent = failed = 0
        else:
            if sent or failed or not loop:
                click.echo(f"{sent} sent, {failed} failed or postponed.")
        if not loop:
            return
        db.session.remove()
        time.sleep(interval)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data.")
def demo_load(if_empty):
    """Build the demo town; refuses to touch a database that has data."""
    if not demo.is_empty():
        if if_empty:
            click.echo("The database has data; the demo was not loaded.")
            return
        raise click.ClickException("The database is not empty; the demo is only loaded into an empty one.")
    lines = demo.load()
    db.session.commit()
    click.echo("Demo loaded. Sign in at " + current_app.config["PUBLIC_BASE_URL"] + " with:")
    for line in lines:
        click.echo("  " + line)
