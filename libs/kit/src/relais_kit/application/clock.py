"""Time is an input (DESIGN.md section 3): one ``Clock`` protocol, a real and a hand-moved clock.

``decide`` gets ``now`` from the write path, which asks the clock it was built with; nothing else
in a service reads the system clock, so a test can stand on any instant (a DST change, a due
instant) and move it by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class ManualClock:
    """Stands still until a test moves it: deadlines are reached without real waiting."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._now = start.astimezone(dt.UTC)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("instants are timezone-aware")
        self._now = instant.astimezone(dt.UTC)

    def advance(self, delta: dt.timedelta) -> None:
        self._now += delta
