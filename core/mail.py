"""The mail outbox: queue inside the request's transaction, deliver later with retries.

A mail is claimed (pending → sending) in its own committed step before it is handed to the
SMTP server and marked sent right after, so two senders never deliver the same row and a
server outage only postpones delivery.
"""

import logging
import smtplib
import sys
import uuid
from datetime import UTC, timedelta
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_date
from email.utils import parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import and_, or_, select, update

from .extensions import db
from .models import MailState, OutboxMail, utcnow
from .text import one_line

log = logging.getLogger("vereinsnetz.mail")

#: A claim older than this is taken to be from a sender that died before it could finish.
STALE_CLAIM = timedelta(minutes=15)


def queue_mail(to_addr, subject, template, locale="de", attachment=None, **context):
    """Render a mail in the recipient's language and put it into the outbox (no commit).

    `attachment`: optional (file name, MIME type, text), e.g. ("chat.ics", "text/calendar; method=REQUEST", ics).
    """
    with force_locale(locale):
        subject_text = one_line(str(subject), 300)
        body = render_template(template, **context, base_url=current_app.config["PUBLIC_BASE_URL"])
    domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "vereinsnetz.localhost"
    mail = OutboxMail(
        to_addr=to_addr,
        subject=subject_text,
        body_text=body,
        locale=locale,
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
    )
    if attachment is not None:
        mail.attachment_name, mail.attachment_type, mail.attachment_text = attachment
    db.session.add(mail)
    return mail


def backoff(attempts):
    """1, 2, 4, … minutes after each failed attempt, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _due(now):
    return or_(
        and_(OutboxMail.state == MailState.pending, OutboxMail.next_attempt_at <= now),
        and_(OutboxMail.state == MailState.sending, OutboxMail.claimed_at < now - STALE_CLAIM),
    )


def _claim(mail_id, now):
    """Atomically take one mail; False if another sender was faster."""
    result = db.session.execute(
        update(OutboxMail).where(OutboxMail.id == mail_id, _due(now)).values(state=MailState.sending, claimed_at=now)
    )
    db.session.commit()
    return result.rowcount == 1


def build_message(mail, config):
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = mail.to_addr
    message["Subject"] = mail.subject
    message["Message-ID"] = mail.message_id
    message["Date"] = rfc2822_date(mail.created_at.replace(tzinfo=UTC))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body_text)
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = mail.locale
    if mail.attachment_text is not None:
        _attach(message, mail)
    return message


def _attach(message, mail):
    """The one attachment, with its MIME parameters (text/calendar needs `method=`)."""
    kind, *raw_params = [part.strip() for part in (mail.attachment_type or "text/plain").split(";")]
    maintype, _slash, subtype = kind.partition("/")
    params = dict(p.split("=", 1) for p in raw_params if "=" in p)
    message.add_attachment(mail.attachment_text.encode(), maintype=maintype, subtype=subtype or "plain",
                           filename=mail.attachment_name or "attachment", params=params)


class ConsoleTransport:
    """Development default: mails are printed instead of sent."""

    def __init__(self, config, stream=None):
        self.stream = stream or sys.stdout

    def open(self):
        return self

    def close(self):
        pass

    def send(self, message):
        # Decoded headers and body: a developer reads umlauts and links, not base64.
        headers = "\n".join(f"{name}: {value}" for name, value in message.items())
        self.stream.write(f"\n{'=' * 70}\n{headers}\n\n{message.get_body(('plain',)).get_content()}{'=' * 70}\n")
        self.stream.flush()


class SMTPTransport:
    def __init__(self, config):
        self.config = config
        self.connection = None

    def open(self):
        cfg = self.config
        cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        self.connection = cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=cfg["MAIL_TIMEOUT"])
        try:
            if cfg["MAIL_USE_STARTTLS"]:
                self.connection.starttls()
            if cfg["MAIL_USERNAME"]:
                self.connection.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        except BaseException:
            self.connection.close()
            raise
        return self

    def close(self):
        try:
            self.connection.quit()
        except OSError:  # smtplib's errors are OSErrors too
            self.connection.close()

    def send(self, message):
        self.connection.send_message(message)


def transport_for(config):
    return SMTPTransport(config) if config["MAIL_BACKEND"] == "smtp" else ConsoleTransport(config)


#: Errors that concern one message (refused recipient, rejected content, unencodable address);
#: every other OSError means the connection is gone.
MESSAGE_ERRORS = (
    smtplib.SMTPResponseException,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPNotSupportedError,
    ValueError,
    UnicodeError,
)


def send_pending(limit=100, now=None):
    """One delivery pass; returns (sent, failed or postponed). Commits after every mail."""
    config = current_app.config
    now = now or utcnow()
    due_ids = db.session.scalars(select(OutboxMail.id).where(_due(now)).order_by(OutboxMail.id).limit(limit)).all()
    db.session.commit()
    if not due_ids:
        return 0, 0
    transport = transport_for(config)
    try:
        transport.open()
    except OSError as error:
        # The server is unreachable: every due mail is charged one attempt and waits for its backoff.
        return 0, _postpone(due_ids, now, error, config)
    try:
        return _deliver(transport, due_ids, now, config)
    finally:
        transport.close()


def _deliver(transport, due_ids, now, config):
    sent = failed = 0
    for mail_id in due_ids:
        if not _claim(mail_id, now):
            continue
        mail = db.session.get(OutboxMail, mail_id)
        try:
            transport.send(build_message(mail, config))
        except (OSError, *MESSAGE_ERRORS) as error:
            _record_failure(mail, now, error, config, permanent=_is_permanent(error))
            db.session.commit()
            failed += 1
            if not isinstance(error, MESSAGE_ERRORS):
                break  # connection lost: the rest stays due for the next pass, uncharged
            continue
        mail.state, mail.sent_at, mail.attempts = MailState.sent, utcnow(), mail.attempts + 1
        db.session.commit()
        sent += 1
    return sent, failed


def _is_permanent(error):
    """A 5xx answer about this message (unknown recipient, rejected content) will not change by
    trying again. A refused sender is the operator's setting, fixed once for all mails: retried."""
    if isinstance(error, smtplib.SMTPSenderRefused):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return isinstance(error, ValueError | UnicodeError | smtplib.SMTPNotSupportedError)


def _record_failure(mail, now, error, config, permanent=False):
    mail.attempts += 1
    mail.last_error = one_line(f"{type(error).__name__}: {error}", 500)
    give_up = permanent or mail.attempts >= config["MAIL_MAX_ATTEMPTS"]
    mail.state = MailState.failed if give_up else MailState.pending
    mail.next_attempt_at = now + backoff(mail.attempts)
    log.warning("Mail %s not delivered (attempt %s): %s", mail.id, mail.attempts, mail.last_error)


def _postpone(mail_ids, now, error, config):
    """Charge an attempt to each due mail; claimed first, so a concurrent sender's work is never undone."""
    postponed = 0
    for mail_id in mail_ids:
        if _claim(mail_id, now):
            _record_failure(db.session.get(OutboxMail, mail_id), now, error, config)
            db.session.commit()
            postponed += 1
    return postponed
