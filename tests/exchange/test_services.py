"""The exchange services: postings from creation to fulfilled, conversations, moderation, expiry, digest."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from core.models import OutboxMail, utcnow
from exchange import jobs, matches, moderation, queries, services
from exchange.models import (
    Conversation,
    DigestSubscription,
    Moderation,
    PostingKind,
    PostingState,
    Report,
    ReportResolution,
)
from exchange.services import ExchangeError


@pytest.fixture(autouse=True)
def request_context(app):
    """Services run inside a view in real life; refusals are shown in the user's language."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        yield


def mails(db, to=None):
    stmt = select(OutboxMail).order_by(OutboxMail.id)
    if to:
        stmt = stmt.where(OutboxMail.to_addr == to)
    return db.session.scalars(stmt).all()


def test_create_posting_runs_sixty_days_and_is_searchable_in_every_spelling(db, world, make_posting):
    posting = make_posting(world.rep_a, topics=["rooms", "hsu-tr"], title="Großer Raum für Übungsstunden")
    assert posting.municipality_id == world.town_x.id and posting.author_id == world.rep_a.id
    assert posting.state is PostingState.open
    assert timedelta(days=59, hours=23) < posting.expires_at - posting.created_at <= timedelta(days=60)
    assert sorted(posting.languages) == ["de", "tr"] and posting.weekday_list == [5]
    for word in ("grosser", "uebungsstunden", "ubungsstunden", "raumnot", "heritage-language", "herkunftssprachlicher"):
        assert word in posting.search_text, word


def test_an_end_date_shortens_the_run_to_that_day(db, world, make_posting):
    end = date.today() + timedelta(days=10)
    posting = make_posting(world.rep_a, ends_on=end)
    assert posting.expires_at.date() in (end, end + timedelta(days=1))  # local midnight after the day, in UTC
    assert posting.expires_at - utcnow() < timedelta(days=12)


def test_contact_details_are_not_kept_unless_shared(db, world, make_posting):
    posting = make_posting(world.rep_a, share_contact=False, contact_email="x@example.org", contact_phone="0711 12345")
    assert posting.contact_email == posting.contact_phone == ""
    shared = make_posting(world.rep_a, share_contact=True, contact_email="x@example.org")
    assert shared.contact_email == "x@example.org"


def test_state_changes_follow_the_allowed_transitions(db, world, make_posting):
    posting = make_posting(world.rep_a)
    services.change_state(world.rep_a, posting, PostingState.in_progress)
    services.change_state(world.rep_a, posting, PostingState.open)
    services.change_state(world.rep_a, posting, PostingState.withdrawn)
    with pytest.raises(ExchangeError):
        services.change_state(world.rep_a, posting, PostingState.in_progress)
    services.renew(world.rep_a, posting)
    assert posting.state is PostingState.open


def test_a_removed_posting_cannot_be_changed_or_renewed(db, world, make_posting):
    posting = make_posting(world.rep_a)
    moderation.moderate_posting(world.coord_x, posting, "remove", "Werbung")
    for action in (
        lambda: services.change_state(world.rep_a, posting, PostingState.withdrawn),
        lambda: services.renew(world.rep_a, posting),
        lambda: services.update_posting(world.rep_a, posting, {"title": "Neu"}),
        lambda: services.mark_fulfilled(world.rep_a, posting),
    ):
        with pytest.raises(ExchangeError):
            action()


def test_renew_reopens_an_expired_posting_for_another_full_run(db, world, make_posting, days_ago):
    posting = make_posting(world.rep_a, now=days_ago(70))
    jobs.expire_due()
    assert posting.state is PostingState.expired
    services.renew(world.rep_a, posting)
    assert posting.state is PostingState.open and posting.reminded_at is None
    assert posting.expires_at - utcnow() > timedelta(days=59)


