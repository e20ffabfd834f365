"""Everything that changes matching data. Services flush, never commit; the acting user is a parameter."""

import logging

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from core.cache import cached_value
from core.extensions import db
from core.models import ConsentRecord, utcnow

from . import queries
from .defaults import DEFAULT_RULES
from .facts import language_context, today
from .models import (
    DismissedSuggestion,
    MatchingRun,
    MatchRule,
    MembershipSource,
    MembershipState,
    NetworkingConsent,
    NetworkStatus,
    RunTrigger,
    SubNetwork,
    SubNetworkMember,
)

log = logging.getLogger("vereinsnetz")

#: Runs kept per municipality; older ones only told when something was computed.
RUNS_KEPT = 20
CONSENT_TEXT_VERSION = "2026-11"
RULE_FIELDS = (
    "name", "kind", "topic_keys", "categories", "include_subtopics", "grouping", "polarities", "partition",
    "ignored_languages", "min_size", "max_size", "min_facts", "window_days", "is_active",
)


# --------------------------------------------------------------------------- rules


def install_default_rules(municipality_id, actor=None):
    """Add the shipped default rules the municipality does not have yet; returns the new ones."""
    have = {r.default_key for r in queries.rules_of(municipality_id) if r.default_key}
    added = []
    for spec in DEFAULT_RULES:
        if spec["default_key"] not in have:
            rule = MatchRule(municipality_id=municipality_id, updated_by_id=actor.id if actor else None, **spec)
            db.session.add(rule)
            added.append(rule)
    db.session.flush()
    log.info("Default matching rules %s added for municipality %s", [r.default_key for r in added], municipality_id)
    return added


def ensure_rules(municipality_id, actor=None):
    """The first time a town uses the matcher it gets the default rules; deleting them later is respected."""
    if not queries.rules_of(municipality_id) and not queries.has_any_run(municipality_id):
        install_default_rules(municipality_id, actor)


def save_rule(rule, municipality_id, data, actor):
    """Create (rule None) or update a rule from the form's data."""
    if rule is None:
        rule = MatchRule(municipality_id=municipality_id)
        db.session.add(rule)
    for name in RULE_FIELDS:
        setattr(rule, name, data[name])
    rule.updated_by_id = actor.id
    db.session.flush()
    log.info("Matching rule %s saved by %s", rule, actor)
    return rule


def delete_rule(rule, actor):
    """Delete a rule with its dismissals; sub-networks it produced stay and forget their origin."""
    for network in db.session.scalars(select(SubNetwork).where(SubNetwork.origin_rule_id == rule.id)):
        network.origin_rule_id = None
    db.session.delete(rule)
    db.session.flush()
    log.info("Matching rule %s deleted by %s", rule, actor)


# --------------------------------------------------------------------------- runs


def refresh(municipality_id, actor=None, trigger=RunTrigger.auto):
    """Compute the suggestions; record a run when asked to, or when the input changed since the last run.

    Returns (computation, latest run, run before it).
    """
    ensure_rules(municipality_id, actor)
    # Shared by every coordinator of the town until a table the matcher reads is written to (core/cache.py).
    with language_context():
        key = ("matching.compute", municipality_id, str(today()), str(get_locale()))
    computation = cached_value(key, lambda: queries.compute(municipality_id))
    runs = queries.latest_runs(municipality_id)
    if trigger is not RunTrigger.auto or not runs or runs[0].input_hash != computation.input_hash:
        run = MatchingRun(
            municipality_id=municipality_id,
            ran_at=utcnow(),
            trigger=trigger,
            user_id=actor.id if actor else None,
            input_hash=computation.input_hash,
            fingerprints={s.key: s.fingerprint for s in computation.suggestions},
            suggestion_count=len(computation.suggestions),
            duration_ms=computation.duration_ms,
        )
        db.session.add(run)
        db.session.flush()
        _prune_runs(municipality_id)
        runs = [run, *runs][:2]
    return computation, runs[0], (runs[1] if len(runs) > 1 else None)


def _prune_runs(municipality_id):
    old = db.session.scalars(
        select(MatchingRun)
        .where(MatchingRun.municipality_id == municipality_id)
        .order_by(MatchingRun.ran_at.desc(), MatchingRun.id.desc())
        .offset(RUNS_KEPT)
    ).all()
    for run in old:
        db.session.delete(run)


# --------------------------------------------------------------------------- suggestions


def evidence_of(reason):
    """A member's facts as plain data, kept with the membership as the coordinator saw them."""
    return [
        {"label": f.label, "source": f.source, "ref": f.ref, "topic": f.topic, "polarity": f.polarity.value,
         "on": f.on.isoformat(), "link": [f.link[0], dict(f.link[1])] if f.link else None}
        for f in reason.facts
    ]


