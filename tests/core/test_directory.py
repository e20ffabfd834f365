"""The public directory: only consented associations, umlaut-insensitive search, filters, pages."""

import re
from html import unescape

import pytest

from core.models import Field
from tests.conftest import count_queries


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def names(client, query=""):
    response = client.get(f"/directory/{query}")
    assert response.status_code == 200, query
    html = response.get_data(as_text=True)
    return {unescape(n) for n in re.findall(r'<h3><a href="/directory/\d+">(.*?)</a></h3>', html)}


def test_only_associations_that_agreed_are_listed(client, factory):
    listed = factory.association(name="Sichtbarer Verein", listed=True)
    hidden = factory.association(name="Verborgener Verein")
    assert names(client) == {"Sichtbarer Verein"}
    assert client.get(f"/directory/{listed.id}").status_code == 200
    assert client.get(f"/directory/{hidden.id}").status_code == 404
    assert client.get("/directory/?q=verborgen").status_code == 200
    assert names(client, "?q=verborgen") == set()


def test_profile_shows_the_public_details(client, factory):
    town = factory.municipality("Ludwigsburg")
    association = factory.association(
        town,
        name="Griechische Gemeinde",
        listed=True,
        district="Oststadt",
        languages=["el", "de"],
        topics=["hsu-el"],
        website="https://gemeinde.example/",
        email="info@gemeinde.example",
        description="Seit 1968.",
    )
    html = client.get(f"/directory/{association.id}").get_data(as_text=True)
    for text in (
        "Griechische Gemeinde",
        "Ludwigsburg",
        "Oststadt",
        "Greek",
        "Heritage-language teaching: Greek",
        'href="https://gemeinde.example/"',
        "info@gemeinde.example",
        "Seit 1968.",
    ):
        assert text in html, text


@pytest.mark.parametrize("query", ["muller", "Mueller", "MÜLLER", "müller-verein", "  Müller  ", "MUELLER-VEREIN"])
def test_search_ignores_umlauts_and_case(client, factory, query):
    factory.association(name="Müller-Verein", listed=True)
    factory.association(name="Meier-Verein", listed=True)
    assert names(client, f"?q={query}") == {"Müller-Verein"}


@pytest.mark.parametrize("query", ["turk", "türk", "TUERK", "Türkischer"])
def test_search_finds_turkish_names(client, factory, query):
    factory.association(name="Türkischer Elternverein", listed=True)
    factory.association(name="Kroatischer Kulturverein", listed=True)
    assert names(client, f"?q={query}") == {"Türkischer Elternverein"}


def test_search_looks_into_district_and_description(client, factory):
    factory.association(name="Verein Eins", district="Grünbühl", listed=True)
    factory.association(name="Verein Zwei", description="Hausaufgabenhilfe für Kinder", listed=True)
    assert names(client, "?q=grunbuhl") == {"Verein Eins"}
    assert names(client, "?q=HAUSAUFGABEN") == {"Verein Zwei"}


@pytest.mark.parametrize("query, expected", [("%25", {"100% Kultur"}), ("_", {"A_B Verein"}), ("\\", {"Back\\slash"})])
def test_like_wildcards_are_taken_literally(client, factory, query, expected):
    for name in ("100% Kultur", "A_B Verein", "AxB Verein", "Back\\slash", "Plain"):
        factory.association(name=name, listed=True)
    assert names(client, f"?q={query}") == expected


