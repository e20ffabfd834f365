"""Demo data of the matcher: default rules, who agreed to what, and one sub-network already accepted."""

from flask_babel import force_locale
from sqlalchemy import select

from core.demo import COORDINATOR_EMAIL
from core.extensions import db
from core.models import Association, User

from . import queries, services
from .models import NetworkStatus

#: Associations (by name) that chose not to be visible to other members, and one that switched networking off.
NOT_VISIBLE = {"Eritreische Gemeinschaft", "Nigerianische Gemeinschaft", "Rumänische Orthodoxe Gemeinde"}
NETWORKING_OFF = {"Georgischer Kulturverein"}


def load(town):
    """Called by `flask demo load` after the other features have added their data."""
    coordinator = User.by_email(COORDINATOR_EMAIL)
    associations = db.session.scalars(select(Association).where(Association.municipality_id == town.id)).all()
    for association in associations:
        rep = association.representatives[0] if association.representatives else coordinator
        services.set_networking(association, association.name not in NETWORKING_OFF,
                                association.name not in NOT_VISIBLE, rep)
    services.install_default_rules(town.id, coordinator)
    with force_locale("de"):
        _accept_youth_network(town, coordinator)


def _accept_youth_network(town, coordinator):
    rule = next(r for r in queries.rules_of(town.id) if r.default_key == "youth")
    computation = queries.compute(town.id)
    suggestion = next(s for s in computation.suggestions if s.rule_id == rule.id and s.network_id is None)
    network = services.accept_suggestion(
        town.id, suggestion, coordinator, name="Netzwerk Jugendarbeit",
        notes="Erstes Treffen im Jugendhaus Weststadt; nächstes Treffen im Herbst mit dem Stadtjugendring.",
    )
    helper = db.session.scalar(select(Association).where(
        Association.municipality_id == town.id, Association.name == "Hausaufgabenhilfe Lernbrücke"))
    services.add_member(network, helper, "Bietet Lernhilfe für Jugendliche an und möchte beim Netzwerk mitmachen "
                        "(Gespräch beim Netzwerktreffen im März).", coordinator)
    network.status = NetworkStatus.active
    db.session.flush()
