"""Invitations in the recipient's language, tracking figures, reminders by button and by schedule."""

from datetime import timedelta

from sqlalchemy import select

from core.models import Field
from surveys import distribution, queries
from surveys.models import SurveyInvitation, SurveyToken, local_today

from .conftest import page_data


def test_invitation_goes_to_each_representative_in_their_language_else_to_the_contact(
    db, kit, factory, town, coordinator
):
    with_reps = factory.association(town, name="Arabischer Verein", email="kontakt@arab.example")
    factory.representative(with_reps, email="rep-ar@example.org", locale="ar", name="Amal")
    factory.representative(with_reps, email="rep-de@example.org", locale="de", name="Dana")
    factory.representative(with_reps, email="gone@example.org", is_enabled=False)
    contact_only = factory.association(town, name="Nur Kontakt", email="kontakt@verein.example")
    unreachable = factory.association(town, name="Ohne E-Mail")
    survey = kit.survey(town, coordinator, languages=("en", "ar"), invite=[with_reps, contact_only, unreachable])
    mails = {m.to_addr: m for m in kit.mails()}
    assert set(mails) == {"rep-ar@example.org", "rep-de@example.org", "kontakt@verein.example"}
    assert mails["rep-ar@example.org"].locale == "ar" and "lang=ar" in mails["rep-ar@example.org"].body_text
    assert mails["rep-de@example.org"].locale == "de" and "Bedarfserhebung Test" in mails["rep-de@example.org"].subject
    links = {kit.link_path(m) for m in mails.values()}
    assert len(links) == 3, "every mail carries its own link"
    hashes = set(db.session.scalars(select(SurveyToken.token_hash)))
    assert not any(link.rsplit("/", 1)[1] in hashes for link in links), "only hashes are stored"
    assert queries.invitation_for(survey.id, unreachable.id).mails_sent == 0


def test_old_links_keep_working_after_a_reminder(client, db, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations[:1])
    first = kit.link_path(kit.mails()[0])
    distribution.send_reminders(coordinator, survey)
    db.session.commit()
    second = kit.link_path(kit.mails()[-1])
    assert first != second
    assert client.get(first).status_code == 200 and client.get(second).status_code == 200


def test_targets_can_be_filtered_by_field_district_and_topic(client, db, auth, kit, town, coordinator, factory):
    factory.association(
        town, name="Bildung West", field=Field.education, district="Weststadt", topics=["hsu-tr"], email="a@example.org"
    )
    factory.association(town, name="Bildung Ost", field=Field.education, district="Oststadt", email="b@example.org")
    factory.association(
        town, name="Sport West", field=Field.sport, district="Weststadt", topics=["rooms"], email="c@example.org"
    )
    factory.association(
        factory.municipality("Andere Stadt"), name="Fremd", field=Field.education, email="d@example.org"
    )
    survey = kit.survey(town, coordinator)
    auth.login_as(coordinator)
    preview = client.post(f"/surveys/{survey.id}/invite", data={"fields": ["education"], "action": "preview"}).get_data(
        as_text=True
    )
    assert (
        "Bildung West" in preview
        and "Bildung Ost" in preview
        and "Sport West" not in preview
        and "Fremd" not in preview
    )
    client.post(f"/surveys/{survey.id}/invite", data={"topics": ["hsu"], "districts": ["Weststadt"], "action": "send"})
    invited = [inv.association.name for inv in db.session.scalars(select(SurveyInvitation))]
    assert invited == ["Bildung West"]
    client.post(f"/surveys/{survey.id}/invite", data={"action": "send"})
    assert db.session.scalar(select(SurveyInvitation).where(SurveyInvitation.association.has(name="Fremd"))) is None
    assert len(db.session.scalars(select(SurveyInvitation)).all()) == 3
    assert len(kit.mails()) == 3


def test_tracking_shows_the_response_rate_by_field_and_district(client, db, auth, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations)
    token = kit.token(survey, associations[0])
    _submit_minimal(client, kit, survey, token)
    assert queries.response_rate(survey.id)[0] == (None, 6, 1)
    by_field = {str(value.value): (invited, done) for value, invited, done in queries.response_rate(survey.id, "field")}
    assert by_field == {"culture": (2, 0), "education": (2, 1), "sport": (2, 0)}
    auth.login_as(coordinator)
    page = client.get(f"/surveys/{survey.id}/tracking").get_data(as_text=True)
    assert "1 of 6, 17 %" in page or "1 von 6, 17 %" in page
    assert associations[1].name in page


def _submit_minimal(client, kit, survey, token):
    pages = [
        ("verein", {"taetigkeitsfelder": ["bildung"]}),
        ("raeume", {"eigene-raeume": "keine", "raumbedarf": "no"}),
        ("hsu", {"hsu-angebot": "nein"}),
    ]
    sections = {s.key: s for s in kit.structure(survey).sections}
    for version, (key, values) in enumerate(pages):
        assert (
            client.post(
                f"/surveys/r/{token}/{sections[key].id}", data=page_data(kit, survey, values, version=version)
            ).status_code
            == 302
        )
    assert client.post(f"/surveys/r/{token}/review", data={"action": "submit"}).status_code == 302


def test_reminder_button_reaches_only_non_responders_once_a_day(client, db, auth, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations)
    _submit_minimal(client, kit, survey, kit.token(survey, associations[0]))
    before = len(kit.mails())
    auth.login_as(coordinator)
    client.post(f"/surveys/{survey.id}/remind")
    reminders = kit.mails()[before:]
    assert len(reminders) == 5 and associations[0].email not in {m.to_addr for m in reminders}
    assert all("Reminder" in m.subject or "Erinnerung" in m.subject for m in reminders)
    client.post(f"/surveys/{survey.id}/remind")
    invitation = queries.invitation_for(survey.id, associations[1].id)
    client.post(f"/surveys/{survey.id}/invitations/{invitation.id}/remind")
    assert len(kit.mails()) == before + 5, "at most one reminder a day"
    tomorrow = distribution.send_reminders(None, survey, today=local_today() + timedelta(days=1))
    assert tomorrow == 5


def test_flask_surveys_remind_follows_the_schedule_and_is_idempotent(runner, db, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations, closes_in=3)
    kit.survey(town, coordinator, invite=associations, closes_in=20, title="Später")
    before = len(kit.mails())
    result = runner.invoke(args=["surveys", "remind"])
    assert result.exit_code == 0, result.output
    assert f"Survey {survey.id}" in result.output and "6 reminder" in result.output
    assert len(kit.mails()) == before + 6
    again = runner.invoke(args=["surveys", "remind"])
    assert "0 reminder" in again.output and len(kit.mails()) == before + 6
    nothing = runner.invoke(args=["surveys", "remind", "--today", (local_today() + timedelta(days=1)).isoformat()])
    assert "No open survey" in nothing.output
    assert runner.invoke(args=["surveys", "remind", "--today", "morgen"]).exit_code != 0


def test_personal_link_for_the_phone_is_shown_once(client, db, auth, kit, town, coordinator, associations):
    survey = kit.survey(town, coordinator, invite=associations)
    invitation = queries.invitation_for(survey.id, associations[2].id)
    auth.login_as(coordinator)
    page = client.post(f"/surveys/{survey.id}/invitations/{invitation.id}/link")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    link = page.get_data(as_text=True).split('id="personal-link" type="text" readonly value="')[1].split('"')[0]
    auth.logout()
    assert client.get(link.replace("http://localhost", "")).status_code == 200
