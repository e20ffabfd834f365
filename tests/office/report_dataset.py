"""A small hand-built town for the impact report, with every figure known (see EXPECTED in test_report.py).

Period of interest: the calendar year 2025 in town X. Everything outside it — 2024, 2026, town Y,
drafts, removed postings, withdrawn invitations, cancelled chats, answers not released — is there to be
left out. Times are naive UTC at midday, so the local (Europe/Berlin) day is the same day.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.models import Field
from exchange.models import Category, Conversation, Message, Moderation, Posting, PostingKind, PostingState
from fireside.models import ChatInvitation, ChatState, FiresideChat, FollowUp, FollowUpState, InvitationState
from matching.models import MembershipSource, MembershipState, NetworkStatus, SubNetwork, SubNetworkMember
from office.models import Consultation, ConsultationFormat
from surveys.models import (
    Polarity,
    QuestionKind,
    ResponseState,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
    SurveyState,
)

START, END = date(2025, 1, 1), date(2025, 12, 31)


def at(day, hour=12):
    return datetime(day.year, day.month, day.day, hour)


@dataclass
class Dataset:
    town_x: object
    town_y: object
    a: dict
    c1: object
    coordinator_x: object
    coordinator_y: object
    coordinator_xy: object


def build(db, factory):
    town_x, town_y = factory.municipality("Stadt X"), factory.municipality("Stadt Y")
    a = {
        1: _association(factory, town_x, "Kulturverein Eins", Field.culture, date(2024, 5, 1), ["rooms"]),
        2: _association(factory, town_x, "Kulturverein Zwei", Field.culture, date(2024, 6, 1)),
        3: _association(factory, town_x, "Sportverein Drei", Field.sport, date(2025, 3, 10)),
        4: _association(factory, town_x, "Bildungsverein Vier", Field.education, date(2025, 8, 1), ["rooms", "funding"]),
        5: _association(factory, town_x, "Gemeinde Fünf", Field.religion, date(2024, 1, 1)),
        6: _association(factory, town_x, "Kulturverein Sechs", Field.culture, date(2026, 2, 1)),
    }
    c1 = _association(factory, town_y, "Verein Ypsilon", Field.culture, date(2024, 2, 1), ["rooms"])
    factory.representative(a[1], email="rep1@example.org", last_login_at=at(date(2025, 2, 15)))
    factory.representative(a[5], email="rep5@example.org", last_login_at=at(date(2026, 1, 5)))
    factory.representative(c1, email="rep-y@example.org", last_login_at=at(date(2025, 6, 1)))
    data = Dataset(
        town_x, town_y, a, c1,
        coordinator_x=factory.coordinator(town_x, email="koord-x@example.org", locale="en"),
        coordinator_y=factory.coordinator(town_y, email="koord-y@example.org", locale="en"),
        coordinator_xy=factory.coordinator(town_x, town_y, email="koord-xy@example.org", locale="en"),
    )
    _surveys(db, factory, data)
    _postings(db, data)
    _networks(db, data)
    _chats(db, data)
    _consultations(db, data)
    db.session.commit()
    return data


def _association(factory, town, name, field, created_on, topics=()):
    association = factory.association(town, name, topics=topics, field=field)
    association.created_at = at(created_on)
    factory.db.session.commit()
    return association


def _survey(db, town, title, state, opens_on, closes_on, options):
    survey = Survey(municipality_id=town.id, series_key=title, title={"de": title, "en": f"{title} (en)"},
                    state=state, opens_on=opens_on, closes_on=closes_on, wave_label="2025")
    section = SurveySection(survey=survey, key="s1", position=0, title={"de": "Bedarf"})
    question = SurveyQuestion(survey=survey, section=section, key="q1", kind=QuestionKind.topic_choice,
                              text={"de": "Was braucht oder bietet Ihr Verein?"})
    question.options = [SurveyOption(key=key, position=i, topic_id=topic.id, polarity=polarity)
                        for i, (key, topic, polarity) in enumerate(options)]
    db.session.add(survey)
    db.session.flush()
    return survey, question


def _respond(db, survey, association, submitted_on, answers=(), state=ResponseState.submitted):
    response = SurveyResponse(survey_id=survey.id, association_id=association.id, state=state,
                              submitted_at=at(submitted_on) if submitted_on else None)
    response.answers = [SurveyAnswer(question_id=question.id, option_id=option.id, share_consent=consent)
                        for question, option, consent in answers]
    db.session.add(response)


def _surveys(db, factory, d):
    rooms, funding, volunteers = (factory.topic(k) for k in ("rooms", "funding", "volunteers"))
    options = [("rooms", rooms, Polarity.need), ("funding", funding, Polarity.need),
               ("volunteers", volunteers, Polarity.offer)]
    survey, question = _survey(db, d.town_x, "Bedarfserhebung", SurveyState.closed, date(2025, 4, 1),
                               date(2025, 4, 30), options)
    opt = {o.key: o for o in question.options}
    for number in (1, 2, 3, 5):
        db.session.add(SurveyInvitation(survey_id=survey.id, association_id=d.a[number].id))
    _respond(db, survey, d.a[1], date(2025, 4, 10), [(question, opt["rooms"], True), (question, opt["volunteers"], True)])
    _respond(db, survey, d.a[2], date(2025, 4, 12), [(question, opt["rooms"], True), (question, opt["funding"], False)])
    _respond(db, survey, d.a[3], None, [(question, opt["funding"], True)], state=ResponseState.draft)
    d.survey = survey
    # A draft, a survey of 2024 and one of town Y: none of them in the report.
    _survey(db, d.town_x, "Entwurf", SurveyState.draft, date(2025, 6, 1), date(2025, 6, 30), options)
    old, old_q = _survey(db, d.town_x, "Alt", SurveyState.closed, date(2024, 3, 1), date(2024, 3, 31), options)
    db.session.add(SurveyInvitation(survey_id=old.id, association_id=d.a[1].id))
    _respond(db, old, d.a[1], date(2024, 3, 5), [(old_q, old_q.options[1], True)])
    other, other_q = _survey(db, d.town_y, "Ypsilon", SurveyState.closed, date(2025, 4, 1), date(2025, 4, 30), options)
    db.session.add(SurveyInvitation(survey_id=other.id, association_id=d.c1.id))
    _respond(db, other, d.c1, date(2025, 4, 3), [(other_q, other_q.options[1], True)])


def _posting(db, association, kind, category, created_on, **kwargs):
    posting = Posting(municipality_id=association.municipality_id, association_id=association.id, kind=kind,
                      category=category, title=f"{kind.value} {category.value}", created_at=at(created_on),
                      expires_at=at(created_on) + timedelta(days=90), **kwargs)
    db.session.add(posting)
    db.session.flush()
    return posting


def _postings(db, d):
    p1 = _posting(db, d.a[2], PostingKind.offer, Category.rooms, date(2025, 5, 5), state=PostingState.fulfilled,
                  fulfilled_at=at(date(2025, 8, 15)), partner_id=d.a[3].id)
    _posting(db, d.a[3], PostingKind.request, Category.funding, date(2025, 8, 20))
    _posting(db, d.a[1], PostingKind.request, Category.rooms, date(2024, 11, 1))
    _posting(db, d.a[1], PostingKind.offer, Category.volunteers, date(2025, 6, 1), moderation=Moderation.removed)
    _posting(db, d.c1, PostingKind.request, Category.rooms, date(2025, 3, 1))
    conversation = Conversation(posting_id=p1.id, municipality_id=d.town_x.id, poster_id=d.a[2].id,
                                replier_id=d.a[3].id, created_at=at(date(2025, 7, 1)))
    conversation.messages = [Message(association_id=d.a[3].id, body="Wir hätten Interesse.",
                                     created_at=at(date(2025, 7, 1)))]
    db.session.add(conversation)


def _network(db, town, name, status, created_on, members=()):
    network = SubNetwork(municipality_id=town.id, name=name, status=status, created_at=at(created_on))
    network.memberships = [SubNetworkMember(association_id=a.id, source=MembershipSource.manual, state=state,
                                            added_at=at(created_on)) for a, state in members]
    db.session.add(network)


def _networks(db, d):
    _network(db, d.town_x, "HSU", NetworkStatus.active, date(2025, 3, 1),
             [(d.a[1], MembershipState.active), (d.a[2], MembershipState.active), (d.a[3], MembershipState.removed)])
    _network(db, d.town_x, "Räume", NetworkStatus.dormant, date(2024, 6, 1), [(d.a[5], MembershipState.active)])
    _network(db, d.town_x, "Neu", NetworkStatus.active, date(2026, 1, 10), [(d.a[4], MembershipState.active)])
    _network(db, d.town_y, "Ypsilon", NetworkStatus.active, date(2025, 2, 1), [(d.c1, MembershipState.active)])


def _chat(db, town, title, state, starts_on, invitations=(), follow_ups=()):
    chat = FiresideChat(municipality_id=town.id, title=title, state=state, starts_at=at(starts_on, 17))
    chat.invitations = [ChatInvitation(association_id=a.id, state=inv_state, attended=attended,
                                       attended_persons=persons) for a, inv_state, attended, persons in invitations]
    chat.follow_ups = [FollowUp(title=f"Aufgabe {i}", state=state_, due_on=due, created_at=at(created))
                       for i, (state_, due, created) in enumerate(follow_ups)]
    db.session.add(chat)


def _chats(db, d):
    invited, withdrawn = InvitationState.invited, InvitationState.withdrawn
    _chat(db, d.town_x, "Kamingespräch Herbst", ChatState.invited, date(2025, 9, 20),
          [(d.a[4], invited, True, 2), (d.a[1], invited, False, None), (d.a[2], withdrawn, None, None)],
          [(FollowUpState.done, date(2025, 10, 15), date(2025, 9, 21)),
           (FollowUpState.open, date(2025, 10, 31), date(2025, 9, 21)),
           (FollowUpState.dropped, None, date(2025, 9, 22))])
    _chat(db, d.town_x, "Abgesagt", ChatState.cancelled, date(2025, 10, 1), [(d.a[5], invited, None, None)])
    _chat(db, d.town_x, "Nächstes Jahr", ChatState.invited, date(2026, 12, 1), [(d.a[1], invited, None, None)])
    _chat(db, d.town_y, "Ypsilon", ChatState.invited, date(2025, 5, 1), [(d.c1, invited, True, 3)],
          [(FollowUpState.open, date(2025, 6, 1), date(2025, 5, 2))])


def _consultation(db, association, held_on, topics, minutes, fmt, next_step="", due=None, done=None):
    db.session.add(Consultation(
        municipality_id=association.municipality_id, association_id=association.id, held_on=held_on, topics=topics,
        minutes_spent=minutes, format=fmt, next_step=next_step, next_step_due=due,
        next_step_done_at=at(done) if done else None, summary="", internal_notes="Interne Notiz",
    ))


def _consultations(db, d):
    _consultation(db, d.a[1], date(2025, 2, 3), ["funding"], 60, ConsultationFormat.in_person, "Antrag einreichen",
                  date(2025, 3, 1), date(2025, 2, 28))
    _consultation(db, d.a[1], date(2025, 5, 12), ["funding", "events"], 90, ConsultationFormat.phone, "Termin",
                  date(2025, 6, 1))
    _consultation(db, d.a[3], date(2025, 11, 20), ["founding"], 30, ConsultationFormat.email)
    _consultation(db, d.a[5], date(2024, 12, 20), ["funding"], 45, ConsultationFormat.in_person, "Alt",
                  date(2025, 1, 10))
    _consultation(db, d.c1, date(2025, 3, 3), ["premises"], 120, ConsultationFormat.online, "Ypsilon",
                  date(2025, 4, 1))
