"""How a suggestion is scored and recognised again — pure Python.

Four parts, each 0 … 1 and shown with the numbers behind it: size, evidence, need/offer balance (need-meets-
offer rules only) and recency. A fingerprint names exactly one set of members of one group, so a dismissal
can hold until the members change materially.
"""

import hashlib

from .data import RuleKind, ScorePart

#: How much each score part weighs; balance only applies to need-meets-offer rules.
WEIGHTS = {"size": 0.3, "evidence": 0.35, "balance": 0.2, "recency": 0.15}
#: A dismissal holds while the members overlap at least this much (Jaccard similarity).
DISMISSAL_HOLDS_FROM = 0.8


def total(parts):
    """The score out of 100: the weighted mean of the parts."""
    return round(100 * sum(p.value * p.weight for p in parts) / sum(p.weight for p in parts))


def score_parts(rule, reasons):
    """Size, evidence, need/offer balance and recency, each 0 … 1, with the numbers behind them."""
    count = len(reasons)
    full_size = 2 * rule.min_size
    full_evidence = rule.min_facts + 1
    mean_evidence = sum(r.evidence for r in reasons) / count
    parts = [
        ScorePart("size", round(min(1.0, count / full_size), 3), WEIGHTS["size"],
                  (("members", count), ("full_from", full_size))),
        ScorePart("evidence", round(sum(min(1.0, r.evidence / full_evidence) for r in reasons) / count, 3),
                  WEIGHTS["evidence"], (("mean", round(mean_evidence, 2)), ("full_from", full_evidence))),
    ]
    if rule.kind is RuleKind.need_offer:
        needs = sum(r.role in ("needs", "both") for r in reasons)
        offers = sum(r.role in ("offers", "both") for r in reasons)
        parts.append(ScorePart("balance", round(min(needs, offers) / max(needs, offers, 1), 3), WEIGHTS["balance"],
                               (("needs", needs), ("offers", offers))))
    freshness = sum(r.freshness for r in reasons) / count
    parts.append(ScorePart("recency", round(freshness, 3), WEIGHTS["recency"], (("window_days", rule.window_days),)))
    return tuple(parts)


def similarity(a, b):
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def suggestion_key(rule_id, group_key, network_id=None):
    """Short, URL-safe and stable name of a suggestion."""
    raw = f"{group_key}|{network_id or ''}".encode()
    return f"r{rule_id}-{hashlib.sha1(raw, usedforsecurity=False).hexdigest()[:12]}"


def fingerprint(rule_id, group_key, network_id, member_ids):
    """Identifies exactly these members in this group; dismissals remember it."""
    raw = f"{rule_id}|{group_key}|{network_id or ''}|{','.join(map(str, sorted(member_ids)))}".encode()
    return hashlib.sha256(raw).hexdigest()[:32]
