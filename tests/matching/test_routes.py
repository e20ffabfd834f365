"""The pages: review suggestions, accept and dismiss, rules with their messages, sub-networks, the
association's side and the overview."""

import re

import pytest
from sqlalchemy import select

from core.models import Topic
from matching import queries, services
from matching.models import (
    DismissedSuggestion,
    MatchingRun,
    MatchRule,
    MembershipSource,
    MembershipState,
    NetworkStatus,
    RunTrigger,
    SubNetwork,
)


@pytest.fixture
def coordinator_client(client, auth, town):
    auth.login_as(town.coordinator)
    return client


def text(response):
    return response.get_data(as_text=True)


def hsu_key(town):
    return next(s for s in queries.compute(town.municipality.id).suggestions if s.group_key == "hsu")


def accept_hsu(db, town, name="HSU-Runde"):
    network = services.accept_suggestion(town.municipality.id, hsu_key(town), town.coordinator, name=name)
    db.session.commit()
    return network


# --------------------------------------------------------------------------- suggestions


def test_suggestions_page_explains_every_member_and_the_score(coordinator_client, town, hsu_rule):
    page = text(coordinator_client.get(f"/matching/{town.municipality.id}/suggestions"))
    assert "Heritage-language teaching" in page
    for name in ("Türkischer Elternverein", "Arabische Schule", "Alevitische Gemeinde", "Italienischer Kreis"):
        assert name in page
    assert "Profile topic “Heritage-language teaching: Turkish”" in page
    assert page.count('class="bar-fill') >= 3, "size, evidence and recency are shown"


def test_suggestions_are_computed_automatically_and_on_request(coordinator_client, db, town, hsu_rule):
    coordinator_client.get(f"/matching/{town.municipality.id}/suggestions")
    runs = db.session.scalars(select(MatchingRun)).all()
    assert [r.trigger for r in runs] == [RunTrigger.auto]
    response = coordinator_client.post(f"/matching/{town.municipality.id}/run")
    assert response.status_code == 302
    runs = db.session.scalars(select(MatchingRun).order_by(MatchingRun.id)).all()
    assert [r.trigger for r in runs] == [RunTrigger.auto, RunTrigger.manual]
    assert runs[1].user_id == town.coordinator.id


def test_held_back_associations_are_counted_without_details(coordinator_client, db, town, hsu_rule):
    services.set_networking(town["Italienischer Kreis"], False, False, town.coordinator)
    db.session.commit()
    page = text(coordinator_client.get(f"/matching/{town.municipality.id}/suggestions"))
    assert "1 association has switched networking off" in page
    assert "Italienischer Kreis" not in page


def test_accepting_needs_a_name_and_then_creates_the_sub_network(coordinator_client, db, town, hsu_rule):
    suggestion = hsu_key(town)
    url = f"/matching/{town.municipality.id}/suggestions/{suggestion.key}"
    assert coordinator_client.get(url).status_code == 200
    response = coordinator_client.post(url + "/accept", data={"name": " ", "notes": "Bitte merken", "fingerprint": suggestion.fingerprint})
    assert response.status_code == 422
    assert 'id="name-error"' in text(response) and "Bitte merken" in text(response)
    response = coordinator_client.post(url + "/accept", data={"name": "HSU-Runde", "notes": "", "fingerprint": suggestion.fingerprint})
    network = db.session.scalar(select(SubNetwork))
    assert response.status_code == 302 and response.location == f"/matching/networks/{network.id}"
    assert network.name == "HSU-Runde" and len(network.active_members) == 4


def test_a_suggestion_that_changed_while_reading_is_not_accepted(coordinator_client, db, factory, town, hsu_rule):
    from tests.matching.conftest import make_association

    suggestion = hsu_key(town)
    make_association(factory, town.municipality, "Neu 1", ["hsu-uk"])
    make_association(factory, town.municipality, "Neu 2", ["hsu-pl"])
    url = f"/matching/{town.municipality.id}/suggestions/{suggestion.key}"
    response = coordinator_client.post(url + "/accept", data={"name": "X", "fingerprint": suggestion.fingerprint})
    assert response.status_code == 302 and response.location == url
    assert db.session.scalar(select(SubNetwork)) is None


def test_unknown_suggestion_leads_back_to_the_list(coordinator_client, town, hsu_rule):
    response = coordinator_client.get(f"/matching/{town.municipality.id}/suggestions/r1-000000000000")
    assert response.status_code == 302 and response.location.endswith("/suggestions")