def test_filters(client, factory):
    town_x, town_y = factory.municipality("Stadt X"), factory.municipality("Stadt Y")
    factory.association(
        town_x,
        name="Elternverein",
        field=Field.education,
        district="Weststadt",
        languages=["tr", "de"],
        topics=["hsu-tr", "rooms"],
        listed=True,
    )
    factory.association(
        town_x,
        name="Sportfreunde",
        field=Field.sport,
        district="Oststadt",
        languages=["de"],
        topics=["sport"],
        listed=True,
    )
    factory.association(
        town_y,
        name="Arabischer Kulturverein",
        field=Field.culture,
        district="Weststadt",
        languages=["ar"],
        topics=["hsu-ar"],
        listed=True,
    )
    factory.association(town_y, name="Nicht gelistet", field=Field.education, languages=["tr"], topics=["hsu-tr"])
    assert names(client, "?field=education") == {"Elternverein"}
    assert names(client, "?topic=hsu-tr") == {"Elternverein"}
    assert names(client, "?topic=hsu") == {"Elternverein", "Arabischer Kulturverein"}, (
        "a parent topic finds its children"
    )
    assert names(client, "?topic=rooms") == {"Elternverein"}
    assert names(client, "?language=ar") == {"Arabischer Kulturverein"}
    assert names(client, "?language=de") == {"Elternverein", "Sportfreunde"}
    assert names(client, "?district=Weststadt") == {"Elternverein", "Arabischer Kulturverein"}
    assert names(client, f"?municipality={town_y.id}") == {"Arabischer Kulturverein"}
    assert names(client, f"?municipality={town_x.id}&language=de&field=sport") == {"Sportfreunde"}
    assert names(client, "?district=Weststadt&q=kultur") == {"Arabischer Kulturverein"}
    assert names(client, "?topic=no-such-topic") == set()
    assert names(client, "?field=cooking") == {"Elternverein", "Sportfreunde", "Arabischer Kulturverein"}, (
        "unknown field is ignored"
    )


def test_pagination(client, factory, app):
    for n in range(45):
        factory.association(name=f"Verein {n:02d}", listed=True)
    size = app.config["DIRECTORY_PAGE_SIZE"]
    first, second, third = names(client), names(client, "?page=2"), names(client, "?page=3")
    assert len(first) == len(second) == size and len(third) == 45 - 2 * size
    assert first | second | third == {f"Verein {n:02d}" for n in range(45)}
    html = client.get("/directory/?page=2").get_data(as_text=True)
    assert "45 associations found" in html
    assert 'href="/directory/?page=3"' in html and 'rel="prev"' in html
    filtered = client.get("/directory/?q=verein&page=2").get_data(as_text=True)
    assert 'href="/directory/?page=3&amp;q=verein"' in filtered or 'href="/directory/?q=verein&amp;page=3"' in filtered
    assert names(client, "?page=99") == set()
    assert names(client, "?page=abc") == first
    assert names(client, "?page=-1") == first
    assert names(client, "?page=99999999999999999999999") == first


@pytest.mark.parametrize(
    "query",
    [
        "?q=%00",
        "?district=%00%01",
        "?topic=%00",
        "?language=%00x",
        "?municipality=%C2%B2",
        "?municipality=99999999999999999999",
        "?q=" + "x" * 5000,
        "?field=%00",
        "?page=%00",
        "?q=%F0%9F%98%80",
        "?q=a&q=b",
        "?municipality=-3",
    ],
)
def test_odd_query_strings_never_fail(client, factory, query):
    factory.association(name="Verein", listed=True)
    assert client.get(f"/directory/{query}").status_code == 200


def test_unknown_or_odd_ids_are_404(client):
    for path in ("/directory/999999", "/directory/abc", "/directory/99999999999999999999", "/directory/-1"):
        assert client.get(path).status_code == 404


def test_query_count_does_not_grow_with_the_number_of_associations(client, factory, db):
    town = factory.municipality("Stadt X")

    def add(count):
        for _ in range(count):
            factory.association(
                town,
                listed=True,
                district=f"Bezirk {_ % 3}",
                languages=["tr", "de"],
                topics=["hsu-tr", "rooms", "youth"],
            )

    def queries_for_page():
        db.session.expire_all()
        with count_queries(db.engine) as statements:
            response = client.get("/directory/")
        assert response.status_code == 200
        return len(statements)

    add(5)
    few = queries_for_page()
    add(35)
    many = queries_for_page()
    assert few == many, f"{few} queries for 5 associations, {many} for 40"
