"""The deadlines of orders as the kit's due manager fires them: each open deadline once, at
``due_at`` (``relais_kit.due.manager`` says how, exactly once across replicas and crashes).

What is the service's own here:

1. ``OrderHandler.handle`` inserts a ``ScheduledDeadline`` for every deadline a commit opens,
   BEFORE the commit.
2. A deadline is still open while ``open_deadlines(state)`` lists it (``domain.schedule``): a
   summons served in time, a ruling, an extension, or the deadline's own firing closes it, and
   the manager drops its entry. Its firing claims ``{_id: "<order>:<kind>:<due_at>"}`` in
   ``deadline_firings``.
3. Firing sends ``FireDeadline`` through the ordinary handler, as the platform's system actor.
   It is idempotent in the domain: it emits only while the deadline is open, and what it emits
   (lapsed, ruling overdue, expired, flagged) closes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from relais_kit.application import Acting, Clock
from relais_kit.due import DueManager

from relais_protection_orders.application.handlers import OrderHandler
from relais_protection_orders.application.order_stream import LoadedOrder
from relais_protection_orders.application.ports import ScheduledDeadline
from relais_protection_orders.domain.commands import FireDeadline
from relais_protection_orders.domain.deadlines import Deadline
from relais_protection_orders.domain.schedule import open_deadlines
from relais_protection_orders.domain.state import ProtectionOrder

SYSTEM_ORG: Final = "relais-protection-orders"

DeadlineManager = DueManager[ScheduledDeadline, ProtectionOrder]


@dataclass(frozen=True)
class DueDeadlines:
    handler: OrderHandler
    org: str = SYSTEM_ORG

    @property
    def clock(self) -> Clock:
        return self.handler.clock

    async def load(self, entry: ScheduledDeadline) -> LoadedOrder:
        return await self.handler.load(entry.order_id)

    def is_open(self, entry: ScheduledDeadline, loaded: LoadedOrder, now: datetime) -> bool:
        return Deadline(entry.kind, entry.due_at) in open_deadlines(loaded.state)

    async def fire(self, entry: ScheduledDeadline, loaded: LoadedOrder, acting: Acting) -> None:
        command = FireDeadline(kind=entry.kind, due_at=entry.due_at)
        await self.handler.handle(entry.order_id, command, acting)
