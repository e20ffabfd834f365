"""A lively demo board for `flask demo load`: offers and requests across the categories and states,
two exchanges that happened, conversations (unread answers for verein01), an expired posting, a report."""

from datetime import timedelta

from sqlalchemy import select

from core.extensions import db
from core.models import Association, Topic, User, utcnow

from .models import (
    Category,
    Conversation,
    ConversationRead,
    DigestSubscription,
    Message,
    Posting,
    PostingKind,
    PostingState,
    Report,
    Visibility,
)

OFFER, REQUEST = PostingKind.offer, PostingKind.request
C = Category

#: (association number as in core.demo, kind, category, title, description, topics, languages, district or "",
#:  weekdays (Mon = 0), days ago, public?)
POSTINGS = [
    (1, REQUEST, C.rooms, "Raum für Samstagsunterricht gesucht",
     "Für unseren Türkischunterricht (HSU) suchen wir ab sofort einen Raum für etwa 20 Kinder, samstags von 10 bis 13 Uhr. "
     "Tische und Stühle wären gut, eine Tafel oder ein Beamer ideal.", "rooms hsu-tr children", "tr de", "", [5], 3, True),
    (3, OFFER, C.rooms, "Gemeindesaal samstags frei",
     "Unser Gemeindesaal (60 Plätze, Küche) ist samstags vormittags meist frei. Wir vermieten nicht, wir teilen – "
     "gegen eine kleine Spende für die Reinigung.", "rooms", "el de", "Oststadt", [5], 10, True),
    (11, OFFER, C.rooms, "Unterrichtsräume am Wochenende",
     "Zwei Unterrichtsräume mit je 15 Plätzen, Whiteboard, WLAN. Samstag und Sonntag nach Absprache.", "rooms children",
     "tr de", "Weststadt", [5, 6], 6, False),
    (20, REQUEST, C.rooms, "Raum für Elterncafé gesucht",
     "Einmal im Monat ein Elterncafé für arabischsprachige Familien – wir suchen einen hellen Raum mit Küche.",
     "rooms families", "ar de", "", [], 2, True),
    (6, REQUEST, C.rooms, "Raum für Russisch- und Ukrainischunterricht",
     "Wir brauchen dienstags und donnerstags nachmittags einen Raum für zwei Kindergruppen.", "rooms hsu-ru hsu-uk",
     "ru uk de", "Schlösslesfeld", [1, 3], 15, False),
    (29, OFFER, C.translation, "Dolmetschen Arabisch, Persisch, Ukrainisch",
     "Ehrenamtliche aus unserem Sprachcafé begleiten bei Elterngesprächen, Behördenterminen oder Veranstaltungen.",
     "translation", "ar fa uk de", "", [], 8, True),
    (7, REQUEST, C.translation, "Dolmetscherin für Elternabend",
     "Für einen Elternabend an der Grundschule suchen wir eine Dolmetscherin Ukrainisch–Deutsch.", "translation families",
     "uk de", "Oßweil", [2], 1, False),
    (19, REQUEST, C.translation, "Übersetzung Tigrinya für Infoblatt",
     "Wir möchten ein Infoblatt zur Hausaufgabenhilfe ins Tigrinya übersetzen lassen (eine Seite).", "translation",
     "ti de", "", [], 12, False),
    (28, REQUEST, C.volunteers, "Ehrenamtliche für Hausaufgabenhilfe",
     "Wir suchen Menschen, die ein- bis zweimal pro Woche Grundschulkindern bei den Hausaufgaben helfen.",
     "volunteers homework-help children", "de ar tr", "Grünbühl", [0, 1, 2, 3], 5, True),
    (14, REQUEST, C.volunteers, "Helfer für Sommerturnier",
     "Für unser Jugendturnier im Juli brauchen wir zehn Helferinnen und Helfer für Aufbau, Grill und Kasse.",
     "volunteers sport youth event-planning", "de tr it", "Eglosheim", [5, 6], 9, True),
    (15, OFFER, C.volunteers, "Gartengruppe hilft beim Pflanzen",
     "Unsere Gartengruppe hilft anderen Vereinen gern bei Pflanzaktionen und Hochbeeten.", "volunteers cooking",
     "de ar fa", "Sonnenberg", [], 20, False),
    (38, OFFER, C.equipment, "Laptops zum Ausleihen",
     "Wir haben acht Laptops, die Vereine für Kurse ausleihen können, mit Einführung.", "equipment digital", "de en",
     "Oststadt", [], 4, True),
    (2, OFFER, C.equipment, "Beamer und Leinwand",
     "Beamer und Leinwand für Veranstaltungen – Abholung in der Innenstadt.", "equipment event-planning", "it de",
     "Innenstadt", [], 14, False),
    (27, REQUEST, C.equipment, "Musikanlage für Jugendfest",
     "Wir suchen eine Musikanlage mit zwei Mikrofonen für unser Jugendfest.", "equipment youth event-planning",
     "de tr ar", "", [5], 7, False),
    (44, OFFER, C.equipment, "Fahrräder für Kinder und Jugendliche",
     "Aufbereitete Fahrräder für Kinder aus Familien mit wenig Geld, auch Fahrradhelme.", "equipment transport families",
     "de ar fa", "Schlösslesfeld", [], 11, True),
    (40, OFFER, C.knowhow, "Beratung zu Förderanträgen",
     "Wir haben viele Anträge geschrieben und teilen gern unsere Erfahrung: Stiftungen, Stadt, Land.", "funding advice",
     "ta de", "", [], 18, False),
    (26, REQUEST, C.knowhow, "Wer kennt sich mit Gemeinnützigkeit aus?",
     "Wir möchten als Verein die Gemeinnützigkeit beantragen und suchen Rat von erfahrenen Vereinen.",
     "association-management founding", "ku de", "", [], 6, False),
    (32, OFFER, C.knowhow, "Workshop Social Media für Vereine",
     "Wie erreichen wir junge Leute? Wir zeigen in zwei Stunden, wie wir Instagram und WhatsApp nutzen.",
     "public-relations digital", "tr de", "Innenstadt", [2], 13, True),
    (16, REQUEST, C.knowhow, "Deutschkurs-Material für Frauen",
     "Wir suchen Erfahrungen und Material für einen Deutschkurs mit Kinderbetreuung.", "german-courses women",
     "de tr ar ru", "Oststadt", [], 9, False),
    (44, OFFER, C.transport, "Lastenrad zum Ausleihen",
     "Unser Lastenrad kann für Transporte bis 80 kg ausgeliehen werden.", "transport", "de", "Schlösslesfeld", [], 16, False),
    (13, REQUEST, C.transport, "Fahrdienst zum Auswärtsspiel",
     "Wer kann uns mit einem Kleinbus zu einem Turnier nach Stuttgart fahren?", "transport sport youth", "fr en de",
     "Grünbühl", [6], 3, False),
    (27, OFFER, C.event, "Gemeinsames Fest der Kulturen",
     "Wir planen im Herbst ein Fest der Kulturen auf dem Marktplatz und suchen Vereine mit Musik, Essen oder Tanz.",
     "event-planning culture music-dance networking", "de tr ar", "Innenstadt", [5], 5, True),
    (30, REQUEST, C.event, "Tanzgruppe für Sommerfest gesucht",
     "Für unser Sommerfest suchen wir eine Tanzgruppe, gern mit Mitmach-Teil für Kinder.", "music-dance event-planning",
     "el de", "Hoheneck", [5], 8, False),
    (36, OFFER, C.event, "Chor singt bei Festen",
     "Unser Chor singt auf Festen anderer Vereine – Lieder in sieben Sprachen.", "music-dance culture", "de it el",
     "", [], 22, True),
    (9, REQUEST, C.funding, "Kooperationspartner für Förderantrag",
     "Für einen Antrag beim Land suchen wir einen Partnerverein für ein Kulturprojekt mit Jugendlichen.",
     "funding culture youth", "fa de", "", [], 10, False),
    (10, REQUEST, C.funding, "Partner für Jugendprojekt",
     "Wir beantragen Mittel für ein Boxtraining für Jugendliche und suchen einen Sportverein als Partner.",
     "funding youth sport", "ku tr ar de", "Weststadt", [], 4, False),
    (37, OFFER, C.other, "Seniorinnen lesen vor",
     "Unsere Seniorinnen lesen in Kitas und Grundschulen vor – auf Deutsch, Türkisch und Italienisch.",
     "seniors children", "de tr it el", "", [], 17, False),
    (35, REQUEST, C.other, "Kinderbetreuung während Frauenkurs",
     "Wir suchen Unterstützung bei der Kinderbetreuung während unseres Frauenkurses, mittwochs 9–11 Uhr.",
     "women children volunteers", "ar tr de", "Weststadt", [2], 2, False),
    (42, OFFER, C.rooms, "Sporthalle am Sonntagvormittag",
     "Unsere Halle ist sonntags bis 12 Uhr frei und kann für Bewegungsangebote genutzt werden.", "rooms sport",
     "de tr ru", "Oststadt", [6], 12, False),
    (45, REQUEST, C.rooms, "Raum für Ukrainische Sonntagsschule",
     "Wir suchen sonntags einen Raum für 15 Kinder.", "rooms hsu-uk children", "uk de", "Oßweil", [6], 1, True),
    (8, OFFER, C.rooms, "Pfarrsaal für Veranstaltungen",
     "Unser Pfarrsaal kann werktags abends für Veranstaltungen genutzt werden.", "rooms event-planning", "pl de",
     "Innenstadt", [0, 1, 2, 3, 4], 25, False),
    (24, OFFER, C.knowhow, "Vereinsgründung: wir erzählen, wie es ging",
     "Wir haben vor drei Jahren gegründet und helfen gern mit Satzung und Behördengängen.", "founding association-management",
     "bs hr sr de", "Weststadt", [], 19, False),
]


