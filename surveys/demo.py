"""Demo surveys for `flask demo load`: last year's wave and this year's, with plausible answers.

This year's "Bedarfserhebung Vereine" goes to every association of the demo town; 22 of them
have submitted (heritage-language teaching, rooms and fundraising come out as the most
frequent needs; some offer rooms, volunteers or translation), a few are working on drafts.
Last year's wave is closed and shared with the associations, for the wave comparison.
"""

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.extensions import db
from core.models import Field, Role, User

from . import responding, services
from .interchange import validate_definition
from .models import ResponseState, ShareLevel, SurveyInvitation, SurveyState, local_today
from .responding import Respondent
from .structure import Answer, Structure
from .template import TEMPLATE_KEY, template_definition

ANSWERED_THIS_YEAR = 22
DRAFTS_THIS_YEAR = 4
ANSWERED_LAST_YEAR = 18

FIELD_OPTIONS = {
    Field.leisure: "freizeit",
    Field.culture: "kultur",
    Field.sport: "sport",
    Field.education: "bildung",
    Field.religion: "religion",
    Field.social: "soziales",
    Field.other: "sonstiges",
}
TARGET_GROUPS = ["children", "youth", "women", "seniors", "families", "refugees"]
COOPERATION = [
    "Mit anderen Elternvereinen ein gemeinsames Sommerfest planen.",
    "Wir suchen Partner für Hausaufgabenhilfe am Nachmittag.",
    "Gemeinsame Räume mit einem Sportverein nutzen.",
    "Austausch mit anderen Vereinen, die Herkunftssprachen unterrichten.",
    "Ein gemeinsamer Antrag für Fördermittel wäre hilfreich.",
]
OFFER_TEXTS = [
    "Unser Saal ist unter der Woche meistens frei und hat 80 Plätze.",
    "Mehrere Mitglieder dolmetschen ehrenamtlich bei Elterngesprächen.",
    "Wir haben Tische, Bänke und eine Musikanlage zum Ausleihen.",
    "Unsere Jugendlichen helfen gerne beim Auf- und Abbau von Festen.",
]
REMARKS = [
    "Vielen Dank für die Unterstützung bei unserem Förderantrag!",
    "Bitte Termine nicht in die Ferien legen.",
    "Wir würden gern öfter zu Kamingesprächen eingeladen werden.",
]
TRANSLATIONS = {
    "tr": {
        "title": "Dernekler için ihtiyaç anketi",
        "verein": "Derneğiniz hakkında",
        "raeume": "Mekânlar",
        "raumbedarf": "Derneğinizin (ek) mekâna ihtiyacı var mı?",
        "hsu-angebot": "Derneğiniz çocuklara anadil dersi veriyor mu?",
    },
    "ar": {
        "title": "استطلاع احتياجات الجمعيات",
        "verein": "عن جمعيتكم",
        "raeume": "القاعات",
        "raumbedarf": "هل تحتاج جمعيتكم إلى قاعات (إضافية)؟",
        "hsu-angebot": "هل تقدم جمعيتكم دروسًا في لغة الأصل للأطفال؟",
    },
}


def load(town):
    """Both waves for `town`; called by core.demo after the associations exist."""
    rng = random.Random(2024)
    coordinator = db.session.scalar(
        select(User).where(User.role == Role.coordinator, User.municipalities.contains(town)).order_by(User.id)
    )
    associations = sorted(town.associations, key=lambda a: a.id)
    today = local_today()
    last_year = _wave(
        coordinator,
        town,
        associations,
        rng,
        year=today.year - 1,
        previous=None,
        answered=ANSWERED_LAST_YEAR,
        drafts=0,
        today=today,
    )
    current = _wave(
        coordinator,
        town,
        associations,
        rng,
        year=today.year,
        previous=last_year,
        answered=ANSWERED_THIS_YEAR,
        drafts=DRAFTS_THIS_YEAR,
        today=today,
    )
    return last_year, current


