"""Password policy: at least 8 characters and not among commonly used passwords."""

from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 128
_LIST = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def common_passwords():
    return frozenset(line.strip().lower() for line in _LIST.read_text(encoding="utf-8").splitlines() if line.strip())


def problems(password, *, email="", name=""):
    """Reasons a password is refused, as translatable messages (empty when it is fine)."""
    lowered = password.lower()
    if len(password) < MIN_LENGTH:
        return [_l("Use at least %(n)s characters.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_l("Use at most %(n)s characters.", n=MAX_LENGTH)]
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return [_l("This password is too common and easy to guess. Please choose another one.")]
    local = email.split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or "vereinsnetz" in lowered:
        return [_l("The password must not contain your e-mail address or the site's name.")]
    return []


class StrongPassword:
    """WTForms validator; the e-mail field of the form, if any, is used for the comparison."""

    def __call__(self, form, field):
        email = getattr(form, "email", None)
        found = problems(field.data or "", email=(email.data if email else "") or getattr(form, "_email", ""))
        if found:
            raise ValidationError(str(found[0]))
