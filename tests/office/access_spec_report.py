"""Access matrix entries for the report routes; merged into tests/office/access_spec.py.

Roles in order: anonymous, rep_a, rep_b, rep_c, coord_x, coord_y, admin. The report reads figures and
changes nothing (the downloads write an audit event, which is not a change a refusal must prevent): every
route is GET only. A town outside the scope is a field error (422) with no figures, never a 404 that
would tell an existing town from a missing one.
"""

STAFF = "L 403 403 403 200 200 200"
#: Town X chosen: coordinator Y gets the form back with "choose one of your municipalities".
TOWN_X = "L 403 403 403 200 422 200"
BAD = "L 403 403 403 422 422 422"
PERIOD = "start=2025-01-01&end=2025-12-31"


def build(world):
    """The report needs no objects of its own: the world's towns and associations are enough."""


def _cases(path):
    return [
        {"url": f"{path}?{PERIOD}", "get": STAFF},
        {"url": lambda w: f"{path}?municipality={w.town_x.id}&{PERIOD}", "get": TOWN_X, "label": "town X"},
        {"url": f"{path}?municipality=999999&{PERIOD}", "get": BAD, "label": "missing town"},
        {"url": f"{path}?start=2025-12-31&end=2025-01-01", "get": BAD, "label": "end before start"},
    ]


SPEC = {
    "office.report": [{"url": "/office/report", "get": STAFF, "label": "defaults"}, *_cases("/office/report")],
    "office.report_docx": _cases("/office/report.docx"),
    "office.report_csv": _cases("/office/report.csv"),
    "office.report_xlsx": _cases("/office/report.xlsx"),
}
