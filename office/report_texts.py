"""A few sentences per section of the impact report, for the council paper, from the figures as shown."""

from flask_babel import gettext as _


def _number(value):
    """A shown number, or 0 for a hidden one (texts never rank by what they may not show)."""
    return value if isinstance(value, (int, float)) else 0


def _survey_text(row, fmt):
    values = {"survey": row.label, "responded": fmt(row.values["responded"]), "invited": fmt(row.values["invited"])}
    if isinstance(row.values["percent"], int):
        return _("“%(survey)s”: %(responded)s of %(invited)s invited associations took part (%(percent)s).",
                 percent=fmt(row.values["percent"], "percent"), **values)
    return _("“%(survey)s”: %(responded)s of %(invited)s invited associations took part.", **values)


def texts(section, view):
    """A few sentences per section, in the reader's language, from the (possibly hidden) figures."""
    fmt = view.fmt
    t = section.tables[0]
    if section.key == "associations":
        return [_("Associations known to the coordination office at the end of the period: %(identified)s, "
                  "of which newly identified in the period: %(new)s. Active in the period: %(active)s.",
                  identified=fmt(t.total.values["identified"]), new=fmt(t.total.values["new"]),
                  active=fmt(t.total.values["active"]))]
    if section.key == "surveys":
        if not t.rows:
            return [_("No survey was open in the period.")]
        return [_survey_text(row, fmt) for row in t.rows]
    if section.key == "needs_offers":
        needs = [r.label for r in sorted(t.rows, key=lambda r: -_number(r.values["need"])) if r.values["need"] != 0][:3]
        offers = [r.label for r in sorted(t.rows, key=lambda r: -_number(r.values["offer"])) if r.values["offer"] != 0]
        offers = offers[:3]
        return [_("Most often named as needs: %(needs)s. Most often offered: %(offers)s.",
                  needs=", ".join(needs) or "–", offers=", ".join(offers) or "–")]
    if section.key == "exchange":
        total = t.total.values
        return [_("Offers posted: %(offers)s; requests posted: %(requests)s; exchanges completed: %(fulfilled)s.",
                  offers=fmt(total["offers"]), requests=fmt(total["requests"]), fulfilled=fmt(total["fulfilled"]))]
    if section.key == "networks":
        v = {r.key: fmt(r.values["value"]) for r in t.rows}
        return [_("Sub-networks formed in the period: %(formed)s. Active at the end of the period: %(active)s, "
                  "with %(members)s member associations.", **{k: v[k] for k in ("formed", "active", "members")})]
    if section.key == "chats":
        v = {r.key: fmt(r.values["value"]) for r in t.rows}
        return [_("Fireside chats held: %(held)s. Associations that attended: %(associations)s; persons: %(persons)s.",
                  **{k: v[k] for k in ("held", "associations", "persons")})]
    if section.key == "consultations":
        v = {r.key: fmt(r.values["value"]) for r in t.rows}
        topics = section.tables[1]
        hours = fmt(topics.total.values["hours"], "hours")
        if isinstance(topics.total.values["hours"], float):
            text = _("Consultations: %(count)s with %(associations)s associations, %(hours)s hours in total.",
                     count=v["count"], associations=v["associations"], hours=hours)
        else:
            text = _("Consultations: %(count)s with %(associations)s associations.", count=v["count"],
                     associations=v["associations"])
        top = max(topics.rows, key=lambda r: _number(r.values["count"]))
        if _number(top.values["count"]) > 0:
            text += " " + _("Most frequent topic: %(topic)s.", topic=top.label)
        return [text]
    if section.key == "follow_ups":
        total = t.total.values
        return [_("Follow-ups agreed in the period: done %(done)s, open %(open)s (overdue %(overdue)s), "
                  "dropped %(dropped)s.", **{k: fmt(total[k]) for k in ("done", "open", "overdue", "dropped")})]
    return [_("Figures per calendar quarter of the period.")]
