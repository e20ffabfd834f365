"""The consent records a person may see and withdraw (core.models.ConsentRecord, written by each feature)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from core.extensions import db
from core.models import ConsentRecord, utcnow

KIND_LABELS = {
    "privacy": _l("Privacy notice read and accepted when the account was set up"),
    "directory": _l("Listing of the association in the public directory"),
    "network-visible": _l("Name and contact shown to the other members of its sub-networks"),
    "networking-off": _l("Networking switched off (objection to the use of its data for suggestions)"),
}


def visible_to(user):
    """The person's own records and, for a representative, those of their association; newest first."""
    clauses = [ConsentRecord.user_id == user.id]
    if user.is_representative and user.association_id:
        clauses.append(ConsentRecord.association_id == user.association_id)
    return db.session.scalars(
        select(ConsentRecord).where(or_(*clauses)).order_by(ConsentRecord.given_at.desc(), ConsentRecord.id.desc())
    ).all()


def can_see(user, consent):
    return consent.user_id == user.id or (
        user.is_representative and consent.association_id is not None and consent.association_id == user.association_id
    )


def is_withdrawable(consent):
    return consent.withdrawn_at is None and consent.kind in WITHDRAW and consent.association_id is not None


def withdraw(consent, actor):
    """Withdraw through the feature that uses the consent, so its effect ends too (not only the record)."""
    WITHDRAW[consent.kind](consent.association, actor)
    # The record closes even if the feature's own state had already been switched off elsewhere.
    consent.withdrawn_at = consent.withdrawn_at or utcnow()
    db.session.flush()


def _directory(association, actor):
    from core.associations.services import set_directory_consent

    set_directory_consent(actor, association, False)


def _network_visible(association, actor):
    from matching import queries, services
    from matching.facts import networking_enabled

    services.set_networking(association, networking_enabled(queries.consent_of(association.id)), False, actor)


WITHDRAW = {"directory": _directory, "network-visible": _network_visible}
