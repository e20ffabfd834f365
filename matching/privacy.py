"""GDPR hooks of the matcher (called by the privacy package): networking settings and sub-network memberships."""

from sqlalchemy import select

from core.extensions import db
from core.models import utcnow

from .models import MembershipState, NetworkingConsent, SubNetworkMember


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else getattr(value, "value", value)


def export_association(association):
    consent = db.session.get(NetworkingConsent, association.id)
    members = db.session.scalars(
        select(SubNetworkMember).where(SubNetworkMember.association_id == association.id).order_by(SubNetworkMember.id)
    )
    return {
        "networking": [
            {
                "networking_enabled": consent is None or consent.is_enabled,
                "visible_to_network_members": bool(consent and consent.is_visible),
                "updated_at": _plain(consent.updated_at) if consent else None,
            }
        ],
        "sub_networks": [
            {
                "sub_network": m.sub_network.name,
                "source": m.source.value,
                "state": m.state.value,
                "reason": m.reason,
                "added_at": _plain(m.added_at),
                "ended_at": _plain(m.ended_at),
                "end_reason": m.end_reason,
            }
            for m in members
        ],
    }


def erase_association(association, actor):
    """Networking off for good, memberships ended and emptied: the matcher no longer sees the association.

    The membership rows stay (as the matcher's history says "never suggested again"), without reasons
    or evidence, which may describe the association.
    """
    consent = db.session.get(NetworkingConsent, association.id) or NetworkingConsent(association_id=association.id)
    consent.is_enabled, consent.is_visible, consent.updated_by_id = False, False, None
    db.session.add(consent)
    for member in db.session.scalars(select(SubNetworkMember).where(SubNetworkMember.association_id == association.id)):
        if member.state is MembershipState.active:
            member.state, member.ended_at = MembershipState.removed, utcnow()
        member.reason, member.evidence, member.end_reason = "", [], ""
        member.added_by_id = member.ended_by_id = None
    db.session.flush()