def _computed_member(network, reason, suggestion, actor):
    with language_context():
        summary = _("Suggested by the rule “%(rule)s”: %(facts)s", rule=suggestion.rule_name,
                    facts="; ".join(dict.fromkeys(f.label for f in reason.facts)))
    member = queries.membership(network.id, reason.association_id) if network.id else None
    if member is None:
        member = _new_member(network, association_id=reason.association_id)
    member.source, member.state, member.reason = MembershipSource.computed, MembershipState.active, summary
    member.evidence, member.added_by_id, member.added_at = evidence_of(reason), actor.id, utcnow()
    member.ended_at, member.ended_by_id, member.end_reason = None, None, ""
    return member


def _new_member(network, **kwargs):
    # Appending to the network may load its members; the new one must be in the session before any query.
    with db.session.no_autoflush:
        member = SubNetworkMember(sub_network=network, **kwargs)
        db.session.add(member)
    return member


def accept_suggestion(municipality_id, suggestion, actor, name="", notes=""):
    """Turn a suggestion into a sub-network, or add its members to the existing one it extends."""
    if suggestion.network_id is not None:
        network = db.session.get(SubNetwork, suggestion.network_id)
    else:
        network = SubNetwork(
            municipality_id=municipality_id, name=name or suggestion.title, notes=notes,
            topic_keys=list(suggestion.topics), origin_rule_id=suggestion.rule_id,
            origin_group_key=suggestion.group_key, created_by_id=actor.id, status=NetworkStatus.active,
        )
        db.session.add(network)
        db.session.flush()
    for reason in suggestion.members:
        _computed_member(network, reason, suggestion, actor)
    db.session.flush()
    log.info("Suggestion %s accepted by %s as %s", suggestion.key, actor, network)
    return network


def dismiss_suggestion(municipality_id, suggestion, reason, actor):
    """Remember the dismissal with the members' fingerprint; it holds until they change materially."""
    row = DismissedSuggestion(
        municipality_id=municipality_id, rule_id=suggestion.rule_id, group_key=suggestion.group_key,
        sub_network_id=suggestion.network_id, title=suggestion.title[:300], fingerprint=suggestion.fingerprint,
        member_ids=sorted(suggestion.member_ids), reason=reason, dismissed_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    log.info("Suggestion %s dismissed by %s", suggestion.key, actor)
    return row


def restore_dismissed(row, actor):
    """Forget a dismissal, so the suggestion can come back."""
    db.session.delete(row)
    db.session.flush()
    log.info("Dismissal %s withdrawn by %s", row, actor)


# --------------------------------------------------------------------------- sub-networks


def create_network(municipality_id, data, actor):
    network = SubNetwork(municipality_id=municipality_id, created_by_id=actor.id, **data)
    db.session.add(network)
    db.session.flush()
    log.info("Sub-network %s created by %s", network, actor)
    return network


def update_network(network, data, actor):
    for name, value in data.items():
        setattr(network, name, value)
    db.session.flush()
    log.info("Sub-network %s updated by %s", network, actor)


def add_member(network, association, reason, actor):
    """Add an association by hand; someone who was removed or left comes back as a manual member."""
    member = queries.membership(network.id, association.id)
    if member is None:
        member = _new_member(network, association=association)
    member.source, member.state, member.reason, member.evidence = MembershipSource.manual, MembershipState.active, reason, []
    member.added_by_id, member.added_at = actor.id, utcnow()
    member.ended_at, member.ended_by_id, member.end_reason = None, None, ""
    db.session.flush()
    log.info("%s added to %s by %s", association, network, actor)
    return member


def end_membership(member, reason, actor, state=MembershipState.removed):
    """Remove a member (coordinator) or leave (the association itself); the row stays as history."""
    member.state, member.end_reason = state, reason
    member.ended_at, member.ended_by_id = utcnow(), actor.id
    db.session.flush()
    log.info("Membership %s ended (%s) by %s", member, state.value, actor)


# --------------------------------------------------------------------------- consent


def set_networking(association, enabled, visible, actor):
    """Record what the association allows; every change leaves a consent record that can be shown later."""
    consent = queries.consent_of(association.id) or NetworkingConsent(association_id=association.id)
    before = (consent.is_enabled is not False, bool(consent.is_visible))
    consent.is_enabled, consent.is_visible, consent.updated_by_id = enabled, visible, actor.id
    db.session.add(consent)
    for kind, was, now in (("networking-off", not before[0], not enabled), ("network-visible", before[1], visible)):
        if was != now:
            _record_consent(association, kind, now, actor)
    db.session.flush()
    log.info("Networking of %s set to enabled=%s visible=%s by %s", association, enabled, visible, actor)
    return consent


def _record_consent(association, kind, given, actor):
    """Open a record when something is given (or networking switched off), close it when withdrawn."""
    if given:
        db.session.add(ConsentRecord(kind=kind, text_version=CONSENT_TEXT_VERSION, user_id=actor.id,
                                     association_id=association.id))
        return
    open_records = db.session.scalars(select(ConsentRecord).where(
        ConsentRecord.association_id == association.id, ConsentRecord.kind == kind,
        ConsentRecord.withdrawn_at.is_(None),
    ))
    for record in open_records:
        record.withdrawn_at = utcnow()
