"""The ready template "Bedarfserhebung Vereine": what coordination offices actually ask associations.

Written as a survey definition (see interchange.py), German first with an English translation.
Question keys are stable: waves started from this template can be compared with each other.
"""

TEMPLATE_KEY = "bedarfserhebung-vereine"


def t(de, en):
    return {"de": de, "en": en}


def opt(key, de, en, topic=None, polarity=None, other=False):
    return {"key": key, "label": t(de, en) if de else {}, "topic": topic, "polarity": polarity, "other": other}


def topic_opts(keys, polarity=None):
    return [{"key": k, "label": {}, "topic": k, "polarity": polarity, "other": False} for k in keys]


def q(key, kind, de, en, *, required=False, help=None, options=(), settings=None, condition=None):
    return {
        "key": key,
        "kind": kind,
        "text": t(de, en),
        "help": t(*help) if help else {},
        "required": required,
        "settings": settings or {},
        "condition": condition,
        "options": list(options),
    }


def section(key, de, en, questions, intro=None, condition=None):
    return {
        "key": key,
        "title": t(de, en),
        "intro": t(*intro) if intro else {},
        "condition": condition,
        "questions": questions,
    }


IMPORTANCE = {
    "scale_min": 1,
    "scale_max": 5,
    "low_label": t("gar nicht wichtig", "not important at all"),
    "high_label": t("sehr wichtig", "very important"),
}

ABOUT = section(
    "verein",
    "Über Ihren Verein",
    "About your association",
    [
        q(
            "taetigkeitsfelder",
            "multiple_choice",
            "In welchen Feldern ist Ihr Verein aktiv?",
            "In which fields is your association active?",
            required=True,
            help=("Mehrere Antworten sind möglich.", "You can choose several answers."),
            options=[
                opt("freizeit", "Freizeit und Geselligkeit", "Leisure and social life"),
                opt("kultur", "Kultur und Brauchtum", "Culture and traditions"),
                opt("sport", "Sport", "Sport"),
                opt("bildung", "Bildung und Sprache", "Education and language"),
                opt("religion", "Religion und Glaube", "Religion and faith"),
                opt("soziales", "Soziales und Beratung", "Social work and advice"),
                opt("sonstiges", "Anderes, und zwar:", "Other, namely:", other=True),
            ],
        ),
        q(
            "zielgruppen",
            "topic_choice",
            "Für wen ist Ihr Verein vor allem da?",
            "Whom does your association mainly work for?",
            options=topic_opts(["children", "youth", "women", "seniors", "families", "refugees"]),
        ),
        q(
            "mitglieder",
            "number",
            "Wie viele Mitglieder hat Ihr Verein ungefähr?",
            "About how many members does your association have?",
            settings={"min": 0, "max": 100000, "integer": True},
        ),
        q(
            "ehrenamtliche",
            "number",
            "Wie viele Menschen engagieren sich regelmäßig ehrenamtlich?",
            "How many people volunteer regularly?",
            settings={"min": 0, "max": 10000, "integer": True},
        ),
        q(
            "ehrenamt-gesucht",
            "yes_no",
            "Suchen Sie weitere Ehrenamtliche?",
            "Are you looking for more volunteers?",
        ),
    ],
    intro=(
        "Ihre Antworten helfen der Koordinierungsstelle, Angebote zu planen, die wirklich gebraucht werden.",
        "Your answers help the coordination office plan support that is really needed.",
    ),
)

