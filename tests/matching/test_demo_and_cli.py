"""`flask demo load` with the default rules finds the groups of the story; `flask matching run` prints them."""

import pytest
from sqlalchemy import select

from core.demo import TOWN
from core.models import Municipality
from matching import queries
from matching.defaults import DEFAULT_RULES
from matching.models import MembershipSource, SubNetwork

HERITAGE_LANGUAGE_SCHOOLS = {
    "Türkischer Elternverein Weststadt", "Deutsch-Italienischer Kulturkreis", "Griechische Gemeinde Ludwigsburg",
    "Kroatischer Kulturverein Croatia", "Arabischer Kultur- und Bildungsverein", "Russischsprachiger Elternverein Mosaik",
    "Ukrainische Initiative Nadija", "Polnische Katholische Mission", "Persischer Kulturverein Simorgh",
    "Kurdisches Gemeinschaftszentrum", "Alevitische Gemeinde Ludwigsburg", "Syrischer Elternverein Jasmin",
    "Spanischer Elternverein", "Portugiesischer Kulturverein", "Albanischer Kulturverein Iliria",
    "Afghanischer Kulturverein", "Polnischer Elternverein Orzeł", "Kroatische Katholische Gemeinde",
    "Ukrainische Sonntagsschule",
}


@pytest.fixture
def demo_town(db, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Municipality).where(Municipality.name == TOWN))


def by_rule(computation, default_key):
    rules = {r.id: r.default_key for r in queries.rules_of(computation.municipality_id)}
    return [s for s in computation.suggestions if rules[s.rule_id] == default_key]


def test_demo_and_default_rules_yield_the_heritage_language_sub_network(app, demo_town):
    computation = queries.compute(demo_town.id)
    [heritage] = by_rule(computation, "hsu")
    members = {m.name for m in heritage.members}
    # The Georgian association teaches Russian but switched networking off in the demo.
    assert members == HERITAGE_LANGUAGE_SCHOOLS
    assert heritage.title == "Herkunftssprachlicher Unterricht"
    turkish = next(m for m in heritage.members if m.name == "Türkischer Elternverein Weststadt")
    assert any("Herkunftssprachlicher Unterricht Türkisch" in f.label for f in turkish.facts)


def test_demo_also_yields_room_sharing_and_fundraising_groups(app, demo_town):
    computation = queries.compute(demo_town.id)
    rooms = by_rule(computation, "rooms-district") + by_rule(computation, "rooms-need-offer")
    weststadt = next(s for s in rooms if s.partition == ("district", "Weststadt"))
    assert {m.name for m in weststadt.members} == {
        "Türkischer Elternverein Weststadt", "Kurdisches Gemeinschaftszentrum", "DITIB Moscheegemeinde Ludwigsburg"}
    [funding] = by_rule(computation, "funding")
    assert {"Arabischer Kultur- und Bildungsverein", "Syrischer Elternverein Jasmin", "Jesidisches Forum"} <= {
        m.name for m in funding.members}
    assert all(m.facts for s in computation.suggestions for m in s.members), "every member is explained"


def test_demo_has_one_accepted_sub_network_with_a_manual_member(app, db, demo_town):
    [network] = db.session.scalars(select(SubNetwork)).all()
    sources = {m.association.name: m.source for m in network.active_members}
    assert network.name == "Netzwerk Jugendarbeit" and network.origin_rule_id is not None
    assert sources["Hausaufgabenhilfe Lernbrücke"] is MembershipSource.manual
    assert sources["FC Internationale Eglosheim"] is MembershipSource.computed
    assert not [s for s in queries.compute(demo_town.id).suggestions if s.group_key == "youth" and not s.network_id]


def test_cli_prints_suggestions_with_explanations(app, runner, demo_town):
    result = runner.invoke(args=["matching", "run", "--municipality", TOWN, "--locale", "en"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"{TOWN}: ")
    assert "Herkunftssprachlicher Unterricht" in out and "Rule: Herkunftssprachlicher Unterricht (Shared topic)" in out
    assert "   - Türkischer Elternverein Weststadt (shares the topic)" in out
    assert "       · Profile topic “Heritage-language teaching: Turkish”" in out
    assert "1 association has switched networking off; nothing about it is used." in out
    assert "score" in out and "Size 1.00" in out


def test_cli_refuses_an_unknown_municipality(app, runner):
    result = runner.invoke(args=["matching", "run", "--municipality", "Nirgendwo"])
    assert result.exit_code != 0 and "Unknown municipality: Nirgendwo" in result.output


def test_cli_adds_default_rules(app, db, runner, factory):
    town = factory.municipality("Stadt Neu")
    result = runner.invoke(args=["matching", "defaults", "--municipality", "Stadt Neu"])
    assert result.exit_code == 0 and f"{len(DEFAULT_RULES)} default rules added" in result.output
    assert len(queries.rules_of(town.id)) == len(DEFAULT_RULES)