def test_renew_is_refused_when_the_end_date_has_passed(db, world, make_posting, days_ago):
    posting = make_posting(world.rep_a, now=days_ago(70))
    posting.ends_on = date.today() - timedelta(days=3)
    with pytest.raises(ExchangeError, match="end date"):
        services.renew(world.rep_a, posting)


def test_renewal_is_offered_only_near_the_end(app, db, world, make_posting, days_ago):
    fresh = make_posting(world.rep_a)
    assert not services.renewal_due(fresh, utcnow())
    old = make_posting(world.rep_a, now=days_ago(50))
    assert services.renewal_due(old, utcnow())


def test_fulfilled_with_a_partner_asks_the_partner_in_its_language(db, world, make_posting):
    posting = make_posting(world.rep_a)
    services.mark_fulfilled(world.rep_a, posting, world.b)
    db.session.commit()
    assert posting.state is PostingState.fulfilled and posting.partner_id == world.b.id
    [mail] = mails(db, world.rep_b.email)
    assert mail.locale == "en" and "confirm" in mail.subject.lower() and world.a.name in mail.subject
    assert f"/exchange/{posting.id}" in mail.body_text
    services.confirm_partner(world.rep_b, posting)
    assert posting.partner_confirmed_at is not None


def test_a_partner_from_another_town_or_oneself_is_refused(db, world, make_posting):
    posting = make_posting(world.rep_a)
    for partner in (world.c, world.a):
        with pytest.raises(ExchangeError):
            services.mark_fulfilled(world.rep_a, posting, partner)


def test_the_partner_can_say_it_was_not_them(db, world, make_posting):
    posting = make_posting(world.rep_a)
    services.mark_fulfilled(world.rep_a, posting, world.b)
    services.deny_partner(world.rep_b, posting)
    db.session.commit()
    assert posting.partner_id is None and posting.state is PostingState.fulfilled
    assert any(world.b.name in m.subject for m in mails(db, world.rep_a.email))


def test_reopening_a_fulfilled_posting_removes_the_exchange(db, world, make_posting):
    posting = make_posting(world.rep_a)
    services.mark_fulfilled(world.rep_a, posting, world.b)
    services.change_state(world.rep_a, posting, PostingState.open)
    assert posting.partner_id is None and posting.fulfilled_at is None and posting.state is PostingState.open


def test_reply_opens_one_conversation_and_mails_the_poster(db, world, make_posting):
    posting = make_posting(world.rep_a)
    conversation, message = services.reply(world.rep_b, posting, "Wir haben samstags einen Saal.")
    again, _second = services.reply(world.rep_b, posting, "Noch eine Frage.")
    db.session.commit()
    assert again.id == conversation.id and len(conversation.messages) == 2
    assert conversation.poster_id == world.a.id and conversation.replier_id == world.b.id
    [mail] = mails(db, world.rep_a.email)
    assert mail.locale == "de" and world.b.name in mail.subject
    assert f"/exchange/conversations/{conversation.id}" in mail.body_text


def test_reply_to_a_withdrawn_or_own_posting_is_refused(db, world, make_posting):
    posting = make_posting(world.rep_a)
    with pytest.raises(ExchangeError):
        services.reply(world.rep_a, posting, "An uns selbst")
    services.change_state(world.rep_a, posting, PostingState.withdrawn)
    with pytest.raises(ExchangeError, match="no longer open"):
        services.reply(world.rep_b, posting, "Zu spät?")
    assert db.session.scalar(select(Conversation.id)) is None


def test_one_mail_per_unread_run_not_one_per_message(db, world, make_posting):
    posting = make_posting(world.rep_a)
    conversation, _ = services.reply(world.rep_b, posting, "Erste Nachricht")
    services.add_message(world.rep_b, conversation, "Zweite Nachricht")
    db.session.commit()
    assert len(mails(db, world.rep_a.email)) == 1  # the opening mail only
    assert queries.unread_count(world.rep_a) == 2
    services.mark_read(world.rep_a, conversation, conversation.messages[-1].id)
    assert queries.unread_count(world.rep_a) == 0
    services.add_message(world.rep_b, conversation, "Dritte Nachricht")
    db.session.commit()
    assert len(mails(db, world.rep_a.email)) == 2
    assert queries.unread_count(world.rep_a) == 1
    assert queries.unread_count(world.rep_b) == 0  # own messages are never unread
    assert queries.unread_count(world.coord_x) == 0