ROOMS = section(
    "raeume",
    "Räume",
    "Rooms",
    [
        q(
            "eigene-raeume",
            "single_choice",
            "Welche Räume nutzt Ihr Verein?",
            "Which premises does your association use?",
            required=True,
            options=[
                opt("eigene", "Eigene oder gemietete Räume", "Our own or rented premises"),
                opt("mitgenutzt", "Räume, die wir mitnutzen dürfen", "Premises we may share"),
                opt("keine", "Keine festen Räume", "No regular premises"),
            ],
        ),
        q(
            "raumbedarf",
            "yes_no",
            "Braucht Ihr Verein (weitere) Räume?",
            "Does your association need (more) rooms?",
            required=True,
        ),
        q(
            "raumbedarf-zweck",
            "multiple_choice",
            "Wofür brauchen Sie Räume?",
            "What do you need rooms for?",
            condition={"question": "raumbedarf", "op": "any_of", "values": ["yes"]},
            options=[
                opt("unterricht", "Unterricht und Kurse", "Lessons and courses", "rooms", "need"),
                opt("treffen", "Vereinstreffen und Sitzungen", "Meetings", "rooms", "need"),
                opt("veranstaltungen", "Feste und Veranstaltungen", "Celebrations and events", "rooms", "need"),
                opt("sport", "Sport und Bewegung", "Sport and exercise", "rooms", "need"),
                opt("lager", "Lager für Material", "Storage", "rooms", "need"),
            ],
        ),
        q(
            "raumbedarf-zeiten",
            "multiple_choice",
            "Wann brauchen Sie die Räume?",
            "When do you need the rooms?",
            condition={"question": "raumbedarf", "op": "any_of", "values": ["yes"]},
            options=[
                opt("werktags-tag", "Werktags tagsüber", "Weekdays, daytime"),
                opt("werktags-abend", "Werktags abends", "Weekday evenings"),
                opt("samstag", "Samstags", "Saturdays"),
                opt("sonntag", "Sonntags", "Sundays"),
            ],
        ),
        q(
            "raumbedarf-personen",
            "number",
            "Für wie viele Personen sollte der Raum mindestens reichen?",
            "At least how many people should the room hold?",
            condition={"question": "raumbedarf", "op": "any_of", "values": ["yes"]},
            settings={"min": 1, "max": 2000, "integer": True},
        ),
        q(
            "raum-angebot",
            "single_choice",
            "Könnte Ihr Verein eigene Räume anderen Vereinen zur Verfügung stellen?",
            "Could your association let other associations use its premises?",
            condition={"question": "eigene-raeume", "op": "any_of", "values": ["eigene", "mitgenutzt"]},
            options=[
                opt("regelmaessig", "Ja, regelmäßig", "Yes, regularly", "rooms", "offer"),
                opt("gelegentlich", "Ja, gelegentlich", "Yes, now and then", "rooms", "offer"),
                opt("nein", "Nein", "No"),
            ],
        ),
    ],
)

FUNDING = section(
    "finanzierung",
    "Finanzierung und Beratung",
    "Funding and advice",
    [
        q(
            "finanzierung-quellen",
            "multiple_choice",
            "Wie finanziert sich Ihr Verein?",
            "How is your association funded?",
            options=[
                opt("beitraege", "Mitgliedsbeiträge", "Membership fees"),
                opt("spenden", "Spenden", "Donations"),
                opt("stadt", "Zuschüsse der Stadt", "Grants from the town"),
                opt("land-bund", "Förderprogramme von Land oder Bund", "State or federal programmes"),
                opt("stiftungen", "Stiftungen", "Foundations"),
                opt("andere", "Anderes, und zwar:", "Other, namely:", other=True),
            ],
        ),
        q(
            "foerderantrag",
            "yes_no",
            "Hat Ihr Verein schon einmal Fördermittel beantragt?",
            "Has your association ever applied for funding?",
        ),
        q(
            "beratung",
            "topic_choice",
            "Zu welchen Themen wünschen Sie Beratung oder Unterstützung?",
            "On which topics would you like advice or support?",
            help=(
                "Die Koordinierungsstelle plant danach Workshops und Sprechstunden.",
                "The office plans workshops and consultation hours from this.",
            ),
            settings={"polarity": "need"},
            options=topic_opts(
                [
                    "funding",
                    "founding",
                    "association-management",
                    "public-relations",
                    "event-planning",
                    "digital",
                    "volunteers",
                ],
                "need",
            ),
        ),
        q(
            "wichtigkeit",
            "matrix",
            "Wie wichtig sind Ihrem Verein folgende Unterstützungen?",
            "How important are the following kinds of support to your association?",
            settings=IMPORTANCE,
            options=[
                opt("foerderberatung", "Beratung zu Fördermitteln", "Advice on funding"),
                opt("raeume", "Hilfe bei der Raumsuche", "Help finding rooms"),
                opt("vernetzung", "Vernetzung mit anderen Vereinen", "Networking with other associations"),
                opt("qualifizierung", "Schulungen für Ehrenamtliche", "Training for volunteers"),
                opt("oeffentlichkeit", "Öffentlichkeitsarbeit", "Public relations"),
            ],
        ),
    ],
)

