"""Translatable labels of the matching feature's values, shared by forms, templates and the CLI."""

from flask_babel import lazy_gettext as _l

from .engine import Partition, Polarity, RuleKind, TopicGrouping
from .models import MembershipSource, MembershipState, NetworkStatus, RunTrigger

KIND_LABELS = {
    RuleKind.shared_topic: _l("Shared topic: associations doing or caring about the same thing"),
    RuleKind.need_offer: _l("Need meets offer: associations needing something with those offering it"),
}

KIND_SHORT = {
    RuleKind.shared_topic: _l("Shared topic"),
    RuleKind.need_offer: _l("Need meets offer"),
}

GROUPING_LABELS = {
    TopicGrouping.each: _l("One group per topic (e.g. Turkish and Arabic heritage-language teaching apart)"),
    TopicGrouping.parent: _l("Sub-topics join their main topic (all heritage-language teaching together)"),
    TopicGrouping.all: _l("All chosen topics form one group"),
}

PARTITION_LABELS = {
    Partition.none: _l("Nothing else"),
    Partition.district: _l("District: only associations of the same district form a group"),
    Partition.language: _l("Language: only associations working in the same language form a group"),
}

POLARITY_LABELS = {
    Polarity.activity: _l("Does it (activity)"),
    Polarity.interest: _l("Cares about it (interest, target group)"),
    Polarity.need: _l("Needs it"),
    Polarity.offer: _l("Offers it"),
}

#: Short forms beside a statement ("needs it, 3 March 2026").
POLARITY_SHORT = {
    Polarity.activity: _l("does it"),
    Polarity.interest: _l("cares about it"),
    Polarity.need: _l("needs it"),
    Polarity.offer: _l("offers it"),
}

ROLE_LABELS = {
    "member": _l("shares the topic"),
    "needs": _l("needs it"),
    "offers": _l("offers it"),
    "both": _l("needs and offers it"),
}

SOURCE_LABELS = {
    "profile": _l("Profile"),
    "survey": _l("Needs survey"),
    "posting": _l("Offer/request board"),
}

STATUS_LABELS = {
    NetworkStatus.active: _l("Active"),
    NetworkStatus.dormant: _l("Dormant"),
}

MEMBERSHIP_SOURCE_LABELS = {
    MembershipSource.computed: _l("Suggested by the matcher"),
    MembershipSource.manual: _l("Added by hand"),
}

MEMBERSHIP_STATE_LABELS = {
    MembershipState.active: _l("Member"),
    MembershipState.removed: _l("Removed"),
    MembershipState.left: _l("Left"),
}

TRIGGER_LABELS = {
    RunTrigger.auto: _l("automatically, because data changed"),
    RunTrigger.manual: _l("on request"),
    RunTrigger.cli: _l("from the command line"),
}

SCORE_PART_LABELS = {
    "size": _l("Size"),
    "evidence": _l("Evidence"),
    "balance": _l("Need/offer balance"),
    "recency": _l("Recency"),
}

PARTITION_SHORT = {
    "district": _l("District"),
    "language": _l("Language"),
}


def category_label(value):
    """The name of a topic category stored by its value ("resources" -> "Resources")."""
    from core.labels import CATEGORY_LABELS
    from core.models import TopicCategory

    return CATEGORY_LABELS[TopicCategory(value)] if value in {c.value for c in TopicCategory} else value


def score_part_text(part):
    """One sentence saying what a score part measured, in the reader's language."""
    from flask_babel import format_decimal
    from flask_babel import gettext as _

    detail = dict(part.detail)
    if part.name == "size":
        return _("%(members)s members; full marks from %(full)s (twice the rule's smallest group).",
                 members=int(detail["members"]), full=int(detail["full_from"]))
    if part.name == "evidence":
        return _("On average %(mean)s independent statements per member; full marks from %(full)s.",
                 mean=format_decimal(detail["mean"]), full=int(detail["full_from"]))
    if part.name == "balance":
        return _("%(needs)s need it, %(offers)s offer it; full marks when both sides are equal.",
                 needs=int(detail["needs"]), offers=int(detail["offers"]))
    return _("Statements in the first half of the %(days)s-day window count fully, older ones less.",
             days=int(detail["window_days"]))
