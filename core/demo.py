"""A realistic demo modelled on a coordination office for about 45 associations in one town.

Only `flask demo load` calls this; demo accounts never exist in a real deployment otherwise.
"""

from datetime import timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .extensions import db
from .models import AccessRequest, Association, ConsentRecord, Field, Municipality, Role, Topic, User, utcnow
from .topics import sync_topics

DEMO_PASSWORD = "demo-pass-2024"
COORDINATOR_EMAIL = "koordination@example.org"
ADMIN_EMAIL = "admin@example.org"
TOWN = "Ludwigsburg (Demo)"

F = Field
#: name, field, district, languages, topics, migrant organisation, members, founded
ASSOCIATIONS = [
    ("Türkischer Elternverein Weststadt", F.education, "Weststadt", "tr de", "hsu-tr children families rooms", True, 120, 1989),
    ("Deutsch-Italienischer Kulturkreis", F.culture, "Innenstadt", "it de", "hsu-it culture event-planning", True, 85, 1974),
    ("Griechische Gemeinde Ludwigsburg", F.culture, "Oststadt", "el de", "hsu-el faith culture rooms", True, 210, 1968),
    ("Kroatischer Kulturverein Croatia", F.culture, "Eglosheim", "hr de", "hsu-hr music-dance youth", True, 95, 1979),
    ("Arabischer Kultur- und Bildungsverein", F.education, "Grünbühl", "ar de", "hsu-ar homework-help rooms funding", True, 60, 2016),
    ("Russischsprachiger Elternverein Mosaik", F.education, "Schlösslesfeld", "ru uk de", "hsu-ru children rooms", True, 70, 2005),
    ("Ukrainische Initiative Nadija", F.social, "Oßweil", "uk ru de", "hsu-uk refugees translation volunteers", True, 40, 2022),
    ("Polnische Katholische Mission", F.religion, "Innenstadt", "pl de", "hsu-pl faith families", True, 300, 1981),
    ("Persischer Kulturverein Simorgh", F.culture, "Hoheneck", "fa de", "hsu-fa culture music-dance funding", True, 35, 2011),
    ("Kurdisches Gemeinschaftszentrum", F.social, "Weststadt", "ku tr ar de", "hsu-ku youth rooms funding", True, 80, 2009),
    ("DITIB Moscheegemeinde Ludwigsburg", F.religion, "Weststadt", "tr de", "faith youth homework-help rooms", True, 400, 1985),
    ("Alevitische Gemeinde Ludwigsburg", F.religion, "Pflugfelden", "tr ku de", "faith hsu-tr culture", True, 150, 1992),
    ("Afrikanischer Sport- und Kulturverein", F.sport, "Grünbühl", "fr en de", "sport youth funding", True, 55, 2013),
    ("FC Internationale Eglosheim", F.sport, "Eglosheim", "de tr it", "sport youth volunteers", False, 240, 1962),
    ("Interkultureller Garten Ludwigsburg", F.leisure, "Sonnenberg", "de ar fa", "cooking families volunteers", False, 30, 2015),
    ("Frauentreff Begegnung International", F.social, "Oststadt", "de tr ar ru", "women german-courses cooking", False, 45, 2008),
    ("Tamilischer Kulturverein", F.culture, "Neckarweihingen", "ta de", "culture music-dance rooms", True, 50, 1996),
    ("Vietnamesischer Verein Ludwigsburg", F.culture, "Schlösslesfeld", "vi de", "culture children funding", True, 40, 1990),
    ("Eritreische Gemeinschaft", F.social, "Grünbühl", "ti ar de", "refugees translation faith", True, 35, 2017),
    ("Syrischer Elternverein Jasmin", F.education, "Oßweil", "ar de", "hsu-ar children rooms funding", True, 45, 2018),
    ("Spanischer Elternverein", F.education, "Innenstadt", "es de", "hsu-es children families", True, 30, 1971),
    ("Portugiesischer Kulturverein", F.culture, "Pflugfelden", "pt de", "hsu-pt culture event-planning", True, 60, 1976),
    ("Albanischer Kulturverein Iliria", F.culture, "Eglosheim", "sq de", "hsu-sq culture rooms", True, 55, 2001),
    ("Bosnisch-Herzegowinischer Verein", F.culture, "Weststadt", "bs hr sr de", "culture faith youth", True, 90, 1994),
    ("Rumänische Orthodoxe Gemeinde", F.religion, "Poppenweiler", "ro de", "faith families rooms", True, 110, 2004),
    ("Jesidisches Forum", F.social, "Grünbühl", "ku de", "refugees women funding", True, 65, 2015),
    ("Integrationsrat Jugendforum", F.social, "Innenstadt", "de tr ar", "youth networking event-planning", False, 20, 2019),
    ("Hausaufgabenhilfe Lernbrücke", F.education, "Grünbühl", "de ar tr", "homework-help volunteers children", False, 25, 2010),
    ("Sprachcafé Ankommen", F.education, "Oststadt", "de ar fa uk", "german-courses translation volunteers", False, 30, 2016),
    ("Griechischer Tanzverein Syrtaki", F.leisure, "Hoheneck", "el de", "music-dance culture", True, 40, 1998),
    ("Italienischer Sportclub Azzurri", F.sport, "Oßweil", "it de", "sport youth", True, 120, 1983),
    ("Kulturbrücke Türkei-Deutschland", F.culture, "Innenstadt", "tr de", "culture event-planning public-relations", True, 50, 2003),
    ("Afghanischer Kulturverein", F.culture, "Weststadt", "fa ps de", "culture refugees hsu-fa funding", True, 45, 2012),
    ("Polnischer Elternverein Orzeł", F.education, "Neckarweihingen", "pl de", "hsu-pl children rooms", True, 35, 2007),
    ("Muslimischer Frauenverein Nur", F.social, "Weststadt", "ar tr de", "women faith homework-help", True, 60, 2010),
    ("Chor der Kulturen", F.leisure, "Innenstadt", "de it el", "music-dance culture", False, 45, 2000),
    ("Senioren International", F.social, "Sonnenberg", "de tr it el", "seniors cooking", False, 30, 2014),
    ("Digitalwerkstatt für alle", F.education, "Oststadt", "de en", "digital volunteers equipment", False, 15, 2020),
    ("Kroatische Katholische Gemeinde", F.religion, "Eglosheim", "hr de", "faith hsu-hr families", True, 250, 1970),
    ("Sri-Lankischer Hilfsverein", F.social, "Pflugfelden", "ta de", "funding volunteers", True, 25, 2006),
    ("Nigerianische Gemeinschaft", F.social, "Grünbühl", "en de", "families faith", True, 40, 2011),
    ("Georgischer Kulturverein", F.culture, "Hoheneck", "ru de", "culture music-dance hsu-ru", True, 25, 2019),
    ("Kickbox-Club Oststadt", F.sport, "Oststadt", "de tr ru", "sport youth rooms", False, 90, 2002),
    ("Fahrradwerkstatt Miteinander", F.leisure, "Schlösslesfeld", "de ar fa", "transport volunteers equipment", False, 20, 2016),
    ("Ukrainische Sonntagsschule", F.education, "Oßweil", "uk de", "hsu-uk children rooms", True, 30, 2023),
]

