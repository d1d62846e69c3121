"""The due manager on a small work of its own: close a case at its due instant unless it is
closed by then. Each entry fires once, never early, never after its work stopped applying, and
replicas and crashes (before the commit, after it) do not change that."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseClosed, ClosureReason
from relais_events.envelope import Envelope
from relais_events.integrity import Signer
from relais_events.pii import MemoryKeyStore
from relais_kit.application import Acting, Clock, Loaded, ManualClock, WritePath
from relais_kit.application.write_path import Decide
from relais_kit.due import DueManager, Firing, Firings, Visit
from relais_kit.due.memory import MemoryDueSchedule, MemoryFirings
from relais_kit.store import EventStore, NewCommit, StoredCommit, events_of
from relais_kit.store.delegating import DelegatingEventStore
from relais_kit.store.memory import MemoryEventStore

from .conftest import NOW, POLICE_93, REPORTS, Reports, file

LEASE = dt.timedelta(minutes=1)
DUE = NOW + dt.timedelta(hours=1)
ORG = "relais-kit-tests"


@dataclass(frozen=True)
class Closure:
    case_id: str
    due_at: dt.datetime
    version: int
    scheduled_at: dt.datetime

    @property
    def firing_key(self) -> str:
        return f"close:{self.case_id}"

    @property
    def key(self) -> str:
        return f"{self.firing_key}:v{self.version}"


def close_when_due(due_at: dt.datetime) -> Decide[Reports]:
    """Idempotent, as a firing command must be: it emits only while the case is open and due."""

    def decide(loaded: Loaded[Reports], now: dt.datetime) -> Sequence[Event]:
        if loaded.state.closed or now < due_at:
            return []
        return [CaseClosed(case_id=loaded.aggregate_id, reason=ClosureReason.VICTIM_SAFE)]

    return decide


@dataclass(frozen=True)
class DueClosures:
    write_path: WritePath
    org: str = ORG

    @property
    def clock(self) -> Clock:
        return self.write_path.clock

    async def load(self, entry: Closure) -> Loaded[Reports]:
        return await self.write_path.load(REPORTS, entry.case_id)

    def is_open(self, entry: Closure, loaded: Loaded[Reports], now: dt.datetime) -> bool:
        return not loaded.state.closed

    async def fire(self, entry: Closure, loaded: Loaded[Reports], acting: Acting) -> None:
        await self.write_path.execute(
            REPORTS, entry.case_id, close_when_due(entry.due_at), acting=acting
        )


class DiesBeforeCommit(DelegatingEventStore):
    """A process killed between its claim and its commit: nothing it appends lands."""

    async def append(self, commit: NewCommit) -> StoredCommit:
        raise RuntimeError("killed before the commit")


@dataclass
class DiesAfterCommit:
    """A process killed after its commit, before it marked its firing completed."""

    shared: Firings

    async def claim(self, firing: Firing) -> bool:
        return await self.shared.claim(firing)

    async def get(self, key: str) -> Firing | None:
        return await self.shared.get(key)

    async def complete(self, key: str, at: dt.datetime) -> None:
        raise RuntimeError("killed after the commit")


@dataclass
class Closures:
    """One store, schedule and firings shared by every replica; a write path per replica."""

    clock: ManualClock = field(default_factory=lambda: ManualClock(NOW))
    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    schedule: MemoryDueSchedule[Closure] = field(default_factory=MemoryDueSchedule)
    firings: MemoryFirings = field(default_factory=MemoryFirings)
    keys: MemoryKeyStore = field(default_factory=MemoryKeyStore)
    signer: Signer = field(
        default_factory=lambda: Signer("intake", "intake-test", Ed25519PrivateKey.generate())
    )

    def write_path(self, store: EventStore | None = None) -> WritePath:
        return WritePath(store or self.store, self.keys, self.signer, self.clock)

    def manager(
        self,
        owner: str = "worker-a",
        *,
        store: EventStore | None = None,
        firings: Firings | None = None,
    ) -> DueManager[Closure, Reports]:
        work = DueClosures(self.write_path(store))
        return DueManager(work, self.schedule, firings or self.firings, owner, lease=LEASE)

    async def open_case(
        self, case_id: str, due: dt.datetime = DUE, store: EventStore | None = None
    ) -> None:
        """The case's opening commit schedules its closure BEFORE it is appended."""

        async def schedule(
            before: Loaded[Reports], after: Reports, version: int, now: dt.datetime
        ) -> None:
            await self.schedule.add([Closure(case_id, due, version, now)])

        await self.write_path(store).execute(
            REPORTS, case_id, file(case_id, "r-0"), acting=POLICE_93, subject=case_id,
            jurisdiction="93", new=True, before_append=schedule,
        )  # fmt: skip

    async def closings(self, case_id: str) -> list[Envelope]:
        events = [Envelope.model_validate(e) for e in events_of(await self.store.load(case_id))]
        return [e for e in events if e.type == "case.closed"]


