"""Handover: everything the office knows about a town, in open formats, and the list exports.

When the funding ends and the post is not extended, whoever takes over gets one ZIP file: a CSV per
table (opens in any spreadsheet program), the same data as one JSON file, and a README.txt that
explains the files. Contact details go in only where consent allows (see `CONTACT_RULE`).
"""

import csv
import io
import json
import zipfile
from datetime import date, datetime

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.export import neutralise
from core.extensions import db
from core.models import Association, ConsentRecord, Role, utcnow
from fireside.models import FiresideChat, FollowUp, FollowUpState
from matching.models import MembershipState, SubNetwork
from surveys import queries as survey_queries
from surveys.models import Survey

from .models import Consultation

CONTACT_RULE = (
    "Contact details are included only where consent allows it:\n"
    "- an association's e-mail address, phone number and website only while it agrees to be listed in the\n"
    "  public directory (it published them itself);\n"
    "- a representative's name and e-mail address only if the person signed in and acknowledged the\n"
    "  privacy notice (an active, not withdrawn acknowledgement). Invited people who never signed in\n"
    "  are counted, not named.\n"
)


# --------------------------------------------------------------------------- writers


def to_csv(header, rows):
    """UTF-8 with byte order mark and semicolons, as German spreadsheet programs expect."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(_plain(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header, rows, title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(header))
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if value is None:
        return ""
    return value


# --------------------------------------------------------------------------- the advice log as a table

CONSULTATION_COLUMNS = (
    "id", "date", "town", "association", "topics", "format", "minutes", "summary", "outcome", "next_step",
    "next_step_due", "next_step_done_at", "logged_by",
)


def consultation_table(consultations, with_notes):
    header = list(CONSULTATION_COLUMNS) + (["internal_notes"] if with_notes else [])
    rows = []
    for c in consultations:
        row = [
            c.id, c.held_on, c.municipality.name, c.association.name, ", ".join(c.topics), c.format.value,
            c.minutes_spent, c.summary, c.outcome, c.next_step, c.next_step_due, c.next_step_done_at,
            (c.created_by.name or c.created_by.email) if c.created_by else "",
        ]
        rows.append(row + ([c.internal_notes] if with_notes else []))
    return header, rows


# --------------------------------------------------------------------------- the handover of a town


def _consented_user_ids(user_ids):
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(ConsentRecord.user_id).where(
                ConsentRecord.user_id.in_(user_ids), ConsentRecord.kind == "privacy", ConsentRecord.withdrawn_at.is_(None)
            )
        )
    )


def _associations(town):
    associations = db.session.scalars(
        select(Association)
        .where(Association.municipality_id == town.id)
        .order_by(func.lower(Association.name))
        .options(selectinload(Association.topics), selectinload(Association.language_rows),
                 selectinload(Association.representatives))
    ).all()
    header = ["id", "name", "field", "district", "description", "languages", "topics", "founded_year",
              "members_approx", "is_migrant_org", "listed_in_directory", "email", "phone", "website", "created_at"]
    rows = []
    for a in associations:
        listed = a.is_listed
        rows.append([
            a.id, a.name, a.field.value, a.district, a.description, ", ".join(a.languages),
            ", ".join(t.key for t in a.topics), a.founded_year, a.members_approx, a.is_migrant_org, listed,
            a.email if listed else "", a.phone if listed else "", a.website if listed else "", a.created_at,
        ])
    return associations, header, rows


def _representatives(associations):
    people = [(a, u) for a in associations for u in a.representatives if u.role is Role.representative]
    consented = _consented_user_ids([u.id for _a, u in people])
    header = ["association_id", "association", "name", "email", "language", "contact_allowed"]
    rows = []
    for association, user in people:
        allowed = user.id in consented and user.is_active
        rows.append([association.id, association.name, user.name if allowed else "", user.email if allowed else "",
                     user.locale, allowed])
    return header, rows


def _networks(town):
    networks = db.session.scalars(
        select(SubNetwork).where(SubNetwork.municipality_id == town.id).order_by(SubNetwork.name)
        .options(selectinload(SubNetwork.memberships))
    ).all()
    header = ["sub_network_id", "sub_network", "status", "topics", "association_id", "association", "member_since"]
    rows = []
    for network in networks:
        members = [m for m in network.memberships if m.state is MembershipState.active]
        for m in members or [None]:
            rows.append([
                network.id, network.name, network.status.value, ", ".join(network.topic_keys or []),
                m.association_id if m else "", m.association.name if m else "", m.added_at if m else "",
            ])
    return header, rows


def _follow_ups(town):
    follow_ups = db.session.scalars(
        select(FollowUp).join(FiresideChat, FiresideChat.id == FollowUp.chat_id)
        .where(FiresideChat.municipality_id == town.id, FollowUp.state == FollowUpState.open)
        .order_by(FollowUp.due_on, FollowUp.id)
    ).all()
    header = ["follow_up_id", "chat", "chat_date", "title", "description", "owner_association", "due_on"]
    rows = [
        [f.id, f.chat.title, f.chat.starts_at, f.title, f.description,
         f.owner_association.name if f.owner_association else "", f.due_on]
        for f in follow_ups
    ]
    return header, rows


def _chats(town):
    chats = db.session.scalars(
        select(FiresideChat).where(FiresideChat.municipality_id == town.id).order_by(FiresideChat.starts_at)
    ).all()
    header = ["chat_id", "title", "state", "starts_at", "host_association", "venue", "minutes"]
    rows = [
        [c.id, c.title, c.state.value, c.starts_at, c.host_association.name if c.host_association else "",
         c.venue_name, c.minutes]
        for c in chats
    ]
    return header, rows


def _surveys(town):
    surveys = db.session.scalars(
        select(Survey).where(Survey.municipality_id == town.id).order_by(Survey.created_at)
    ).all()
    figures = survey_queries.survey_figures([s.id for s in surveys])
    header = ["survey_id", "title", "wave", "state", "opens_on", "closes_on", "invited", "submitted"]
    rows = [
        [s.id, s.name, s.wave_label, s.state.value, s.opens_on, s.closes_on, *figures.get(s.id, (0, 0, 0))[:2]]
        for s in surveys
    ]
    return header, rows


def _consultations(town):
    consultations = db.session.scalars(
        select(Consultation).where(Consultation.municipality_id == town.id)
        .order_by(Consultation.held_on, Consultation.id)
        .options(selectinload(Consultation.association), selectinload(Consultation.created_by),
                 selectinload(Consultation.municipality))
    ).all()
    return consultation_table(consultations, with_notes=True)


def collect(town):
    """{file stem: (header, rows)} of everything the office knows about the town."""
    associations, header, rows = _associations(town)
    return {
        "associations": (header, rows),
        "representatives": _representatives(associations),
        "sub_networks": _networks(town),
        "fireside_chats": _chats(town),
        "open_follow_ups": _follow_ups(town),
        "consultations": _consultations(town),
        "surveys": _surveys(town),
    }


README = """Vereinsnetz – handover of {town}
Exported on {when} (UTC) by {who}.

