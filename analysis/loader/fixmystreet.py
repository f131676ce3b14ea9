"""FixMyStreet ("Report It") dashboard exports, read as contacts.

Only the headers in ``FIXMYSTREET_COLUMNS`` are ever read (Title, Detail, User Name,
coordinates and the rest never are); every record gets channel ``report_it`` and service
"Report It". :mod:`analysis.loader.layout` uses these to map the export's headers;
:func:`responded_at_from_closed` is the one parsing rule of its own: responded_at is the
earlier of Fixed and Closed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.loader.parse import _present, _unreadable_fix, parse_timestamps
from analysis.loader.problems import Problem, SourceFile, _problem_at
from analysis.loader.schema import EXPECTED, Col


# A FixMyStreet dashboard export ("Report It"): its headers -> the contract's contacts columns.
# Only these are read; Title, Detail, User Name, Latitude, Longitude, Query, Easting,
# Northing, Report URL and the rest never are.
CLOSED = "_closed_at"  # FixMyStreet's Closed: responded_at is the earlier of Fixed and Closed
FIXMYSTREET_COLUMNS = {
    "Report ID": "contact_id",
    "Confirmed": "received_at",
    "Acknowledged": "acknowledged_at",
    "Fixed": "responded_at",
    "Closed": CLOSED,
    "Category": "category",
    "Ward": "ward",
}
FIXMYSTREET_VALUES = {"channel": "report_it", "service": "Report It"}


def responded_at_from_closed(ds: str, frame: pd.DataFrame, parsed: dict, source: SourceFile) -> list[Problem]:
    """Set ``parsed["responded_at"]`` to the earlier of Fixed (already parsed as responded_at) and Closed, as
    FixMyStreet closes a report without fixing it; a Closed that cannot be read is reported as responded_at's."""
    problems = []
    closed = parse_timestamps(frame[CLOSED])
    unreadable = _present(frame[CLOSED]) & closed.isna()
    if unreadable.any():
        found = frame[CLOSED][unreadable].head(20)
        problems.append(_problem_at(ds, source, "responded_at", np.flatnonzero(unreadable),
                                    f"expected {EXPECTED['timestamp']}", found,
                                    fix=_unreadable_fix(Col("responded_at", "timestamp"), found),
                                    header=source.headers.get(CLOSED)))
    fixed = parsed.get("responded_at")
    parsed["responded_at"] = closed if fixed is None else fixed.mask(fixed.isna() | (closed < fixed), closed)
    return problems
