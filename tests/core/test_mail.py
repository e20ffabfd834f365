"""The mail outbox against a real SMTP server on loopback: delivery, retries, no duplicates."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.accounts.services import invite_user
from core.mail import STALE_CLAIM, backoff, queue_mail, send_pending
from core.models import MailState, OutboxMail, Role, utcnow
from tests.conftest import free_port

#: A small German catalogue of our own, so the language test does not depend on the state of
#: translations/ (the real catalogue is checked where the translations are tested).
GERMAN = {
    "Invitation to Vereinsnetz": "Einladung zu Vereinsnetz",
    "Hello %(name)s,": "Hallo %(name)s,",
}


@pytest.fixture
def translations_dir(own_catalogue):
    return own_catalogue(GERMAN)


@pytest.fixture
def app_config(smtp_config, translations_dir):
    return {**smtp_config, "MAIL_MAX_ATTEMPTS": 3, "BABEL_TRANSLATION_DIRECTORIES": str(translations_dir)}


@pytest.fixture
def closed_port(app):
    """Point the app at a loopback port where no SMTP server listens."""
    port, app.config["MAIL_PORT"] = app.config["MAIL_PORT"], free_port()
    yield
    app.config["MAIL_PORT"] = port


def body_of(message):
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def by_recipient(messages):
    return {message["To"]: message for message in messages}


def outbox(db):
    db.session.expire_all()
    return db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()


def queue_plain(db, count=1, prefix="person"):
    for n in range(count):
        queue_mail(
            f"{prefix}{n}@example.org", f"Nachricht {n}", "mail/access_request_declined.txt", request=_DeclinedRequest()
        )
    db.session.commit()


class _DeclinedRequest:
    association_name = "Kulturverein Brücke"
    contact_name = "Ayşe Demir"
    decision_note = "Bitte melden Sie sich bei der Stadt."


def test_flask_mail_send_delivers_invitations_in_the_recipients_language(db, factory, runner, smtp_server):
    association = factory.association(name="Deutsch-Türkischer Elternverein")
    invite_user(
        None, email="en@example.org", name="Emma", locale="en", role=Role.representative, association=association
    )
    invite_user(
        None, email="de@example.org", name="Deniz", locale="de", role=Role.representative, association=association
    )
    db.session.commit()

    result = runner.invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    received = by_recipient(smtp_server.messages)
    assert set(received) == {"en@example.org", "de@example.org"}
    rows = {mail.to_addr: mail for mail in outbox(db)}
    english, german = received["en@example.org"], received["de@example.org"]
    assert english["Subject"] == "Invitation to Vereinsnetz"
    assert english["Message-ID"] == rows["en@example.org"].message_id
    assert german["Message-ID"] == rows["de@example.org"].message_id != english["Message-ID"]
    assert (english["Content-Language"], german["Content-Language"]) == ("en", "de")
    assert "has invited you to Vereinsnetz to speak for Deutsch-Türkischer Elternverein" in body_of(english)
    assert "Deutsch-Türkischer Elternverein" in body_of(german)
    assert "http://localhost/invite/" in body_of(english)
    assert english["From"] == "Vereinsnetz <no-reply@vereinsnetz.localhost>"
    assert all(mail.state is MailState.sent and mail.attempts == 1 and mail.sent_at for mail in rows.values())


def test_recipients_language_wins_over_the_senders(app, db, factory, smtp_server):
    """A German coordinator's request produces an English mail for an English-speaking person."""
    invite_user(None, email="en@example.org", name="Emma", locale="en", role=Role.coordinator)
    invite_user(None, email="de@example.org", name="Deniz", locale="de", role=Role.coordinator)
    with app.test_request_context(headers={"Accept-Language": "de"}):
        invite_user(None, email="en2@example.org", name="Eric", locale="en", role=Role.coordinator)
    db.session.commit()
    send_pending()
    received = by_recipient(smtp_server.messages)
    assert received["de@example.org"]["Subject"] == "Einladung zu Vereinsnetz"
    assert body_of(received["de@example.org"]).startswith("Hallo Deniz,")
    for address, name in (("en@example.org", "Emma"), ("en2@example.org", "Eric")):
        assert received[address]["Subject"] == "Invitation to Vereinsnetz"
        assert body_of(received[address]).startswith(f"Hello {name},")


def test_second_pass_sends_nothing_twice(db, runner, smtp_server):
    queue_plain(db, 3)
    assert "3 sent" in runner.invoke(args=["mail", "send"]).output
    result = runner.invoke(args=["mail", "send"])
    assert "0 sent" in result.output
    assert len(smtp_server.messages) == 3
    assert sorted(m["To"] for m in smtp_server.messages) == [f"person{n}@example.org" for n in range(3)]


def test_server_down_postpones_with_backoff_and_loses_nothing(app, db, runner, smtp_server, closed_port):
    queue_plain(db, 2)
    before = utcnow()

    result = runner.invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert "0 sent, 2 failed or postponed" in result.output
    for mail in outbox(db):
        assert mail.state is MailState.pending
        assert mail.attempts == 1
        assert mail.next_attempt_at > before
        assert "ConnectionRefusedError" in mail.last_error
    assert smtp_server.messages == []


