"""The starter vocabulary of topics, and keeping the database in step with it.

Keys are stable: surveys, postings and the matcher refer to topics by key across waves and towns.
"""

from sqlalchemy import select

from .extensions import db
from .models import Topic, TopicCategory

R, A, T, L = (TopicCategory.resources, TopicCategory.activities, TopicCategory.target_groups, TopicCategory.languages)

#: (key, category, parent key, {locale: name}, synonyms)
STARTER_TOPICS = [
    ("rooms", R, None, {"de": "Räume", "en": "Rooms and premises", "ar": "قاعات ومقرات"}, ["Raum", "Raumnot", "Saal", "Vereinsheim", "Räumlichkeiten", "room", "hall"]),
    ("funding", R, None, {"de": "Fördermittel und Fundraising", "en": "Funding and fundraising", "ar": "التمويل وجمع التبرعات"}, ["Fördermittelakquise", "Förderantrag", "Zuschuss", "Spenden", "fundraising", "grant"]),
    ("volunteers", R, None, {"de": "Ehrenamtliche", "en": "Volunteers", "ar": "المتطوعون"}, ["Ehrenamt", "Helfer", "volunteering"]),
    ("equipment", R, None, {"de": "Ausstattung und Material", "en": "Equipment and material", "ar": "المعدات والمواد"}, ["Material", "Technik", "Beamer", "equipment"]),
    ("transport", R, None, {"de": "Transport", "en": "Transport", "ar": "النقل"}, ["Fahrzeug", "Bus", "Fahrdienst"]),
    ("advice", R, None, {"de": "Beratung und Know-how", "en": "Advice and know-how", "ar": "الاستشارة والخبرة"}, ["Beratung", "Wissen", "Schulung", "know-how", "training"]),
    ("public-relations", R, None, {"de": "Öffentlichkeitsarbeit", "en": "Public relations", "ar": "العلاقات العامة"}, ["Presse", "Social Media", "Werbung"]),
    ("networking", A, None, {"de": "Vernetzung", "en": "Networking", "ar": "التشبيك"}, ["Netzwerk", "Kooperation", "network"]),
    ("event-planning", A, None, {"de": "Veranstaltungsplanung", "en": "Event planning", "ar": "تنظيم الفعاليات"}, ["Veranstaltung", "Fest", "Event"]),
    ("founding", A, None, {"de": "Vereinsgründung", "en": "Founding an association", "ar": "تأسيس جمعية"}, ["Gründung", "Satzung", "e.V."]),
    ("association-management", A, None, {"de": "Vereinsführung", "en": "Running an association", "ar": "إدارة الجمعية"}, ["Vorstand", "Buchhaltung", "Gemeinnützigkeit"]),
    ("homework-help", A, None, {"de": "Hausaufgabenhilfe", "en": "Homework help", "ar": "المساعدة في الواجبات المدرسية"}, ["Nachhilfe", "Lernhilfe", "tutoring"]),
    ("sport", A, None, {"de": "Sport", "en": "Sport", "ar": "الرياضة"}, ["Fußball", "Training", "Bewegung"]),
    ("culture", A, None, {"de": "Kultur", "en": "Culture", "ar": "الثقافة"}, ["Kunst", "Theater", "Literatur"]),
    ("music-dance", A, None, {"de": "Musik und Tanz", "en": "Music and dance", "ar": "الموسيقى والرقص"}, ["Folklore", "Chor", "Tanzgruppe"]),
    ("faith", A, None, {"de": "Religiöses Leben", "en": "Religious life", "ar": "الحياة الدينية"}, ["Gemeinde", "Gottesdienst", "Moschee", "Kirche"]),
    ("counselling", A, None, {"de": "Beratung für Familien", "en": "Counselling for families", "ar": "إرشاد الأسر"}, ["Sozialberatung", "Begleitung"]),
    ("integration-courses", A, None, {"de": "Orientierung und Ankommen", "en": "Orientation for newcomers", "ar": "التوجيه للقادمين الجدد"}, ["Ankommen", "Behördengänge", "newcomers"]),
    ("cooking", A, None, {"de": "Kochen und Begegnung", "en": "Cooking and meeting", "ar": "الطبخ واللقاءات"}, ["Essen", "Begegnungscafé"]),
    ("digital", A, None, {"de": "Digitale Kompetenzen", "en": "Digital skills", "ar": "المهارات الرقمية"}, ["Computer", "Internet", "digital"]),
    ("children", T, None, {"de": "Kinder", "en": "Children", "ar": "الأطفال"}, ["Kita", "Grundschule"]),
    ("youth", T, None, {"de": "Jugend", "en": "Youth", "ar": "الشباب"}, ["Jugendliche", "Jugendarbeit"]),
    ("women", T, None, {"de": "Frauen", "en": "Women", "ar": "النساء"}, ["Frauengruppe", "Mädchen"]),
    ("seniors", T, None, {"de": "Seniorinnen und Senioren", "en": "Older people", "ar": "كبار السن"}, ["Senioren", "Ältere"]),
    ("families", T, None, {"de": "Familien", "en": "Families", "ar": "العائلات"}, ["Eltern", "Elternarbeit"]),
    ("refugees", T, None, {"de": "Geflüchtete", "en": "Refugees", "ar": "اللاجئون"}, ["Flüchtlinge", "Asyl"]),
    ("german-courses", L, None, {"de": "Deutschkurse", "en": "German courses", "ar": "دورات اللغة الألمانية"}, ["Deutsch lernen", "Sprachkurs", "Sprachcafé"]),
    ("translation", L, None, {"de": "Übersetzen und Dolmetschen", "en": "Translation and interpreting", "ar": "الترجمة التحريرية والفورية"}, ["Übersetzung", "Dolmetscher", "Sprachmittlung", "interpreting"]),
    ("hsu", L, None, {"de": "Herkunftssprachlicher Unterricht", "en": "Heritage-language teaching", "ar": "تعليم لغة الأصل"}, ["HSU", "Muttersprachlicher Unterricht", "Muttersprache", "heritage language"]),
]

