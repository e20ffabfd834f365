"""Walking every GET route of the app with the access matrix's world, for generic tests.

The URLs come from the access matrix (`tests/core/test_access_matrix.py` and the features'
`access_spec.py`), so a route added later is walked as soon as it has its matrix entry; a route
without one fails `test_access_matrix.py::test_every_route_has_an_entry` (and `unwalkable` lists it).
"""

from tests.core.test_access_matrix import FEATURE_BUILDERS, ROLES, SPEC, Case, World, client_for, expect

SIGNED_IN_ROLES = tuple(role for role in ROLES if role != "anonymous")


def full_world(app, db, factory):
    """The matrix world with the objects of every feature at once."""
    world = World(app, db, factory)
    for build in {builder for builder in FEATURE_BUILDERS.values()}:
        build(world)
    db.session.commit()
    return world


def get_rules(app):
    """Endpoint → its rule, for every rule that answers GET."""
    return {
        rule.endpoint: rule for rule in app.url_map.iter_rules() if rule.endpoint != "static" and "GET" in rule.methods
    }


def every_get_case(app):
    """(endpoint, case) for every GET route with a matrix entry, and for argument-free routes without one."""
    cases = []
    for rule in sorted(get_rules(app).values(), key=lambda r: r.endpoint):
        if rule.endpoint in SPEC:
            cases += [(rule.endpoint, case) for case in SPEC[rule.endpoint]]
        elif not rule.arguments:
            cases.append((rule.endpoint, Case(rule.rule, "L 200 200 200 200 200 200", label="no matrix entry")))
    return cases


def unwalkable(app):
    """GET routes with URL parameters but no matrix entry: nothing tells how to fill them in."""
    return sorted(r.endpoint for r in get_rules(app).values() if r.endpoint not in SPEC and r.arguments)


def roles_that_open(case):
    """Roles for which the matrix says the page opens (200)."""
    return [role for role, token in expect(case.get).items() if token == "200"]


def clients(app, world):
    return {role: client_for(app, world.user(role)) for role in ROLES}
