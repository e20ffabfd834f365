"""Erasure: a representative deletes their account, a coordinator anonymises an association."""

from sqlalchemy import func, select

from core.audit import AuditEvent, record
from core.models import Association, ConsentRecord, User
from exchange.models import Conversation, Message, Posting
from privacy import erasure
from surveys.models import SurveyAnswer, SurveyResponse
from tests.conftest import PASSWORD
from tests.privacy.conftest import A_NAME, BERND, BORIS, ZOFIA, mentions, results_of


def test_the_world_leaves_traces_of_zofia_everywhere(db, world):
    """The completeness search must find something before erasure, or its silence afterwards proves nothing."""
    tables = {table for table, _, _ in mentions(db, ZOFIA["email"], ZOFIA["name"])}
    assert {
        "users",
        "audit_events",
        "outbox_mails",
        "exchange_messages",
        "exchange_postings",
        "survey_answers",
        "survey_responses",
        "access_requests",
        "associations",
    } <= tables


def test_representative_deletes_own_account_and_every_trace_of_them_goes(db, world, auth, client):
    zofia_id = world.zofia.id
    auth.login_as(world.zofia)
    response = client.post("/privacy/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert db.session.get(User, zofia_id) is None
    assert mentions(db, ZOFIA["email"], ZOFIA["name"]) == []
    # Signed out: the next page asks for a sign-in.
    assert client.get("/privacy/").status_code == 302


def test_messages_stay_for_the_other_association_as_written_by_a_deleted_person(db, world):
    conversation_id = db.session.scalar(select(Conversation.id).where(Conversation.posting_id == world.own_posting.id))
    erasure.erase_user(world.zofia, world.zofia)
    db.session.commit()
    messages = db.session.scalars(select(Message).where(Message.conversation_id == conversation_id)).all()
    assert len(messages) == 2
    assert [m.author_id for m in messages][1] is None
    assert messages[1].body.startswith("Bis Samstag, [gelöscht]")
    posting = db.session.get(Posting, world.own_posting.id)
    assert (posting.contact_name, posting.contact_email, posting.share_contact) == ("", "", False)
    # The association's contact address was hers: emptied, not turned into a placeholder.
    association = db.session.get(Association, world.a.id)
    assert association.email == "" and association.description == "Ansprechpartnerin: [gelöscht]"


def test_consents_for_the_association_stay_as_proof_without_the_person(db, world):
    a_id = world.a.id
    erasure.erase_user(world.zofia, world.zofia)
    db.session.commit()
    records = db.session.scalars(select(ConsentRecord).where(ConsentRecord.association_id == a_id)).all()
    assert {r.kind for r in records} == {"directory", "network-visible"}
    assert all(r.user_id is None for r in records)
    assert db.session.scalar(select(func.count()).where(ConsentRecord.kind == "privacy")) == 0
    assert db.session.get(Association, a_id).is_listed


def test_wrong_password_keeps_the_account_and_says_why(db, world, auth, client):
    auth.login_as(world.zofia)
    response = client.post("/privacy/account/delete", data={"password": "falsch", "confirm": "y"})
    assert response.status_code == 200
    assert "Das Passwort ist nicht korrekt." in response.get_data(as_text=True)
    assert db.session.get(User, world.zofia.id) is not None


def test_erasure_audit_event_holds_no_personal_data(db, world):
    record(world.zofia, "posting.create", world.own_posting, ip_address="203.0.113.7")
    db.session.commit()
    erasure.erase_user(world.zofia, world.coordinator)
    db.session.commit()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase_account"))
    assert event.actor_id == world.coordinator.id
    assert ZOFIA["email"] not in str(event.details) and "Zofia" not in str(event.details)
    # The earlier event that named her is scrubbed, not deleted.
    invite = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "association.invite"))
    assert invite.details == {"name": "[gelöscht]", "email": "[gelöscht]"}
    own = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "posting.create"))
    assert (own.actor_id, own.actor_role, own.ip_address) == (None, "representative", "")


def test_coordinator_anonymises_association_and_survey_results_stay_the_same(db, world, auth, client):
    before = results_of(world.survey)
    a_id, b_id, boris_id = world.a.id, world.b.id, world.boris.id
    auth.login_as(world.coordinator)
    response = client.post(f"/privacy/associations/{a_id}/erase", data={"confirm_name": A_NAME, "confirm": "y"})
    assert response.status_code == 302
    assert results_of(world.survey) == before
    found = mentions(db, A_NAME, ZOFIA["email"], ZOFIA["name"], BERND["email"], BERND["name"], "07141 4711")
    assert found == []
    association = db.session.get(Association, a_id)
    assert association.name == f"Gelöschter Verein #{a_id}" and not association.is_listed
    assert db.session.scalar(select(func.count()).select_from(User).where(User.association_id == a_id)) == 0
    assert db.session.scalar(select(func.count()).where(Posting.association_id == a_id)) == 0
    assert db.session.scalar(select(func.count()).where(Conversation.replier_id == a_id)) == 0
    # Its answers are still there, free texts emptied; B and its people are untouched.
    response_id = db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.association_id == a_id))
    texts = db.session.scalars(
        select(SurveyAnswer.value_text).where(
            SurveyAnswer.response_id == response_id, SurveyAnswer.value_text.is_not(None)
        )
    ).all()
    assert texts and set(texts) == {""}
    assert db.session.get(User, boris_id).email == BORIS["email"]
    assert db.session.scalar(select(func.count()).where(Posting.association_id == b_id)) == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase_association"))
    assert (event.actor_id, event.target_id, event.details) == (world.coordinator.id, a_id, {})
    page = client.get(f"/privacy/associations/{a_id}").get_data(as_text=True)
    assert "Dieser Verein wurde anonymisiert." in page


def test_anonymising_needs_the_exact_name(db, world, auth, client):
    auth.login_as(world.coordinator)
    response = client.post(
        f"/privacy/associations/{world.a.id}/erase", data={"confirm_name": "Irgendwas", "confirm": "y"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="confirm_name-error"' in page and 'value="Irgendwas"' in page
    assert db.session.get(Association, world.a.id).name == A_NAME


def test_scrub_leaves_longer_words_and_other_addresses_alone(db, world, factory):
    other = factory.representative(world.b, name="Hanna", email="xzofia.quellenberg@example.org")
    erasure.erase_user(world.zofia, world.coordinator)
    db.session.commit()
    assert db.session.get(User, other.id).email == "xzofia.quellenberg@example.org"


def test_folded_copies_in_search_columns_go_too(db, world, factory):
    from core.text import fold
    from exchange import services
    from tests.privacy.conftest import posting_data

    juergen = factory.representative(world.b, name="Jürgen Größlinger", email="jg@example.org")
    services.create_posting(juergen, world.b, posting_data("Hilfe", description="Fragen an Jürgen Größlinger"))
    db.session.commit()
    assert mentions(db, *fold(juergen.name))
    erasure.erase_user(juergen, world.coordinator)
    db.session.commit()
    assert mentions(db, juergen.name, *fold(juergen.name), "jg@example.org") == []
