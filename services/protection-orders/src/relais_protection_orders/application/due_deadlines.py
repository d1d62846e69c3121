"""The deadline process manager: fires each open deadline of an order once, at ``due_at``.

Exactly once, with several replicas and crashes, from three parts (DESIGN.md section 3, rule 1):

1. The handler inserts a schedule entry for every deadline a commit opens, BEFORE the commit.
2. At ``now >= due_at`` a replica re-reads the order. If the deadline is no longer open (served
   in time, ruled, extended, already fired) the entry is dropped: nothing to fire. Otherwise it
   claims the firing by INSERTING ``{_id: "<order>:<kind>:<due_at>"}`` into ``deadline_firings``;
   a duplicate key means another replica (or an earlier run) has it: skip.
3. The claimer sends ``FireDeadline`` through the ordinary handler, marks its firing completed
   and drops the entry.

A crash between the claim (2) and the commit (3) leaves a claim without completion and the entry
still due. The sweep checks the aggregate, not only the firing doc: when the deadline is still
open and the claim is ours from an earlier run, or older than ``lease``, it fires again. That is
safe because ``FireDeadline`` is idempotent in the domain (it emits only while the deadline is
open, and what it emits closes it) and commits are decided by the unique ``(order, version)``
insert: two replicas that both fire decide on the same version, one commit wins, the loser
reloads and finds nothing left to emit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from relais_kit.application import Acting

from relais_protection_orders.application.handlers import OrderHandler
from relais_protection_orders.application.ports import (
    DeadlineFirings,
    DeadlineSchedule,
    Firing,
    ScheduledDeadline,
)
from relais_protection_orders.domain.commands import FireDeadline
from relais_protection_orders.domain.deadlines import Deadline
from relais_protection_orders.domain.schedule import open_deadlines

log = logging.getLogger(__name__)
SYSTEM_ORG = "relais-protection-orders"


class Visit(StrEnum):
    """What the manager did with one due entry (returned for tests and metrics)."""

    FIRED = "fired"  # claimed and sent FireDeadline
    REFIRED = "refired"  # recovered a claim whose claimer died before committing
    CLOSED = "closed"  # the deadline no longer applies (or was fired): entry dropped
    IN_FLIGHT = "in_flight"  # another replica holds a live claim
    PENDING = "pending"  # the commit that opened it is not visible yet
    ABANDONED = "abandoned"  # that commit never landed: entry dropped


@dataclass
class DeadlineManager:
    handler: OrderHandler
    schedule: DeadlineSchedule
    firings: DeadlineFirings
    owner: str  # this replica's stable name: its own unfinished claims are recovered at once
    lease: timedelta = timedelta(minutes=1)
    batch: int = 200

    async def tick(self) -> list[Visit]:
        """Visit every entry due now (by the handler's clock), earliest first."""
        now = self.handler.clock.now()
        visits: list[Visit] = []
        for entry in await self.schedule.due(now, self.batch):
            try:
                visits.append(await self._visit(entry))
            except Exception:
                # One order's trouble must not stop the others: the entry stays and is retried.
                log.exception("deadline %s not fired; retried next tick", entry.key)
        return visits

    async def _visit(self, entry: ScheduledDeadline) -> Visit:
        now = self.handler.clock.now()
        if now < entry.due_at:
            # A store may round instants in its query (BSON dates keep milliseconds): never
            # claim early, or the domain would emit nothing and the entry would be dropped.
            return Visit.PENDING
        loaded = await self.handler.load(entry.order_id)
        if loaded.version < entry.version:
            if now - entry.scheduled_at < self.lease:
                return Visit.PENDING
            await self.schedule.remove(entry.key)
            return Visit.ABANDONED
        if Deadline(entry.kind, entry.due_at) not in open_deadlines(loaded.state):
            await self.schedule.remove(entry.key)
            return Visit.CLOSED
        visit, ours = Visit.FIRED, True
        if not await self.firings.claim(Firing(entry.firing_key, self.owner, now)):
            existing = await self.firings.get(entry.firing_key)
            if existing is None or not self._recoverable(existing, now):
                return Visit.IN_FLIGHT
            visit, ours = Visit.REFIRED, existing.owner == self.owner
        command = FireDeadline(kind=entry.kind, due_at=entry.due_at)
        await self.handler.handle(entry.order_id, command, Acting.system(SYSTEM_ORG))
        if ours:  # only the claimer writes its firing document (store rule 2)
            await self.firings.complete(entry.firing_key, self.handler.clock.now())
        await self.schedule.remove(entry.key)
        return visit

    def _recoverable(self, firing: Firing, now: datetime) -> bool:
        """A claim left by a dead claimer: ours from an earlier run, or past its lease. A
        completed claim with the deadline still open only means our read was older than its
        commit: the next tick sees it closed."""
        if firing.completed_at is not None:
            return False
        return firing.owner == self.owner or now - firing.claimed_at >= self.lease

    async def run(
        self,
        interval_s: float,
        stop: asyncio.Event,
        pause: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        """Tick until ``stop`` is set. ``pause`` waits between ticks (tests pass their own)."""
        wait = pause or (lambda seconds: _wait_or_stop(stop, seconds))
        while not stop.is_set():
            await self.tick()
            await wait(interval_s)


async def _wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
