"""iCalendar files of fireside chats (RFC 5545 through the `icalendar` library).

One VEVENT per chat; its UID never changes and SEQUENCE rises with every update that is mailed, so
calendar programs replace the event instead of adding a second one. Times go out in Europe/Berlin
with a VTIMEZONE, as German calendar programs expect.
"""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from core.models import utcnow

from .models import ChatState

BERLIN = ZoneInfo("Europe/Berlin")
PRODID = "-//Vereinsnetz//Fireside chats//DE"


def local(naive_utc):
    """A stored naive-UTC time as an aware Europe/Berlin time."""
    return naive_utc.replace(tzinfo=UTC).astimezone(BERLIN)


def ends_at(chat):
    return chat.starts_at + timedelta(minutes=chat.duration_minutes)


def location(chat):
    parts = [p for p in (chat.venue_name, chat.venue_address) if p]
    if chat.online_url:
        parts.append(chat.online_url)
    return ", ".join(parts)


def event(chat, url=None, organizer=None, cancelled=False, attendee=None):
    """The chat as a VEVENT (None while it has no date)."""
    if chat.starts_at is None:
        return None
    vevent = Event()
    vevent.add("uid", chat.ical_uid)
    vevent.add("sequence", chat.ical_sequence)
    vevent.add("dtstamp", utcnow().replace(tzinfo=UTC))
    vevent.add("dtstart", local(chat.starts_at))
    vevent.add("dtend", local(ends_at(chat)))
    vevent.add("summary", chat.title)
    description = "\n\n".join(p for p in (chat.description, chat.agenda, url or "") if p)
    if description:
        vevent.add("description", description)
    if location(chat):
        vevent.add("location", vText(location(chat)))
    if url:
        vevent.add("url", url)
    if organizer:
        address = vCalAddress(f"mailto:{organizer}")
        if chat.municipality.office_name:
            address.params["cn"] = vText(chat.municipality.office_name)
        vevent.add("organizer", address)
    if attendee:
        # RFC 5546: a REQUEST names its attendee; mail programs show it as an invitation only then.
        address, name = attendee
        person = vCalAddress(f"mailto:{address}")
        person.params.update({"cn": vText(name), "role": vText("REQ-PARTICIPANT"), "rsvp": vText("FALSE")})
        vevent.add("attendee", person, encode=0)
    cancelled = cancelled or chat.state is ChatState.cancelled
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return vevent


def organizer_of(chat, config):
    """The coordination office's address; the operator's address when the town has none."""
    return chat.municipality.office_email or config.get("OPERATOR_EMAIL") or ""


def calendar(chats, method=None, name=None, urls=None, organizer=None, attendee=None):
    """A VCALENDAR with the chats that have a date; `method` REQUEST/CANCEL for mails, None for downloads."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    events = [event(c, (urls or {}).get(c.id), organizer(c) if callable(organizer) else organizer, method == "CANCEL",
                    attendee) for c in chats]
    events = [e for e in events if e is not None]
    if events:
        cal.add_component(_timezone([c for c in chats if c.starts_at]))
    for vevent in events:
        cal.add_component(vevent)
    return cal.to_ical().decode()


def _timezone(chats):
    """VTIMEZONE for Europe/Berlin covering the chats' dates."""
    first = min(c.starts_at for c in chats)
    last = max(ends_at(c) for c in chats)
    return Timezone.from_tzinfo(BERLIN, first_date=first.date() - timedelta(days=366),
                                last_date=last.date() + timedelta(days=366))
