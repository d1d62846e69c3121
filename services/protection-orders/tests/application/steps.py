"""Shared steps of the application tests: a harness on memory adapters and a driven clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events.catalogue.protection_orders import ApplicantKind, Measure
from relais_events.envelope import Envelope
from relais_events.integrity import Signer
from relais_events.pii import MemoryKeyStore
from relais_events.vocabulary import Role
from relais_kit.application import Acting, ManualClock, WritePath
from relais_kit.due.memory import MemoryDueSchedule, MemoryFirings
from relais_kit.store import EventStore, StoredCommit, events_of
from relais_kit.store.delegating import DelegatingEventStore
from relais_kit.store.memory import MemoryEventStore
from relais_protection_orders.adapters.memory import MemoryDashboard
from relais_protection_orders.application.due_deadlines import DeadlineManager, DueDeadlines
from relais_protection_orders.application.handlers import OrderHandler, Outcome
from relais_protection_orders.application.ports import ScheduledDeadline
from relais_protection_orders.domain.commands import (
    Command,
    IssueOrder,
    NotifyOrder,
    RequestProtectionOrder,
    ScheduleHearing,
    ServeSummons,
)
from relais_protection_orders.domain.deadlines import PARIS

START = datetime(2025, 3, 3, 9, tzinfo=PARIS)


def paris(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def clerk() -> Acting:
    return Acting(
        sub="clerk-1", role=Role.JUSTICE_CLERK, org="tj-lyon", jurisdictions=frozenset({"69"})
    )


@dataclass
class Harness:
    clock: ManualClock = field(default_factory=lambda: ManualClock(START))
    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    schedule: MemoryDueSchedule[ScheduledDeadline] = field(default_factory=MemoryDueSchedule)
    firings: MemoryFirings = field(default_factory=MemoryFirings)
    dashboard: MemoryDashboard = field(default_factory=MemoryDashboard)
    signer: Signer = field(
        default_factory=lambda: Signer("protection-orders", "po-test", Ed25519PrivateKey.generate())
    )
    # Every commit appended through the harness's handlers, in order (what a relay is told).
    committed: list[StoredCommit] = field(default_factory=list)

    def handler(self, store: EventStore | None = None) -> OrderHandler:
        write_path = WritePath(
            store or self.store,
            MemoryKeyStore(),
            self.signer,
            self.clock,
            on_commit=self.committed.append,
        )
        return OrderHandler(write_path, self.schedule, self.dashboard)

    async def stream(self, order_id: str) -> list[Envelope]:
        """The order's events as stored."""
        commits = await self.store.load(order_id)
        return [Envelope.model_validate(e) for e in events_of(commits)]

    def manager(self, owner: str = "worker-a", store: EventStore | None = None) -> DeadlineManager:
        return DeadlineManager(
            DueDeadlines(self.handler(store)),
            self.schedule,
            self.firings,
            owner,
            lease=timedelta(minutes=1),
        )

    async def act(self, order_id: str, command: Command, at: datetime | None = None) -> Outcome:
        """Record ``command`` as the clerk would, the clock standing at ``at`` (or the act's)."""
        when = at or getattr(command, "at", None)
        self.clock.set(when if isinstance(when, datetime) else self.clock.now())
        return await self.handler().handle(order_id, command, clerk(), departement="69")

    def types(self, order_id: str | None = None) -> list[str]:
        return [
            str(e["type"])
            for e in events_of(self.committed)
            if order_id is None or e["aggregateid"] == order_id
        ]


ORDER = "op-1"


def application(order_id: str = ORDER, at: datetime = START) -> RequestProtectionOrder:
    return RequestProtectionOrder(
        order_id=order_id,
        case_id=f"case-{order_id}",
        actor="justice_clerk",
        applicant=ApplicantKind.VICTIM,
        at=at,
    )


HEARING_FIXED = paris(3, 3, 10)
SERVICE_DUE = paris(3, 6, 0)  # end of Wed 5 March (2 days, CPC art. 1136-3)
RULING_DUE = paris(3, 10, 0)  # end of Sun 9 March (6 days, C. civ. art. 515-11)
SERVED = paris(3, 4, 10)
ISSUED = paris(3, 7, 14)
NOTIFIED = paris(3, 10, 9)
EXPIRES = paris(3, 11, 0, year=2026)  # end of 10 March 2026 (12 months from notification)


def hearing(at: datetime = HEARING_FIXED) -> ScheduleHearing:
    return ScheduleHearing(actor="justice_clerk", at=at, hearing_at=at + timedelta(days=4))


def served(at: datetime = SERVED) -> ServeSummons:
    return ServeSummons(actor="justice_clerk", at=at)


def issued(at: datetime = ISSUED, *measures: Measure) -> IssueOrder:
    chosen = list(measures) or [Measure.NO_CONTACT]
    return IssueOrder(actor="justice_clerk", at=at, measures=chosen, duration_months=12)


def notified(at: datetime = NOTIFIED) -> NotifyOrder:
    return NotifyOrder(actor="justice_clerk", at=at)


async def pending_order(h: Harness, order_id: str = ORDER) -> None:
    """Application Mon 3 March 09:00, hearing fixed 10:00: service due by the end of Wed 5
    March, ruling by the end of Sun 9 March."""
    await h.act(order_id, application(order_id))
    await h.act(order_id, hearing())


# One base for the test stores that intercept a call (the kit's, shared with intake).
DelegatingStore = DelegatingEventStore
