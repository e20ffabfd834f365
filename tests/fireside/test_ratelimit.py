"""The personal links and the calendar feeds are rate limited (guessing secrets is slowed down)."""

import pytest


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "TOKEN_RATE_LIMIT": "3 per minute"}


@pytest.mark.parametrize("path", ["/fireside/r/guess-{n}", "/fireside/r/guess-{n}/chat.ics", "/fireside/feed/guess-{n}.ics"])
def test_guessing_links_is_slowed_down(client, path):
    statuses = [client.get(path.format(n=n)).status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