This archive holds everything the coordination office recorded in Vereinsnetz for {town}, so that
whoever continues the work can start from it. Every table is here twice: as a CSV file (UTF-8,
semicolon-separated, opens in LibreOffice or Excel) and inside handover.json (the same rows, for
importing into another system). Dates are YYYY-MM-DD, times are UTC.

Files
{files}

{contact_rule}
consultations.csv includes the office's internal notes: this is the office's own file. Do not pass
it on to associations or third parties; an association asking for its data gets it without them.

Data protection: this file contains personal data. Store it only where the office's records are
kept, and delete copies that are no longer needed.
"""

DESCRIPTIONS = {
    "associations": "the associations of the town with their profile ({n} rows)",
    "representatives": "who speaks for each association ({n} rows)",
    "sub_networks": "sub-networks and their active member associations, one row per member ({n} rows)",
    "fireside_chats": "fireside chats with date, host and minutes ({n} rows)",
    "open_follow_ups": "follow-ups agreed at fireside chats that are still open ({n} rows)",
    "consultations": "the advice log: every consultation with topics, time spent and next steps ({n} rows)",
    "surveys": "needs surveys with the number of invited and answering associations ({n} rows)",
}


def _filename(stem):
    return f"{stem}.csv"


def build_zip(town, actor):
    """The handover archive as bytes, and the number of rows per table (for the audit log)."""
    tables = collect(town)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, (header, rows) in tables.items():
            archive.writestr(_filename(stem), to_csv(header, rows))
        data = {
            "municipality": {"id": town.id, "name": town.name, "office_name": town.office_name,
                             "office_email": town.office_email},
            "exported_at": utcnow().isoformat(timespec="seconds"),
            **{stem: [dict(zip(header, map(_plain, row), strict=True)) for row in rows]
               for stem, (header, rows) in tables.items()},
        }
        archive.writestr("handover.json", json.dumps(data, ensure_ascii=False, indent=2, default=str))
        files = "\n".join(
            f"- {_filename(stem)}: {DESCRIPTIONS[stem].format(n=len(rows))}" for stem, (_h, rows) in tables.items()
        ) + "\n- handover.json: all of the above in one JSON document"
        archive.writestr("README.txt", README.format(
            town=town.name, when=f"{utcnow():%Y-%m-%d %H:%M}", who=actor.email, files=files, contact_rule=CONTACT_RULE,
        ))
    return buffer.getvalue(), {stem: len(rows) for stem, (_h, rows) in tables.items()}
