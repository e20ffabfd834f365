"""`flask demo load` adds a chat that took place and one coming up, both consistent with the rules."""

from sqlalchemy import select

from core.demo import TOWN
from core.models import Municipality, utcnow
from fireside import aftercare, stats
from fireside.models import ChatState, FiresideChat, FollowUpState, RsvpAnswer, SeatState


def test_demo_has_a_past_chat_with_outcome_and_an_upcoming_one_with_answers(app, db, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    town = db.session.scalar(select(Municipality).where(Municipality.name == TOWN))
    chats = db.session.scalars(select(FiresideChat).order_by(FiresideChat.starts_at)).all()
    past, upcoming = [c for c in chats if c.state is ChatState.invited]
    now = utcnow()

    assert past.starts_at < now and aftercare.has_started(past)
    assert past.host_confirmed_at is not None and past.attendance_recorded_at is not None
    came = aftercare.attended(past)
    assert len(came) == 3 and sum(i.attended_persons for i in came) == 5
    assert all(1 <= i.attended_persons <= past.max_per_association for i in came)
    assert "**Räume:**" in past.minutes and len(past.decisions) == 2
    states = sorted(f.state.value for f in past.follow_ups)
    assert states == ["done", "open"]
    assert all(f.owner_association_id in aftercare.invited_association_ids(past) for f in past.follow_ups)
    assert past.seats_taken == sum(i.persons for i in past.invitations if i.seat_state is SeatState.confirmed)

    assert upcoming.starts_at > now and upcoming.host_confirmed_at is not None
    answers = [i.answer for i in upcoming.invitations]
    assert answers.count(RsvpAnswer.accept) == 3 and RsvpAnswer.decline in answers and RsvpAnswer.maybe in answers
    confirmed = [i for i in upcoming.invitations if i.seat_state is SeatState.confirmed]
    assert upcoming.seats_taken == sum(i.persons for i in confirmed) == 5 <= upcoming.capacity
    assert all(len(i.names) == i.persons for i in confirmed)

    figures = stats.chat_figures([town.id], now.date().replace(year=now.year - 1), now.date())
    assert figures["chats_held"] == 1 and figures["associations_attended"] == 3
    assert (figures["follow_ups_done"], figures["follow_ups_open"]) == (1, 1)
    assert {f.state for f in past.follow_ups} == {FollowUpState.done, FollowUpState.open}
