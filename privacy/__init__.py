"""GDPR rights: data export, erasure, consent overview and retention (flask privacy purge)."""

from datetime import datetime

import click
from flask import Blueprint
from flask.cli import AppGroup

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

privacy_cli = AppGroup("privacy", help="Data protection: retention limits.")


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only show what would be removed.")
@click.option("--now", "now", default=None, help="Act as if it were this UTC time (YYYY-MM-DDTHH:MM).")
def purge_command(dry_run, now):
    """Remove what is past its retention period (safe to run daily; running it twice changes nothing more)."""
    from core.extensions import db

    from .retention import describe, purge

    try:
        moment = datetime.fromisoformat(now) if now else None
    except ValueError as error:
        raise click.BadParameter("Please give the time as YYYY-MM-DDTHH:MM.", param_hint="--now") from error
    report = purge(moment, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    for line in describe(report):
        click.echo(line)


def init_app(app):
    """Register the blueprint and the `flask privacy` commands."""
    from .retention import retention_rules

    app.register_blueprint(bp)
    app.cli.add_command(privacy_cli)
    # The privacy notice lists the retention periods from the same settings the purge uses.
    app.jinja_env.globals["retention_rules"] = retention_rules


from . import models, routes  # noqa: E402,F401
