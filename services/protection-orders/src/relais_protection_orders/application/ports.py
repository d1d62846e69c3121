"""What the application needs from the outside world, as Protocols (DESIGN.md section 2).

Adapters in ``adapters/`` implement them twice: on MongoDB/FerretDB and in memory, and one
contract suite per port runs against both. Every write here obeys the store rules of DESIGN.md
section 3: races are decided by inserts, an updated document has one writer at a time. The
event store, the clock and the write path are the kit's (``relais_kit.application``); so are
the deadline schedule and its firings (``relais_kit.due``), of ``ScheduledDeadline`` entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from relais_events.catalogue.protection_orders import DeadlineKind


@dataclass(frozen=True)
class ScheduledDeadline:
    """A deadline the process manager watches. Written before the commit that opens it, so a
    crash between the two leaves a harmless extra entry, never a missing one."""

    order_id: str
    kind: DeadlineKind
    due_at: datetime
    version: int  # the commit version that opened it: older loaded states do not show it yet
    scheduled_at: datetime

    @property
    def firing_key(self) -> str:
        """The ``_id`` of its firing: ``<order>:<kind>:<due_at iso, UTC>``, once per deadline."""
        return f"{self.order_id}:{self.kind.value}:{self.due_at.isoformat()}"

    @property
    def key(self) -> str:
        """The entry's ``_id``. The version is part of it because an attempt that lost the
        commit race may have scheduled the same deadline under a version that never landed."""
        return f"{self.firing_key}:v{self.version}"


@dataclass(frozen=True)
class DashboardRow:
    """One order on the clerk's dashboard (a read model, rebuilt from the stream)."""

    order_id: str
    case_id: str
    departement: str
    status: str
    version: int
    next_deadline: DeadlineKind | None
    next_due_at: datetime | None
    flags: tuple[str, ...]
    ruling_overdue: bool
    updated_at: datetime


class Dashboard(Protocol):
    async def save(self, row: DashboardRow) -> None:
        """Replace the order's row unless the stored one has a newer version."""
        ...

    async def get(self, order_id: str) -> DashboardRow | None: ...

    async def query(
        self,
        departements: Sequence[str],
        status: str | None,
        due_before: datetime | None,
        limit: int,
    ) -> list[DashboardRow]:
        """Rows of these départements, nearest open deadline first (none last)."""
        ...
