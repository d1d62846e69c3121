"""What the application needs from the outside world (implemented in ``adapters``)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from relais_timeline.domain.committee import CommitteeMeeting
from relais_timeline.domain.committee_case import CommitteeCase
from relais_timeline.domain.timeline import CaseTimeline


class TimelineStore(Protocol):
    """Timelines by case id (``_id`` lookups only: DESIGN.md store rule 3).

    One writer per case: the worker owning the case's partition of the re-keyed topic.
    """

    async def get(self, case_id: str) -> CaseTimeline | None: ...
    async def put(self, timeline: CaseTimeline) -> None: ...
    async def put_many(self, timelines: Sequence[CaseTimeline]) -> None:
        """Replace each one by ``_id``: one round trip for a whole batch of cases."""

    async def add_new(self, timelines: Sequence[CaseTimeline]) -> set[str]:
        """Store each one only if its case has no timeline yet (one round trip for the batch);
        the case ids that already had one, for which nothing was written."""


@dataclass(frozen=True)
class CasePage:
    cases: list[CommitteeCase]
    next_offset: int | None  # None: this was the last page


class CommitteeCaseList(Protocol):
    """The read model a committee lists: one row per case, keyed by case id."""

    async def put(self, row: CommitteeCase) -> None: ...
    async def put_many(self, rows: Sequence[CommitteeCase]) -> None: ...
    async def add_new(self, rows: Sequence[CommitteeCase]) -> set[str]:
        """Store each row only if its case has none yet; the case ids that had one."""

    async def open_cases(
        self,
        departement: str,
        *,
        kind: str | None = None,
        risk_level: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> CasePage: ...


class MeetingAlreadyHeld(Exception):  # noqa: N818  (named after what happened)
    """A meeting with this id is already recorded (meetings are written once)."""


class MeetingStore(Protocol):
    async def add(self, meeting: CommitteeMeeting) -> None:
        """Insert once; raises MeetingAlreadyHeld on a second insert of the same id."""

    async def get(self, meeting_id: str) -> CommitteeMeeting | None: ...


class Placed(Protocol):
    async def wait(self, timeout_s: float) -> bool:
        """True once the event is announced placed; False after ``timeout_s``."""
        ...


class AppliedEvents(Protocol):
    """Which events the worker has placed on timelines, as its notices tell this process."""

    def expecting(self, event_id: str) -> AbstractContextManager[Placed]:
        """Watch for ``event_id`` from now on (enter before reading the store)."""
        ...