@pytest.fixture
def c() -> Closures:
    return Closures()


async def test_an_entry_fires_once_at_its_due_instant_as_the_system(c: Closures) -> None:
    await c.open_case("case-1")
    manager = c.manager()
    c.clock.set(DUE - dt.timedelta(microseconds=1))
    assert await manager.tick() == []
    c.clock.set(DUE)
    assert await manager.tick() == [Visit.FIRED]
    assert await manager.tick() == []
    [closed] = await c.closings("case-1")
    assert (closed.actor.role, closed.actor.org) == ("system", ORG)
    firing = await c.firings.get("close:case-1")
    assert firing == Firing("close:case-1", "worker-a", DUE, DUE)
    assert c.schedule.entries() == []


async def test_work_closed_before_its_due_instant_is_dropped_unfired(c: Closures) -> None:
    await c.open_case("case-1")
    await c.write_path().execute(REPORTS, "case-1", close_when_due(NOW), acting=POLICE_93)
    c.clock.set(DUE)
    assert await c.manager().tick() == [Visit.CLOSED]
    assert await c.firings.get("close:case-1") is None
    assert len(await c.closings("case-1")) == 1  # the person's, not the manager's
    assert c.schedule.entries() == []


class EarlyRounding(MemoryDueSchedule[Closure]):
    """A store whose query rounds instants up to the millisecond, as BSON dates would."""

    async def due(self, now: dt.datetime, limit: int) -> list[Closure]:
        return await super().due(now + dt.timedelta(milliseconds=1), limit)


async def test_an_entry_listed_a_moment_early_is_not_claimed() -> None:
    c = Closures(schedule=EarlyRounding())
    await c.open_case("case-1")
    c.clock.set(DUE - dt.timedelta(microseconds=500))
    assert await c.manager().tick() == [Visit.PENDING]
    assert await c.firings.get("close:case-1") is None
    c.clock.set(DUE)
    assert await c.manager().tick() == [Visit.FIRED]


async def test_an_entry_whose_commit_never_landed_waits_a_lease_then_is_dropped(
    c: Closures,
) -> None:
    soon = NOW + dt.timedelta(seconds=10)
    with pytest.raises(RuntimeError):
        await c.open_case("case-1", soon, store=DiesBeforeCommit(c.store))
    assert [e.due_at for e in c.schedule.entries()] == [soon]  # scheduled, never committed
    manager = c.manager()
    c.clock.set(soon)
    assert await manager.tick() == [Visit.PENDING]  # its commit may still be on its way
    c.clock.set(NOW + LEASE)
    assert await manager.tick() == [Visit.ABANDONED]
    assert c.schedule.entries() == []
    assert await c.firings.get("close:case-1") is None


async def test_a_live_claim_of_another_replica_is_respected_until_its_lease_ends(
    c: Closures,
) -> None:
    await c.open_case("case-1")
    c.clock.set(DUE)
    assert await c.manager("worker-a", store=DiesBeforeCommit(c.store)).tick() == []
    assert c.schedule.entries() != []  # the failed entry stays, retried
    other = c.manager("worker-b")
    assert await other.tick() == [Visit.IN_FLIGHT]
    c.clock.advance(LEASE)
    assert await other.tick() == [Visit.REFIRED]
    assert len(await c.closings("case-1")) == 1
    # Only a claimer writes its firing: worker-a's claim stays as it left it.
    assert await c.firings.get("close:case-1") == Firing("close:case-1", "worker-a", DUE)
    assert await other.tick() == []


async def test_a_replica_restarted_under_its_name_recovers_its_claim_at_once(c: Closures) -> None:
    await c.open_case("case-1")
    c.clock.set(DUE)
    await c.manager("worker-a", store=DiesBeforeCommit(c.store)).tick()
    restarted = c.manager("worker-a")
    assert await restarted.tick() == [Visit.REFIRED]
    assert len(await c.closings("case-1")) == 1
    firing = await c.firings.get("close:case-1")
    assert firing is not None
    assert firing.completed_at == DUE


