"""Services: runs, accepting and dismissing, membership by hand, leaving, consent, rules."""

from sqlalchemy import select

from core.models import ConsentRecord
from matching import queries, services
from matching.defaults import DEFAULT_RULES
from matching.models import (
    DismissedSuggestion,
    MatchingRun,
    MatchRule,
    MembershipSource,
    MembershipState,
    RunTrigger,
    SubNetwork,
)
from tests.matching.conftest import make_association

HSU_MEMBERS = {"Türkischer Elternverein", "Arabische Schule", "Alevitische Gemeinde", "Italienischer Kreis"}


def names(suggestion):
    return {m.name for m in suggestion.members}


def hsu_suggestion(town):
    computation = queries.compute(town.municipality.id)
    return next(s for s in computation.suggestions if s.group_key == "hsu")


def test_first_use_installs_the_default_rules_once(app, db, town):
    services.refresh(town.municipality.id, town.coordinator)
    rules = queries.rules_of(town.municipality.id)
    assert sorted(r.default_key for r in rules) == sorted(spec["default_key"] for spec in DEFAULT_RULES)
    for rule in rules:
        services.delete_rule(rule, town.coordinator)
    services.refresh(town.municipality.id, town.coordinator)
    assert queries.rules_of(town.municipality.id) == []
    added = services.install_default_rules(town.municipality.id, town.coordinator)
    assert len(added) == len(DEFAULT_RULES)
    assert services.install_default_rules(town.municipality.id, town.coordinator) == []


def test_a_run_is_recorded_when_asked_for_or_when_the_input_changed(app, db, factory, town, hsu_rule):
    municipality_id = town.municipality.id
    _computation, first, previous = services.refresh(municipality_id, town.coordinator)
    assert previous is None and first.trigger is RunTrigger.auto
    assert first.fingerprints == {hsu_suggestion(town).key: hsu_suggestion(town).fingerprint}
    _computation, same, _previous = services.refresh(municipality_id, town.coordinator)
    assert same.id == first.id, "nothing changed: no new run"

    make_association(factory, town.municipality, "Neue Sonntagsschule", ["hsu-uk"])
    _computation, changed, before = services.refresh(municipality_id, town.coordinator)
    assert changed.id != first.id and before.id == first.id
    _computation, manual, _previous = services.refresh(municipality_id, town.coordinator, RunTrigger.manual)
    assert manual.trigger is RunTrigger.manual and manual.input_hash == changed.input_hash


def test_old_runs_are_pruned(app, db, town, hsu_rule):
    for _ in range(services.RUNS_KEPT + 5):
        services.refresh(town.municipality.id, town.coordinator, RunTrigger.manual)
    count = len(db.session.scalars(select(MatchingRun)).all())
    assert count == services.RUNS_KEPT


def test_accepting_creates_a_sub_network_with_reasons_and_it_is_not_suggested_again(app, db, town, hsu_rule):
    suggestion = hsu_suggestion(town)
    network = services.accept_suggestion(town.municipality.id, suggestion, town.coordinator, name="HSU-Runde",
                                         notes="Treffen mit dem Schulamt")
    db.session.commit()
    assert (network.name, network.notes, network.topic_keys[0], network.origin_rule_id, network.origin_group_key) == (
        "HSU-Runde", "Treffen mit dem Schulamt", "hsu", hsu_rule.id, "hsu")
    members = {m.association.name: m for m in network.memberships}
    assert set(members) == HSU_MEMBERS
    turkish = members["Türkischer Elternverein"]
    assert turkish.source is MembershipSource.computed and turkish.state is MembershipState.active
    assert turkish.evidence[0]["label"].endswith("Turkish”") or "Türkisch" in turkish.evidence[0]["label"]
    assert turkish.evidence[0]["link"] == ["associations.show", {"association_id": town["Türkischer Elternverein"].id}]
    assert "Herkunftssprachlicher Unterricht" in turkish.reason
    assert all(s.group_key != "hsu" for s in queries.compute(town.municipality.id).suggestions)


def test_newcomers_are_suggested_for_the_existing_network_and_accepting_adds_them(app, db, factory, town, hsu_rule):
    network = services.accept_suggestion(town.municipality.id, hsu_suggestion(town), town.coordinator, name="HSU")
    db.session.commit()
    newcomer = make_association(factory, town.municipality, "Ukrainische Sonntagsschule", ["hsu-uk"])
    [extension] = [s for s in queries.compute(town.municipality.id).suggestions if s.network_id == network.id]
    assert names(extension) == {"Ukrainische Sonntagsschule"}
    services.accept_suggestion(town.municipality.id, extension, town.coordinator)
    db.session.commit()
    assert newcomer.id in {m.association_id for m in network.active_members}
    assert [s for s in queries.compute(town.municipality.id).suggestions if s.network_id] == []


