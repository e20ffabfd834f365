"""With CSRF protection on (as in production), fireside POSTs without the token change nothing."""

import re

import pytest
from sqlalchemy import select

from core.audit import AuditEvent
from core.models import OutboxMail
from fireside.models import CalendarFeed, FiresideChat


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_posts_without_token_are_refused(client, auth, db, fs_town, make_chat):
    chat = make_chat(send=True)
    draft = make_chat(confirm_host=False, title="Entwurf")
    secret = re.search(r"/fireside/r/(\S+)", db.session.scalars(select(OutboxMail)).first().body_text).group(1)
    mails_before = len(db.session.scalars(select(OutboxMail)).all())
    assert client.post(f"/fireside/r/{secret}", data={"answer": "accept", "names": "X"}).status_code == 400
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    signed_in = client.post("/login", data={"email": fs_town.coordinator.email, "password": "correct-horse-battery",
                                            "csrf_token": token})
    assert signed_in.status_code == 302
    assert client.get(f"/fireside/chats/{chat.id}").status_code == 200
    for url in (f"/fireside/chats/{chat.id}/cancel", f"/fireside/chats/{draft.id}/send",
                f"/fireside/chats/{draft.id}/ask-host", f"/fireside/chats/{chat.id}/invitees"):
        response = client.post(url, data={"reason": "x", "association_id": fs_town.associations[4].id})
        assert response.status_code == 400, url
    db.session.expire_all()
    assert db.session.get(FiresideChat, chat.id).state.value == "invited"
    assert db.session.get(FiresideChat, draft.id).state.value == "draft"
    assert len(db.session.scalars(select(OutboxMail)).all()) == mails_before
    assert db.session.scalars(select(CalendarFeed)).all() == []
    assert not [e for e in db.session.scalars(select(AuditEvent)) if e.action in ("fireside.cancel", "fireside.invite")
                and e.target_id == draft.id]