def test_dismissing_needs_a_reason_and_is_listed_and_can_be_withdrawn(coordinator_client, db, town, hsu_rule):
    suggestion = hsu_key(town)
    url = f"/matching/{town.municipality.id}/suggestions/{suggestion.key}/dismiss"
    response = coordinator_client.post(url, data={"reason": "", "fingerprint": suggestion.fingerprint})
    assert response.status_code == 422 and 'id="reason-error"' in text(response)
    response = coordinator_client.post(url, data={"reason": "Passt nicht", "fingerprint": suggestion.fingerprint})
    assert response.status_code == 302
    page = text(coordinator_client.get(f"/matching/{town.municipality.id}/suggestions"))
    assert "Türkischer Elternverein" not in page
    listed = text(coordinator_client.get(f"/matching/{town.municipality.id}/dismissed"))
    assert "Passt nicht" in listed
    row = db.session.scalar(select(DismissedSuggestion))
    coordinator_client.post(f"/matching/dismissed/{row.id}/restore")
    assert "Türkischer Elternverein" in text(coordinator_client.get(f"/matching/{town.municipality.id}/suggestions"))


# --------------------------------------------------------------------------- rules


def rule_data(**overrides):
    data = {"name": "Räume", "kind": "shared_topic", "topic_keys": ["rooms"], "include_subtopics": "y",
            "grouping": "parent", "polarities": ["interest", "need"], "partition": "district",
            "ignored_languages": "de", "min_size": "2", "max_size": "8", "min_facts": "1", "window_days": "365",
            "is_active": "y"}
    data.update(overrides)
    return data


def test_new_rule_is_saved_and_finds_groups(coordinator_client, db, town):
    response = coordinator_client.post(f"/matching/{town.municipality.id}/rules/new", data=rule_data())
    assert response.status_code == 302
    rule = db.session.scalar(select(MatchRule).where(MatchRule.name == "Räume"))
    assert (rule.topic_keys, rule.partition.value, rule.ignored_languages, rule.min_size) == (["rooms"], "district", ["de"], 2)
    found = [s for s in queries.compute(town.municipality.id).suggestions if s.rule_id == rule.id]
    assert [(s.partition, sorted(m.name for m in s.members)) for s in found] == [
        (("district", "Weststadt"), ["Arabische Schule", "Sportverein", "Türkischer Elternverein"])]


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"min_size": "9", "max_size": "3"}, "min_size", "cannot be larger than the largest group"),
    ({"topic_keys": [], "categories": []}, "topic_keys", "at least one topic or a whole category"),
    ({"window_days": ""}, "window_days", "Please enter a whole number"),
    ({"window_days": "0"}, "window_days", "between 1 and 3650"),
    ({"topic_keys": ["gone-topic"]}, "topic_keys", "has been deleted"),
    ({"polarities": []}, "polarities", "at least one kind of statement"),
    ({"ignored_languages": "de 12"}, "ignored_languages", "language codes"),
    ({"name": ""}, "name", "Please fill in this field"),
])
def test_rule_form_says_what_is_wrong_beside_the_field_and_keeps_the_input(coordinator_client, db, town, overrides, field, message):
    response = coordinator_client.post(f"/matching/{town.municipality.id}/rules/new",
                                       data=rule_data(name=overrides.pop("name", "Mein Regelname"), **overrides))
    page = text(response)
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1), page[page.find("error-summary"):][:1500]
    assert 'class="error-summary"' in page
    if field != "name":
        assert 'value="Mein Regelname"' in page
    assert db.session.scalar(select(MatchRule)) is None


def test_a_stored_rule_whose_topic_was_deleted_or_retired_says_so_when_opened(coordinator_client, db, town, hsu_rule):
    hsu_rule.topic_keys = ["hsu", "old-topic"]
    db.session.commit()
    page = text(coordinator_client.get(f"/matching/rules/{hsu_rule.id}/edit"))
    assert "The topic “old-topic” has been deleted" in page
    assert re.search(r'<input checked id="topic_keys-\d+" name="topic_keys" type="checkbox" value="old-topic">', page)
    assert "old-topic (deleted topic)" in page
    listing = text(coordinator_client.get(f"/matching/{town.municipality.id}/rules"))
    assert "Needs attention" in listing

    topic = db.session.scalar(select(Topic).where(Topic.key == "culture"))
    topic.is_active = False
    hsu_rule.topic_keys = ["culture"]
    db.session.commit()
    page = text(coordinator_client.get(f"/matching/rules/{hsu_rule.id}/edit"))
    assert "is no longer in use" in page


