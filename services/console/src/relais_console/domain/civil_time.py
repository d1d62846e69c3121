"""Dates and times as people type and read them: Europe/Paris civil time (DOMAIN.md "How
deadlines are counted" counts in Europe/Paris), while the services speak UTC instants."""

from __future__ import annotations

import datetime as dt
from typing import Final
from zoneinfo import ZoneInfo

PARIS: Final = ZoneInfo("Europe/Paris")
INPUT_FORMAT: Final = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


class NotADateTime(ValueError):  # noqa: N818  (named after what the text is not)
    """The text is not a date and time a person typed (``YYYY-MM-DDTHH:MM``)."""


def instant_from_input(text: str) -> dt.datetime:
    """A ``datetime-local`` value read as Paris civil time, as an aware UTC instant. An
    ambiguous time (the hour repeated when clocks go back) is read as its first occurrence."""
    try:
        naive = dt.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise NotADateTime(text) from error
    if naive.tzinfo is not None:
        return naive.astimezone(dt.UTC)
    return naive.replace(tzinfo=PARIS, fold=0).astimezone(dt.UTC)


def input_value(instant: dt.datetime) -> str:
    """The ``datetime-local`` value showing ``instant`` in Paris civil time, to the minute."""
    return instant.astimezone(PARIS).strftime(INPUT_FORMAT)


def shown(instant: dt.datetime | str | None) -> str:
    """``12/03/2025 14:05`` in Paris civil time; empty for None."""
    if instant is None or instant == "":
        return ""
    value = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
