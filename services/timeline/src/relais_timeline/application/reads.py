"""Reading a case timeline: visibility, ``as_of``, ``min_event`` and the access log.

``as_of=<instant>``: the entries the log held at that instant (each entry's ``known_at``: the
latest log timestamp among it and its causes), hashed as a timeline of their own. Because it
rests on log timestamps and not on when a worker read them, a rebuilt store answers the same.

``min_event=<event id>``: read-your-writes after a command. The api and the worker are
separate processes, so the worker announces what it placed on each batch's timelines on a
topic of notices that every api follows (``AppliedEvents``). A read registers for its event
BEFORE it reads the timeline (a notice arriving in between is not missed), reads once, and if
the event is not there yet waits for its notice, then reads once more: two finds, whatever the
wait, instead of one find per waiting request every few milliseconds. Past ``wait_s``, a last
read, then EventNotYetApplied (409 and a Retry-After hint). A held event (its causes not yet
seen) is not applied.
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
from relais_timeline.application.ports import AppliedEvents, TimelineStore
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
    applied: AppliedEvents
    wait_s: float = 2.0

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
        if min_event is None:
            return await self.timelines.get(case_id)
        with self.applied.expecting(min_event) as placed:
            timeline = await self.timelines.get(case_id)
            if timeline is not None and timeline.entry(min_event) is not None:
                return timeline
            await placed.wait(self.wait_s)
        return await self.timelines.get(case_id)
