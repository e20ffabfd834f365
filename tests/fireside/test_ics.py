"""The .ics files, parsed back with `icalendar` and checked field by field."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from sqlalchemy import select

from core.models import OutboxMail
from fireside import ics, services
from tests.fireside.conftest import chat_data

BERLIN = ZoneInfo("Europe/Berlin")


def parse(text):
    calendar = Calendar.from_ical(text)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def attachments(db):
    return [m.attachment_text for m in db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)) if m.attachment_text]


def test_invitation_ics_field_by_field(db, fs_town, invited_chat):
    chat = invited_chat
    calendar, event = parse(attachments(db)[0])
    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar["VERSION"]) == "2.0"
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and str(event["DTSTART"].params["TZID"]) == "Europe/Berlin"
    assert start == chat.starts_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(BERLIN)
    assert event.decoded("DTEND") - start == timedelta(minutes=chat.duration_minutes)
    assert str(event["UID"]) == chat.ical_uid
    assert int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == chat.title
    assert str(event["LOCATION"]) == "Vereinsheim, Hauptstraße 1, 71634 Kaminstadt"
    assert str(event["ORGANIZER"]) == "mailto:buero@kaminstadt.example.org"
    assert str(event["ORGANIZER"].params["CN"]) == "Koordinierungsstelle Kaminstadt"
    assert "/fireside/r/" in str(event["URL"])
    recipient = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).first().to_addr
    assert str(event["ATTENDEE"]) == f"mailto:{recipient}"
    assert str(event["ATTENDEE"].params["CN"]) == chat.invitations[0].association.name
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Berlin"
    assert {c.name for c in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_update_keeps_the_uid_and_raises_the_sequence(db, fs_town, invited_chat):
    chat = invited_chat
    services.update_chat(chat, {**chat_data(fs_town), "starts_at": chat.starts_at + timedelta(days=1),
                                "venue_address": "Neue Straße 2"}, fs_town.coordinator)
    services.update_chat(chat, {**chat_data(fs_town), "starts_at": chat.starts_at + timedelta(hours=2),
                                "venue_address": "Neue Straße 2"}, fs_town.coordinator)
    texts = attachments(db)
    first, second, third = parse(texts[0])[1], parse(texts[4])[1], parse(texts[8])[1]
    assert str(first["UID"]) == str(second["UID"]) == str(third["UID"]) == chat.ical_uid
    assert [int(e["SEQUENCE"]) for e in (first, second, third)] == [0, 1, 2]
    assert "Neue Straße 2" in str(third["LOCATION"])
    assert third.decoded("DTSTART") - first.decoded("DTSTART") == timedelta(days=1, hours=2)


def test_cancellation_is_method_cancel_with_the_same_uid(db, fs_town, invited_chat):
    services.cancel_chat(invited_chat, fs_town.coordinator, "Krank")
    calendar, event = parse(attachments(db)[-1])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == invited_chat.ical_uid and int(event["SEQUENCE"]) == 1


def test_summer_time_date_gets_its_offset(db, fs_town, make_chat):
    from datetime import datetime

    chat = make_chat(starts_at=datetime(2031, 7, 3, 16, 0))  # 18:00 in Berlin (CEST)
    _calendar, event = parse(ics.calendar([chat]))
    assert event.decoded("DTSTART").strftime("%H:%M %z") == "18:00 +0200"


def test_feed_calendar_holds_several_chats(db, fs_town, make_chat):
    first = make_chat(send=True)
    second = make_chat(send=True, title="Zweites Treffen", starts_at=first.starts_at + timedelta(days=30))
    calendar = Calendar.from_ical(ics.calendar([first, second], name="Feed"))
    assert "METHOD" not in calendar and str(calendar["X-WR-CALNAME"]) == "Feed"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [first.ical_uid, second.ical_uid]
