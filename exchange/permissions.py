"""Who may see and do what on the exchange board. Objects outside a user's scope are 404, never 403."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from core.access import municipality_ids

from .models import Moderation, PostingState


def is_staff(user):
    return user.is_authenticated and (user.is_coordinator or user.is_admin)


def staff_in_scope(user, municipality_id):
    if not is_staff(user):
        return False
    ids = municipality_ids(user)
    return ids is None or municipality_id in ids


def own_association_id(user):
    """The association a signed-in representative speaks for, else None."""
    if user.is_authenticated and user.is_representative and user.association_id:
        return user.association_id
    return None


def is_poster(user, posting):
    return own_association_id(user) == posting.association_id


def is_partner(user, posting):
    return posting.partner_id is not None and own_association_id(user) == posting.partner_id


def can_view_posting(user, posting):
    """Coordinators in scope; the poster and the partner always; other associations of the town
    while the coordination office has not hidden or removed it and it is not a draft."""
    if staff_in_scope(user, posting.municipality_id):
        return True
    association_id = own_association_id(user)
    if association_id is None or user.association.municipality_id != posting.municipality_id:
        return False
    if association_id in (posting.association_id, posting.partner_id):
        return True
    return posting.moderation is Moderation.visible and posting.state is not PostingState.draft


def ensure_can_view(user, posting):
    if not can_view_posting(user, posting):
        abort(404)
    return posting


def ensure_poster(user, posting):
    """Only the posting association's representatives change it; others who can see it get 403."""
    ensure_can_view(user, posting)
    if not is_poster(user, posting):
        abort(403)
    return posting


def ensure_staff_in_scope(user, municipality_id):
    if not is_staff(user):
        abort(403)
    if not staff_in_scope(user, municipality_id):
        abort(404)


def is_participant(user, conversation):
    association_id = own_association_id(user)
    return association_id is not None and conversation.side_of(association_id)


def ensure_participant(user, conversation):
    """Only the representatives of the two associations read a conversation; everyone else gets 404."""
    if not is_participant(user, conversation):
        abort(404)
    return conversation


def can_post(user):
    return own_association_id(user) is not None


def representative_required(view):
    """Signed in and speaking for an association (posting, replying, confirming), else 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can_post(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped
