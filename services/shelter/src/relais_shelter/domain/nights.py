"""Nights as the shelter counts them: a night is the date of its evening; ``[first, end)``."""

from __future__ import annotations

import datetime as dt


def nights_between(first: dt.date, end: dt.date) -> list[dt.date]:
    """The nights from ``first`` up to, not including, ``end`` (empty when ``end <= first``)."""
    return [first + dt.timedelta(days=i) for i in range((end - first).days)]
