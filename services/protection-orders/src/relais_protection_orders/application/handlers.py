"""Every command on an order, through the kit's write path (DESIGN.md section 3).

load -> ``decide(state, command, now, policy)`` -> schedule the deadlines the new state opens
(before the commit: a crash in between leaves an entry the manager drops, never a committed
deadline nobody watches) -> append ONE commit -> refresh the dashboard row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from relais_events.catalogue import Event
from relais_events.envelope import Envelope
from relais_kit.application import Acting, Clock, Committed, EventStore, WritePath
from relais_kit.due import DueSchedule

from relais_protection_orders.application.dashboard import refresh
from relais_protection_orders.application.order_stream import ORDER, LoadedOrder, OrderNotFound
from relais_protection_orders.application.ports import Dashboard, ScheduledDeadline
from relais_protection_orders.domain.commands import Command, RequestProtectionOrder
from relais_protection_orders.domain.deadlines import DeadlinePolicy
from relais_protection_orders.domain.protection_order import ProtectionOrder, decide
from relais_protection_orders.domain.schedule import open_deadlines

Outcome = Committed[ProtectionOrder]
"""What a command did: the order after it and the envelopes it committed (maybe none)."""


@dataclass
class OrderHandler:
    write_path: WritePath
    schedule: DueSchedule[ScheduledDeadline]
    dashboard: Dashboard
    policy: DeadlinePolicy = field(default_factory=DeadlinePolicy)

    @property
    def clock(self) -> Clock:
        return self.write_path.clock

    @property
    def store(self) -> EventStore:
        return self.write_path.store

    def over(self, store: EventStore) -> OrderHandler:
        """The same handler on another store (a second replica, a test store)."""
        return replace(self, write_path=self.write_path.over(store))

    async def load(self, order_id: str) -> LoadedOrder:
        return await self.write_path.load(ORDER, order_id)

    async def handle(
        self,
        order_id: str,
        command: Command,
        acting: Acting,
        *,
        departement: str | None = None,
        cause: Envelope | None = None,
    ) -> Outcome:
        """Decide and commit ``command``. ``departement`` is given once, with the application;
        later commits carry the stream's own. Raises the domain's ``ProtectionOrderRuleViolated``
        (nothing written), ``OrderNotFound``, ``OutsideJurisdiction`` or ``AggregateBusy``."""

        def decision(loaded: LoadedOrder, now: datetime) -> Sequence[Event]:
            if not loaded.exists and not isinstance(command, RequestProtectionOrder):
                raise OrderNotFound(order_id)
            return decide(loaded.state, command, now, self.policy)

        async def schedule_opened(
            before: LoadedOrder, after: ProtectionOrder, version: int, now: datetime
        ) -> None:
            opened = set(open_deadlines(after)) - set(open_deadlines(before.state))
            await self.schedule.add(
                [ScheduledDeadline(order_id, d.kind, d.due_at, version, now) for d in opened]
            )

        subject = command.case_id if isinstance(command, RequestProtectionOrder) else None
        outcome = await self.write_path.execute(
            ORDER,
            order_id,
            decision,
            acting=acting,
            subject=subject,
            jurisdiction=departement if subject is not None else None,
            cause=cause,
            before_append=schedule_opened,
        )
        if outcome.envelopes:
            await refresh(self.dashboard, outcome.loaded, self.clock.now())
        return outcome