def test_every_representative_of_the_other_side_is_told_in_their_language(db, factory, world, make_posting):
    second = factory.representative(world.a, email="rep-a2@example.org", locale="ar")
    factory.representative(world.a, email="invited@example.org", password=False)  # not active yet
    posting = make_posting(world.rep_a)
    services.reply(world.rep_b, posting, "Hallo")
    db.session.commit()
    assert {(m.to_addr, m.locale) for m in mails(db)} == {(world.rep_a.email, "de"), (second.email, "ar")}


def test_a_locked_conversation_takes_no_messages(db, world, make_posting):
    posting = make_posting(world.rep_a)
    conversation, _ = services.reply(world.rep_b, posting, "Hallo")
    moderation.lock_conversation(world.coord_x, conversation, "Ton nicht in Ordnung")
    with pytest.raises(ExchangeError):
        services.add_message(world.rep_a, conversation, "Trotzdem")
    moderation.unlock_conversation(world.coord_x, conversation)
    services.add_message(world.rep_a, conversation, "Wieder offen")


def test_reports_are_not_duplicated_and_reach_the_coordinators_of_the_town(db, world, make_posting):
    posting = make_posting(world.rep_a)
    first = services.report(world.rep_b, "Sieht nach Werbung aus", posting=posting)
    again = services.report(world.rep_b, "Nochmal", posting=posting)
    db.session.commit()
    assert first.id == again.id
    recipients = {m.to_addr for m in mails(db)}
    assert world.coord_x.email in recipients and world.coord_y.email not in recipients


def test_hiding_needs_a_reason_closes_reports_and_tells_the_poster(db, world, make_posting):
    posting = make_posting(world.rep_a)
    report = services.report(world.rep_b, "Werbung", posting=posting)
    with pytest.raises(ExchangeError):
        moderation.moderate_posting(world.coord_x, posting, "hide", "")
    moderation.moderate_posting(world.coord_x, posting, "hide", "Bitte ohne Werbung für Firmen.")
    db.session.commit()
    assert posting.moderation is Moderation.hidden
    assert report.resolution is ReportResolution.hidden and report.resolved_by_id == world.coord_x.id
    mail = [m for m in mails(db, world.rep_a.email) if "changed your posting" in m.subject or "geändert" in m.subject]
    assert mail and "Bitte ohne Werbung für Firmen." in mail[0].body_text
    moderation.moderate_posting(world.coord_x, posting, "restore", "")
    assert posting.moderation is Moderation.visible and posting.moderation_reason == ""


def test_hiding_a_message_keeps_the_reason_for_both_sides(db, world, make_posting):
    posting = make_posting(world.rep_a)
    conversation, message = services.reply(world.rep_b, posting, "Unfreundlich")
    report = services.report(world.rep_a, "Beleidigend", message=message)
    moderation.hide_message(world.coord_x, message, "Beleidigung")
    assert message.hidden_at is not None and message.hidden_reason == "Beleidigung"
    assert report.resolution is ReportResolution.message_hidden


def test_expiry_run_closes_old_postings_and_reminds_once(db, world, make_posting, days_ago):
    old = make_posting(world.rep_a, now=days_ago(61), title="Alt")
    ending = make_posting(world.rep_a, now=days_ago(55), title="Bald zu Ende")
    fresh = make_posting(world.rep_a, title="Frisch")
    assert jobs.expire_due() == (1, 1)
    db.session.commit()
    assert old.state is PostingState.expired and ending.state is PostingState.open and ending.reminded_at
    assert fresh.reminded_at is None
    subjects = [m.subject for m in mails(db, world.rep_a.email)]
    assert any("Alt" in s for s in subjects) and any("Bald zu Ende" in s for s in subjects)
    assert jobs.expire_due() == (0, 0)


