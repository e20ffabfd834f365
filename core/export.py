"""What every CSV and XLSX export shares: cells a spreadsheet cannot mistake for formulas."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: Spreadsheet programs run a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell never starts a formula and holds no control characters XLSX cannot store; numbers and dates
    stay what they are."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value
