"""Every matching route for every role (the spec in access_spec.py), and what the pages let through."""

import pytest

from tests.core.test_access_matrix import World, _as_cases, client_for, run_case
from tests.matching import access_spec


@pytest.fixture
def world(app, db, factory):
    world = World(app, db, factory)
    access_spec.build(world)
    db.session.commit()
    return world


def test_spec_covers_every_matching_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("matching.")}
    assert endpoints == set(access_spec.SPEC)


@pytest.mark.parametrize("endpoint", sorted(access_spec.SPEC))
def test_access(endpoint, world):
    for case in _as_cases(access_spec.SPEC[endpoint]):
        run_case(world, endpoint, case)


def page(world, role, url):
    response = client_for(world.app, world.user(role)).get(url)
    assert response.status_code == 200, (role, url, response.status_code)
    return response.get_data(as_text=True)


def test_coordinators_see_only_their_towns_suggestions_and_networks(world):
    x = page(world, "coord_x", f"/matching/{world.town_x.id}/suggestions")
    assert "Verein B" in x and "Verein C" not in x
    networks_y = page(world, "coord_y", f"/matching/{world.town_y.id}/networks")
    assert "Netz Y" in networks_y and "Netz X" not in networks_y
    overview_y = page(world, "coord_y", f"/matching/{world.town_y.id}/overview")
    assert "Verein A" not in overview_y and "Verein B" not in overview_y
    chooser = page(world, "admin", "/matching/")
    assert "Stadt X" in chooser and "Stadt Y" in chooser


def test_representatives_see_only_their_own_networks(world):
    assert "Netz X" in page(world, "rep_a", "/matching/my")
    assert "Netz X" not in page(world, "rep_b", "/matching/my")
    assert "Netz Y" in page(world, "rep_c", "/matching/my") and "Netz X" not in page(world, "rep_c", "/matching/my")


def test_the_add_member_form_offers_only_associations_of_the_networks_town(world):
    form = page(world, "admin", f"/matching/networks/{world.network_x.id}")
    options = form[form.index('id="association_id"'):form.index("</select>", form.index('id="association_id"'))]
    assert "Verein B" in options and "Verein C" not in options and "Verein A" not in options
