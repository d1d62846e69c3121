"""The SLA process manager: a referral unanswered within its SLA is escalated ONCE.

DOMAIN.md "Referrals and consent": a referral unanswered after its SLA (default 48 hours)
raises an escalation. Exactly once, with several workers and crashes (the protection-orders
deadline manager's pattern, DESIGN.md store rule 1):

1. Sending inserts a schedule entry for the referral BEFORE its commit.
2. At ``now >= due_at`` a worker re-reads the case's stream. If the referral is no longer
   awaiting an answer (answered, withdrawn, escalated already) the entry is dropped. Otherwise it
   claims the escalation by INSERTING ``{_id: "escalation:<referral id>"}``; a duplicate key
   means another worker (or an earlier run) has it.
3. The claimer sends ``EscalateReferral`` through the ordinary write path, marks its firing
   completed and drops the entry.

A crash between (2) and (3) leaves a claim without completion and the entry still due: the
worker that restarts under the same name recovers its own claim at once, another one after the
lease. That is safe because ``EscalateReferral`` emits only while the escalation is due (what
it emits ends that) and commits are decided by the unique (stream, version) insert: two workers
that both fire decide on the same version, one commit wins, the loser finds nothing to emit.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum

from relais_kit.application import Acting

from relais_referrals.application.ports import (
    EscalationFirings,
    EscalationSchedule,
    Firing,
    ScheduledEscalation,
)
from relais_referrals.application.referrals import answer_referral
from relais_referrals.application.services import ReferralServices
from relais_referrals.application.streams import CASE_REFERRALS
from relais_referrals.domain.commands import EscalateReferral

log = logging.getLogger(__name__)
SYSTEM_ORG = "relais-referrals"


class Visit(StrEnum):
    """What the manager did with one due entry (returned for tests and logs)."""

    FIRED = "fired"
    REFIRED = "refired"  # recovered a claim whose claimer died before completing it
    CLOSED = "closed"  # answered, withdrawn or escalated already: entry dropped
    IN_FLIGHT = "in_flight"  # another worker holds a live claim
    PENDING = "pending"  # the commit that scheduled it is not visible yet
    ABANDONED = "abandoned"  # that commit never landed: entry dropped


@dataclass
class EscalationManager:
    services: ReferralServices
    schedule: EscalationSchedule
    firings: EscalationFirings
    owner: str  # this worker's stable name: its own unfinished claims are recovered at once
    lease: dt.timedelta = dt.timedelta(minutes=2)
    batch: int = 200

    async def tick(self) -> list[Visit]:
        """Visit every entry due now (by the services' clock), earliest first."""
        now = self.services.clock.now()
        visits: list[Visit] = []
        for entry in await self.schedule.due(now, self.batch):
            try:
                visits.append(await self._visit(entry))
            except Exception:
                # One case's trouble must not stop the others: the entry stays, retried next tick.
                log.exception("escalation %s not fired; retried next tick", entry.key)
        return visits

    async def _visit(self, entry: ScheduledEscalation) -> Visit:
        now = self.services.clock.now()
        if now < entry.due_at:
            return Visit.PENDING  # a store may round the instant in its query: never fire early
        loaded = await self.services.write_path.load(CASE_REFERRALS, entry.stream_id)
        if loaded.version < entry.version:
            if now - entry.scheduled_at < self.lease:
                return Visit.PENDING
            await self.schedule.remove(entry.key)
            return Visit.ABANDONED
        referral = loaded.state.referral(entry.referral_id) if loaded.state else None
        if referral is None or not referral.escalation_due(now):
            await self.schedule.remove(entry.key)
            return Visit.CLOSED
        visit, ours = Visit.FIRED, True
        if not await self.firings.claim(Firing(entry.firing_key, self.owner, now)):
            existing = await self.firings.get(entry.firing_key)
            if existing is None or not self._recoverable(existing, now):
                return Visit.IN_FLIGHT
            visit, ours = Visit.REFIRED, existing.owner == self.owner
        assert loaded.subject is not None, "a case's stream names its case"
        await answer_referral(
            loaded.subject,
            EscalateReferral(entry.referral_id),
            services=self.services,
            acting=Acting.system(SYSTEM_ORG),
        )
        if ours:  # only the claimer writes its firing document (store rule 2)
            await self.firings.complete(entry.firing_key, self.services.clock.now())
        await self.schedule.remove(entry.key)
        return visit

    def _recoverable(self, firing: Firing, now: dt.datetime) -> bool:
        """A claim left by a dead claimer: ours from an earlier run, or past its lease."""
        if firing.completed_at is not None:
            return False
        return firing.owner == self.owner or now - firing.claimed_at >= self.lease

    async def run(self, interval_s: float, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set."""
        while not stop.is_set():
            visits = await self.tick()
            if visits:
                log.info("escalation tick: %s", ", ".join(v.value for v in visits))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
