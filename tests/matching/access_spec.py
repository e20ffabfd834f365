"""Who may use each matching route: the matching part of the access matrix (tests/core/test_access_matrix.py).

Roles in order: anonymous, rep_a, rep_b, rep_c, coord_x, coord_y, admin. Town X has A and B, town Y has C.
`build` gives town X a rule that suggests A and B together, a sub-network with A (and one in town Y with C),
and a dismissal; every URL below points at those objects.
"""

from matching import queries, services
from matching.engine import Partition, RuleKind, TopicGrouping
from matching.models import DismissedSuggestion, MatchRule


def _rule(municipality_id, name):
    return MatchRule(
        municipality_id=municipality_id, name=name, kind=RuleKind.shared_topic, topic_keys=["hsu"], categories=[],
        include_subtopics=True, grouping=TopicGrouping.parent, polarities=["activity"], partition=Partition.none,
        ignored_languages=[], min_size=2, max_size=10, min_facts=1, window_days=730, is_active=True,
    )


def build(world):
    db, f = world.db, world.factory
    for association, key in ((world.a, "hsu-tr"), (world.b, "hsu-ar"), (world.c, "hsu-it")):
        association.topics = [f.topic(key)]
    world.rule_x, world.rule_y = _rule(world.town_x.id, "HSU X"), _rule(world.town_y.id, "HSU Y")
    db.session.add_all([world.rule_x, world.rule_y])
    db.session.flush()
    coordinator = world.users["coord_x"]
    world.network_x = services.create_network(world.town_x.id, {"name": "Netz X", "topic_keys": ["hsu"]}, coordinator)
    world.member_a = services.add_member(world.network_x, world.a, "Gründungsmitglied", coordinator)
    world.network_y = services.create_network(world.town_y.id, {"name": "Netz Y", "topic_keys": ["hsu"]}, coordinator)
    services.add_member(world.network_y, world.c, "Gründungsmitglied", coordinator)
    # A second, unrelated group in X to dismiss; the HSU group of A and B stays suggested.
    world.dismissal_x = DismissedSuggestion(
        municipality_id=world.town_x.id, rule_id=world.rule_x.id, group_key="rooms", title="Räume",
        fingerprint="0" * 32, member_ids=[world.a.id, world.b.id], reason="Passt nicht",
    )
    db.session.add(world.dismissal_x)
    db.session.flush()


def _suggestion(world):
    """A and B share heritage-language teaching; "Netz X" covers it and holds A, so B is proposed for it."""
    [suggestion] = queries.compute(world.town_x.id).suggestions
    return suggestion


def _key(world):
    return _suggestion(world).key


def _accept_data(world):
    return {"name": "Neues Netz", "fingerprint": _suggestion(world).fingerprint}


def _dismiss_data(world):
    return {"reason": "Kein Bedarf", "fingerprint": _suggestion(world).fingerprint}


def _x(path):
    return lambda w: f"/matching/{w.town_x.id}{path}"


STAFF_X = "L 403 403 403 200 404 200"
STAFF_X_POST = "L 403 403 403 ok 404 ok"
STAFF_Y = "L 403 403 403 404 200 200"
REPS_ONLY = "L 200 200 200 403 403 403"

