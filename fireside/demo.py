"""Demo data of the fireside chats: one chat that took place (attendance, minutes, a decision, two
follow-ups) and one coming up with a few answers.

Both are for the heritage-language sub-network when the demo has one; otherwise for hand-picked
heritage-language associations. No invitation mails and no RSVP links are made: the demo shows the
state after the mails went out.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from core.demo import COORDINATOR_EMAIL
from core.extensions import db
from core.models import Association, User, utcnow

from . import aftercare, rsvp, services
from .models import ChatState, FollowUpState, RsvpAnswer, SeatState

#: Heritage-language associations of the demo town, the host first (used without an HSU sub-network).
HSU_PICK = (
    "Türkischer Elternverein Weststadt",
    "Arabischer Kultur- und Bildungsverein",
    "Russischsprachiger Elternverein Mosaik",
    "Syrischer Elternverein Jasmin",
    "Polnischer Elternverein Orzeł",
    "Ukrainische Sonntagsschule",
)

MINUTES = """Sechs Vereine waren eingeladen, drei kamen; Gastgeber war der Türkische Elternverein in seinen Vereinsräumen.

**Räume:** Alle Vereine suchen für den Unterricht am Samstagvormittag Klassenräume. Die Schulen sagen oft ab, weil kein Hausmeister da ist.
- Der Elternverein fragt bei der Stadt nach einer gemeinsamen Lösung für mehrere Vereine.
- Der Arabische Kultur- und Bildungsverein vereinbart einen Termin mit dem Staatlichen Schulamt.

**Nächstes Treffen:** im neuen Schuljahr, mit dem Schulamt. Infos zum Herkunftssprachenunterricht: https://www.km-bw.de"""


def load(town):
    """Called by `flask demo load` after the other features (the matcher's sub-networks exist by then)."""
    coordinator = User.by_email(COORDINATOR_EMAIL)
    network, members = _heritage_group(town)
    with force_locale("de"):
        _past_chat(town, coordinator, network, members)
        _upcoming_chat(town, coordinator, network, members)


def _heritage_group(town):
    from matching.models import SubNetwork

    for network in db.session.scalars(select(SubNetwork).where(SubNetwork.municipality_id == town.id)):
        if (
            any(key == "hsu" or key.startswith("hsu-") for key in network.topic_keys or [])
            and len(network.active_members) >= 4
        ):
            return network, [m.association for m in network.active_members]
    by_name = {a.name: a for a in db.session.scalars(select(Association).where(Association.municipality_id == town.id))}
    return None, [by_name[name] for name in HSU_PICK if name in by_name]


