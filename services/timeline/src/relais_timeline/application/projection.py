"""The timeline projection: every decoded envelope of every context topic, applied once.

Idempotent by construction: the timeline document itself remembers every event id it holds
(entries and pending), and it is written whole, by the one worker owning the case's partition,
so a redelivery finds the id and changes nothing. The committee row is written first: if the
process dies between the two writes, the redelivery recomputes the same row and writes both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relais_events.envelope import Envelope

from relais_timeline.application.ports import CommitteeCaseList, TimelineStore
from relais_timeline.domain.committee_case import committee_case
from relais_timeline.domain.summary import Origin, summarize
from relais_timeline.domain.timeline import NOT_CASE_FACTS, apply, empty_timeline


@dataclass(frozen=True)
class TimelineProjection:
    timelines: TimelineStore
    committee_cases: CommitteeCaseList

    async def project(
        self, envelope: Envelope, logged_at: dt.datetime, origin: Origin | None
    ) -> bool:
        """Apply ``envelope`` to its case (``subject``); False when it changed nothing."""
        if envelope.type in NOT_CASE_FACTS:
            return False
        before = await self.timelines.get(envelope.subject) or empty_timeline(envelope.subject)
        after = apply(before, summarize(envelope, logged_at, origin))
        if after is before:  # a redelivery: `apply` hands back the same timeline
            return False
        row = committee_case(after)
        if row is not None:
            await self.committee_cases.put(row)
        await self.timelines.put(after)
        return True