HERITAGE = section(
    "hsu",
    "Herkunftssprachlicher Unterricht",
    "Heritage-language teaching",
    [
        q(
            "hsu-angebot",
            "single_choice",
            "Bietet Ihr Verein Unterricht in einer Herkunftssprache an?",
            "Does your association teach children a heritage language?",
            required=True,
            options=[
                opt("ja", "Ja", "Yes"),
                opt("geplant", "Nein, aber es ist geplant", "No, but it is planned"),
                opt("nein", "Nein", "No"),
            ],
        ),
        q(
            "hsu-sprachen",
            "topic_choice",
            "In welchen Sprachen?",
            "In which languages?",
            condition={"question": "hsu-angebot", "op": "any_of", "values": ["ja", "geplant"]},
            settings={"polarity": "offer"},
            options=topic_opts(
                [
                    "hsu-tr",
                    "hsu-ar",
                    "hsu-it",
                    "hsu-el",
                    "hsu-hr",
                    "hsu-ru",
                    "hsu-uk",
                    "hsu-pl",
                    "hsu-fa",
                    "hsu-ku",
                    "hsu-sq",
                    "hsu-es",
                    "hsu-pt",
                ],
                "offer",
            ),
        ),
        q(
            "hsu-kinder",
            "number",
            "Wie viele Kinder nehmen teil?",
            "How many children take part?",
            condition={"question": "hsu-angebot", "op": "any_of", "values": ["ja"]},
            settings={"min": 0, "max": 5000, "integer": True},
        ),
        q(
            "hsu-lehrkraefte",
            "short_text",
            "Wer unterrichtet die Kinder?",
            "Who teaches the children?",
            help=(
                "Zum Beispiel ehrenamtliche Eltern oder Lehrkräfte des Konsulats.",
                "For example volunteer parents or teachers sent by the consulate.",
            ),
            condition={"question": "hsu-angebot", "op": "any_of", "values": ["ja"]},
            settings={"max_length": 200},
        ),
        q(
            "hsu-ort",
            "single_choice",
            "Wo findet der Unterricht statt?",
            "Where do the lessons take place?",
            condition={"question": "hsu-angebot", "op": "any_of", "values": ["ja"]},
            options=[
                opt("vereinsraeume", "In unseren Vereinsräumen", "On our own premises"),
                opt("schule", "In einer Schule", "In a school"),
                opt("gemeinde", "In Räumen einer Gemeinde oder Kirche", "In premises of a congregation"),
                opt("kein-ort", "Wir suchen noch einen Ort", "We are still looking for a place", "rooms", "need"),
                opt("anderer", "Anderswo, und zwar:", "Elsewhere, namely:", other=True),
            ],
        ),
        q(
            "hsu-bedarf",
            "multiple_choice",
            "Was fehlt Ihnen für den Unterricht?",
            "What do you lack for the lessons?",
            condition={"question": "hsu-angebot", "op": "any_of", "values": ["ja", "geplant"]},
            options=[
                opt("raeume", "Geeignete Räume", "Suitable rooms", "rooms", "need"),
                opt("lehrkraefte", "Lehrkräfte oder Helfende", "Teachers or helpers", "volunteers", "need"),
                opt("material", "Unterrichtsmaterial", "Teaching material", "equipment", "need"),
                opt("geld", "Geld für Honorare und Material", "Money for fees and material", "funding", "need"),
                opt("anerkennung", "Zusammenarbeit mit den Schulen", "Cooperation with schools", "hsu", "need"),
            ],
        ),
        q(
            "hsu-vernetzung",
            "single_choice",
            "Möchten Sie sich mit anderen Anbietern und dem Staatlichen Schulamt austauschen?",
            "Would you like to meet other providers and the state school office?",
            condition={"question": "hsu-angebot", "op": "any_of", "values": ["ja", "geplant"]},
            options=[
                opt("ja", "Ja, gerne", "Yes, gladly", "hsu", "interest"),
                opt("nein", "Nein, im Moment nicht", "Not at the moment"),
            ],
        ),
    ],
)

EVENTS = section(
    "veranstaltungen",
    "Veranstaltungen und Zusammenarbeit",
    "Events and cooperation",
    [
        q(
            "veranstaltungen-anzahl",
            "number",
            "Wie viele öffentliche Veranstaltungen organisiert Ihr Verein im Jahr?",
            "How many public events does your association organise per year?",
            settings={"min": 0, "max": 1000, "integer": True},
        ),
        q(
            "vernetzung-themen",
            "topic_choice",
            "Zu welchen Themen möchten Sie mit anderen Vereinen zusammenarbeiten?",
            "On which topics would you like to work with other associations?",
            settings={"polarity": "interest"},
            options=topic_opts(
                [
                    "networking",
                    "culture",
                    "sport",
                    "youth",
                    "women",
                    "german-courses",
                    "homework-help",
                    "event-planning",
                ],
                "interest",
            ),
        ),
        q(
            "kooperation-wunsch",
            "long_text",
            "Mit wem möchten Sie gerne zusammenarbeiten, und wobei?",
            "Whom would you like to work with, and on what?",
            settings={"max_length": 2000},
        ),
    ],
)

