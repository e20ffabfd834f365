"""Export requests are rate-limited per person."""

import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "DATA_EXPORT_RATE_LIMIT": "2 per hour"}


def test_export_requests_are_limited_per_person(db, world, auth, client):
    auth.login_as(world.zofia)
    assert client.post("/privacy/export").status_code == 302
    assert client.post(f"/privacy/associations/{world.a.id}/export").status_code == 302
    assert client.post("/privacy/export").status_code == 429
    auth.logout()
    auth.login_as(world.bernd)
    assert client.post("/privacy/export").status_code == 302
