"""Needs surveys: definition (sections, questions, options), distribution and responses.

Texts that respondents read are stored per language as JSON dicts ({"de": "…", "tr": "…"});
German is the source language and the fallback. The association is the respondent: one
response per association per survey, shared by its representatives.
"""

import enum
import hashlib
import secrets
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import Association, Municipality, Topic, User, enum_column, utcnow

SOURCE_LANGUAGE = "de"
#: Opening and closing days are days in the office's time zone.
LOCAL_TZ = ZoneInfo("Europe/Berlin")


def local_today():
    return datetime.now(LOCAL_TZ).date()


class SurveyState(enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"


class QuestionKind(enum.Enum):
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    short_text = "short_text"
    long_text = "long_text"
    number = "number"
    yes_no = "yes_no"
    scale = "scale"
    matrix = "matrix"
    date = "date"
    topic_choice = "topic_choice"

    @property
    def has_options(self):
        return self in OPTION_KINDS

    @property
    def is_choice(self):
        """Answers are counted per option (or per yes/no or scale value)."""
        return self in CHOICE_KINDS


OPTION_KINDS = {
    QuestionKind.single_choice,
    QuestionKind.multiple_choice,
    QuestionKind.topic_choice,
    QuestionKind.matrix,
}
CHOICE_KINDS = OPTION_KINDS | {QuestionKind.yes_no, QuestionKind.scale}
TEXT_KINDS = {QuestionKind.short_text, QuestionKind.long_text}


class Polarity(enum.Enum):
    """What choosing an option says about the association."""

    need = "need"
    offer = "offer"
    interest = "interest"


class ResponseState(enum.Enum):
    draft = "draft"
    submitted = "submitted"


class ShareLevel(enum.Enum):
    """Who may see the results summary (always with small cells suppressed)."""

    none = "none"
    associations = "associations"
    public = "public"


def translate(texts, lang):
    """(text, is_fallback): the text in `lang`, else the German source marked as fallback."""
    texts = texts or {}
    value = (texts.get(lang) or "").strip()
    if value:
        return value, False
    return (texts.get(SOURCE_LANGUAGE) or "").strip(), lang != SOURCE_LANGUAGE


class Survey(db.Model):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: Shared by all waves of one survey, so waves can be compared question by question.
    series_key: Mapped[str] = mapped_column(String(36), index=True)
    #: The wave this one was copied from.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    #: Short name of the wave, e.g. "2026".
    wave_label: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    intro: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Languages offered to respondents; German is always among them.
    languages: Mapped[list] = mapped_column(JSON, default=lambda: [SOURCE_LANGUAGE])
    state: Mapped[SurveyState] = enum_column(SurveyState, default=SurveyState.draft, index=True)
    #: First and last day (Europe/Berlin) on which answers are accepted.
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    share_level: Mapped[ShareLevel] = enum_column(ShareLevel, default=ShareLevel.none)
    #: The filter the coordinator used to choose the invited associations (for the record).
    target_filter: Mapped[dict] = mapped_column(JSON, default=dict)
    template_key: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    municipality: Mapped[Municipality] = relationship()
    previous: Mapped["Survey | None"] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship()
    sections: Mapped[list["SurveySection"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveySection.position"
    )
    #: Read-only shortcut over all sections; questions are added through their section.
    questions: Mapped[list["SurveyQuestion"]] = relationship(viewonly=True)

    def status(self, today=None):
        """draft, scheduled (not open yet), open or closed, as respondents experience it."""
        today = today or local_today()
        if self.state is SurveyState.draft:
            return "draft"
        if self.state is SurveyState.closed or (self.closes_on and today > self.closes_on):
            return "closed"
        if self.opens_on and today < self.opens_on:
            return "scheduled"
        return "open"

    def accepts_answers(self, today=None):
        return self.status(today) == "open"

    @property
    def has_started(self):
        """Once opened, the survey's questions may have answers: editing becomes careful."""
        return self.state is not SurveyState.draft

    def title_in(self, lang):
        return translate(self.title, lang)[0]

    @property
    def name(self):
        return self.title_in(SOURCE_LANGUAGE) or f"#{self.id}"

    def __repr__(self):
        return f"<Survey {self.id} {self.state.value}>"


class SurveySection(db.Model):
    __tablename__ = "survey_sections"
    __table_args__ = (UniqueConstraint("survey_id", "key", name="uq_survey_sections_survey_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[dict] = mapped_column(JSON, default=dict)
    intro: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Show the section only if an earlier answer matches: {"question": key, "op": …, "values": […]}.
    condition: Mapped[dict | None] = mapped_column(JSON)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="SurveyQuestion.position"
    )

    def __repr__(self):
        return f"<SurveySection {self.id} {self.key}>"


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "key", name="uq_survey_questions_survey_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("survey_sections.id", ondelete="CASCADE"), index=True)
    #: Stable across waves and edits; exports and wave comparisons use it.
    key: Mapped[str] = mapped_column(String(64))
    #: Order within the section.
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = enum_column(QuestionKind)
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    help: Mapped[dict] = mapped_column(JSON, default=dict)
    is_required: Mapped[bool] = mapped_column(default=False)
    #: Kind-specific settings: min/max/integer (number), max_length (text), scale_min/scale_max
    #: with low_label/high_label dicts (scale, matrix), polarity (topic choice).
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    condition: Mapped[dict | None] = mapped_column(JSON)
    #: Retired questions are hidden from respondents but stay in results and exports.
    is_retired: Mapped[bool] = mapped_column(default=False)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    survey: Mapped[Survey] = relationship()
    section: Mapped[SurveySection] = relationship(back_populates="questions")
    options: Mapped[list["SurveyOption"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="SurveyOption.position"
    )
    revisions: Mapped[list["SurveyQuestionRevision"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="SurveyQuestionRevision.id"
    )

    @property
    def active_options(self):
        return [o for o in self.options if not o.is_retired]

    def __repr__(self):
        return f"<SurveyQuestion {self.id} {self.key} {self.kind.value}>"


class SurveyOption(db.Model):
    """A choice option, or a row of a matrix question."""

    __tablename__ = "survey_options"
    __table_args__ = (UniqueConstraint("question_id", "key", name="uq_survey_options_question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    #: Label per language; empty for topic options, which show the topic's own name.
    label: Mapped[dict] = mapped_column(JSON, default=dict)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"), index=True)
    polarity: Mapped[Polarity | None] = enum_column(Polarity, nullable=True)
    #: "Other, please specify": choosing it asks for a text.
    is_other: Mapped[bool] = mapped_column(default=False)
    is_retired: Mapped[bool] = mapped_column(default=False)

    question: Mapped[SurveyQuestion] = relationship(back_populates="options")
    topic: Mapped[Topic | None] = relationship()

    def label_in(self, lang):
        """(label, is_fallback); topic options use the topic's name in that language."""
        label, fallback = translate(self.label, lang)
        if label or self.topic is None:
            return label, fallback
        names = self.topic.names or {}
        if names.get(lang):
            return names[lang], False
        return self.topic.name(SOURCE_LANGUAGE), lang != SOURCE_LANGUAGE

    def __repr__(self):
        return f"<SurveyOption {self.id} {self.key}>"


class SurveyQuestionRevision(db.Model):
    """The wording a question had before an edit, so earlier answers can be read in context."""

    __tablename__ = "survey_question_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True)
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    help: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Option labels at that time: {option key: {lang: label}}.
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[SurveyQuestion] = relationship(back_populates="revisions")
    changed_by: Mapped[User | None] = relationship()

    def __repr__(self):
        return f"<SurveyQuestionRevision {self.id} of {self.question_id}>"


class SurveyInvitation(db.Model):
    """An association the survey is addressed to."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "association_id", name="uq_survey_invitations_survey_association"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the last invitation or reminder e-mail was queued.
    last_sent_at: Mapped[datetime | None]
    #: Number of mails queued (invitation and reminders); 0 means nobody could be reached.
    mails_sent: Mapped[int] = mapped_column(default=0)
    reminder_count: Mapped[int] = mapped_column(default=0)
    #: Reminders go out at most once a day, however often the button or the schedule runs.
    last_reminded_on: Mapped[date | None] = mapped_column(Date)

    survey: Mapped[Survey] = relationship()
    association: Mapped[Association] = relationship()
    tokens: Mapped[list["SurveyToken"]] = relationship(back_populates="invitation", cascade="all, delete-orphan")

    def __repr__(self):
        return f"<SurveyInvitation {self.id} survey={self.survey_id} association={self.association_id}>"


class SurveyToken(db.Model):
    """A personal link for one invitation; only the hash is stored, it expires with the survey."""

    __tablename__ = "survey_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitations.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    invitation: Mapped[SurveyInvitation] = relationship(back_populates="tokens")

    @staticmethod
    def hash(secret):
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, invitation):
        """A new token; the secret exists only in the link that is mailed."""
        secret = secrets.token_urlsafe(32)
        token = cls(invitation=invitation, token_hash=cls.hash(secret))
        db.session.add(token)
        return token, secret

    def __repr__(self):
        return f"<SurveyToken {self.id} invitation={self.invitation_id}>"


class SurveyResponse(db.Model):
    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "association_id", name="uq_survey_responses_survey_association"),
        Index("ix_survey_responses_survey_state", "survey_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    state: Mapped[ResponseState] = enum_column(ResponseState, default=ResponseState.draft)
    #: Raised on every save; a page posted with an older version may be a conflicting edit.
    version: Mapped[int] = mapped_column(default=0)
    #: {section id: version of the save that last changed it}, so edits of different pages never conflict.
    section_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Language the respondent last used.
    locale: Mapped[str] = mapped_column(String(8), default="de")
    #: Position of the section saved last, to continue where the association left off.
    last_section_position: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who made the last change: the account's name, or the name given on the personal link.
    updated_by_name: Mapped[str] = mapped_column(String(120), default="")
    submitted_at: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship()
    association: Mapped[Association] = relationship()
    updated_by: Mapped[User | None] = relationship()
    answers: Mapped[list["SurveyAnswer"]] = relationship(back_populates="response", cascade="all, delete-orphan")

    @property
    def is_submitted(self):
        return self.state is ResponseState.submitted

    def __repr__(self):
        return f"<SurveyResponse {self.id} {self.state.value} v{self.version}>"


class SurveyAnswer(db.Model):
    """One fact of a response: a chosen option, a matrix cell, a number, a date or a text.

    One row per chosen option keeps every count a plain GROUP BY.
    """

    __tablename__ = "survey_answers"
    __table_args__ = (
        Index("ix_survey_answers_response_question", "response_id", "question_id"),
        Index("ix_survey_answers_question_option", "question_id", "option_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id", ondelete="CASCADE"), index=True)
    value_text: Mapped[str | None] = mapped_column(Text)
    #: Numbers, scale values, matrix cells and yes/no (1/0).
    value_number: Mapped[float | None] = mapped_column(Float)
    value_date: Mapped[date | None] = mapped_column(Date)
    #: The association agreed that the office may pass this need or offer on to other associations.
    share_consent: Mapped[bool] = mapped_column(default=False)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
    question: Mapped[SurveyQuestion] = relationship()
    option: Mapped[SurveyOption | None] = relationship()

    def __repr__(self):
        return f"<SurveyAnswer {self.id} q={self.question_id} o={self.option_id}>"


class SurveyConflict(db.Model):
    """A page saved over someone else's newer change: the losing version is kept here."""

    __tablename__ = "survey_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("survey_sections.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120), default="")
    #: The response version the author had loaded.
    base_version: Mapped[int] = mapped_column(default=0)
    #: The posted form values, field name → list of values.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    #: "mine" (re-applied), "theirs" (discarded) or "" while open.
    resolution: Mapped[str] = mapped_column(String(16), default="")

    response: Mapped[SurveyResponse] = relationship()
    section: Mapped[SurveySection | None] = relationship()

    def __repr__(self):
        return f"<SurveyConflict {self.id} response={self.response_id}>"