DESCRIPTIONS = {
    F.education: "Wir unterstützen Kinder und Eltern beim Lernen und bieten regelmäßige Kurse an.",
    F.culture: "Wir pflegen Kultur, Sprache und Traditionen und laden zu Festen und Begegnungen ein.",
    F.sport: "Wir bieten Training für alle Altersgruppen und bringen Menschen über den Sport zusammen.",
    F.religion: "Wir sind eine Glaubensgemeinschaft und engagieren uns für Familien und Jugendliche.",
    F.social: "Wir beraten, begleiten und helfen Menschen beim Ankommen und im Alltag.",
    F.leisure: "Wir gestalten Freizeit gemeinsam – offen für alle Nachbarinnen und Nachbarn.",
    F.other: "",
}

#: Associations that did not (yet) agree to the public listing, by position in ASSOCIATIONS.
UNLISTED = {6, 18, 25, 39}


def is_empty():
    """No municipality and no account yet (starter topics do not count: `make run` syncs them first)."""
    return all(db.session.scalar(select(model.id).limit(1)) is None for model in (Municipality, User))


def load():
    """Build the demo; returns the printed login lines. The database must be empty."""
    sync_topics()
    town = Municipality(name=TOWN, office_name="Koordinierungsstelle Integrationsarbeit (Demo)", office_email=COORDINATOR_EMAIL)
    db.session.add(town)
    password_hash = generate_password_hash(DEMO_PASSWORD)
    topics = {t.key: t for t in db.session.scalars(select(Topic))}
    now = utcnow()
    for number, (name, field, district, langs, topic_keys, migrant, members, founded) in enumerate(ASSOCIATIONS, 1):
        association = Association(
            municipality=town, name=name, field=field, district=district, description=DESCRIPTIONS[field],
            email=f"verein{number:02d}@example.org", phone=f"07141 {100000 + number * 137}",
            founded_year=founded, members_approx=members, is_migrant_org=migrant,
            topics=[topics[k] for k in topic_keys.split()],
        )
        association.languages = langs.split()
        association.refresh_search()
        if number not in UNLISTED:
            association.directory_consent_at, association.directory_consent_version = now - timedelta(days=300 - number), "2026-11"
        db.session.add(association)
        rep = User(email=f"verein{number:02d}@example.org", name=f"Vertretung {name}", role=Role.representative,
                   association=association, password_hash=password_hash, locale="de")
        db.session.add(rep)
        if association.is_listed:
            db.session.add(ConsentRecord(kind="directory", text_version="2026-11", user=rep, association=association,
                                         given_at=association.directory_consent_at))
    db.session.add(User(email=COORDINATOR_EMAIL, name="Koordinierungsstelle (Demo)", role=Role.coordinator,
                        municipalities=[town], password_hash=password_hash, locale="de"))
    db.session.add(User(email=ADMIN_EMAIL, name="Administration (Demo)", role=Role.admin,
                        password_hash=password_hash, locale="de"))
    db.session.add(AccessRequest(
        municipality=town, association_name="Ghanaischer Kulturverein", field=Field.culture, district="Weststadt",
        contact_name="Ama Mensah", email="ghana-verein@example.org", locale="en",
        message="Wir sind 20 Familien und möchten beim Netzwerk mitmachen.", privacy_version="2026-11",
    ))
    db.session.flush()
    _load_features(town)
    return [
        f"Coordinator:      {COORDINATOR_EMAIL} / {DEMO_PASSWORD}",
        f"Administrator:    {ADMIN_EMAIL} / {DEMO_PASSWORD}",
        f"Representatives:  verein01@example.org … verein{len(ASSOCIATIONS):02d}@example.org / {DEMO_PASSWORD}",
    ]


def _load_features(town):
    """Each feature adds its own demo data (surveys, board, sub-networks) on top of the town."""
    import importlib.util

    for name in ("surveys.demo", "exchange.demo", "matching.demo", "office.demo", "fireside.demo"):
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).load(town)
            db.session.flush()
