"""Small numbers in the shareable impact report: hidden for readers outside the office, like survey results.

- a count from 1 to REPORT_MIN_CELL - 1 becomes None, shown as "< 3";
- where a table has a total and the hidden counts could be worked out from it (only one hidden, or they
  can only all be 1 or all be REPORT_MIN_CELL - 1), the next smallest count is hidden too, shown as "x"
  ("not shown"), never as "< 3", which would be untrue; and again until they cannot;
- shares and hours that belong to a hidden count are shown as "x" as well.

A zero identifies nobody and stays. This is the usual primary and secondary cell suppression of small
tables, not a full statistical disclosure control across tables.
"""

import copy

#: A share of nothing (no association invited): shown as a dash, never hidden.
NOT_APPLICABLE = ""
#: A value hidden so that a small one cannot be worked out (secondary suppression), or one that belongs to a
#: hidden count (a share, hours).
WITHHELD = "x"


def shareable(tables, limit):
    """Copies of the tables with small counts hidden (see the module docstring)."""
    result = copy.deepcopy(tables)
    for table in result:
        _suppress(table, limit)
    return result


def _small(value, limit):
    return value is not None and 0 < value < limit


def _suppress(table, limit):
    rows = table.rows
    for column in (c for c in table.columns if c.kind == "count"):
        small = [r for r in rows if _small(r.values.get(column.key), limit)]
        hidden_sum = sum(r.values[column.key] for r in small)
        for row in small:
            row.values[column.key] = None
        if table.total is None or not small:
            continue
        if _small(table.total.values.get(column.key), limit):
            table.total.values[column.key] = None
            continue
        withheld = 0
        while _derivable(len(small), withheld, hidden_sum, limit):
            shown = [r for r in rows if isinstance(r.values.get(column.key), int) and r.values[column.key] >= limit]
            if not shown:
                table.total.values[column.key] = WITHHELD
                break
            row = min(shown, key=lambda r: r.values[column.key])
            hidden_sum += row.values[column.key]
            row.values[column.key] = WITHHELD
            withheld += 1
    for column in (c for c in table.columns if c.kind != "count"):
        for row in [*rows, *([table.total] if table.total else [])]:
            if any(row.values.get(key) in (None, WITHHELD) for key in column.base):
                row.values[column.key] = WITHHELD


def _derivable(small, withheld, hidden_sum, limit):
    """Could a reader who knows the total work out the small hidden counts (each from 1 to limit - 1)?

    Without withheld cells the small ones add up to `hidden_sum`: they are known when there is one, or
    when they can only all be 1 or all be limit - 1. With withheld cells (each at least `limit`) the small
    ones add up to at most hidden_sum - withheld * limit: known when that leaves only all ones.
    """
    if not withheld:
        return small == 1 or hidden_sum in (small, small * (limit - 1))
    return min(small * (limit - 1), hidden_sum - withheld * limit) <= small