SPEC = {
    "matching.index": {"url": "/matching/", "get": "L R R R R R 200"},
    "matching.suggestions": [
        {"url": _x("/suggestions"), "get": STAFF_X, "label": "town X"},
        {"url": lambda w: f"/matching/{w.town_y.id}/suggestions", "get": STAFF_Y, "label": "town Y"},
        {"url": "/matching/999999/suggestions", "get": "L 403 403 403 404 404 404", "label": "missing town"},
    ],
    "matching.run": {"url": _x("/run"), "get": "405", "post": STAFF_X_POST},
    "matching.suggestion": [
        {"url": lambda w: f"/matching/{w.town_x.id}/suggestions/{_key(w)}", "get": STAFF_X},
        {"url": _x("/suggestions/r1-000000000000"), "get": "L 403 403 403 R 404 R", "label": "no longer current"},
    ],
    "matching.accept": {"url": lambda w: f"/matching/{w.town_x.id}/suggestions/{_key(w)}/accept", "get": "405",
                        "post": STAFF_X_POST, "data": _accept_data},
    "matching.dismiss": {"url": lambda w: f"/matching/{w.town_x.id}/suggestions/{_key(w)}/dismiss", "get": "405",
                         "post": STAFF_X_POST, "data": _dismiss_data},
    "matching.dismissed": {"url": _x("/dismissed"), "get": STAFF_X},
    "matching.restore": {"url": lambda w: f"/matching/dismissed/{w.dismissal_x.id}/restore", "get": "405",
                         "post": STAFF_X_POST},
    "matching.overview": {"url": _x("/overview"), "get": STAFF_X},
    "matching.networks": {"url": _x("/networks"), "get": STAFF_X},
    "matching.new_network": {"url": _x("/networks/new"), "get": STAFF_X, "post": STAFF_X_POST,
                             "data": {"name": "Per Hand", "status": "active"}},
    "matching.network": [
        {"url": lambda w: f"/matching/networks/{w.network_x.id}", "get": STAFF_X, "label": "town X"},
        {"url": lambda w: f"/matching/networks/{w.network_y.id}", "get": STAFF_Y, "label": "town Y"},
        {"url": "/matching/networks/999999", "get": "L 403 403 403 404 404 404", "label": "missing"},
    ],
    "matching.edit_network": {"url": lambda w: f"/matching/networks/{w.network_x.id}/edit", "get": STAFF_X,
                              "post": STAFF_X_POST, "data": {"name": "Netz X neu", "status": "dormant"}},
    "matching.add_member": [
        {"url": lambda w: f"/matching/networks/{w.network_x.id}/members", "get": "405", "post": STAFF_X_POST,
         "data": lambda w: {"association_id": w.b.id, "reason": "Gehört dazu"}},
        {"url": lambda w: f"/matching/networks/{w.network_x.id}/members", "get": "405",
         # C belongs to town Y: not among the choices, so the form is shown again and nothing changes.
         "post": "L 403 403 403 422 404 422", "data": lambda w: {"association_id": w.c.id, "reason": "Fremd"},
         "label": "association of another town"},
    ],
    "matching.remove_member": {
        "url": lambda w: f"/matching/networks/{w.network_x.id}/members/{w.member_a.id}/remove", "get": STAFF_X,
        "post": STAFF_X_POST, "data": {"reason": "Kein Unterricht mehr"}},
    "matching.rules": {"url": _x("/rules"), "get": STAFF_X},
    "matching.new_rule": {
        "url": _x("/rules/new"), "get": STAFF_X, "post": STAFF_X_POST,
        "data": {"name": "Räume", "kind": "shared_topic", "topic_keys": ["rooms"], "grouping": "parent",
                 "polarities": ["interest"], "partition": "none", "min_size": "2", "max_size": "5",
                 "min_facts": "1", "window_days": "365"}},
    "matching.edit_rule": [
        {"url": lambda w: f"/matching/rules/{w.rule_x.id}/edit", "get": STAFF_X, "post": STAFF_X_POST,
         "data": {"name": "HSU X neu", "kind": "shared_topic", "topic_keys": ["hsu"], "grouping": "parent",
                  "polarities": ["activity"], "partition": "none", "min_size": "2", "max_size": "5",
                  "min_facts": "1", "window_days": "365"}},
        {"url": lambda w: f"/matching/rules/{w.rule_y.id}/edit", "get": STAFF_Y, "label": "town Y",
         "post": "L 403 403 403 404 ok ok",
         "data": {"name": "HSU Y neu", "kind": "shared_topic", "topic_keys": ["hsu"], "grouping": "parent",
                  "polarities": ["activity"], "partition": "none", "min_size": "2", "max_size": "5",
                  "min_facts": "1", "window_days": "365"}},
    ],
    "matching.delete_rule": {"url": lambda w: f"/matching/rules/{w.rule_x.id}/delete", "get": "405",
                             "post": STAFF_X_POST},
    "matching.restore_defaults": {"url": _x("/rules/defaults"), "get": "405", "post": STAFF_X_POST},
    "matching.my_networks": {"url": "/matching/my", "get": REPS_ONLY},
    "matching.my_network": [
        {"url": lambda w: f"/matching/my/{w.network_x.id}", "get": "L 200 404 404 403 403 403", "label": "A's network"},
        {"url": lambda w: f"/matching/my/{w.network_y.id}", "get": "L 404 404 200 403 403 403", "label": "C's network"},
    ],
    "matching.leave": {"url": lambda w: f"/matching/my/{w.network_x.id}/leave", "get": "405",
                       "post": "L ok 404 404 403 403 403", "data": {"reason": ""}},
    "matching.networking": [
        {"url": lambda w: f"/matching/association/{w.a.id}/networking", "get": "L 200 404 404 200 404 200",
         # Only the association's own representatives change its choices; staff may look.
         "post": "L ok 404 404 403 404 403", "data": {"is_enabled": "y", "is_visible": "y"}},
        {"url": lambda w: f"/matching/association/{w.c.id}/networking", "get": "L 404 404 200 404 200 200",
         "post": "L 404 404 ok 404 403 403", "data": {"is_visible": "y"}, "label": "C"},
    ],
}
