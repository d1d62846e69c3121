"""The timeline projection: every decoded envelope of every context topic, applied once.

Idempotent by construction: the timeline document itself remembers every event id it holds
(entries and pending), and it is written whole, by the one worker owning the case's partition,
so a redelivery finds the id and changes nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from relais_events.envelope import Envelope

from relais_timeline.application.ports import CommitteeCaseList, TimelineStore
from relais_timeline.domain.committee_case import committee_case
from relais_timeline.domain.summary import EventSummary, Origin, summarize
from relais_timeline.domain.timeline import (
    NOT_CASE_FACTS,
    CaseTimeline,
    apply_all,
    empty_timeline,
)


@dataclass(frozen=True)
class Arrival:
    """One decoded event, with when the log had it and where it was read."""

    envelope: Envelope
    logged_at: dt.datetime
    origin: Origin | None


@dataclass
class TimelineProjection:
    """Applies arrivals a batch at a time: one read and one write per case touched.

    The timelines of the cases this process owns are kept in memory (``cache_size``), which is
    right only while it owns their partitions: ``forget()`` on every rebalance.
    """

    timelines: TimelineStore
    committee_cases: CommitteeCaseList
    cache_size: int = 20_000
    _cache: OrderedDict[str, CaseTimeline] = field(default_factory=OrderedDict, repr=False)

    async def project(
        self, envelope: Envelope, logged_at: dt.datetime, origin: Origin | None
    ) -> bool:
        """Apply one event to its case (``subject``); False when it changed nothing."""
        return bool(await self.project_all([Arrival(envelope, logged_at, origin)]))

    async def project_all(self, arrivals: Sequence[Arrival]) -> dict[str, list[str]]:
        """Apply a batch; per case changed, the ids of the events now placed on its timeline
        (what ``?min_event=`` waits for). The committee rows are written first: if the process
        dies between the two writes, the redelivery recomputes the same rows and writes both."""
        by_case: dict[str, list[EventSummary]] = {}
        for arrival in arrivals:
            if arrival.envelope.type in NOT_CASE_FACTS:
                continue
            summary = summarize(arrival.envelope, arrival.logged_at, arrival.origin)
            by_case.setdefault(arrival.envelope.subject, []).append(summary)
        if not by_case:
            return {}
        befores = await asyncio.gather(*(self._timeline(case) for case in by_case))
        changed: list[CaseTimeline] = []
        placed: dict[str, list[str]] = {}
        for before, (case_id, summaries) in zip(befores, by_case.items(), strict=True):
            after = apply_all(before, summaries)
            if after is before:  # a redelivery: nothing new
                continue
            changed.append(after)
            known = {e.event.event_id for e in before.entries}
            placed[case_id] = [
                e.event.event_id for e in after.entries if e.event.event_id not in known
            ]
        rows = [row for t in changed if (row := committee_case(t)) is not None]
        await self.committee_cases.put_many(rows)
        await self.timelines.put_many(changed)
        for timeline in changed:
            self._keep(timeline)
        return placed

    def forget(self) -> None:
        """Drop the cached timelines (the partitions they came from may now be another's)."""
        self._cache.clear()

    async def _timeline(self, case_id: str) -> CaseTimeline:
        cached = self._cache.get(case_id)
        if cached is not None:
            self._cache.move_to_end(case_id)
            return cached
        return await self.timelines.get(case_id) or empty_timeline(case_id)

    def _keep(self, timeline: CaseTimeline) -> None:
        if self.cache_size <= 0:
            return
        self._cache[timeline.case_id] = timeline
        self._cache.move_to_end(timeline.case_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
