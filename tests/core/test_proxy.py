"""Behind a reverse proxy: the client's address (not the proxy's) reaches rate limits and the audit log."""

import pytest
from sqlalchemy import select

from core.audit import AuditEvent


@pytest.fixture
def app_config():
    return {"TRUSTED_PROXIES": 1}


def _failed_login(client, **headers):
    client.post("/login", data={"email": "nobody@example.org", "password": "wrong"}, headers=headers,
                environ_base={"REMOTE_ADDR": "10.0.0.2"})


def test_the_address_the_proxy_forwards_is_the_clients(client, db):
    _failed_login(client, **{"X-Forwarded-For": "203.0.113.9"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.failed"))
    assert event.ip_address == "203.0.113.9"


def test_only_the_trusted_hop_counts(client, db):
    # A client cannot smuggle an address in front: with one trusted proxy only the last entry counts.
    _failed_login(client, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.9"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.failed"))
    assert event.ip_address == "203.0.113.9"


class TestWithoutProxy:
    @pytest.fixture
    def app_config(self):
        return {"TRUSTED_PROXIES": 0}

    def test_forwarded_headers_are_ignored(self, client, db):
        _failed_login(client, **{"X-Forwarded-For": "203.0.113.9"})
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.failed"))
        assert event.ip_address == "10.0.0.2"
