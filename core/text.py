"""Text helpers shared by every feature: search folding and safe single-line values."""

import re
import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SPACES = re.compile(r"\s+")


def _strip_marks(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text):
    """Case- and umlaut-insensitive search keys: "Müller" → {"mueller", "muller"}."""
    lowered = _SPACES.sub(" ", (text or "").casefold()).strip()
    return {_strip_marks(lowered.translate(_UMLAUTS)), _strip_marks(lowered)}


def search_key(*parts):
    """One column that every folded variant of the given texts can be found in with LIKE."""
    keys = set()
    for part in parts:
        keys |= fold(part)
    return " | ".join(sorted(k for k in keys if k))


def like_pattern(term):
    """A LIKE pattern for one folded variant, with the wildcard characters escaped."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def one_line(text, limit=200):
    """Control characters and line breaks removed, e.g. for mail subjects and logs."""
    cleaned = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text or "")
    return _SPACES.sub(" ", cleaned).strip()[:limit]
