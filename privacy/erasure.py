"""Art. 17 GDPR: erase a person's account, anonymise an association.

Decisions (see also the feature hooks):
- The person's `users` row is deleted; foreign keys to it are SET NULL or CASCADE by the schema, so
  what others need stays valid (a message shows as written by a deleted person).
- Consent records the person gave *for an association* stay as the association's proof of consent
  (Art. 7(1)), without the person (user_id NULL); their own consent records go with the account:
  once their data is gone there is nothing left to justify.
- Access requests and outbox mails addressed to the person are deleted.
- Last, every text and JSON column of every table is searched for the person's e-mail address and
  name (the audit log's details, mail bodies, free texts typed by others) and each mention is
  replaced with a placeholder: the test of completeness is the same search.
- An association is anonymised, not deleted: its row keeps survey responses (and so aggregate
  results) intact, while its name, contact details, topics and free texts go.
"""

import json
import logging
import re

from sqlalchemy import JSON, Enum, String, Text, cast, delete, func, or_, select, update

from core.audit import AuditEvent, record
from core.extensions import db
from core.models import AccessRequest, Association, ConsentRecord, OutboxMail, utcnow
from core.text import fold

from . import hooks
from .models import AnonymisedAssociation

log = logging.getLogger("vereinsnetz.privacy")

PLACEHOLDER = "[gelöscht]"
#: Columns that hold secrets or identifiers, never free text about people.
SKIP_COLUMNS = {"password_hash", "token_hash", "message_id", "ical_uid"}
#: Shorter names would be replaced inside unrelated words of other people's texts.
MIN_NEEDLE = 3


def erase_user(user, actor):
    """Delete the account and every trace of the person's e-mail address and name (flush only)."""
    needles = [user.email, user.name]
    user_id, email = user.id, user.email
    # The actor may be the person themselves: the event keeps their role, the database nulls actor_id.
    record(
        actor,
        "privacy.erase_account",
        municipality_id=user.association.municipality_id if user.association else None,
        user_id=user_id,
        role=user.role.value,
    )
    hooks.call("erase_user", user, actor)
    db.session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.user_id == user_id, ConsentRecord.association_id.is_not(None))
        .values(user_id=None)
    )
    db.session.execute(delete(ConsentRecord).where(ConsentRecord.user_id == user_id))
    db.session.execute(delete(AccessRequest).where(func.lower(AccessRequest.email) == email.lower()))
    db.session.execute(delete(OutboxMail).where(func.lower(OutboxMail.to_addr) == email.lower()))
    # An IP address of the person's own actions is their personal data too.
    db.session.execute(update(AuditEvent).where(AuditEvent.actor_id == user_id).values(ip_address=""))
    db.session.flush()
    db.session.delete(user)
    db.session.flush()
    db.session.expire_all()
    scrub(needles)
    log.info("Account %s erased by %s", user_id, getattr(actor, "id", "itself"))


def erase_association(association, actor):
    """Anonymise the association: representatives erased, profile emptied, features' data removed or anonymised."""
    needles = [association.name, association.email, association.phone, association.website]
    for person in list(association.representatives):
        erase_user(person, actor)
    association = db.session.get(Association, association.id)
    hooks.call("erase_association", association, actor)
    db.session.execute(delete(AccessRequest).where(AccessRequest.association_id == association.id))
    if association.email:
        db.session.execute(delete(OutboxMail).where(func.lower(OutboxMail.to_addr) == association.email.lower()))
    db.session.execute(
        update(ConsentRecord)
        .where(ConsentRecord.association_id == association.id, ConsentRecord.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow())
    )
    _anonymise_profile(association)
    db.session.add(AnonymisedAssociation(association_id=association.id, anonymised_by_id=getattr(actor, "id", None)))
    record(actor, "privacy.erase_association", association)
    db.session.flush()
    scrub(needles)
    log.info("Association %s anonymised by %s", association.id, getattr(actor, "id", None))


def is_anonymised(association):
    return db.session.get(AnonymisedAssociation, association.id) is not None


def _anonymise_profile(association):
    """Field, district and migrant-organisation flag stay: they describe no person and carry the survey breakdowns."""
    association.name = f"Gelöschter Verein #{association.id}"
    association.description = association.email = association.phone = association.website = ""
    association.founded_year = association.members_approx = None
    association.directory_consent_at = association.directory_consent_version = None
    association.topics = []
    association.languages = []
    association.refresh_search()


# --------------------------------------------------------------------------- the final sweep


def _pattern(needle):
    # Not inside a longer word or address: "anna@x.org" must not hit "hanna@x.org".
    return re.compile(r"(?<![\w.+-])" + re.escape(needle) + r"(?![\w-])", re.IGNORECASE)


def _replace(value, patterns):
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(PLACEHOLDER, value)
        return value
    if isinstance(value, list):
        return [_replace(item, patterns) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, patterns) for key, item in value.items()}
    return value


def _text_columns(table):
    for column in table.columns:
        if column.name in SKIP_COLUMNS or isinstance(column.type, Enum):
            continue
        if isinstance(column.type, String | Text | JSON):
            yield column


def _forms(needle):
    """The needle as typed and as JSON stores it (non-ASCII characters escaped)."""
    lowered = needle.lower()
    return {lowered, json.dumps(lowered)[1:-1]}


def scrub(needles):
    """Replace every mention of the needles in every text and JSON column of every table; returns the count."""
    # Search columns hold folded copies ("Jürgen" → "juergen", "jurgen"): those variants go too.
    needles = {v for n in needles if n for v in {n.strip(), *fold(n)} if len(v) >= MIN_NEEDLE}
    if not needles:
        return 0
    patterns = [_pattern(n) for n in needles]
    forms = set().union(*(_forms(n) for n in needles))
    lowered = {n.lower() for n in needles}
    changed = 0
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        for column in _text_columns(table):
            text = func.lower(cast(column, Text)) if isinstance(column.type, JSON) else func.lower(column)
            hits = db.session.execute(
                select(*keys, column).where(or_(*(text.contains(form, autoescape=True) for form in forms)))
            ).all()
            address = "email" in column.name and not isinstance(column.type, JSON)
            for row in hits:
                value = row[-1]
                # An address field holding exactly the erased address is emptied, not filled with a placeholder.
                new = "" if address and value.strip().lower() in lowered else _replace(value, patterns)
                if new != value:
                    db.session.execute(
                        update(table).where(*(key == row[i] for i, key in enumerate(keys))).values({column.name: new})
                    )
                    changed += 1
    db.session.expire_all()
    return changed
