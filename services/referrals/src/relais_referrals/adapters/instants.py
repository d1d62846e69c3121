"""How instants and days are stored: fixed-width UTC text, exact to the microsecond, sortable.

BSON dates keep milliseconds only; an SLA's due instant must come back equal to the one
scheduled, or the manager would not recognise it. Text of one width sorts like the instants.
"""

from __future__ import annotations

import datetime as dt

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_text(instant: dt.datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("instants are timezone-aware")
    return instant.astimezone(dt.UTC).strftime(_FORMAT)


def from_text(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, _FORMAT).replace(tzinfo=dt.UTC)


def day_text(day: dt.date) -> str:
    return day.isoformat()


def day_from(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
