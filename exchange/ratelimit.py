"""Rate limits on new postings and messages, per person, through the app's Flask-Limiter storage.

The limit is checked inside the view, after access checks and validation: only real submissions
count, and a refused one is shown again with everything typed and a clear message (status 429),
instead of a bare error page that would lose the text.
"""

import math
import time

from flask import current_app
from flask_login import current_user
from limits import parse_many

from core.extensions import limiter

CONFIG_KEYS = {"posting": "EXCHANGE_POSTING_RATE_LIMIT", "message": "EXCHANGE_MESSAGE_RATE_LIMIT"}


def allow(scope):
    """Count one submission of `scope` for the current user; False (and nothing counted) when over the limit."""
    if not current_app.config.get("RATELIMIT_ENABLED") or not limiter.enabled:
        return True
    strategy = limiter.limiter
    items = parse_many(current_app.config[CONFIG_KEYS[scope]])
    key = ("exchange", scope, f"user:{current_user.id}")
    if not all(strategy.test(item, *key) for item in items):
        return False
    for item in items:
        strategy.hit(item, *key)
    return True


def retry_after(scope):
    """Seconds until the strictest exhausted limit of `scope` frees up again."""
    strategy = limiter.limiter
    key = ("exchange", scope, f"user:{current_user.id}")
    waits = []
    for item in parse_many(current_app.config[CONFIG_KEYS[scope]]):
        stats = strategy.get_window_stats(item, *key)
        if stats.remaining <= 0:
            waits.append(stats.reset_time - time.time())
    return max(1, math.ceil(max(waits, default=60)))