def test_digest_sends_new_matching_postings_of_others_in_each_language(db, world, make_posting, days_ago):
    services.set_digest(world.rep_b, world.b, True)
    make_posting(world.rep_a, topics=["rooms"], title="Raum gesucht")
    make_posting(world.rep_a, topics=["sport"], title="Sportplatz gesucht")  # not one of B's topics
    make_posting(world.rep_b, topics=["rooms"], title="Eigener Eintrag")  # B's own
    make_posting(world.rep_c, topics=["rooms"], title="Andere Stadt")
    db.session.commit()
    assert jobs.send_digests() == 1
    db.session.commit()
    [mail] = mails(db, world.rep_b.email)
    assert mail.locale == "en" and "Raum gesucht" in mail.body_text
    for absent in ("Sportplatz", "Eigener Eintrag", "Andere Stadt"):
        assert absent not in mail.body_text
    # A second run in the same week sends nothing; --force does, but only what is new since.
    assert jobs.send_digests() == 0
    assert jobs.send_digests(force=True) == 0
    subscription = db.session.get(DigestSubscription, world.b.id)
    assert subscription.last_sent_at is not None


def test_digest_opt_out(db, world):
    services.set_digest(world.rep_b, world.b, True)
    services.set_digest(world.rep_b, world.b, False)
    assert db.session.get(DigestSubscription, world.b.id) is None


def test_counterparts_of_a_request_are_the_fitting_offers_of_the_town(db, world, make_posting):
    from exchange.models import Category

    request = make_posting(world.rep_a, topics=["rooms", "children"], weekdays=[5])
    hall = make_posting(world.rep_b, kind=PostingKind.offer, topics=["rooms"], weekdays=[5, 6], district="Oststadt")
    make_posting(world.rep_b, kind=PostingKind.offer, category=Category.other, topics=["children"], title="Vorlesen")
    make_posting(world.rep_b, kind=PostingKind.offer, weekdays=[1], title="Nur dienstags")
    make_posting(world.rep_c, kind=PostingKind.offer, topics=["rooms"], title="Andere Stadt")
    found = matches.counterparts_for(request, utcnow())
    assert [c.item.id for c in found] == [hall.id]
    assert found[0].reason.category == "rooms" and found[0].reason.weekdays == (5,)
    # And the other way round: the request among the hall's counterparts.
    assert [c.item.id for c in matches.counterparts_for(hall, utcnow())] == [request.id]


def test_report_figures_count_exchanges_by_category_and_between_fields(db, world, make_posting):
    from core.models import Field
    from exchange.models import Category

    room = make_posting(world.rep_a)  # A (education) asks, B (religion) gives
    services.mark_fulfilled(world.rep_a, room, world.b)
    services.confirm_partner(world.rep_b, room)
    offer = make_posting(world.rep_b, kind=PostingKind.offer, category=Category.equipment)
    services.mark_fulfilled(world.rep_b, offer, world.a)  # B gives again
    alone = make_posting(world.rep_a, category=Category.volunteers)
    services.mark_fulfilled(world.rep_a, alone)
    make_posting(world.rep_c)
    c_done = make_posting(world.rep_c)
    services.mark_fulfilled(world.rep_c, c_done)
    db.session.commit()
    figures = queries.figures({world.town_x.id})
    assert (figures.fulfilled, figures.with_partner, figures.confirmed) == (3, 2, 1)
    assert dict(figures.by_category) == {Category.rooms: 1, Category.equipment: 1, Category.volunteers: 1}
    assert figures.between_fields == [(Field.religion, Field.education, 2)]
    assert figures.requests == 2 and figures.offers == 1
    assert queries.figures(None).fulfilled == 4
    assert queries.figures({world.town_x.id}, year=utcnow().year - 1).fulfilled == 0


