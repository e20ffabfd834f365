"""`flask exchange expire` (daily), `flask exchange digest` (weekly), `flask exchange reindex`."""

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.extensions import db

from . import jobs
from .models import Posting

exchange_cli = AppGroup("exchange", help="The exchange board (offers and requests).")


@exchange_cli.command("expire")
def expire():
    """Close postings past their end and remind posters a week before (run daily)."""
    expired, reminded = jobs.expire_due()
    db.session.commit()
    click.echo(f"{expired} postings expired, {reminded} reminders queued.")


@exchange_cli.command("digest")
@click.option("--force", is_flag=True, help="Send even to associations that got a digest in the last six days.")
def digest(force):
    """Queue the weekly e-mail of new matching postings for every association that opted in (run weekly)."""
    sent = jobs.send_digests(force=force)
    db.session.commit()
    click.echo(f"{sent} digests queued.")


@exchange_cli.command("reindex")
def reindex():
    """Rebuild the search column of every posting (after topic names changed)."""
    count = 0
    stmt = select(Posting).options(selectinload(Posting.topics)).execution_options(yield_per=500)
    for posting in db.session.scalars(stmt):
        posting.refresh_search()
        count += 1
    db.session.commit()
    click.echo(f"{count} postings reindexed.")
