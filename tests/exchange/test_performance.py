"""The number of SQL statements per page does not grow with the number of postings (no N+1).

Timing lives in bench/exchange.py; this test pins the shape of the work per request.
"""

import itertools

from core.models import Field
from exchange import services
from exchange.models import Category, PostingKind, Visibility
from tests.conftest import count_queries

PAGES = [
    "/exchange/",
    "/exchange/?q=raum",
    "/exchange/?topic=rooms&language=tr&sort=ending",
    "/exchange/public",
    "/exchange/mine",
    "/exchange/messages",
]


def statements(client, db, url):
    client.get(url)  # warm-up: first-request work (e.g. topic lookups) is not what is measured
    with count_queries(db.engine) as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


_names = itertools.count()


def add_postings(factory, world, make_posting, count):
    categories = itertools.cycle(Category)
    for n in range(count):
        association = factory.association(world.town_x, name=f"Verein Nummer {next(_names)}", field=Field.sport,
                                          district="Oststadt")
        rep = factory.representative(association)
        posting = make_posting(rep, title=f"Raum Nummer {n}", kind=PostingKind.offer if n % 2 else PostingKind.request,
                               category=next(categories), topics=["rooms", "children", "hsu-tr"][: 1 + n % 3],
                               languages=["tr", "de", "ar"][: 1 + n % 3], visibility=Visibility.public)
        if n % 4 == 0:
            services.reply(world.rep_a if posting.association_id != world.a.id else world.rep_b, posting, "Hallo")
    factory.db.session.commit()


def test_board_pages_need_the_same_number_of_statements_for_few_and_many_postings(
    app, client, as_user, db, factory, world, make_posting
):
    add_postings(factory, world, make_posting, 2)
    make_posting(world.rep_a, title="Eigener Raum", topics=["rooms"])
    as_user(world.rep_a)
    few = {url: statements(client, db, url) for url in PAGES}
    add_postings(factory, world, make_posting, 30)
    for n in range(12):
        make_posting(world.rep_a, title=f"Eigener Raum {n}", topics=["rooms"])
    many = {url: statements(client, db, url) for url in PAGES}
    assert many == few
    assert max(few.values()) <= 12, few


def test_a_posting_page_with_counterparts_needs_a_constant_number_of_statements(
    app, client, as_user, db, factory, world, make_posting
):
    own = make_posting(world.rep_a, title="Raum gesucht", topics=["rooms", "children"])
    add_postings(factory, world, make_posting, 3)
    as_user(world.rep_a)
    few = statements(client, db, f"/exchange/{own.id}")
    add_postings(factory, world, make_posting, 25)
    many = statements(client, db, f"/exchange/{own.id}")
    assert many == few
