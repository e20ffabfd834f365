"""`flask privacy purge`: every retention step, idempotent, with a dry run that changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.audit import AuditEvent
from core.models import MailState, OutboxMail, Token, TokenPurpose, User, utcnow
from privacy.models import DataExport, InactivityWarning
from privacy.retention import purge
from surveys.models import SurveyInvitation, SurveyState, SurveyToken
from tests.core.test_access_matrix import snapshot


def count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def aged(db, world, factory):
    """One of each thing that is past its retention period, beside one that is not."""
    now = utcnow()
    old_token, _ = Token.issue(world.bernd, TokenPurpose.reset, timedelta(hours=2))
    old_token.expires_at = now - timedelta(days=8)
    # Survey links: the survey closed long ago.
    world.survey.state, world.survey.closed_at = SurveyState.closed, now - timedelta(days=31)
    for invitation in db.session.scalars(select(SurveyInvitation)):
        SurveyToken.issue(invitation)
    old_mail = OutboxMail(
        to_addr="x@example.org",
        subject="Alt",
        body_text="Geheimer Text",
        message_id="<old@x>",
        state=MailState.sent,
        sent_at=now - timedelta(days=31),
        attachment_name="a.ics",
        attachment_type="text/calendar",
        attachment_text="BEGIN:VCALENDAR",
    )
    new_mail = OutboxMail(
        to_addr="y@example.org",
        subject="Neu",
        body_text="Neuer Text",
        message_id="<new@x>",
        state=MailState.sent,
        sent_at=now - timedelta(days=2),
    )
    invited = factory.representative(world.a, name="Nie Angemeldet", email="never@example.org", password=False)
    invited.created_at = now - timedelta(days=91)
    fresh_invite = factory.representative(world.a, name="Frisch", email="fresh@example.org", password=False)
    fresh_invite.created_at = now - timedelta(days=91)
    Token.issue(fresh_invite, TokenPurpose.invite, timedelta(days=14))  # invited again: stays
    world.boris.last_login_at = now - timedelta(days=701)
    world.carla.last_login_at = now - timedelta(days=10)
    export, _ = DataExport.issue(world.zofia, timedelta(hours=24), user=world.zofia)
    export.expires_at = now - timedelta(minutes=1)
    old_event = AuditEvent(action="login.failed", actor_role="anonymous", ip_address="203.0.113.9",
                           created_at=now - timedelta(days=366))
    new_event = AuditEvent(action="login.failed", actor_role="anonymous", ip_address="203.0.113.10",
                           created_at=now - timedelta(days=364))
    db.session.add_all([old_mail, new_mail, old_event, new_event])
    db.session.commit()
    return {"invited": invited.id, "fresh": fresh_invite.id, "old_event": old_event.id, "new_event": new_event.id}


def test_purge_removes_each_category_once(db, world, aged):
    report = purge()
    db.session.commit()
    counts = report.counts
    assert counts["tokens"] == 1 and counts["survey_tokens"] == 2 and counts["data_exports"] == 1
    assert counts["mail_bodies"] == 1 and counts["unused_invitations"] == 1
    assert counts["inactive_warned"] == 1 and counts["inactive_erased"] == 0
    assert counts["audit_events"] == 1
    assert db.session.get(AuditEvent, aged["old_event"]) is None
    assert db.session.get(AuditEvent, aged["new_event"]) is not None
    assert count(db, SurveyToken) == 0 and count(db, DataExport) == 0
    assert count(db, Token) == 2  # Zofia's fresh reset link and the renewed invitation
    old = db.session.scalar(select(OutboxMail).where(OutboxMail.message_id == "<old@x>"))
    assert (old.body_text, old.attachment_text, old.attachment_name, old.subject) == ("", None, "", "Alt")
    assert db.session.scalar(select(OutboxMail.body_text).where(OutboxMail.message_id == "<new@x>")) == "Neuer Text"
    assert db.session.get(User, aged["invited"]) is None and db.session.get(User, aged["fresh"]) is not None
    # Boris is warned by e-mail and the time is on record.
    assert db.session.get(InactivityWarning, world.boris.id) is not None
    warning = db.session.scalar(select(OutboxMail).where(OutboxMail.to_addr == world.boris.email))
    assert "Vereinsnetz" in warning.body_text
    # Running it again does nothing more.
    again = purge()
    db.session.commit()
    assert set(again.counts.values()) == {0}


def test_dry_run_changes_nothing(db, world, aged):
    before = snapshot(db)
    report = purge(dry_run=True)
    db.session.rollback()
    assert snapshot(db) == before
    assert report.counts["tokens"] == 1 and report.counts["inactive_warned"] == 1
    assert report.counts["audit_events"] == 1 and db.session.get(AuditEvent, aged["old_event"]) is not None


def test_inactive_account_is_erased_only_after_the_warning_and_grace_period(db, world, app):
    now = utcnow()
    world.boris.last_login_at = now - timedelta(days=701)
    db.session.commit()
    purge(now)
    db.session.commit()
    # Even long past the delete limit, it waits the grace period after the warning.
    later = now + timedelta(days=29)
    assert purge(later).counts["inactive_erased"] == 0
    db.session.commit()
    report = purge(now + timedelta(days=31))
    db.session.commit()
    assert report.counts["inactive_erased"] == 1
    assert db.session.scalar(select(User).where(User.email == "boris.brandt@example.org")) is None


def test_signing_in_after_the_warning_starts_the_count_again(db, world):
    now = utcnow()
    world.boris.last_login_at = now - timedelta(days=701)
    db.session.commit()
    purge(now)
    world.boris.last_login_at = now + timedelta(days=1)
    db.session.commit()
    report = purge(now + timedelta(days=40))
    assert report.counts["inactive_erased"] == 0 and report.counts["inactive_warned"] == 0
    assert db.session.get(User, world.boris.id) is not None


def test_survey_links_of_open_surveys_stay(db, world):
    for invitation in db.session.scalars(select(SurveyInvitation)):
        SurveyToken.issue(invitation)
    db.session.commit()
    assert purge().counts["survey_tokens"] == 0
    assert count(db, SurveyToken) == 2


def test_cli_prints_what_it_did_and_dry_run_says_so(db, world, aged, runner):
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "[dry run] would be: expired or used sign-in links deleted: 1" in dry.output
    assert count(db, Token) == 3
    done = runner.invoke(args=["privacy", "purge"])
    assert "expired or used sign-in links deleted: 1" in done.output and "[dry run]" not in done.output
    assert "inactive accounts warned: 1" in done.output
    assert count(db, Token) == 2
    assert "deleted: 0" in runner.invoke(args=["privacy", "purge"]).output
    bad = runner.invoke(args=["privacy", "purge", "--now", "gestern"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_privacy_notice_shows_the_configured_periods(app, client):
    app.config["MAIL_RETENTION_DAYS"] = 45
    app.config["INACTIVE_ACCOUNT_WARN_DAYS"] = 333
    page = client.get("/legal/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "45 days after sending" in page and "after 333 days without sign-in" in page
    assert "One download within 24 hours" in page
    assert "Audit log" in page and "365 days" in page


def test_rsvp_links_of_past_fireside_chats_go(db, world):
    from fireside.models import ChatInvitation, ChatToken, FiresideChat

    now = utcnow()
    past = FiresideChat(
        municipality_id=world.town.id, title="Kamingespräch Frühjahr", starts_at=now - timedelta(days=40)
    )
    coming = FiresideChat(
        municipality_id=world.town.id, title="Kamingespräch Herbst", starts_at=now + timedelta(days=5)
    )
    for chat in (past, coming):
        invitation = ChatInvitation(chat=chat, association_id=world.a.id)
        db.session.add_all([chat, invitation])
        ChatToken.issue(invitation)
    db.session.commit()
    assert purge().counts["fireside_tokens"] == 1
    db.session.commit()
    assert db.session.scalars(select(ChatToken.invitation_id)).all() == [coming.invitations[0].id]
