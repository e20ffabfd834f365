"""The coordinator's desk and the representative's start page: what needs attention, with links, in scope."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.models import AccessRequest, OutboxMail, utcnow
from exchange.models import Category, Conversation, Message, Posting, PostingKind, Report
from fireside.models import (
    ChatInvitation,
    ChatState,
    FiresideChat,
    FollowUp,
    InvitationState,
    RsvpAnswer,
)
from matching.models import MatchingRun, RunTrigger
from tests.conftest import count_queries
from tests.surveys.conftest import SurveyKit


class Desk:
    """Builds one item of every kind the desk shows, for a town."""

    def __init__(self, w, db, factory):
        self.w, self.db, self.factory = w, db, factory
        self.surveys = SurveyKit(db, factory)

    def access_request(self, town, name):
        request = AccessRequest(municipality_id=town.id, association_name=name, contact_name="Frau B",
                                email=f"{abs(hash(name))}@example.org", privacy_version="t")
        self.db.session.add(request)
        return request

    def posting(self, association, title, expires_in_days=40):
        posting = Posting(municipality_id=association.municipality_id, association_id=association.id,
                          kind=PostingKind.offer, category=Category.rooms, title=title,
                          expires_at=utcnow() + timedelta(days=expires_in_days))
        self.db.session.add(posting)
        self.db.session.flush()
        return posting

    def report(self, association, title):
        posting = self.posting(association, title)
        self.db.session.add(Report(municipality_id=association.municipality_id, posting_id=posting.id, reason="Spam"))

    def matcher_run(self, town, fingerprints):
        self.db.session.add(MatchingRun(municipality_id=town.id, trigger=RunTrigger.auto, input_hash="x",
                                        fingerprints=fingerprints, suggestion_count=len(fingerprints)))
        self.db.session.flush()

    def chat(self, town, title, answers, days=10):
        chat = FiresideChat(municipality_id=town.id, title=title, state=ChatState.invited,
                            starts_at=utcnow() + timedelta(days=days))
        self.db.session.add(chat)
        self.db.session.flush()
        for number, answer in enumerate(answers):
            association = self.factory.association(town, f"{title} Gast {number}")
            self.db.session.add(ChatInvitation(chat_id=chat.id, association_id=association.id, answer=answer,
                                               state=InvitationState.invited, invited_at=utcnow()))
        return chat

    def follow_up(self, chat, owner, title, due_in_days):
        self.db.session.add(FollowUp(chat_id=chat.id, title=title, owner_association_id=owner.id,
                                     due_on=self.w_today() + timedelta(days=due_in_days)))

    def w_today(self):
        from surveys.models import local_today

        return local_today()

    def everything(self, town, association, tag):
        """One item of each kind in the town, named with the tag."""
        self.access_request(town, f"Anfrage {tag}")
        self.report(association, f"Gemeldet {tag}")
        self.matcher_run(town, {"r1-a": "1", "r1-b": "2"})
        self.matcher_run(town, {"r1-a": "1", "r1-b": "3", "r1-c": "4"})
        chat = self.chat(town, f"Kamingespräch {tag}", [RsvpAnswer.accept, RsvpAnswer.accept, RsvpAnswer.maybe,
                                                        RsvpAnswer.decline, RsvpAnswer.pending])
        self.follow_up(chat, association, f"Raumliste {tag}", -2)
        self.w.consult(association, next_step=f"Antrag prüfen {tag}", next_step_due=self.w_today() - timedelta(days=1))
        self.db.session.commit()
        survey = self.surveys.survey(town, self.w.coordinator if town is self.w.town else self.w.coordinator_y,
                                     invite=[association], closes_in=5, title=f"Umfrage {tag}")
        return survey


@pytest.fixture
def desk(office_world, db, factory):
    return Desk(office_world, db, factory)


def test_coordinator_desk_shows_what_needs_attention_with_links(office_world, desk, client, auth):
    w = office_world
    survey = desk.everything(w.town, w.a, "X")
    desk.everything(w.town_y, w.c, "Y")
    auth.login_as(w.coordinator)
    html = client.get("/office/").get_data(as_text=True)
    for text in ("Anfrage X", "Gemeldet X", "Kamingespräch X", "Raumliste X", "Antrag prüfen X", "Umfrage X"):
        assert text in html
    for text in ("Anfrage Y", "Gemeldet Y", "Kamingespräch Y", "Raumliste Y", "Antrag prüfen Y", "Umfrage Y"):
        assert text not in html, "another town's items never show"
    assert 'href="/associations/requests"' in html and 'href="/exchange/reports"' in html
    assert f'action="/surveys/{survey.id}/remind"' in html and "0 of 1 (0 %)" in html
    assert f'href="/matching/{w.town.id}/suggestions"' in html and "3 suggestions" in html and "2 new" in html
    # RSVP counts: 2 coming, 1 maybe, 1 declined, 1 without answer.
    chat = office_world.db.session.scalar(select(FiresideChat).where(FiresideChat.title == "Kamingespräch X"))
    row = html[html.index("Kamingespräch X"):]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[1:6]][1:] == ["2", "1", "1", "1"]
    assert f"/fireside/chats/{chat.id}" in html
    assert "overdue since" in html and "Mark as done" in html


def test_remind_button_on_the_desk_sends_reminders(office_world, desk, client, auth, db):
    w = office_world
    survey = desk.surveys.survey(w.town, w.coordinator, invite=[w.a, w.b], closes_in=3)
    auth.login_as(w.coordinator)
    before = db.session.query(OutboxMail).count()
    response = client.post(f"/surveys/{survey.id}/remind")
    assert response.status_code == 302
    assert db.session.query(OutboxMail).count() > before


def test_quiet_desk_says_so(office_world, client, auth):
    auth.login_as(office_world.coordinator)
    assert "Nothing needs your attention right now." in client.get("/office/").get_data(as_text=True)


def test_desk_query_count_does_not_grow_with_the_data(office_world, desk, client, auth, app, db):
    w = office_world
    auth.login_as(w.admin)
    client.get("/office/")  # warm up (session, translations)
    desk.everything(w.town, w.a, "1")
    with count_queries(db.engine) as few:
        assert client.get("/office/").status_code == 200
    for tag in ("2", "3"):
        desk.everything(w.town, w.b, f"X{tag}")
        desk.everything(w.town_y, w.c, f"Y{tag}")
    with count_queries(db.engine) as many:
        html = client.get("/office/").get_data(as_text=True)
    assert "Kamingespräch Y3" in html and "Raumliste X3" in html
    assert len(many) == len(few), "\n".join(many)


def test_representative_start_page_shows_their_association_only(office_world, desk, client, auth, db):
    w = office_world
    desk.surveys.survey(w.town, w.coordinator, invite=[w.a], title="Bedarfserhebung A")
    desk.surveys.survey(w.town, w.coordinator, invite=[w.b], title="Bedarfserhebung B")
    own = desk.posting(w.a, "Saal zu vergeben", expires_in_days=5)
    desk.posting(w.a, "Noch lange da", expires_in_days=60)
    desk.posting(w.b, "Anderer Verein läuft aus", expires_in_days=5)
    conversation = Conversation(posting_id=own.id, municipality_id=w.town.id, poster_id=w.a.id, replier_id=w.b.id)
    db.session.add(conversation)
    db.session.flush()
    db.session.add_all([Message(conversation_id=conversation.id, association_id=w.b.id, body="Hallo!"),
                        Message(conversation_id=conversation.id, association_id=w.b.id, body="Noch da?")])
    chat = desk.chat(w.town, "Kamingespräch Jugend", [])
    db.session.add(ChatInvitation(chat_id=chat.id, association_id=w.a.id, invited_at=utcnow()))
    db.session.commit()
    w.consult(w.a, next_step="Finanzplan schicken", next_step_due=desk.w_today() + timedelta(days=3),
              internal_notes="Geheime Notiz")
    w.consult(w.b, next_step="Satzung prüfen")
    auth.login_as(w.rep_a)
    html = client.get("/office/start").get_data(as_text=True)
    assert "Bedarfserhebung A" in html and "Bedarfserhebung B" not in html
    assert "2 unread messages" in html
    assert "Kamingespräch Jugend" in html and f"/fireside/chats/{chat.id}/answer" in html
    assert "Saal zu vergeben" in html and "Noch lange da" not in html and "Anderer Verein" not in html
    assert "Finanzplan schicken" in html and "Satzung prüfen" not in html
    assert "Geheime Notiz" not in html


def test_landing_pages(office_world, client, auth):
    w = office_world
    assert auth.login_as(w.coordinator).headers["Location"] == "/office/"
    assert client.get("/").headers["Location"] == "/office/"
    auth.logout()
    assert auth.login_as(w.rep_a).headers["Location"] == "/office/start"
    assert client.get("/").headers["Location"] == "/office/start"
    assert client.get("/office/").status_code == 403
    auth.logout()
    auth.login_as(w.admin)
    assert client.get("/office/start").headers["Location"] == "/office/"