def test_editing_and_deleting_a_rule(coordinator_client, db, town, hsu_rule):
    response = coordinator_client.post(f"/matching/rules/{hsu_rule.id}/edit",
                                       data=rule_data(name="HSU neu", topic_keys=["hsu"], partition="none"))
    assert response.status_code == 302
    db.session.refresh(hsu_rule)
    assert hsu_rule.name == "HSU neu" and hsu_rule.updated_by_id == town.coordinator.id
    coordinator_client.post(f"/matching/rules/{hsu_rule.id}/delete")
    assert db.session.scalar(select(MatchRule)) is None


def test_need_offer_rules_always_count_needs_and_offers(coordinator_client, db, town):
    coordinator_client.post(f"/matching/{town.municipality.id}/rules/new",
                            data=rule_data(kind="need_offer", polarities=[], partition="none"))
    rule = db.session.scalar(select(MatchRule))
    assert rule.polarities == ["need", "offer"]


def test_missing_default_rules_can_be_added_back(coordinator_client, db, town):
    coordinator_client.get(f"/matching/{town.municipality.id}/rules")
    first = db.session.scalars(select(MatchRule)).all()
    db.session.delete(first[0])
    db.session.commit()
    coordinator_client.post(f"/matching/{town.municipality.id}/rules/defaults")
    assert len(db.session.scalars(select(MatchRule)).all()) == len(first)


# --------------------------------------------------------------------------- sub-networks


def test_network_page_shows_computed_and_manual_members_apart(coordinator_client, db, town, hsu_rule):
    network = accept_hsu(db, town)
    sport = town["Sportverein"]
    response = coordinator_client.post(f"/matching/networks/{network.id}/members", data={"association_id": sport.id, "reason": ""})
    assert response.status_code == 422 and 'id="reason-error"' in text(response)
    coordinator_client.post(f"/matching/networks/{network.id}/members",
                            data={"association_id": sport.id, "reason": "Stellt die Halle"})
    page = text(coordinator_client.get(f"/matching/networks/{network.id}"))
    computed, manual = page.split('id="computed"')[1].split('id="manual"')
    assert "Türkischer Elternverein" in computed and "Sportverein" not in computed
    assert "Sportverein" in manual and "Stellt die Halle" in manual


def test_removing_a_member_asks_for_a_reason_and_keeps_history(coordinator_client, db, town, hsu_rule):
    network = accept_hsu(db, town)
    member = next(m for m in network.memberships if m.association.name == "Italienischer Kreis")
    url = f"/matching/networks/{network.id}/members/{member.id}/remove"
    assert "Italienischer Kreis" in text(coordinator_client.get(url))
    response = coordinator_client.post(url, data={"reason": ""})
    assert response.status_code == 200 and 'id="reason-error"' in text(response)
    coordinator_client.post(url, data={"reason": "Kein Unterricht mehr"})
    db.session.refresh(member)
    assert member.state is MembershipState.removed and member.end_reason == "Kein Unterricht mehr"
    page = text(coordinator_client.get(f"/matching/networks/{network.id}"))
    assert "Kein Unterricht mehr" in page.split('id="former"')[1]
    assert coordinator_client.get(url).status_code == 404, "already removed"


def test_network_can_be_edited_and_formed_by_hand(coordinator_client, db, town, hsu_rule):
    network = accept_hsu(db, town)
    coordinator_client.post(f"/matching/networks/{network.id}/edit",
                            data={"name": "HSU", "status": "dormant", "topic_keys": ["hsu"], "notes": "Pause bis Herbst"})
    db.session.refresh(network)
    assert (network.status, network.notes) == (NetworkStatus.dormant, "Pause bis Herbst")
    response = coordinator_client.post(f"/matching/{town.municipality.id}/networks/new",
                                       data={"name": "Elterncafé", "status": "active", "topic_keys": ["families"]})
    created = db.session.scalar(select(SubNetwork).where(SubNetwork.name == "Elterncafé"))
    assert response.location == f"/matching/networks/{created.id}" and created.origin_rule_id is None
    assert "Elterncafé" in text(coordinator_client.get(f"/matching/{town.municipality.id}/networks"))


def test_overview_draws_an_accessible_svg_with_a_table_alternative(coordinator_client, db, town, hsu_rule):
    network = accept_hsu(db, town)
    page = text(coordinator_client.get(f"/matching/{town.municipality.id}/overview?network={network.id}"))
    start = page.index('class="matrix"')
    svg = page[start:page.index("</svg>", start)]
    assert 'role="img"' in svg and 'aria-labelledby="matrix-title matrix-desc"' in svg
    assert "<title id=\"matrix-title\">" in svg and "style=" not in svg
    assert "Türkischer Elternverein" in svg
    table = page[page.index('id="as-table"'):]
    assert '<tr class="highlighted">' in table and "Sportverein" in table