def test_report_rows_record_the_town_of_the_target(db, world, make_posting):
    posting = make_posting(world.rep_a)
    _conversation, message = services.reply(world.rep_b, posting, "Hallo")
    report = services.report(world.rep_a, "Spam", message=message)
    assert report.municipality_id == world.town_x.id and report.posting_id is None
    assert db.session.scalar(select(Report.message_id)) == message.id


def _survey_answers(db, town, answers):
    """A submitted needs survey: answers = [(association, topic, polarity, share_consent)]."""
    from core.models import Topic
    from surveys.models import (
        Polarity,
        QuestionKind,
        ResponseState,
        Survey,
        SurveyAnswer,
        SurveyOption,
        SurveyQuestion,
        SurveyResponse,
        SurveySection,
        SurveyState,
    )

    survey = Survey(municipality_id=town.id, series_key="bedarf", state=SurveyState.closed, title={"de": "Bedarf"})
    section = SurveySection(survey=survey, key="s1")
    question = SurveyQuestion(survey=survey, section=section, key="q1", kind=QuestionKind.topic_choice)
    db.session.add_all([survey, section, question])
    responses, options = {}, {}
    topics = {t.key: t for t in db.session.scalars(select(Topic))}
    with db.session.no_autoflush:
        for association, key, polarity, consent in answers:
            if (key, polarity) not in options:
                options[key, polarity] = SurveyOption(question=question, key=f"{key}-{polarity}",
                                                      topic_id=topics[key].id, polarity=Polarity(polarity))
                db.session.add(options[key, polarity])
            if association.id not in responses:
                responses[association.id] = SurveyResponse(survey=survey, association=association,
                                                           state=ResponseState.submitted)
                db.session.add(responses[association.id])
            db.session.add(SurveyAnswer(response=responses[association.id], question=question,
                                        option=options[key, polarity], share_consent=consent))
    db.session.commit()


def test_survey_answers_shared_with_consent_suggest_counterparts(db, factory, world, make_posting):
    from tests.exchange.conftest import association

    d = association(factory, world.town_x, name="Kulturverein D")
    e = association(factory, world.town_x, name="Verein E ohne Zustimmung")
    _survey_answers(db, world.town_x, [
        (world.b, "rooms", "offer", True),
        (d, "hsu", "offer", True),  # the parent topic meets the request's "hsu-tr"
        (d, "funding", "need", True),
        (e, "rooms", "offer", False),  # not agreed to pass on
        (world.c, "rooms", "offer", True),  # another town
        (world.a, "rooms", "offer", True),  # the poster itself
    ])
    request = make_posting(world.rep_a, topics=["rooms", "hsu-tr"])
    found = matches.survey_counterparts_for(request)
    assert {c.item.payload.association.name for c in found} == {world.b.name, "Kulturverein D"}
    by_name = {c.item.payload.association.name: c for c in found}
    assert by_name["Kulturverein D"].reason.topics == ("hsu-tr",)
    assert by_name[world.b.name].reason.topics == ("rooms",) and by_name[world.b.name].item.source == "survey"
    # An offer of funding meets D's stated need.
    offer = make_posting(world.rep_b, kind=PostingKind.offer, topics=["funding"], title="Wir helfen bei Anträgen")
    assert [c.item.payload.association.name for c in matches.survey_counterparts_for(offer)] == ["Kulturverein D"]


def test_correcting_a_hidden_posting_asks_the_office_to_look_again(db, world, make_posting):
    posting = make_posting(world.rep_a)
    moderation.moderate_posting(world.coord_x, posting, "hide", "Bitte ohne Preise")
    db.session.commit()
    services.update_posting(world.rep_a, posting, {"description": "Jetzt ohne Preise."})
    db.session.commit()
    [mail] = mails(db, world.coord_x.email)
    assert posting.title in mail.subject and f"/exchange/{posting.id}/moderate" in mail.body_text
    assert posting.moderation is Moderation.hidden  # only the office makes it visible again
