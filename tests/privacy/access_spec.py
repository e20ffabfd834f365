"""Who may use each privacy route: the privacy part of the access matrix (tests/core/test_access_matrix.py).

Roles in order: anonymous, rep_a, rep_b, rep_c, coord_x, coord_y, admin. Town X has A and B, town Y has C.
`build` gives rep A a prepared data export and a directory consent of A given by rep A.
"""

from datetime import timedelta

from core.models import ConsentRecord
from privacy.models import DataExport
from tests.conftest import PASSWORD


def build(world):
    _, world.export_secret = DataExport.issue(world.users["rep_a"], timedelta(hours=1), user=world.users["rep_a"])
    world.consent_a = ConsentRecord(
        kind="directory", text_version="test", association_id=world.a.id, user_id=world.users["rep_a"].id
    )
    world.db.session.add(world.consent_a)
    world.db.session.flush()


def _a(suffix=""):
    return lambda w: f"/privacy/associations/{w.a.id}{suffix}"


SPEC = {
    "privacy.index": {"url": "/privacy/", "get": "L 200 200 200 200 200 200"},
    "privacy.export_own": {"url": "/privacy/export", "get": "405", "post": "L ok ok ok ok ok ok"},
    "privacy.export_association": [
        {"url": _a("/export"), "get": "405", "post": "L ok 404 404 ok 404 ok", "label": "A"},
        {
            "url": "/privacy/associations/999999/export",
            "get": "405",
            "post": "L 404 404 404 404 404 404",
            "label": "missing",
        },
    ],
    "privacy.download": [
        {
            "url": lambda w: f"/privacy/download/{w.export_secret}",
            "get": "L 200 403 403 403 403 403",
            "post": "L ok 403 403 403 403 403",
            "label": "rep A's export",
        },
        {
            "url": "/privacy/download/not-a-real-token",
            "get": "L 404 404 404 404 404 404",
            "post": "L 404 404 404 404 404 404",
            "label": "unknown",
        },
    ],
    "privacy.withdraw_consent": [
        {
            "url": lambda w: f"/privacy/consents/{w.consent_a.id}/withdraw",
            "get": "405",
            "post": "L ok 404 404 404 404 404",
            "label": "A's directory consent",
        },
        {
            "url": "/privacy/consents/999999/withdraw",
            "get": "405",
            "post": "L 404 404 404 404 404 404",
            "label": "missing",
        },
    ],
    "privacy.delete_account": {
        "url": "/privacy/account/delete",
        "get": "405",
        "post": "L ok ok ok 403 403 403",
        "data": {"password": PASSWORD, "confirm": "y"},
    },
    "privacy.association": [
        {"url": _a(), "get": "L 403 403 403 200 404 200", "label": "A"},
        {"url": "/privacy/associations/999999", "get": "L 403 403 403 404 404 404", "label": "missing"},
    ],
    # Anonymising A erases rep A's account: the case with A comes last.
    "privacy.erase_association": [
        {
            "url": "/privacy/associations/999999/erase",
            "get": "405",
            "post": "L 403 403 403 404 404 404",
            "data": {"confirm_name": "Verein A", "confirm": "y"},
            "label": "missing",
        },
        {
            "url": _a("/erase"),
            "get": "405",
            "post": "L 403 403 403 ok 404 ok",
            "data": {"confirm_name": "Verein A", "confirm": "y"},
            "label": "A",
        },
    ],
}
