"""Account operations. Each takes the acting user as a parameter and flushes, never commits."""

import logging

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..mail import queue_mail
from ..models import (
    AccessRequest,
    Association,
    ConsentRecord,
    Field,
    RequestState,
    Role,
    Token,
    TokenPurpose,
    User,
    coordinator_municipalities,
    utcnow,
)
from ..urls import absolute_url

log = logging.getLogger("vereinsnetz.accounts")


def authenticate(email, password):
    """The active user with these credentials, or None (no hint which part was wrong)."""
    user = User.by_email(email)
    if user is None or not user.is_active or not user.check_password(password):
        return None
    return user


def record_login(user):
    user.last_login_at = utcnow()


def find_token(secret, purpose):
    """The token behind a link, usable or not; None if it never existed."""
    if not secret or len(secret) > 100:
        return None
    return db.session.scalar(
        select(Token).where(Token.token_hash == Token.hash(secret), Token.purpose == purpose)
    )


def _send_invitation(user, inviter_name):
    _token, secret = Token.issue(user, TokenPurpose.invite, current_app.config["INVITE_VALID_FOR"])
    with force_locale(user.locale):
        subject = _("Invitation to Vereinsnetz")
    queue_mail(
        user.email,
        subject,
        "mail/invite.txt",
        locale=user.locale,
        user=user,
        inviter_name=inviter_name,
        link=absolute_url("accounts.accept_invite", token=secret),
        valid_days=current_app.config["INVITE_VALID_FOR"].days,
    )


def invite_user(actor, *, email, name, locale, role, association=None, municipalities=()):
    """Create an account without a password and mail a single-use link to set one."""
    user = User(
        email=User.normalize_email(email),
        name=name,
        locale=locale,
        role=role,
        association=association,
        municipalities=list(municipalities),
    )
    db.session.add(user)
    db.session.flush()
    _send_invitation(user, actor.name if actor else "")
    log.info("User %s invited as %s by %s", user.id, role.value, actor.id if actor else "cli")
    return user


def invite_again(actor, user, *, name, locale, association):
    """Someone removed earlier speaks for an association again: attached and enabled, their old password gone, so
    the new link is the only way back in (whoever held the old password does not get in with it)."""
    user.name, user.locale, user.association = name, locale, association
    user.password_hash = None
    user.is_enabled = True
    user.session_version += 1
    _expire_tokens(user, TokenPurpose.invite)
    _send_invitation(user, actor.name if actor else "")
    log.info("User %s invited again for association %s by %s", user.id, association.id, actor.id if actor else "cli")
    return user


def reinvite(actor, user):
    """A fresh link for someone who has not set a password yet; older links stop working."""
    _expire_tokens(user, TokenPurpose.invite)
    _send_invitation(user, actor.name if actor else "")


def _expire_tokens(user, purpose):
    """Older links stop working; they count as expired (not used), which is what their page says."""
    now = utcnow()
    for token in db.session.scalars(
        select(Token).where(
            Token.user_id == user.id, Token.purpose == purpose, Token.used_at.is_(None), Token.expires_at > now
        )
    ):
        token.expires_at = now


def accept_invite(token, *, name, password):
    user = token.user
    user.name = name
    user.set_password(password)
    token.used_at = utcnow()
    record_consent("privacy", current_app.config["PRIVACY_NOTICE_VERSION"], user=user)
    return user


def request_password_reset(email):
    """Mail a reset link if the address belongs to an enabled account; silent otherwise."""
    user = User.by_email(email)
    if user is None or not user.is_enabled:
        return None
    _expire_tokens(user, TokenPurpose.reset)
    _token, secret = Token.issue(user, TokenPurpose.reset, current_app.config["RESET_VALID_FOR"])
    with force_locale(user.locale):
        subject = _("Set a new password for Vereinsnetz")
    queue_mail(
        user.email,
        subject,
        "mail/reset.txt",
        locale=user.locale,
        user=user,
        link=absolute_url("accounts.reset_password", token=secret),
        valid_hours=int(current_app.config["RESET_VALID_FOR"].total_seconds() // 3600),
    )
    return user


def reset_password(token, password):
    """Set the password; raising the session version signs the user out everywhere else."""
    token.user.set_password(password)
    token.used_at = utcnow()
    _expire_tokens(token.user, TokenPurpose.reset)
    _expire_tokens(token.user, TokenPurpose.invite)
    return token.user


def change_password(user, password):
    user.set_password(password)


def set_enabled(actor, user, enabled):
    user.is_enabled = enabled
    if not enabled:
        user.session_version += 1
    log.info("User %s %s by %s", user.id, "enabled" if enabled else "disabled", actor.id)


def record_consent(kind, version, *, user=None, association=None):
    record = ConsentRecord(kind=kind, text_version=version, user=user, association=association)
    db.session.add(record)
    return record


def withdraw_consent(kind, *, user=None, association=None):
    stmt = select(ConsentRecord).where(ConsentRecord.kind == kind, ConsentRecord.withdrawn_at.is_(None))
    if user is not None:
        stmt = stmt.where(ConsentRecord.user_id == user.id)
    if association is not None:
        stmt = stmt.where(ConsentRecord.association_id == association.id)
    for record in db.session.scalars(stmt):
        record.withdrawn_at = utcnow()


def coordinators_of(municipality_id):
    return db.session.scalars(
        select(User)
        .join(coordinator_municipalities)
        .where(
            coordinator_municipalities.c.municipality_id == municipality_id,
            User.role == Role.coordinator,
            User.is_enabled.is_(True),
        )
    ).all()


def create_access_request(data):
    request = AccessRequest(
        municipality_id=data["municipality_id"],
        association_name=data["association_name"],
        field=Field(data["field"]),
        district=data.get("district") or "",
        contact_name=data["contact_name"],
        email=User.normalize_email(data["email"]),
        locale=data["locale"],
        message=data.get("message") or "",
        privacy_version=current_app.config["PRIVACY_NOTICE_VERSION"],
    )
    db.session.add(request)
    db.session.flush()
    for coordinator in coordinators_of(request.municipality_id):
        with force_locale(coordinator.locale):
            subject = _("New access request: %(name)s", name=request.association_name)
        queue_mail(
            coordinator.email,
            subject,
            "mail/access_request_new.txt",
            locale=coordinator.locale,
            request=request,
            link=absolute_url("associations.access_requests"),
        )
    return request


def approve_access_request(actor, request, association=None):
    """Create (or link) the association and invite the requester as its representative."""
    if association is None:
        association = Association(
            municipality_id=request.municipality_id,
            name=request.association_name,
            field=request.field,
            district=request.district,
            email=request.email,
        )
        association.refresh_search()
        db.session.add(association)
    user = User.by_email(request.email)
    if user is None:
        user = invite_user(
            actor,
            email=request.email,
            name=request.contact_name,
            locale=request.locale,
            role=Role.representative,
            association=association,
        )
    _decide(actor, request, RequestState.approved)
    request.association = association
    return association, user


def decline_access_request(actor, request, note):
    _decide(actor, request, RequestState.declined)
    request.decision_note = note
    with force_locale(request.locale):
        subject = _("Your request to join Vereinsnetz")
    queue_mail(request.email, subject, "mail/access_request_declined.txt", locale=request.locale, request=request)


def _decide(actor, request, state):
    request.state = state
    request.decided_at = utcnow()
    request.decided_by_id = actor.id
    log.info("Access request %s %s by %s", request.id, state.value, actor.id)
