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
        (what ``?min_event=`` waits for).

        A case this process has not seen whose own stream begins in the batch (its version 1)
        is presumed new: its timeline is inserted without a read, and re-done from the stored one
        when it existed after all (a redelivery, or a rebuild). Every other timeline is read
        (or taken from the cache) and replaced. The committee rows are written after the
        timeline inserts (inserted as well for those cases) and before the timeline replaces:
        a process dying in between has its batch redelivered, which recomputes the same rows
        from the stored timelines and writes them again."""
        by_case: dict[str, list[EventSummary]] = {}
        starting: set[str] = set()
        for arrival in arrivals:
            envelope = arrival.envelope
            if envelope.type in NOT_CASE_FACTS:
                continue
            summary = summarize(envelope, arrival.logged_at, arrival.origin)
            by_case.setdefault(envelope.subject, []).append(summary)
            if envelope.aggregateid == envelope.subject and envelope.aggregateversion == 1:
                starting.add(envelope.subject)
        if not by_case:
            return {}
        presumed = [c for c in by_case if c in starting and c not in self._cache]
        read = [c for c in by_case if c not in set(presumed)]
        befores = dict(
            zip(read, await asyncio.gather(*(self._timeline(c) for c in read)), strict=True)
        )
        fresh = {c: apply_all(empty_timeline(c), by_case[c]) for c in presumed}
        existed = await self.timelines.add_new(list(fresh.values()))
        for case_id in existed:  # presumed new, but it was there: decide again from it
            befores[case_id] = await self.timelines.get(case_id) or empty_timeline(case_id)
        inserted = {c for c in presumed if c not in existed}
        for case_id in inserted:
            befores[case_id] = empty_timeline(case_id)
        afters: dict[str, CaseTimeline] = {}
        placed: dict[str, list[str]] = {}
        for case_id, summaries in by_case.items():
            before = befores[case_id]
            after = fresh[case_id] if case_id in inserted else apply_all(before, summaries)
            if after is before:  # a redelivery: nothing new
                if case_id in existed:  # its row may not have been written the first time
                    afters[case_id] = before
                continue
            afters[case_id] = after
            known = {e.event.event_id for e in before.entries}
            placed[case_id] = [
                e.event.event_id for e in after.entries if e.event.event_id not in known
            ]
        rows = [row for t in afters.values() if (row := committee_case(t)) is not None]
        # A case whose timeline was just inserted has no row yet, unless an earlier attempt
        # wrote it: inserted too, and replaced only when it was there.
        had_row = await self.committee_cases.add_new([r for r in rows if r.case_id in inserted])
        await self.committee_cases.put_many(
            [r for r in rows if r.case_id not in inserted or r.case_id in had_row]
        )
        await self.timelines.put_many(
            [t for c, t in afters.items() if c in placed and c not in inserted]
        )
        for timeline in afters.values():
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