def test_removed_and_departed_members_are_not_suggested_for_that_network_again(app, db, factory, town, hsu_rule):
    network = services.accept_suggestion(town.municipality.id, hsu_suggestion(town), town.coordinator, name="HSU")
    members = {m.association.name: m for m in network.memberships}
    services.end_membership(members["Italienischer Kreis"], "Unterricht ruht", town.coordinator)
    services.end_membership(members["Arabische Schule"], "", town.coordinator, MembershipState.left)
    db.session.commit()
    assert [s for s in queries.compute(town.municipality.id).suggestions if s.topics[0] == "hsu"] == []
    removed = members["Italienischer Kreis"]
    assert (removed.state, removed.end_reason, removed.ended_by_id) == (
        MembershipState.removed, "Unterricht ruht", town.coordinator.id)


def test_manual_member_is_kept_apart_and_can_come_back_after_removal(app, db, town, hsu_rule):
    network = services.accept_suggestion(town.municipality.id, hsu_suggestion(town), town.coordinator, name="HSU")
    sport = town["Sportverein"]
    member = services.add_member(network, sport, "Stellt die Halle für das Sommerfest", town.coordinator)
    assert (member.source, member.reason, member.evidence) == (MembershipSource.manual, "Stellt die Halle für das Sommerfest", [])
    services.end_membership(member, "Kein Bezug zum Thema", town.coordinator)
    again = services.add_member(network, sport, "Doch dabei", town.coordinator)
    assert again.id == member.id and again.state is MembershipState.active and again.end_reason == ""


def test_dismissal_is_remembered_until_members_change_materially(app, db, factory, town, hsu_rule):
    suggestion = hsu_suggestion(town)
    row = services.dismiss_suggestion(town.municipality.id, suggestion, "Zu unterschiedlich", town.coordinator)
    db.session.commit()
    assert (row.fingerprint, sorted(row.member_ids), row.reason) == (
        suggestion.fingerprint, sorted(suggestion.member_ids), "Zu unterschiedlich")
    assert [s for s in queries.compute(town.municipality.id).suggestions if s.group_key == "hsu"] == []

    make_association(factory, town.municipality, "Neu 1", ["hsu-uk"])
    assert [s for s in queries.compute(town.municipality.id).suggestions if s.group_key == "hsu"] == [], \
        "4 of 5 members unchanged: not material"
    make_association(factory, town.municipality, "Neu 2", ["hsu-pl"])
    [back] = [s for s in queries.compute(town.municipality.id).suggestions if s.group_key == "hsu"]
    assert back.dismissed_before.id == row.id and len(back.members) == 6

    services.restore_dismissed(row, town.coordinator)
    assert db.session.scalars(select(DismissedSuggestion)).all() == []


def test_deleting_a_rule_keeps_its_sub_networks(app, db, town, hsu_rule):
    network = services.accept_suggestion(town.municipality.id, hsu_suggestion(town), town.coordinator, name="HSU")
    services.delete_rule(hsu_rule, town.coordinator)
    db.session.commit()
    db.session.refresh(network)
    assert network.origin_rule_id is None and len(network.active_members) == 4
    assert db.session.get(MatchRule, hsu_rule.id) is None


def test_networking_choices_leave_consent_records(app, db, town):
    association, rep = town["Sportverein"], town.coordinator
    services.set_networking(association, True, True, rep)
    services.set_networking(association, False, True, rep)
    services.set_networking(association, True, False, rep)
    db.session.commit()
    records = db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.association_id == association.id).order_by(ConsentRecord.id)
    ).all()
    assert [(r.kind, r.withdrawn_at is not None) for r in records] == [
        ("network-visible", True), ("networking-off", True),
    ]
    consent = queries.consent_of(association.id)
    assert (consent.is_enabled, consent.is_visible, consent.updated_by_id) == (True, False, rep.id)


def test_switching_networking_off_takes_the_association_out_of_suggestions(app, db, town, hsu_rule):
    services.set_networking(town["Italienischer Kreis"], False, False, town.coordinator)
    db.session.commit()
    computation = queries.compute(town.municipality.id)
    assert names(hsu_suggestion(town)) == HSU_MEMBERS - {"Italienischer Kreis"}
    assert computation.opted_out == 1


def test_sub_networks_of_a_town_are_separate_from_another_towns(app, db, factory, town, hsu_rule):
    other = factory.municipality("Stadt Y")
    for name in ("Y1", "Y2", "Y3"):
        make_association(factory, other, name, ["hsu-tr"])
    assert queries.compute(other.id).suggestions == (), "town Y has no rules of its own yet"
    services.install_default_rules(other.id)
    found = queries.compute(other.id).suggestions
    assert [names(s) for s in found if s.group_key == "hsu"] == [{"Y1", "Y2", "Y3"}]
    assert db.session.scalars(select(SubNetwork)).all() == []
