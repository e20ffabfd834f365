"""Changing associations: create, update, directory consent, representatives."""

import logging

from flask import current_app
from sqlalchemy import select

from ..accounts import services as account_services
from ..extensions import db
from ..models import Association, Field, Role, Topic, User, utcnow

log = logging.getLogger("vereinsnetz.associations")

PROFILE_FIELDS = (
    "name", "district", "description", "email", "phone", "website", "founded_year", "members_approx",
    "is_migrant_org", "field",
)


def apply_profile(association, data):
    """Copy profile values from plain data (a form or an import row) onto the association."""
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(association, name, data[name] if data[name] is not None or name in _NULLABLE else "")
    if "languages" in data:
        association.languages = data["languages"] or []
    if "topics" in data:
        ids = [int(t) for t in data["topics"] or []]
        association.topics = db.session.scalars(select(Topic).where(Topic.id.in_(ids))).all() if ids else []
    association.refresh_search()


_NULLABLE = {"founded_year", "members_approx", "is_migrant_org"}


def create_association(actor, municipality_id, data):
    association = Association(municipality_id=municipality_id, field=Field.other)
    apply_profile(association, data)
    db.session.add(association)
    db.session.flush()
    log.info("Association %s created by %s", association.id, actor.id if actor else "cli")
    return association


def update_association(actor, association, data):
    apply_profile(association, data)
    log.info("Association %s updated by %s", association.id, actor.id)
    return association


def set_directory_consent(actor, association, listed):
    """Give or withdraw consent to the public listing, with the text version on record."""
    if listed and not association.is_listed:
        version = current_app.config["DIRECTORY_CONSENT_VERSION"]
        association.directory_consent_at, association.directory_consent_version = utcnow(), version
        account_services.record_consent("directory", version, user=actor, association=association)
    elif not listed and association.is_listed:
        association.directory_consent_at = association.directory_consent_version = None
        account_services.withdraw_consent("directory", association=association)


def invite_representative(actor, association, *, name, email, locale):
    returning = User.by_email(email)
    if returning is not None and returning.is_removed_representative:
        return account_services.invite_again(actor, returning, name=name, locale=locale, association=association)
    return account_services.invite_user(
        actor, email=email, name=name, locale=locale, role=Role.representative, association=association
    )


def name_key(name):
    """The folded name that makes "Müller-Verein" and "MUELLER-VEREIN" the same association."""
    probe = Association(name=name)
    probe.refresh_search()
    return probe.name_key


def find_by_name(municipality_id, name):
    return db.session.scalar(
        select(Association).where(Association.municipality_id == municipality_id, Association.name_key == name_key(name))
    )