# --------------------------------------------------------------------------- the association's side


def rep_client(app, auth, factory, association):
    client = app.test_client()
    from tests.conftest import Auth

    Auth(client).login_as(factory.representative(association, locale="en"))
    return client


def test_representative_sees_their_networks_and_only_visible_members(app, auth, db, factory, town, hsu_rule):
    network = accept_hsu(db, town)
    network.notes = "Vertraulich: Vorstand wechselt bald"
    services.set_networking(town["Arabische Schule"], True, True, town.coordinator)
    db.session.commit()
    client = rep_client(app, auth, factory, town["Türkischer Elternverein"])
    assert "HSU-Runde" in text(client.get("/matching/my"))
    page = text(client.get(f"/matching/my/{network.id}"))
    assert "Arabische Schule" in page and "Italienischer Kreis" not in page and "Alevitische Gemeinde" not in page
    assert "2 more associations belong to it but have not chosen to be visible" in page
    assert "Vertraulich" not in page


def test_representative_of_a_non_member_gets_404(app, auth, db, factory, town, hsu_rule):
    network = accept_hsu(db, town)
    client = rep_client(app, auth, factory, town["Sportverein"])
    assert client.get(f"/matching/my/{network.id}").status_code == 404
    assert client.post(f"/matching/my/{network.id}/leave").status_code == 404


def test_association_can_leave(app, auth, db, factory, town, hsu_rule):
    network = accept_hsu(db, town)
    client = rep_client(app, auth, factory, town["Italienischer Kreis"])
    response = client.post(f"/matching/my/{network.id}/leave", data={"reason": "Keine Zeit"})
    assert response.status_code == 302
    member = queries.membership(network.id, town["Italienischer Kreis"].id)
    assert (member.state, member.end_reason, member.source) == (MembershipState.left, "Keine Zeit", MembershipSource.computed)
    assert f'href="/matching/my/{network.id}"' not in text(client.get("/matching/my"))


def test_networking_page_shows_what_is_used_and_switches_it(app, auth, db, factory, town):
    sport = town["Sportverein"]
    client = rep_client(app, auth, factory, sport)
    page = text(client.get(f"/matching/association/{sport.id}/networking"))
    assert page.count('class="source source-profile"') == 3
    client.post(f"/matching/association/{sport.id}/networking", data={"is_visible": "y"})
    consent = queries.consent_of(sport.id)
    assert (consent.is_enabled, consent.is_visible) == (False, True)
    page = text(client.get(f"/matching/association/{sport.id}/networking"))
    assert 'checked id="is_visible"' in page and 'checked id="is_enabled"' not in page
    assert "Networking is switched off: none of this is used." in page


def test_coordinator_sees_networking_choices_but_cannot_change_them(coordinator_client, db, town):
    sport = town["Sportverein"]
    page = text(coordinator_client.get(f"/matching/association/{sport.id}/networking"))
    assert 'name="is_enabled"' not in page
    assert coordinator_client.post(f"/matching/association/{sport.id}/networking", data={}).status_code == 403
    assert queries.consent_of(sport.id) is None


# --------------------------------------------------------------------------- scope


def test_coordinator_of_another_town_sees_nothing_of_town_x(app, auth, db, factory, town, hsu_rule):
    network = accept_hsu(db, town)
    other = factory.municipality("Stadt Y")
    client = app.test_client()
    from tests.conftest import Auth

    Auth(client).login_as(factory.coordinator(other, locale="en"))
    for url in (f"/matching/{town.municipality.id}/suggestions", f"/matching/networks/{network.id}",
                f"/matching/rules/{hsu_rule.id}/edit", f"/matching/{town.municipality.id}/overview"):
        assert client.get(url).status_code == 404, url
    page = text(client.get(f"/matching/{other.id}/suggestions"))
    assert "Türkischer Elternverein" not in page and "Stadt X" not in page


def test_rules_list_names_whole_categories(coordinator_client, db, town):
    coordinator_client.post(f"/matching/{town.municipality.id}/rules/new",
                            data=rule_data(name="Alle Ressourcen", topic_keys=[], categories=["resources"]))
    rule = db.session.scalar(select(MatchRule).where(MatchRule.name == "Alle Ressourcen"))
    assert rule.categories == ["resources"] and rule.topic_keys == []
    page = text(coordinator_client.get(f"/matching/{town.municipality.id}/rules"))
    assert "categories: Resources" in page
