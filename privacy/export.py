"""Art. 15/20 GDPR: everything stored about an association or a person, as a ZIP of JSON and CSV."""

import csv
import enum
import io
import json
import re
import zipfile
from datetime import date, datetime

from flask import current_app
from sqlalchemy import or_, select

from core.audit import AuditEvent, record
from core.export import neutralise
from core.extensions import db
from core.models import AccessRequest, ConsentRecord, utcnow

from . import hooks
from .models import DataExport

README = """Vereinsnetz - data export
=========================

Subject: {subject}
Created: {created} (UTC)

data.json holds every section below; each section is also a CSV file (UTF-8, comma-separated,
nested values as JSON). Times are UTC.

Sections:
{sections}

Questions about your data: {dpo}
"""


# --------------------------------------------------------------------------- requesting


def request_export(actor, *, association=None, user=None):
    """A single-use export for `actor`; coordinators' exports of an association are audited."""
    export, secret = DataExport.issue(
        actor, current_app.config["DATA_EXPORT_VALID_FOR"], association=association, user=user
    )
    if association is not None and not actor.is_representative:
        record(actor, "privacy.export", association)
    db.session.flush()
    return export, secret


def find(secret):
    return db.session.scalar(select(DataExport).where(DataExport.token_hash == DataExport.hash(secret or "")))


def refusal(export, user):
    """Why `user` may not download `export` now ("unknown", "foreign", "used", "expired"), or None."""
    if export is None:
        return "unknown"
    if export.requested_by_id != user.id:
        return "foreign"
    if export.downloaded_at is not None:
        return "used"
    if export.is_expired:
        return "expired"
    return None


def mark_downloaded(export):
    """Claim the export once: a conditional UPDATE, so two parallel clicks cannot both get it."""
    claimed = db.session.execute(
        DataExport.__table__.update()
        .where(DataExport.id == export.id, DataExport.downloaded_at.is_(None))
        .values(downloaded_at=utcnow())
    ).rowcount
    return claimed == 1


# --------------------------------------------------------------------------- content


def row_of(obj, columns):
    return {name: plain(getattr(obj, name)) for name in columns}


def plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


USER_COLUMNS = ("id", "name", "email", "locale", "role", "association_id", "is_enabled", "last_login_at", "created_at")
CONSENT_COLUMNS = ("id", "kind", "text_version", "user_id", "association_id", "given_at", "withdrawn_at")
PROFILE_COLUMNS = (
    "id",
    "name",
    "field",
    "district",
    "description",
    "email",
    "phone",
    "website",
    "founded_year",
    "members_approx",
    "is_migrant_org",
    "directory_consent_at",
    "directory_consent_version",
    "created_at",
    "updated_at",
)
REQUEST_COLUMNS = (
    "id",
    "association_name",
    "field",
    "district",
    "contact_name",
    "email",
    "locale",
    "message",
    "privacy_version",
    "state",
    "decided_at",
    "created_at",
)
AUDIT_COLUMNS = ("id", "created_at", "actor_role", "action", "target_type", "target_id")


def association_data(association):
    """{section: rows} of the association: core data first, then every feature's hook."""
    people = list(association.representatives)
    consents = db.session.scalars(
        select(ConsentRecord)
        .where(or_(ConsentRecord.association_id == association.id, ConsentRecord.user_id.in_([p.id for p in people])))
        .order_by(ConsentRecord.id)
    )
    requests = db.session.scalars(select(AccessRequest).where(AccessRequest.association_id == association.id))
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target_type == "Association", AuditEvent.target_id == association.id)
        .order_by(AuditEvent.id)
    )
    data = {
        "association": [
            {
                **row_of(association, PROFILE_COLUMNS),
                "municipality": association.municipality.name,
                "languages": association.languages,
                "topics": [t.key for t in association.topics],
            }
        ],
        "representatives": [row_of(p, USER_COLUMNS) for p in people],
        "consents": [row_of(c, CONSENT_COLUMNS) for c in consents],
        "access_requests": [row_of(r, REQUEST_COLUMNS) for r in requests],
        "activity": [row_of(e, AUDIT_COLUMNS) for e in events],
    }
    return _with_hooks(data, hooks.call("export_association", association))


def user_data(user):
    """{section: rows} about one person: account, consents, own actions, then every feature's hook."""
    consents = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.user_id == user.id).order_by(ConsentRecord.id)
    )
    requests = db.session.scalars(select(AccessRequest).where(AccessRequest.email == user.email))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id))
    data = {
        "account": [
            {
                **row_of(user, USER_COLUMNS),
                "association": user.association.name if user.association else None,
                "municipalities": [m.name for m in user.municipalities],
            }
        ],
        "consents": [row_of(c, CONSENT_COLUMNS) for c in consents],
        "access_requests": [row_of(r, REQUEST_COLUMNS) for r in requests],
        "activity": [row_of(e, AUDIT_COLUMNS) for e in events],
    }
    return _with_hooks(data, hooks.call("export_user", user))


def _with_hooks(data, per_feature):
    for feature, sections in per_feature.items():
        for name, rows in sections.items():
            data[f"{feature}_{name}"] = [{key: plain(value) for key, value in row.items()} for row in rows]
    return data


def data_of(export):
    if export.association is not None:
        return export.association.name, association_data(export.association)
    return export.user.email, user_data(export.user)


# --------------------------------------------------------------------------- the ZIP


def build_zip(subject, data):
    """Bytes of the ZIP: data.json, one CSV per section and a README."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        for name, rows in data.items():
            archive.writestr(f"{safe_name(name)}.csv", to_csv(rows))
        sections = "\n".join(f"- {safe_name(name)}.csv: {len(rows)} rows" for name, rows in data.items())
        archive.writestr(
            "README.txt",
            README.format(
                subject=subject,
                created=utcnow().isoformat(timespec="seconds"),
                sections=sections,
                dpo=current_app.config["DATA_PROTECTION_OFFICER"],
            ),
        )
    return buffer.getvalue()


def to_csv(rows):
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in columns})
    return out.getvalue()


def _cell(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return neutralise("" if value is None else str(value))


def safe_name(name):
    return re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_") or "section"