def _wave(coordinator, town, associations, rng, *, year, previous, answered, drafts, today):
    is_current = previous is not None
    opens = today - timedelta(days=21) if is_current else date(year, 3, 1)
    closes = today + timedelta(days=28) if is_current else date(year, 5, 15)
    title = f"Bedarfserhebung Vereine {year}"
    if previous is None:
        survey = services.create_survey(
            coordinator,
            town.id,
            title=title,
            languages=["en", "tr", "ar"],
            definition=validate_definition(template_definition()),
            opens_on=opens,
            closes_on=closes,
            wave_label=str(year),
            template_key=TEMPLATE_KEY,
        )
    else:
        survey = services.copy_as_wave(coordinator, previous, wave_label=str(year), opens_on=opens, closes_on=closes)
    survey.title = {
        "de": title,
        "en": f"Needs survey for associations {year}",
        **{lang: f"{texts['title']} {year}" for lang, texts in TRANSLATIONS.items()},
    }
    structure = Structure.load(survey)
    _translate(survey, structure)
    survey.state, survey.opened_at = SurveyState.open, datetime.combine(opens, datetime.min.time())
    sent_at = datetime.combine(opens, datetime.min.time()) + timedelta(hours=9)
    for association in associations:
        db.session.add(
            SurveyInvitation(
                survey=survey,
                association=association,
                invited_by_id=coordinator.id if coordinator else None,
                created_at=sent_at,
                last_sent_at=sent_at,
                mails_sent=max(len(association.representatives), 1),
            )
        )
    db.session.flush()
    chosen = _respondents(associations, rng, answered + drafts)
    for number, association in enumerate(chosen):
        submitted = number < answered
        when = datetime.combine(opens, datetime.min.time()) + timedelta(
            days=rng.randint(1, 19 if is_current else 60), hours=rng.randint(8, 21)
        )
        _respond(survey, structure, association, rng, submitted, when)
    if not is_current:
        survey.state, survey.closed_at = SurveyState.closed, datetime.combine(closes, datetime.min.time())
        survey.share_level = ShareLevel.associations
    db.session.flush()
    return survey


def _translate(survey, structure):
    """A start on Turkish and Arabic, so the completeness figures and the fallback show something."""
    for item in [*structure.sections, *structure.questions]:
        field = "title" if hasattr(item, "title") and not hasattr(item, "kind") else "text"
        texts = {lang: t[item.key] for lang, t in TRANSLATIONS.items() if item.key in t}
        if texts:
            setattr(item, field, {**getattr(item, field), **texts})


def _respondents(associations, rng, count):
    """Migrant organisations and education associations answer a bit more often, as in real surveys."""

    def eagerness(association):
        teaches = any(t.key.startswith("hsu-") for t in association.topics)
        return rng.random() * (
            0.45 if teaches else 0.7 if association.is_migrant_org or association.field is Field.education else 1.0
        )

    weighted = sorted(associations, key=eagerness)
    return weighted[:count]


def _respond(survey, structure, association, rng, submitted, when):
    rep = next((u for u in association.representatives if u.is_enabled), None)
    respondent = Respondent(survey=survey, association=association, invitation=None, user=rep, name="Vertretung (Demo)")
    response = responding.get_or_create_response(respondent, "de")
    values = _answers(structure, association, rng)
    sections = structure.sections if submitted else structure.sections[: rng.randint(1, 3)]
    for section in sections:
        page = {q.id: values[q.id] for q in section.questions if q.id in values}
        responding.save_answers(response, section, page, respondent, "de", structure)
    if submitted:
        answers = responding.stored_answers(response)
        visible = structure.visible_question_ids(answers)
        responding.prune_hidden(response, structure, answers, visible)
        response.state, response.submitted_at = ResponseState.submitted, when
    response.started_at = when - timedelta(days=rng.randint(0, 3))
    response.updated_at = when


class _Builder:
    """Answers by question key and option key, turned into ids for the structure."""

    def __init__(self, structure):
        self.structure, self.values = structure, {}

    def choose(self, key, *option_keys, other="", share=False):
        question = self.structure.question_by_key[key]
        options = {o.key: o.id for o in question.options}
        ids = [options[k] for k in dict.fromkeys(option_keys) if k in options]
        if ids:
            self.values[question.id] = Answer(option_ids=ids, other=other, share=share)

    def number(self, key, value):
        self.values[self.structure.question_by_key[key].id] = Answer(number=float(value))

    def text(self, key, value):
        self.values[self.structure.question_by_key[key].id] = Answer(text=value)

    def yes_no(self, key, yes):
        self.number(key, 1 if yes else 0)

    def rows(self, key, rows):
        question = self.structure.question_by_key[key]
        options = {o.key: o.id for o in question.options}
        self.values[question.id] = Answer(rows={options[k]: float(v) for k, v in rows.items()})

    def date(self, key, value):
        self.values[self.structure.question_by_key[key].id] = Answer(date=value)


