"""`flask exchange expire|digest|reindex` and the demo board."""

from sqlalchemy import func, select

from core.models import OutboxMail, Topic
from exchange import services
from exchange.models import Conversation, DigestSubscription, Posting, PostingState, Report


def test_expire_command_closes_and_reminds(runner, db, world, make_posting, days_ago):
    old = make_posting(world.rep_a, now=days_ago(65))
    soon = make_posting(world.rep_a, now=days_ago(56))
    result = runner.invoke(args=["exchange", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 postings expired, 1 reminders queued." in result.output
    db.session.expire_all()
    assert db.session.get(Posting, old.id).state is PostingState.expired
    assert db.session.get(Posting, soon.id).reminded_at is not None
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.subject.contains("ends in a few days") |
                                                     OutboxMail.subject.contains("endet")))
    assert mail is not None and f"/exchange/{soon.id}" in mail.body_text


def test_digest_command(runner, db, world, make_posting):
    services.set_digest(world.rep_b, world.b, True)
    db.session.commit()
    make_posting(world.rep_a, topics=["rooms"], title="Raum für Chorprobe")
    result = runner.invoke(args=["exchange", "digest"])
    assert result.exit_code == 0 and "1 digests queued." in result.output
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.to_addr == world.rep_b.email))
    assert "Raum für Chorprobe" in mail.body_text and "/exchange/digest" in mail.body_text
    assert "0 digests queued." in runner.invoke(args=["exchange", "digest"]).output


def test_reindex_picks_up_renamed_topics(runner, db, world, make_posting):
    posting = make_posting(world.rep_a, topics=["rooms"])
    topic = db.session.scalar(select(Topic).where(Topic.key == "rooms"))
    topic.synonyms = [*topic.synonyms, "Probenraum"]
    db.session.commit()
    assert "probenraum" not in posting.search_text
    assert "postings reindexed" in runner.invoke(args=["exchange", "reindex"]).output
    db.session.expire_all()
    assert "probenraum" in db.session.get(Posting, posting.id).search_text


def test_demo_builds_a_lively_board(app, db):
    from core import demo

    demo.load()
    db.session.commit()
    states = dict(db.session.execute(select(Posting.state, func.count()).group_by(Posting.state)).all())
    assert sum(states.values()) >= 30
    assert states[PostingState.open] >= 15 and states[PostingState.in_progress] >= 1
    assert states[PostingState.fulfilled] >= 2 and states[PostingState.expired] == 1
    categories = db.session.scalars(select(Posting.category).distinct()).all()
    assert len(categories) == 9
    confirmed = db.session.scalar(select(Posting).where(Posting.partner_confirmed_at.is_not(None)))
    assert confirmed.partner_id is not None and confirmed.partner_id != confirmed.association_id
    assert db.session.scalar(select(func.count(Conversation.id))) >= 1
    assert db.session.scalar(select(func.count(DigestSubscription.association_id))) >= 1
    assert db.session.scalar(select(func.count(Report.id))) == 1
    # verein01 has two unread answers to its room request (one in each conversation).
    from core.models import User
    from exchange.queries import unread_count

    assert unread_count(User.by_email("verein01@example.org")) == 2
