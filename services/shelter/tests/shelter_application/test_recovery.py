"""The recovery sweep: a process that died half-way leaves no place held once the sweep ran,
and one that died after deciding to commit has its allocation finished, not lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import pytest
from relais_shelter.adapters.memory import MemoryOperations, MemoryReservations
from relais_shelter.application import reads, recovery
from relais_shelter.application.operations import TooSlow
from relais_shelter.application.ports import Outcome
from relais_shelter.application.streams import ALLOCATION

from .harness import DEP, NIGHT, OFFICER, Harness


class Died(BaseException):
    """The process is gone: nothing after this line of it ever runs."""


class DiesAfterInsert(MemoryReservations):
    """Inserts go through, then the process dies (and can give nothing back)."""

    def __init__(self, shared: MemoryReservations) -> None:
        self.held = shared.held

    async def insert(self, keys: Sequence[str], holder: str) -> set[str]:
        await super().insert(keys, holder)
        raise Died()

    async def release(self, keys: Sequence[str], holder: str) -> None:
        raise Died()


class DiesAfterCommitDecided(MemoryOperations):
    def __init__(self, shared: MemoryOperations) -> None:
        self.running, self.outcomes = shared.running, shared.outcomes

    async def decide(self, op_id: str, outcome: Outcome) -> Outcome:
        await super().decide(op_id, outcome)
        raise Died()


async def test_a_process_dead_mid_allocation_holds_nothing_after_the_sweep(h: Harness) -> None:
    site = await h.site(places=3)
    dying = replace(h.process(), reservations=DiesAfterInsert(h.reservations))
    with pytest.raises(Died):
        await h.allocate(site, ("pk-1", "pk-2"), nights=4, services=dying)
    assert (await reads.availability(h.services, DEP, NIGHT, OFFICER)).adult_places == 1
    assert (await recovery.sweep(h.services)).given_back == 0  # not an orphan yet: lease
    h.clock.set(h.clock.now() + dt.timedelta(minutes=1))
    swept = await recovery.sweep(h.services)
    assert swept.given_back == 1
    assert h.reservations.held == {}
    assert (await reads.availability(h.services, DEP, NIGHT, OFFICER)).adult_places == 3
    assert h.types().count("shelter.allocated") == 0


async def test_a_process_dead_after_deciding_to_commit_is_finished_by_the_sweep(
    h: Harness,
) -> None:
    site = await h.site(places=3)
    dying = replace(h.process(), operations=DiesAfterCommitDecided(h.operations))
    with pytest.raises(Died):
        await h.allocate(site, ("pk-1",), nights=2, services=dying)
    assert h.types().count("shelter.allocated") == 0
    h.clock.set(h.clock.now() + dt.timedelta(minutes=1))
    assert (await recovery.sweep(h.services)).finished == 1
    assert h.types().count("shelter.allocated") == 1
    allocation_id = next(iter(h.operations.outcomes))
    loaded = await h.services.write_path.load(ALLOCATION, allocation_id)
    assert loaded.state is not None
    assert loaded.state.nights == 2
    [allocated] = [e for e in h.published if e.type == "shelter.allocated"]
    assert allocated.dependson == ("e-case-1",)  # finished as the api commits it: after the report
    assert (await reads.availability(h.services, DEP, NIGHT, OFFICER)).adult_places == 2
    assert not h.operations.running
    assert (await recovery.sweep(h.services)).finished == 0  # done once


class SlowInsert(MemoryReservations):
    """An insert that takes the whole lease (a stalled store, a paused process)."""

    def __init__(self, shared: MemoryReservations, h: Harness) -> None:
        self.held, self.h = shared.held, h

    async def insert(self, keys: Sequence[str], holder: str) -> set[str]:
        self.h.clock.set(self.h.clock.now() + dt.timedelta(minutes=1))
        return await super().insert(keys, holder)


async def test_a_command_past_half_its_lease_gives_up_rather_than_race_the_sweep(
    h: Harness,
) -> None:
    site = await h.site(places=3)
    slow = replace(h.process(), reservations=SlowInsert(h.reservations, h))
    with pytest.raises(TooSlow):
        await h.allocate(site, ("pk-1",), nights=2, services=slow)
    assert h.reservations.held == {}
    assert not h.operations.running
    assert h.types().count("shelter.allocated") == 0