def _local(days, hour):
    """`days` from today at `hour` o'clock in the town's time zone, as naive UTC."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    day = utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _data(members, **fields):
    host = members[0]
    return {
        "topic_keys": ["hsu", "rooms"],
        "agenda": "1. Kennenlernen\n2. Räume für den Unterricht\n3. Wie geht es weiter?",
        "host_association_id": host.id,
        "venue_name": f"Vereinsräume {host.name}",
        "venue_address": f"{host.district}, Ludwigsburg",
        "online_url": "",
        "languages": ["de", "tr", "ar"],
        "accessibility_notes": "Erdgeschoss, stufenloser Zugang; kein barrierefreies WC.",
        "duration_minutes": 120,
        "capacity": 12,
        "max_per_association": 2,
        "rsvp_cutoff_at": None,
        "date_options": [],
        **fields,
    }


def _create(town, coordinator, network, members, data):
    chat = services.create_chat(town, data, members, coordinator, sub_network=network)
    host = members[0]
    services.confirm_host(chat, host.representatives[0])
    return chat


def _past_chat(town, coordinator, network, members):
    chat = _create(
        town,
        coordinator,
        network,
        members,
        _data(
            members,
            title="Kamingespräch: Räume für den Herkunftssprachenunterricht",
            starts_at=_local(-42, 18),
            description="Kleine Runde der Vereine, die Kindern ihre Familiensprache beibringen: Wo finden wir Räume?",
        ),
    )
    chat.state, chat.invitations_sent_at = ChatState.invited, chat.starts_at - timedelta(days=21)
    #: association index -> (answer, names)
    answers = {
        0: ["Ayşe Demir", "Mehmet Kaya"],
        1: ["Rana Haddad"],
        2: ["Olga Petrova", "Irina Smirnova"],
        3: ["Samir Nasser"],
    }
    for index, invitation in enumerate(chat.invitations):
        invitation.invited_at = chat.invitations_sent_at
        names = answers.get(index)
        invitation.answer = RsvpAnswer.accept if names else (RsvpAnswer.decline if index == 4 else RsvpAnswer.pending)
        invitation.answered_at = (
            invitation.invited_at + timedelta(days=2) if invitation.answer is not RsvpAnswer.pending else None
        )
        if names:
            invitation.names, invitation.persons, invitation.seat_state = names, len(names), SeatState.confirmed
    chat.seats_taken = sum(i.persons for i in chat.invitations if i.seat_state is SeatState.confirmed)
    db.session.flush()
    came = {0: 2, 1: 1, 2: 2}
    aftercare.record_attendance(
        chat,
        {i.id: (index in came, came.get(index)) for index, i in enumerate(chat.invitations)},
        coordinator,
        now=chat.starts_at + timedelta(days=1),
    )
    aftercare.save_minutes(chat, MINUTES, coordinator, now=chat.starts_at + timedelta(days=1))
    aftercare.add_decision(
        chat,
        "Wir treffen uns zweimal im Jahr, im Frühjahr und im Herbst, gemeinsam mit dem Staatlichen Schulamt.",
        coordinator,
    )
    aftercare.add_decision(chat, "Wir stellen eine gemeinsame Raumanfrage an die Stadt.", coordinator)
    done = aftercare.add_follow_up(
        chat,
        {
            "title": "Termin mit dem Staatlichen Schulamt vereinbaren",
            "owner_association_id": members[1].id,
            "description": "Für das Treffen im neuen Schuljahr.",
            "due_on": (chat.starts_at + timedelta(days=21)).date(),
        },
        coordinator,
    )
    aftercare.set_follow_up_state(
        done, FollowUpState.done, members[1].representatives[0], now=chat.starts_at + timedelta(days=12)
    )
    aftercare.add_follow_up(
        chat,
        {
            "title": "Gemeinsame Raumanfrage an die Stadt stellen",
            "owner_association_id": members[0].id,
            "description": "Samstagvormittag, zwei bis drei Klassenräume, für mehrere Vereine zusammen.",
            "due_on": _local(21, 12).date(),
        },
        coordinator,
    )


def _upcoming_chat(town, coordinator, network, members):
    host = members[4] if len(members) > 4 else members[-1]
    ordered = [host, *(m for m in members if m.id != host.id)]
    chat = _create(
        town,
        coordinator,
        network,
        ordered,
        _data(
            ordered,
            title="Kamingespräch Herkunftssprachen: Unterricht im neuen Schuljahr",
            starts_at=_local(24, 18),
            description="Zweites Treffen der Runde: Räume, Termine mit dem Schulamt, gemeinsame Elternabende.",
            capacity=10,
        ),
    )
    chat.state, chat.invitations_sent_at = ChatState.invited, utcnow() - timedelta(days=3)
    for invitation in chat.invitations:
        invitation.invited_at = chat.invitations_sent_at
    db.session.flush()
    replies = [
        (RsvpAnswer.accept, ["Anna Kowalska", "Piotr Nowak"]),
        (RsvpAnswer.accept, ["Ayşe Demir"]),
        (RsvpAnswer.maybe, []),
        (RsvpAnswer.decline, []),
        (RsvpAnswer.accept, ["Olga Petrova", "Irina Smirnova"]),
    ]
    for invitation, (reply, names) in zip(chat.invitations, replies, strict=False):
        rsvp.answer(invitation, reply, names=names, actor=invitation.association.representatives[0])