def _association(numbered, number):
    return numbered[number - 1]


def _posting(town, association, author, row, topics, now):
    _, kind, category, title, description, topic_keys, langs, district, weekdays, days_ago, public = row
    created = now - timedelta(days=days_ago, hours=days_ago % 5)
    posting = Posting(
        municipality_id=town.id, association=association, author=author, kind=kind, category=category, title=title,
        description=description, district=district, visibility=Visibility.public if public else Visibility.network,
        state=PostingState.open, state_changed_at=created, created_at=created, updated_at=created,
        expires_at=created + timedelta(days=60), topics=[topics[k] for k in topic_keys.split()],
    )
    posting.languages = langs.split()
    posting.weekday_list = weekdays
    if association.email and number_shares_contact(association):
        posting.share_contact, posting.contact_email, posting.contact_phone = True, association.email, association.phone
        posting.contact_name = author.name if author else ""
    posting.refresh_search()
    db.session.add(posting)
    return posting


def number_shares_contact(association):
    # About half of the demo associations share contact details, so both displays can be seen.
    return association.id % 2 == 0


def _talk(posting, replier, lines, start, poster_rep, replier_rep):
    """A conversation with alternating messages, the replier first."""
    conversation = Conversation(
        posting=posting, municipality_id=posting.municipality_id, poster_id=posting.association_id, replier=replier,
        created_at=start,
    )
    db.session.add(conversation)
    when = start
    for index, body in enumerate(lines):
        from_replier = index % 2 == 0
        db.session.add(Message(
            conversation=conversation, association_id=replier.id if from_replier else posting.association_id,
            author=replier_rep if from_replier else poster_rep, body=body, created_at=when,
        ))
        when += timedelta(hours=5)
    conversation.last_message_at = when - timedelta(hours=5)
    return conversation


