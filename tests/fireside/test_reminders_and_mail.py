"""`flask fireside remind` (idempotent) and invitation mails arriving at a real SMTP server with the .ics."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from core.mail import send_pending
from core.models import OutboxMail, utcnow
from fireside import services
from fireside.models import RsvpAnswer
from fireside.rsvp import answer


def subjects(db):
    return [m.subject for m in db.session.scalars(select(OutboxMail).order_by(OutboxMail.id))]


def test_remind_is_idempotent(db, runner, fs_town, make_chat):
    chat = make_chat(send=True, starts_at=(utcnow() + timedelta(hours=30)).replace(microsecond=0))
    answer(chat.invitations[0], RsvpAnswer.accept, ["A"])
    answer(chat.invitations[1], RsvpAnswer.decline)
    db.session.commit()
    before = len(subjects(db))
    first = runner.invoke(args=["fireside", "remind"])
    assert first.exit_code == 0, first.output
    assert "Reminders queued: 1; nudges to associations without an answer: 2." in first.output
    new = subjects(db)[before:]
    assert len(new) == 3 and "Reminder: Kamingespräch Herkunftssprachen" in new
    second = runner.invoke(args=["fireside", "remind"])
    assert "Reminders queued: 0; nudges to associations without an answer: 0." in second.output
    assert len(subjects(db)) == before + 3
    db.session.expire_all()
    assert chat.invitations[0].reminder_sent_at is not None
    assert chat.invitations[2].nudge_sent_at is not None and chat.invitations[1].nudge_sent_at is None


def test_nothing_is_due_long_before_the_chat(db, fs_town, make_chat):
    make_chat(send=True, starts_at=(utcnow() + timedelta(days=20)).replace(microsecond=0))
    assert services.send_reminders(48) == (0, 0)


def test_nudge_comes_before_the_cut_off_not_after(db, fs_town, make_chat):
    chat = make_chat(send=True, rsvp_cutoff_at=utcnow() + timedelta(hours=10))
    assert services.send_reminders(48, now=utcnow() + timedelta(hours=11)) == (0, 0)
    assert services.send_reminders(48) == (0, 4)
    assert services.send_reminders(48) == (0, 0)
    assert all(i.nudge_sent_at for i in chat.invitations)


def test_reminder_hours_come_from_the_config(app, runner, db, fs_town, make_chat):
    make_chat(send=True, starts_at=(utcnow() + timedelta(hours=60)).replace(microsecond=0))
    app.config["FIRESIDE_REMINDER_HOURS"] = 72
    result = runner.invoke(args=["fireside", "remind"])
    assert "nudges to associations without an answer: 4." in result.output


@pytest.fixture
def app_config(smtp_config):
    return smtp_config


def test_invitations_arrive_at_the_smtp_server_with_the_ics(db, fs_town, make_chat, smtp_server):
    chat = make_chat(send=True)
    sent, failed = send_pending()
    assert (sent, failed) == (4, 0)
    messages = smtp_server.wait_for(4)
    assert sorted(m["To"] for m in messages) == sorted(fs_town.rep(a).email for a in fs_town.members)
    message = next(m for m in messages if m["To"] == "rep1@verein.example.org")
    assert message.is_multipart()
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert "/fireside/r/" in body.get_payload(decode=True).decode()
    [calendar_part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_filename() == "fireside-chat.ics"
    calendar = Calendar.from_ical(calendar_part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == chat.ical_uid


def test_a_mail_without_attachment_stays_a_plain_text_mail(db, fs_town, smtp_server):
    from core.mail import queue_mail

    queue_mail("x@example.org", "Hallo", "mail/fireside_withdrawn.txt", chat=type("C", (), {"title": "T"})(),
               association=fs_town.associations[0])
    db.session.commit()
    assert send_pending() == (1, 0)
    [message] = smtp_server.wait_for(1)
    assert not message.is_multipart() and message.get_content_type() == "text/plain"