async def test_killed_after_its_commit_the_work_is_found_closed_not_fired_again(
    c: Closures,
) -> None:
    await c.open_case("case-1")
    c.clock.set(DUE)
    assert await c.manager(firings=DiesAfterCommit(c.firings)).tick() == []
    assert len(await c.closings("case-1")) == 1
    assert await c.manager().tick() == [Visit.CLOSED]
    assert len(await c.closings("case-1")) == 1
    assert c.schedule.entries() == []


async def test_one_entry_failing_does_not_stop_the_others(c: Closures) -> None:
    for case_id in ("case-1", "case-2", "case-3"):
        await c.open_case(case_id)

    class Case2Broken(DelegatingEventStore):
        async def load(self, aggregate_id: str, after_version: int = 0) -> list[StoredCommit]:
            if aggregate_id == "case-2":
                raise ConnectionError("case-2's store is unreachable")
            return await super().load(aggregate_id, after_version)

    c.clock.set(DUE)
    manager = c.manager(store=Case2Broken(c.store))
    assert await manager.tick() == [Visit.FIRED, Visit.FIRED]
    assert [e.case_id for e in c.schedule.entries()] == ["case-2"]
    assert await c.manager().tick() == [Visit.FIRED]
    assert [len(await c.closings(n)) for n in ("case-1", "case-2", "case-3")] == [1, 1, 1]


async def test_replicas_racing_fire_each_entry_once(c: Closures) -> None:
    cases = [f"case-{n}" for n in range(5)]
    for case_id in cases:
        await c.open_case(case_id)
    c.clock.set(DUE)
    replicas = [c.manager(f"worker-{n}") for n in range(3)]
    visits = await asyncio.gather(*(r.tick() for r in replicas))
    await asyncio.gather(*(r.tick() for r in replicas))
    assert sum(v in (Visit.FIRED, Visit.REFIRED) for vs in visits for v in vs) == len(cases)
    assert [len(await c.closings(n)) for n in cases] == [1] * len(cases)


async def test_run_ticks_until_stopped(c: Closures) -> None:
    await c.open_case("case-1")
    c.clock.set(DUE)
    stop, pauses = asyncio.Event(), []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            stop.set()

    await c.manager().run(5.0, stop, pause)
    assert pauses == [5.0, 5.0, 5.0]
    assert len(await c.closings("case-1")) == 1


# A story: three cases due at different instants; three replicas tick, die before or after
# their commit, and the clock moves, in any order. Afterwards, past every lease, each replica
# ticks again. Each case is closed exactly once, never before it is due.
STEPS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["tick", "die_before", "die_after"]), st.integers(0, 2)),
        st.tuples(st.just("advance"), st.integers(0, 90)),
    ),
    max_size=25,
)
DUES = [NOW + dt.timedelta(seconds=s) for s in (0, 30, 75)]


@settings(max_examples=60, deadline=None)
@given(steps=STEPS)
def test_exactly_once_whatever_the_replicas_and_their_crashes(
    steps: list[tuple[str, int]],
) -> None:
    asyncio.run(_story(steps))


async def _story(steps: list[tuple[str, int]]) -> None:
    c = Closures()
    cases = [f"case-{n}" for n in range(len(DUES))]
    for case_id, due in zip(cases, DUES, strict=True):
        await c.open_case(case_id, due)
    for action, n in steps:
        owner = f"worker-{n}"
        if action == "advance":
            c.clock.advance(dt.timedelta(seconds=n))
        elif action == "tick":
            await c.manager(owner).tick()
        elif action == "die_before":
            await c.manager(owner, store=DiesBeforeCommit(c.store)).tick()
        else:
            await c.manager(owner, firings=DiesAfterCommit(c.firings)).tick()
        for case_id, due in zip(cases, DUES, strict=True):
            closings = await c.closings(case_id)
            assert len(closings) <= 1
            assert all(e.time >= due for e in closings)
    c.clock.advance(LEASE + (DUES[-1] - NOW))  # past every due instant and every claim's lease
    for n in range(3):
        await c.manager(f"worker-{n}").tick()
    assert [len(await c.closings(n)) for n in cases] == [1] * len(cases)
    assert c.schedule.entries() == []
