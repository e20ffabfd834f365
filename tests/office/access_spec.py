"""Who may use each office route: the office part of the access matrix (tests/core/test_access_matrix.py).

Roles in order: anonymous, rep_a, rep_b, rep_c, coord_x, coord_y, admin. Town X has A and B, town Y has C.
`build` logs a consultation with A (town X, with internal notes and an open next step) and one with C
(town Y); every URL below points at those objects. The report routes come from access_spec_report.py.
"""

from datetime import timedelta

from office import services
from office.models import ConsultationFormat
from surveys.models import local_today
from tests.office import access_spec_report as _report


def _values(**overrides):
    values = {
        "held_on": local_today() - timedelta(days=2), "topics": ["funding"], "format": ConsultationFormat.phone,
        "minutes_spent": 30, "summary": "Förderantrag", "outcome": "", "next_step": "Unterlagen schicken",
        "next_step_due": local_today(), "internal_notes": "Interne Notiz",
    }
    values.update(overrides)
    return values


def build(world):
    coordinator_x, coordinator_y = world.users["coord_x"], world.users["coord_y"]
    world.consultation_a = services.create_consultation(coordinator_x, world.a, _values())
    world.consultation_c = services.create_consultation(coordinator_y, world.c, _values(summary="Räume"))
    world.db.session.flush()
    _report.build(world)


def _form(world, association):
    return {
        "association_id": str(association.id), "held_on": local_today().isoformat(), "topics": ["events"],
        "format": "online", "minutes_spent": "20", "summary": "Sommerfest", "outcome": "", "next_step": "",
        "next_step_due": "", "internal_notes": "",
    }


STAFF = "L 403 403 403 200 200 200"
X = "L 403 403 403 200 404 200"
X_POST = "L 403 403 403 ok 404 ok"
Y = "L 403 403 403 404 200 200"
NOWHERE = "L 403 403 403 404 404 404"


def _c(path, name="consultation_a"):
    return lambda w: f"/office/consultations/{getattr(w, name).id}{path}"


SPEC = {
    "office.dashboard": {"url": "/office/", "get": STAFF},
    "office.home": {"url": "/office/start", "get": "L 200 200 200 R R R"},
    "office.consultations": {"url": "/office/consultations", "get": STAFF},
    "office.export_consultations": [
        {"url": "/office/consultations/export.csv", "get": STAFF, "label": "csv"},
        {"url": "/office/consultations/export.xlsx", "get": STAFF, "label": "xlsx"},
        {"url": "/office/consultations/export.pdf", "get": NOWHERE, "label": "unknown format"},
    ],
    "office.new_consultation": [
        # Coordinator Y may not log a consultation with A: the form comes back with a message.
        {"url": "/office/consultations/new", "get": STAFF, "post": "L 403 403 403 ok 422 ok",
         "data": lambda w: _form(w, w.a), "label": "with A"},
        {"url": lambda w: f"/office/consultations/new?association_id={w.a.id}", "get": X, "post": X_POST,
         "data": lambda w: _form(w, w.a), "label": "preset A"},
    ],
    "office.consultation": [
        {"url": _c(""), "get": X, "label": "A"},
        {"url": _c("", "consultation_c"), "get": Y, "label": "C"},
        {"url": "/office/consultations/999999", "get": NOWHERE, "label": "missing"},
    ],
    "office.edit_consultation": [
        {"url": _c("/edit"), "get": X, "post": X_POST, "data": lambda w: _form(w, w.a), "label": "A"},
        {"url": _c("/edit", "consultation_c"), "get": Y, "post": "L 403 403 403 404 ok ok",
         "data": lambda w: _form(w, w.c), "label": "C"},
    ],
    "office.next_step_done": [
        {"url": _c("/done"), "get": "405", "post": X_POST, "label": "A"},
        {"url": "/office/consultations/999999/done", "get": "405", "post": NOWHERE, "label": "missing"},
    ],
    "office.association_consultations": [
        {"url": lambda w: f"/office/associations/{w.a.id}/consultations", "get": "L 200 404 404 200 404 200",
         "label": "A"},
        {"url": lambda w: f"/office/associations/{w.c.id}/consultations", "get": "L 404 404 200 404 200 200",
         "label": "C"},
        {"url": "/office/associations/999999/consultations", "get": "L 404 404 404 404 404 404", "label": "missing"},
    ],
    "office.handover_export": {"url": "/office/handover", "get": STAFF},
    "office.handover_download": [
        # A town outside the scope is refused next to the field (422), never downloaded.
        {"url": lambda w: f"/office/handover/download?municipality_id={w.town_x.id}", "get": "L 403 403 403 200 422 200",
         "label": "town X"},
        {"url": "/office/handover/download?municipality_id=abc", "get": "L 403 403 403 422 422 422", "label": "garbage"},
    ],
    "office.handover_transfer": {
        "url": "/office/handover/transfer", "get": "405", "post": "L 403 403 403 403 403 ok",
        "data": lambda w: {"municipality_id": w.town_x.id, "new_coordinator_id": w.users["coord_y"].id},
    },
}

SPEC.update(_report.SPEC)
