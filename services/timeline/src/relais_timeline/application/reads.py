"""Reading a case timeline: visibility, ``as_of``, ``min_event`` and the access log.

``as_of=<instant>``: the entries the log held at that instant (each entry's ``known_at``: the
latest log timestamp among it and its causes), hashed as a timeline of their own. Because it
rests on log timestamps and not on when a worker read them, a rebuilt store answers the same.

``min_event=<event id>``: read-your-writes after a command. The store is polled every
``poll_s`` up to ``wait_s`` (the api and the worker are separate processes, so an in-process
notification would not see the worker's write); past that, EventNotYetApplied (409 and a
Retry-After hint). A held event (its causes not yet seen) is not applied.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass

from relais_events.catalogue.timeline import AccessPurpose, PartitionOffset
from relais_events.vocabulary import Role
from relais_kit.application import Acting
from relais_kit.application.access_log import AccessLog, Shown

from relais_timeline.application.errors import CaseNotVisible, EventNotYetApplied
from relais_timeline.application.ports import TimelineStore
from relais_timeline.domain.timeline import CaseTimeline, as_of
from relais_timeline.domain.visibility import (
    View,
    VisibleEntry,
    reader_of,
    view_for,
    visible_entries,
)


@dataclass(frozen=True)
class TimelineView:
    case_id: str
    departement: str | None
    view: View
    entries: list[VisibleEntry]
    watermark: tuple[PartitionOffset, ...]
    case_hash: str
    as_of: dt.datetime | None = None


def acting_role(view: View) -> Role:
    """The role under which the read happened (the one the view was granted for)."""
    return Role.AUDITOR if view is View.STRUCTURE else Role.COMMITTEE_MEMBER


@dataclass(frozen=True)
class TimelineReads:
    timelines: TimelineStore
    access_log: AccessLog
    wait_s: float = 2.0
    poll_s: float = 0.05

    async def case_timeline(
        self,
        caller: Acting,
        case_id: str,
        purpose: AccessPurpose,
        *,
        as_of_instant: dt.datetime | None = None,
        min_event: str | None = None,
    ) -> TimelineView:
        started = time.monotonic()
        timeline = await self._load(case_id, min_event)
        view = view_for(reader_of(caller), timeline.departement if timeline else None)
        if timeline is None or not timeline.is_case or view is View.NOTHING:
            if min_event is not None:
                # A refusal with `min_event` always takes the whole wait: answering an outsider
                # sooner for an existing case than for a missing one would tell them it exists.
                await asyncio.sleep(max(0.0, started + self.wait_s - time.monotonic()))
            raise CaseNotVisible(case_id)
        if min_event is not None and timeline.entry(min_event) is None:
            raise EventNotYetApplied(min_event, retry_after_s=max(1, round(self.wait_s)))
        shown = timeline if as_of_instant is None else as_of(timeline, as_of_instant)
        last_seen = shown.entries[-1].event.event_id if shown.entries else None
        await self.access_log.record(
            caller.as_role(acting_role(view)),
            "timeline",
            purpose,
            [Shown(case_id, timeline.departement, last_seen)],
        )
        return TimelineView(
            case_id=case_id,
            departement=timeline.departement,
            view=view,
            entries=visible_entries(shown, view),
            watermark=shown.watermark,
            case_hash=shown.case_hash,
            as_of=as_of_instant,
        )

    async def _load(self, case_id: str, min_event: str | None) -> CaseTimeline | None:
        deadline = time.monotonic() + self.wait_s
        while True:
            timeline = await self.timelines.get(case_id)
            applied = timeline is not None and (
                min_event is None or timeline.entry(min_event) is not None
            )
            if applied or time.monotonic() >= deadline:
                return timeline
            await asyncio.sleep(self.poll_s)