def load(town):
    """Build the demo board for the demo town (called by core.demo after the associations exist)."""
    now = utcnow()
    numbered = db.session.scalars(
        select(Association).where(Association.municipality_id == town.id).order_by(Association.id)
    ).all()
    reps = {u.association_id: u for u in db.session.scalars(select(User).where(User.association_id.is_not(None)))}
    topics = {t.key: t for t in db.session.scalars(select(Topic))}
    postings = []
    for row in POSTINGS:
        association = _association(numbered, row[0])
        postings.append(_posting(town, association, reps.get(association.id), row, topics, now))
    db.session.flush()

    request_room = postings[0]
    a1, a3, a11 = (_association(numbered, n) for n in (1, 3, 11))

    # verein01's room request: two associations answered; the Greek community's last message is unread.
    talk = _talk(request_room, a3, [
        "Guten Tag, unser Gemeindesaal ist samstags von 9 bis 14 Uhr frei. 20 Kinder passen gut hinein. Wollen Sie ihn sich ansehen?",
        "Das klingt sehr gut! Passt Ihnen kommender Samstag um 9:30 Uhr?",
        "Ja, gern. Fragen Sie im Gemeindehaus nach Herrn Papadopoulos.",
    ], now - timedelta(days=2), reps[a1.id], reps[a3.id])
    _talk(request_room, a11, ["Wir hätten samstags ebenfalls einen Raum – melden Sie sich, falls es anderswo nicht klappt."],
          now - timedelta(days=1), reps[a1.id], reps[a11.id])
    request_room.state, request_room.state_changed_at = PostingState.in_progress, now - timedelta(days=1)

    # Two exchanges that happened: one confirmed by both sides, one waiting for confirmation.
    room_for_school = postings[4]  # Russian-speaking parents need a room …
    _talk(room_for_school, _association(numbered, 8), [
        "Unser Pfarrsaal ist dienstags und donnerstags nachmittags frei.",
        "Wunderbar, dann kommen wir ab nächster Woche – vielen Dank!",
    ], now - timedelta(days=12), reps[_association(numbered, 6).id], reps[_association(numbered, 8).id])
    _fulfil(room_for_school, _association(numbered, 8), now - timedelta(days=9), confirmed=True)
    _fulfil(postings[6], _association(numbered, 29), now - timedelta(days=1), confirmed=False)  # interpreter found
    _fulfil(postings[15], None, now - timedelta(days=5), confirmed=False)  # funding advice given, partner not named
    db.session.flush()
    _authors_have_read()
    # … except the Greek community's last answer, which verein01 has not read yet.
    db.session.get(ConversationRead, (reps[a1.id].id, talk.id)).last_read_message_id = talk.messages[1].id

    # More in progress, one withdrawn, one expired (with its reminder sent before).
    postings[9].state = PostingState.in_progress
    postings[20].state = PostingState.withdrawn
    expired = postings[7]
    expired.created_at = now - timedelta(days=75)
    expired.expires_at, expired.reminded_at = now - timedelta(days=15), now - timedelta(days=22)
    expired.state, expired.state_changed_at = PostingState.expired, now - timedelta(days=15)
    # One posting ends in a few days: `flask exchange expire` sends its reminder.
    postings[30].expires_at = now + timedelta(days=4)
    postings[30].ends_on = None
    postings[12].starts_on, postings[12].ends_on = now.date(), now.date() + timedelta(days=90)

    # The weekly e-mail is switched on for a few associations; one open report waits for the office.
    for number in (1, 3, 28):
        db.session.add(DigestSubscription(association=_association(numbered, number), subscribed_by_id=None,
                                          subscribed_at=now - timedelta(days=20)))
    db.session.add(Report(municipality_id=town.id, reporter=reps[_association(numbered, 16).id], posting=postings[17],
                          reason="Der Text klingt nach Werbung für eine Beratungsfirma, nicht nach einem Verein.",
                          created_at=now - timedelta(days=1)))
    db.session.flush()


def _authors_have_read():
    """Whoever wrote a message has read the conversation up to it."""
    last = {}
    for message in db.session.scalars(select(Message).order_by(Message.id)):
        last[(message.author_id, message.conversation_id)] = message.id
    for (user_id, conversation_id), message_id in last.items():
        if user_id is not None:
            db.session.add(ConversationRead(user_id=user_id, conversation_id=conversation_id, last_read_message_id=message_id))
    db.session.flush()


def _fulfil(posting, partner, when, confirmed):
    posting.state, posting.state_changed_at = PostingState.fulfilled, when
    posting.partner, posting.fulfilled_at = partner, when
    posting.partner_confirmed_at = when + timedelta(days=1) if confirmed and partner else None
