"""The due manager: fires each due entry once, at ``due_at``, for a service's ``DueWork``.

Exactly once, with several replicas and crashes, from three parts (DESIGN.md section 3, rule 1):

1. The service's handler inserts a schedule entry for every piece of work a commit opens (a
   deadline, an SLA), BEFORE the commit.
2. At ``now >= due_at`` a replica re-reads the aggregate. If the work is no longer open (done in
   time, ruled, extended, answered, already fired: the service's domain says) the entry is
   dropped: nothing to fire. Otherwise it claims the firing by INSERTING ``{_id: firing_key}``
   into the firings; a duplicate key means another replica (or an earlier run) has it: skip.
3. The claimer sends the firing command through the service's ordinary handler, marks its
   firing completed and drops the entry.

A crash between the claim (2) and the commit (3) leaves a claim without completion and the entry
still due. The sweep checks the aggregate, not only the firing doc: when the work is still open
and the claim is ours from an earlier run, or older than ``lease``, it fires again. That is safe
because the firing command is idempotent in the domain (it emits only while the work is open,
and what it emits closes it) and commits are decided by the unique ``(aggregate, version)``
insert: two replicas that both fire decide on the same version, one commit wins, the loser
reloads and finds nothing left to emit.

Each visit of a due entry ends in one ``Visit``; one entry's failure (its aggregate's store
trouble, a rule it breaks) is logged and leaves that entry for the next tick, never stopping
the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic

from relais_kit.application.acting import Acting
from relais_kit.due.ports import DueSchedule, DueWork, E, Firing, Firings, S

log = logging.getLogger(__name__)


class Visit(StrEnum):
    """What the manager did with one due entry (returned for tests, logged for operators)."""

    FIRED = "fired"  # claimed and sent the firing command
    REFIRED = "refired"  # recovered a claim whose claimer died before completing it
    CLOSED = "closed"  # the work no longer applies (or was fired): entry dropped
    IN_FLIGHT = "in_flight"  # another replica holds a live claim
    PENDING = "pending"  # not due by the clock yet, or the commit that opened it not visible yet
    ABANDONED = "abandoned"  # that commit never landed: entry dropped


@dataclass
class DueManager(Generic[E, S]):
    work: DueWork[E, S]
    schedule: DueSchedule[E]
    firings: Firings
    owner: str  # this replica's stable name: its own unfinished claims are recovered at once
    lease: dt.timedelta  # a claim older than this, never completed, is a dead claimer's
    batch: int = 200

    async def tick(self) -> list[Visit]:
        """Visit every entry due now (by the work's clock), earliest first."""
        now = self.work.clock.now()
        visits: list[Visit] = []
        for entry in await self.schedule.due(now, self.batch):
            try:
                visits.append(await self._visit(entry))
            except Exception:
                # One aggregate's trouble must not stop the others: the entry stays, retried.
                log.exception("due entry %s not fired; retried next tick", entry.key)
        return visits

    async def _visit(self, entry: E) -> Visit:
        now = self.work.clock.now()
        if now < entry.due_at:
            # A store may round instants in its query (BSON dates keep milliseconds): never
            # claim early, or the domain would emit nothing and the entry would be dropped.
            return Visit.PENDING
        loaded = await self.work.load(entry)
        if loaded.version < entry.version:
            if now - entry.scheduled_at < self.lease:
                return Visit.PENDING
            await self.schedule.remove(entry.key)
            return Visit.ABANDONED
        if not self.work.is_open(entry, loaded, now):
            await self.schedule.remove(entry.key)
            return Visit.CLOSED
        visit, ours = Visit.FIRED, True
        if not await self.firings.claim(Firing(entry.firing_key, self.owner, now)):
            existing = await self.firings.get(entry.firing_key)
            if existing is None or not self._recoverable(existing, now):
                return Visit.IN_FLIGHT
            visit, ours = Visit.REFIRED, existing.owner == self.owner
        await self.work.fire(entry, loaded, Acting.system(self.work.org))
        if ours:  # only the claimer writes its firing document (store rule 2)
            await self.firings.complete(entry.firing_key, self.work.clock.now())
        await self.schedule.remove(entry.key)
        return visit

    def _recoverable(self, firing: Firing, now: dt.datetime) -> bool:
        """A claim left by a dead claimer: ours from an earlier run, or past its lease. A
        completed claim with the work still open only means our read was older than its
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
            visits = await self.tick()
            if visits:
                log.info("due entries of %s: %s", self.owner, ", ".join(visits))
            await wait(interval_s)


async def _wait_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
