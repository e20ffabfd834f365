"""`flask fireside remind`: reminders before chats and one nudge to associations that have not answered."""

import click
from flask import current_app
from flask.cli import AppGroup

from core.extensions import db

from . import services

fireside_cli = AppGroup("fireside", help="Fireside chats.")


@fireside_cli.command("remind")
@click.option("--hours", type=int, default=None,
              help="How long before a chat (and before the RSVP cut-off); default FIRESIDE_REMINDER_HOURS.")
def remind_command(hours):
    """Queue reminders and nudges that are due; running it again sends nothing twice."""
    hours = hours if hours is not None else current_app.config["FIRESIDE_REMINDER_HOURS"]
    reminded, nudged = services.send_reminders(hours)
    db.session.commit()
    click.echo(f"Reminders queued: {reminded}; nudges to associations without an answer: {nudged}.")
