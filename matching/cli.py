"""`flask matching run [--municipality NAME]`: the suggestions with their explanations, without the UI."""

import click
from flask.cli import AppGroup
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from core.extensions import db
from core.models import Municipality

from . import labels, services
from .models import RunTrigger

matching_cli = AppGroup("matching", help="The matcher: suggested sub-networks.")


def _municipalities(name):
    stmt = select(Municipality).order_by(Municipality.name)
    if name:
        stmt = stmt.where(Municipality.name == name)
    found = db.session.scalars(stmt).all()
    if name and not found:
        raise click.ClickException(f"Unknown municipality: {name}")
    return found


@matching_cli.command("run")
@click.option("--municipality", "name", help="Name of one municipality (default: all).")
@click.option("--locale", default="de", show_default=True, help="Language of the explanations.")
def run_command(name, locale):
    """Compute and print the suggestions with the reasons for every member."""
    with force_locale(locale):
        for municipality in _municipalities(name):
            computation, _run, _previous = services.refresh(municipality.id, trigger=RunTrigger.cli)
            click.echo("\n".join(report_lines(municipality, computation)))
    db.session.commit()


@matching_cli.command("defaults")
@click.option("--municipality", "name", required=True, help="Name of the municipality.")
def defaults_command(name):
    """Add the shipped default rules a municipality does not have yet."""
    for municipality in _municipalities(name):
        added = services.install_default_rules(municipality.id)
        click.echo(f"{municipality.name}: {len(added)} default rules added.")
    db.session.commit()


def report_lines(municipality, computation):
    """The text the CLI prints for one municipality."""
    count = len(computation.suggestions)
    lines = [f"{municipality.name}: " + ngettext("%(num)s suggestion", "%(num)s suggestions", count)]
    if computation.opted_out:
        lines.append("  " + ngettext("%(num)s association has switched networking off; nothing about it is used.",
                                     "%(num)s associations have switched networking off; nothing about them is used.",
                                     computation.opted_out))
    if computation.gathered.held_back:
        lines.append("  " + ngettext("%(num)s statement was not released for networking and is held back.",
                                     "%(num)s statements were not released for networking and are held back.",
                                     computation.gathered.held_back))
    for rule_id, _problem, value in computation.result.warnings:
        lines.append("  " + _("Rule %(rule)s: topic “%(topic)s” is deleted or no longer in use.", rule=rule_id, topic=value))
    for number, suggestion in enumerate(computation.suggestions, 1):
        lines += _suggestion_lines(number, suggestion)
    return lines


def _suggestion_lines(number, suggestion):
    parts = ", ".join(f"{labels.SCORE_PART_LABELS[p.name]} {p.value:.2f}" for p in suggestion.parts)
    lines = [
        "",
        f"{number}. {suggestion.title}  [{_('score')} {suggestion.score}: {parts}]",
        "   " + _("Rule: %(rule)s (%(kind)s) · key %(key)s", rule=suggestion.rule_name,
                  kind=labels.KIND_SHORT[suggestion.kind], key=suggestion.key),
    ]
    if suggestion.network_id:
        lines.append("   " + _("New members for the existing sub-network %(id)s", id=suggestion.network_id))
    if suggestion.dismissed_before:
        lines.append("   " + _("Dismissed before; its members have changed since."))
    for member in suggestion.members:
        lines.append(f"   - {member.name} ({labels.ROLE_LABELS[member.role]})")
        for fact in member.facts:
            lines.append(f"       · {fact.label} ({fact.on.isoformat()})")
    if suggestion.overflow:
        lines.append("   " + _("%(count)s more associations qualify but exceed the rule's largest group.",
                              count=suggestion.overflow))
    return lines
