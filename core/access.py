"""Who may do what: role decorators and the object-level checks every view uses."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import true

from .models import Association, Municipality, Role


def roles_required(*roles):
    """Signed in with one of the roles, else 403 (anonymous users are sent to the login page)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


coordinator_required = roles_required(Role.coordinator, Role.admin)
admin_required = roles_required(Role.admin)


def municipality_ids(user):
    """Ids of the municipalities in the user's scope; None means all (admins)."""
    if user.is_admin:
        return None
    if user.is_coordinator:
        return {m.id for m in user.municipalities}
    if user.association is not None:
        return {user.association.municipality_id}
    return set()


def in_scope(user, municipality_column):
    """A WHERE clause limiting a query to the user's municipalities."""
    ids = municipality_ids(user)
    return true() if ids is None else municipality_column.in_(ids)


def municipalities_in_scope(user):
    from sqlalchemy import select

    from .extensions import db

    return db.session.scalars(
        select(Municipality).where(in_scope(user, Municipality.id)).order_by(Municipality.name)
    ).all()


def can_manage_association(user, association):
    if not user.is_authenticated:
        return False
    if user.is_representative:
        return user.association_id == association.id
    ids = municipality_ids(user)
    return ids is None or association.municipality_id in ids


def ensure_can_manage(user, association: Association):
    """404 rather than 403, so ids outside the user's scope reveal nothing."""
    if not can_manage_association(user, association):
        abort(404)
    return association


def ensure_municipality_in_scope(user, municipality_id):
    ids = municipality_ids(user)
    if ids is not None and municipality_id not in ids:
        abort(404)