def test_server_back_up_delivers_exactly_once_when_due(app, db, smtp_server):
    queue_plain(db, 2)
    port, app.config["MAIL_PORT"] = app.config["MAIL_PORT"], free_port()
    send_pending()
    app.config["MAIL_PORT"] = port  # the server is back

    assert send_pending() == (0, 0)  # not yet due: the backoff is respected
    assert smtp_server.messages == []

    later = utcnow() + backoff(1) + timedelta(seconds=1)
    assert send_pending(now=later) == (2, 0)
    assert send_pending(now=later + timedelta(hours=1)) == (0, 0)
    assert len(smtp_server.messages) == 2
    assert all(mail.state is MailState.sent and mail.attempts == 2 for mail in outbox(db))


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(30) == timedelta(hours=6)


def test_mail_fails_after_max_attempts(app, db, smtp_server, closed_port):
    queue_plain(db, 1)
    now = utcnow()
    for attempt in range(1, 4):
        send_pending(now=now)
        (mail,) = outbox(db)
        assert mail.attempts == attempt
        now = mail.next_attempt_at + timedelta(seconds=1)
    assert mail.state is MailState.failed
    assert send_pending(now=now + timedelta(days=1)) == (0, 0)
    assert outbox(db)[0].attempts == 3


def test_concurrent_senders_never_deliver_one_mail_twice(app, db, smtp_server):
    queue_plain(db, 40)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                barrier.wait()
                results.append(send_pending())
        except Exception as error:  # surfaced below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    ids = [message["Message-ID"] for message in smtp_server.messages]
    assert len(ids) == len(set(ids)) == 40
    assert sum(sent for sent, _ in results) == 40
    assert all(mail.state is MailState.sent and mail.attempts == 1 for mail in outbox(db))


def test_stale_claim_is_retried_but_a_fresh_one_is_left_alone(db, smtp_server):
    queue_plain(db, 2)
    stale, fresh = outbox(db)
    stale.state = fresh.state = MailState.sending
    stale.claimed_at = utcnow() - STALE_CLAIM - timedelta(minutes=1)
    fresh.claimed_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert send_pending() == (1, 0)

    assert [m["To"] for m in smtp_server.messages] == ["person0@example.org"]
    stale, fresh = outbox(db)
    assert stale.state is MailState.sent
    assert fresh.state is MailState.sending


def test_console_backend_prints_the_mail(app, db, runner, smtp_server):
    app.config["MAIL_BACKEND"] = "console"
    queue_mail(
        "ayse@example.org", "Grüße aus dem Rathaus", "mail/access_request_declined.txt", request=_DeclinedRequest()
    )
    db.session.commit()

    result = runner.invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert "To: ayse@example.org" in result.output
    assert "Grüße aus dem Rathaus" in result.output
    assert "Bitte melden Sie sich bei der Stadt." in result.output
    assert smtp_server.messages == []
    assert outbox(db)[0].state is MailState.sent


def test_queue_mail_is_part_of_the_callers_transaction(db, smtp_server):
    """A rolled-back request sends nothing: the mail never reached the outbox."""
    queue_mail("nobody@example.org", "Verworfen", "mail/access_request_declined.txt", request=_DeclinedRequest())
    db.session.rollback()
    assert send_pending() == (0, 0)
    assert outbox(db) == []


class PickySMTPServer:
    """A real SMTP server that refuses some recipients: unknown… for good (550), busy… for now (451),
    and the sender blocked@…"""

    def __init__(self):
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Message

        sink = self
        self.messages = []

        class Handler(Message):
            async def handle_MAIL(self, server, session, envelope, address, mail_options):
                if address.startswith("blocked"):
                    return "553 5.7.1 Sender address rejected"
                envelope.mail_from = address
                return "250 OK"

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.startswith("unknown"):
                    return "550 5.1.1 No such user"
                if address.startswith("busy"):
                    return "451 4.2.1 Mailbox busy, try again later"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            def handle_message(self, message):
                sink.messages.append(message)

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)


@pytest.fixture
def picky_server(app):
    server = PickySMTPServer()
    server.controller.start()
    port, app.config["MAIL_PORT"] = app.config["MAIL_PORT"], server.port
    yield server
    app.config["MAIL_PORT"] = port
    server.controller.stop()


def test_refused_recipients_fail_for_good_or_wait_while_others_are_delivered(db, picky_server):
    for address in ("unknown@example.org", "busy@example.org", "ok@example.org"):
        queue_mail(address, "Hallo", "mail/access_request_declined.txt", request=_DeclinedRequest())
    db.session.commit()

    assert send_pending() == (1, 2)

    unknown, busy, ok = outbox(db)
    assert [m["To"] for m in picky_server.messages] == ["ok@example.org"]
    assert ok.state is MailState.sent
    assert (unknown.state, unknown.attempts) == (MailState.failed, 1)
    assert "550" in unknown.last_error
    assert (busy.state, busy.attempts) == (MailState.pending, 1)
    assert busy.next_attempt_at > utcnow()


def test_refused_sender_is_a_setting_to_fix_not_a_reason_to_drop_mails(app, db, picky_server):
    app.config["MAIL_FROM"] = "Vereinsnetz <blocked@stadt.example>"
    queue_plain(db, 2)
    assert send_pending() == (0, 2)
    assert all((m.state, m.attempts) == (MailState.pending, 1) for m in outbox(db))
    assert "553" in outbox(db)[0].last_error

    app.config["MAIL_FROM"] = "Vereinsnetz <integration@stadt.example>"
    assert send_pending(now=utcnow() + timedelta(minutes=2)) == (2, 0)
    assert len(picky_server.messages) == 2
