"""`flask surveys remind`: the reminder schedule, safe to run as often as a cron job likes."""

from datetime import date

import click
from flask.cli import AppGroup

from core.extensions import db

from .distribution import remind_due

surveys_cli = AppGroup("surveys", help="Needs surveys.")


@surveys_cli.command("remind")
@click.option("--today", "today", default=None, help="Act as if today were this date (YYYY-MM-DD).")
@click.option(
    "--days-before",
    "days_before",
    multiple=True,
    type=int,
    help="Days before the closing date (repeatable); default 7, 3 and 1.",
)
def remind(today, days_before):
    """Remind associations that have not answered open surveys closing soon (at most once a day each)."""
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError as error:
        raise click.BadParameter("Please give the date as YYYY-MM-DD.", param_hint="--today") from error
    done = remind_due(day, tuple(days_before) or None)
    db.session.commit()
    if not done:
        click.echo("No open survey closes on a reminder day.")
    for survey, mails in done:
        click.echo(f"Survey {survey.id} ({survey.name}): {mails} reminder e-mails queued.")