OFFERS = section(
    "angebote",
    "Was Ihr Verein anbieten kann",
    "What your association can offer",
    [
        q(
            "angebote",
            "topic_choice",
            "Was kann Ihr Verein anderen Vereinen anbieten?",
            "What can your association offer other associations?",
            help=(
                "Zum Beispiel Räume, Helferinnen und Helfer oder Übersetzungen.",
                "For example rooms, helpers or translations.",
            ),
            settings={"polarity": "offer"},
            options=topic_opts(
                [
                    "rooms",
                    "volunteers",
                    "translation",
                    "equipment",
                    "transport",
                    "advice",
                    "homework-help",
                    "music-dance",
                    "cooking",
                ],
                "offer",
            ),
        ),
        q(
            "angebot-beschreibung",
            "long_text",
            "Beschreiben Sie Ihr Angebot kurz.",
            "Please describe your offer briefly.",
            condition={"question": "angebote", "op": "answered"},
            settings={"max_length": 2000},
        ),
    ],
)

CONTACT = section(
    "kontakt",
    "Kontakt und Treffen",
    "Contact and meetings",
    [
        q(
            "kontaktweg",
            "single_choice",
            "Wie erreichen wir Ihren Verein am besten?",
            "How can we best reach your association?",
            options=[
                opt("email", "E-Mail", "E-mail"),
                opt("telefon", "Telefon", "Phone"),
                opt("messenger", "Messenger", "Messenger"),
                opt("persoenlich", "Persönlich", "In person"),
            ],
        ),
        q(
            "treffen-formate",
            "multiple_choice",
            "Welche Treffen sind für Ihren Verein interessant?",
            "Which kinds of meeting interest your association?",
            options=[
                opt("netzwerktreffen", "Großes Netzwerktreffen", "Large network meeting", "networking", "interest"),
                opt(
                    "kamingespraech",
                    "Kleines Kamingespräch in einem Verein",
                    "Small fireside chat hosted by an association",
                    "networking",
                    "interest",
                ),
                opt("online", "Online-Treffen", "Online meeting"),
                opt("workshop", "Workshops zu einem Thema", "Workshops on one topic", "advice", "interest"),
            ],
        ),
        q(
            "treffen-zeiten",
            "multiple_choice",
            "Wann können Ihre Vertreterinnen und Vertreter an Treffen teilnehmen?",
            "When can your representatives attend meetings?",
            options=[
                opt("werktags-abend", "Werktags abends", "Weekday evenings"),
                opt("samstag", "Samstags", "Saturdays"),
                opt("sonntag", "Sonntags", "Sundays"),
            ],
        ),
        q(
            "zufriedenheit",
            "scale",
            "Wie zufrieden sind Sie mit der Unterstützung durch die Stadt?",
            "How satisfied are you with the support from the town?",
            settings={
                "scale_min": 1,
                "scale_max": 5,
                "low_label": t("gar nicht zufrieden", "not satisfied at all"),
                "high_label": t("sehr zufrieden", "very satisfied"),
            },
        ),
        q(
            "treffen-ab",
            "date",
            "Ab wann hätten Sie Zeit für ein erstes Gespräch?",
            "From when would you have time for a first conversation?",
        ),
        q(
            "anmerkungen",
            "long_text",
            "Möchten Sie uns noch etwas mitteilen?",
            "Is there anything else you would like to tell us?",
            settings={"max_length": 4000},
        ),
    ],
)

TEMPLATE = {
    "format": "vereinsnetz-survey",
    "version": 1,
    "title": t("Bedarfserhebung Vereine", "Needs survey for associations"),
    "intro": t(
        "Die Koordinierungsstelle möchte wissen, was Ihr Verein braucht und was er anderen bieten kann. "
        "Sie können jederzeit speichern und später weitermachen; alle Vertreterinnen und Vertreter Ihres "
        "Vereins arbeiten an derselben Antwort.",
        "The coordination office would like to know what your association needs and what it can offer others. "
        "You can save at any time and continue later; all representatives of your association work on the same answer.",
    ),
    "languages": ["de", "en"],
    "sections": [ABOUT, ROOMS, FUNDING, HERITAGE, EVENTS, OFFERS, CONTACT],
}


def template_definition():
    """A fresh copy, so callers may change it."""
    import copy

    return copy.deepcopy(TEMPLATE)
