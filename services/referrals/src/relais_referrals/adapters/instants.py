"""How instants and days are stored: instants as the kit's fixed-width UTC text
(``relais_kit.instants``, exact to the microsecond, sortable), days as ISO dates.

BSON dates keep milliseconds only; an SLA's due instant must come back equal to the one
scheduled, or the manager would not recognise it. Text of one width sorts like the instants.
"""

from __future__ import annotations

import datetime as dt

from relais_kit.instants import from_text, to_text

__all__ = ["day_from", "day_text", "from_text", "to_text"]


def day_text(day: dt.date) -> str:
    return day.isoformat()


def day_from(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
