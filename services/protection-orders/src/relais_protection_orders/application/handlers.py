"""The write path of every command on an order (DESIGN.md section 3).

load stream -> fold -> ``decide(state, command, now, policy)`` -> sealed envelopes -> schedule
the deadlines the new state opens -> append ONE commit -> refresh the dashboard row. A duplicate
commit ``_id`` means a concurrent writer: reload and decide again, a bounded number of times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from relais_events.envelope import Envelope
from relais_events.integrity import Signer
from relais_kit.store import ConcurrencyConflict, EventStore, NewCommit, events_of

from relais_protection_orders.application.dashboard import refresh
from relais_protection_orders.application.ports import (
    Clock,
    CommitListener,
    Dashboard,
    DeadlineSchedule,
    ScheduledDeadline,
)
from relais_protection_orders.application.streams import (
    LoadedOrder,
    OrderNotFound,
    Provenance,
    load_order,
    seal_commit,
)
from relais_protection_orders.domain.commands import Command, RequestProtectionOrder
from relais_protection_orders.domain.deadlines import DeadlinePolicy
from relais_protection_orders.domain.protection_order import decide, fold
from relais_protection_orders.domain.schedule import open_deadlines

Guard = Callable[[LoadedOrder], None]
"""Checked on the loaded order before deciding, e.g. the caller's jurisdiction (entrypoints)."""


@dataclass(frozen=True)
class Outcome:
    """What a command did: the order after it and the envelopes it committed (maybe none)."""

    order: LoadedOrder
    envelopes: list[Envelope] = field(default_factory=list)


@dataclass
class OrderHandler:
    store: EventStore
    schedule: DeadlineSchedule
    dashboard: Dashboard
    clock: Clock
    signer: Signer
    policy: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    max_attempts: int = 5
    on_commit: CommitListener = lambda _: None

    async def load(self, order_id: str) -> LoadedOrder:
        commits = await self.store.load(order_id)
        return load_order(order_id, [Envelope.model_validate(e) for e in events_of(commits)])

    async def handle(
        self,
        order_id: str,
        command: Command,
        provenance: Provenance,
        *,
        departement: str | None = None,
        guard: Guard | None = None,
    ) -> Outcome:
        """Decide and commit ``command``. ``departement`` is given once, with the application;
        later commits carry the stream's own. Raises the domain's ``ProtectionOrderRuleViolated``
        (nothing written), ``OrderNotFound`` or, after ``max_attempts``, ConcurrencyConflict."""
        version = 1
        for _ in range(self.max_attempts):
            loaded = await self.load(order_id)
            version = loaded.version + 1
            if not loaded.exists and not isinstance(command, RequestProtectionOrder):
                raise OrderNotFound(order_id)
            if guard is not None:
                guard(loaded)
            try:
                return await self._attempt(loaded, command, provenance, departement)
            except ConcurrencyConflict:
                continue  # another writer took this version: decide again on the new state
        raise ConcurrencyConflict(order_id, version)  # still contended after max_attempts

    async def _attempt(
        self,
        loaded: LoadedOrder,
        command: Command,
        provenance: Provenance,
        departement: str | None,
    ) -> Outcome:
        now = self.clock.now()
        events = decide(loaded.state, command, now, self.policy)
        if not events:
            return Outcome(loaded)
        state = fold(events, loaded.state)
        where = loaded.departement or departement
        envelopes = seal_commit(
            self.signer,
            loaded,
            case_id=state.case_id,
            departement=where,
            events=events,
            provenance=provenance,
            now=now,
        )
        version = envelopes[-1].aggregateversion
        # Before the commit: a crash in between leaves an entry the manager drops, never a
        # committed deadline nobody watches.
        opened = set(open_deadlines(state)) - set(open_deadlines(loaded.state))
        await self.schedule.add(
            [ScheduledDeadline(loaded.order_id, d.kind, d.due_at, version, now) for d in opened]
        )
        stored = await self.store.append(NewCommit.of(envelopes))
        self.on_commit(stored)  # the outbox relay publishes it at once
        after = LoadedOrder(
            loaded.order_id, state, version, envelopes[-1].id, envelopes[-1].hash, where
        )
        await refresh(self.dashboard, after, now)
        return Outcome(after, envelopes)