#: Heritage-language teaching per common community language, grouped under "hsu".
HERITAGE_LANGUAGES = {
    "tr": ("Türkisch", "Turkish", "التركية"),
    "ar": ("Arabisch", "Arabic", "العربية"),
    "it": ("Italienisch", "Italian", "الإيطالية"),
    "el": ("Griechisch", "Greek", "اليونانية"),
    "hr": ("Kroatisch", "Croatian", "الكرواتية"),
    "ru": ("Russisch", "Russian", "الروسية"),
    "uk": ("Ukrainisch", "Ukrainian", "الأوكرانية"),
    "pl": ("Polnisch", "Polish", "البولندية"),
    "fa": ("Persisch", "Persian", "الفارسية"),
    "ku": ("Kurdisch", "Kurdish", "الكردية"),
    "sq": ("Albanisch", "Albanian", "الألبانية"),
    "es": ("Spanisch", "Spanish", "الإسبانية"),
    "pt": ("Portugiesisch", "Portuguese", "البرتغالية"),
}

for _code, (_de, _en, _ar) in HERITAGE_LANGUAGES.items():
    STARTER_TOPICS.append(
        (
            f"hsu-{_code}",
            L,
            "hsu",
            {"de": f"Herkunftssprachlicher Unterricht {_de}", "en": f"Heritage-language teaching: {_en}", "ar": f"تعليم لغة الأصل: {_ar}"},
            [f"{_de}unterricht", f"{_en} lessons", f"{_de} für Kinder"],
        )
    )


def sync_topics():
    """Insert missing starter topics and refresh their names; never deletes or renames keys."""
    existing = {t.key: t for t in db.session.scalars(select(Topic))}
    added = 0
    for order, (key, category, parent_key, names, synonyms) in enumerate(STARTER_TOPICS):
        topic = existing.get(key)
        if topic is None:
            topic = Topic(key=key, category=category)
            db.session.add(topic)
            existing[key] = topic
            added += 1
        topic.names = {**(topic.names or {}), **names}
        topic.synonyms = sorted(set(topic.synonyms or []) | set(synonyms))
        topic.sort_order = order
        topic.parent = existing.get(parent_key) if parent_key else None
    db.session.flush()
    return added