def _answers(structure, association, rng):
    topics = {t.key for t in association.topics}
    hsu = sorted(t for t in topics if t.startswith("hsu-"))
    needs_rooms = "rooms" in topics or rng.random() < 0.2
    members = association.members_approx or rng.randint(15, 120)
    b = _Builder(structure)
    b.choose("taetigkeitsfelder", FIELD_OPTIONS[association.field], *(["bildung"] if hsu else []))
    b.choose("zielgruppen", *([t for t in TARGET_GROUPS if t in topics] or [rng.choice(TARGET_GROUPS)]))
    b.number("mitglieder", members)
    b.number("ehrenamtliche", max(2, members // 8 + rng.randint(0, 6)))
    b.yes_no("ehrenamt-gesucht", rng.random() < 0.7)
    own = (
        "eigene"
        if association.field is Field.religion or members > 180
        else rng.choice(["mitgenutzt", "keine", "keine"])
    )
    b.choose("eigene-raeume", own)
    b.yes_no("raumbedarf", needs_rooms)
    if needs_rooms:
        b.choose(
            "raumbedarf-zweck", *(["unterricht"] if hsu else []), rng.choice(["treffen", "veranstaltungen", "lager"])
        )
        b.choose("raumbedarf-zeiten", *(["samstag"] if hsu else []), rng.choice(["werktags-abend", "sonntag"]))
        b.number("raumbedarf-personen", rng.choice([15, 25, 30, 40, 60, 80]))
    if own != "keine":
        offer = (
            "regelmaessig" if own == "eigene" and rng.random() < 0.6 else rng.choice(["gelegentlich", "nein", "nein"])
        )
        b.choose("raum-angebot", offer)
    b.choose("finanzierung-quellen", "beitraege", "spenden", *(["stadt"] if rng.random() < 0.4 else []))
    b.yes_no("foerderantrag", rng.random() < 0.4)
    advice = (["funding"] if "funding" in topics or rng.random() < 0.55 else []) + rng.sample(
        ["founding", "association-management", "public-relations", "event-planning", "digital"], rng.randint(0, 2)
    )
    b.choose("beratung", *advice)
    b.rows(
        "wichtigkeit",
        {
            "foerderberatung": rng.randint(3, 5),
            "raeume": 5 if needs_rooms else rng.randint(1, 3),
            "vernetzung": rng.randint(3, 5),
            "qualifizierung": rng.randint(2, 4),
            "oeffentlichkeit": rng.randint(1, 4),
        },
    )
    _heritage(b, hsu, needs_rooms, rng)
    b.number("veranstaltungen-anzahl", rng.randint(1, 12))
    b.choose(
        "vernetzung-themen",
        "networking",
        *rng.sample(["culture", "youth", "women", "german-courses", "homework-help", "event-planning"], 2),
    )
    if rng.random() < 0.5:
        b.text("kooperation-wunsch", rng.choice(COOPERATION))
    _offers(b, association, topics, own, rng)
    b.choose("kontaktweg", rng.choice(["email", "email", "telefon", "messenger"]))
    b.choose("treffen-formate", *rng.sample(["netzwerktreffen", "kamingespraech", "online", "workshop"], 2))
    b.choose("treffen-zeiten", *rng.sample(["werktags-abend", "samstag", "sonntag"], 2))
    b.number("zufriedenheit", rng.randint(2, 5))
    b.date("treffen-ab", local_today() + timedelta(days=rng.randint(7, 90)))
    if rng.random() < 0.25:
        b.text("anmerkungen", rng.choice(REMARKS))
    return b.values


def _heritage(b, hsu, needs_rooms, rng):
    if not hsu:
        planned = rng.random() < 0.1
        b.choose("hsu-angebot", "geplant" if planned else "nein")
        if planned:
            b.choose("hsu-bedarf", "lehrkraefte", "anerkennung", share=True)
        return
    b.choose("hsu-angebot", "ja")
    b.choose("hsu-sprachen", *hsu, share=rng.random() < 0.8)
    b.number("hsu-kinder", rng.randint(8, 60))
    b.text(
        "hsu-lehrkraefte",
        rng.choice(["Ehrenamtliche Eltern", "Eine Lehrkraft des Konsulats", "Studierende aus dem Verein"]),
    )
    b.choose(
        "hsu-ort",
        "kein-ort" if needs_rooms and rng.random() < 0.5 else rng.choice(["vereinsraeume", "schule", "gemeinde"]),
    )
    b.choose(
        "hsu-bedarf",
        "anerkennung",
        *(["raeume"] if needs_rooms else []),
        rng.choice(["lehrkraefte", "material", "geld"]),
        share=True,
    )
    b.choose("hsu-vernetzung", "ja" if rng.random() < 0.8 else "nein")


def _offers(b, association, topics, own, rng):
    offers = []
    if own == "eigene":
        offers.append("rooms")
    for topic in ("volunteers", "translation", "music-dance", "cooking", "homework-help", "equipment"):
        if topic in topics or (
            topic in ("translation", "volunteers") and len(association.languages) > 2 and rng.random() < 0.5
        ):
            offers.append(topic)
    if offers:
        b.choose("angebote", *offers, share=rng.random() < 0.75)
        b.text("angebot-beschreibung", rng.choice(OFFER_TEXTS))
