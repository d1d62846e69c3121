"""A clock a test moves by writing an instant into a file: for a worker in another process.

DEVELOPMENT AND TESTS ONLY. A test that kills a real worker process and starts it again needs
to move that process's time (an SLA of 48 hours cannot be waited for), and a ``ManualClock``
lives in one process. This clock reads the file on every ``now()``: an ISO-8601 instant with its
offset. The settings refuse it unless tokens are checked against the public development secret
(``ReferralsSettings._test_clock_only_in_development``): a deployment that verifies real tokens
can never start with it, and where the dev secret is in use anyone can mint any token anyway.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


class FileClock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> dt.datetime:
        instant = dt.datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
        if instant.tzinfo is None:
            raise ValueError(f"{self.path}: the instant needs its offset")
        return instant.astimezone(dt.UTC)

    @staticmethod
    def write(path: Path, instant: dt.datetime) -> None:
        """Move the clock (atomically: a reader never sees half an instant)."""
        if instant.tzinfo is None:
            raise ValueError("instants are timezone-aware")
        scratch = path.with_suffix(".tmp")
        scratch.write_text(instant.isoformat(), encoding="utf-8")
        scratch.replace(path)
