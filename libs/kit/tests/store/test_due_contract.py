"""The due schedule and the firings, one contract for the memory and the Mongo adapters."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from relais_kit.due import DueSchedule, Firing, Firings
from relais_kit.due.memory import MemoryDueSchedule, MemoryFirings
from relais_kit.due.mongo import MongoDueSchedule, MongoFirings

from .conftest import ADAPTERS

T0 = dt.datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=dt.UTC)  # microseconds must survive
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Reminder:
    """An entry of two work fields, one an enum's text in a service (a deadline's kind)."""

    case_id: str
    kind: str
    due_at: dt.datetime
    version: int
    scheduled_at: dt.datetime

    @property
    def firing_key(self) -> str:
        return f"{self.case_id}:{self.kind}"

    @property
    def key(self) -> str:
        return f"{self.firing_key}:v{self.version}"


def reminder(case_id: str, due: dt.datetime, version: int = 2, kind: str = "review") -> Reminder:
    return Reminder(case_id, kind, due, version, T0 - dt.timedelta(days=2))


@pytest.fixture(params=ADAPTERS)
def schedule(request: pytest.FixtureRequest) -> DueSchedule[Reminder]:
    if request.param == "memory":
        return MemoryDueSchedule[Reminder]()
    database: AsyncDatabase[dict[str, Any]] = request.getfixturevalue("mongo_database")
    return MongoDueSchedule(database["reminders"], Reminder)


@pytest.fixture(params=ADAPTERS)
def firings(request: pytest.FixtureRequest) -> Firings:
    if request.param == "memory":
        return MemoryFirings()
    database: AsyncDatabase[dict[str, Any]] = request.getfixturevalue("mongo_database")
    return MongoFirings(database["reminder_firings"])


async def test_an_entry_is_inserted_once_per_key_and_kept_as_first(
    schedule: DueSchedule[Reminder],
) -> None:
    first = reminder("case-1", T0)
    await schedule.add([first])
    await schedule.add([replace(first, scheduled_at=T0), first])  # same key: a retried attempt
    assert await schedule.due(T0, 10) == [first]
    again = replace(first, version=3)  # another version is another entry of the same work
    await schedule.add([again])
    assert await schedule.due(T0, 10) == [first, again]


async def test_due_lists_entries_at_or_before_now_earliest_first_then_by_key(
    schedule: DueSchedule[Reminder],
) -> None:
    late = reminder("case-1", T0 + dt.timedelta(days=4))
    b, a = reminder("case-b", T0), reminder("case-a", T0)
    await schedule.add([late, b, a])
    assert await schedule.due(T0 - dt.timedelta(microseconds=1), 10) == []
    assert await schedule.due(T0, 10) == [a, b]
    assert await schedule.due(T0 + dt.timedelta(days=9), 10) == [a, b, late]
    assert await schedule.due(T0 + dt.timedelta(days=9), 2) == [a, b]


async def test_an_instant_comes_back_equal_whatever_its_zone(
    schedule: DueSchedule[Reminder],
) -> None:
    # Midnight in Paris at the end of a day, as a legal deadline is given: the same instant back.
    due = dt.datetime(2026, 3, 29, 0, 0, 0, 1, tzinfo=PARIS)
    entry = reminder("case-1", due)
    await schedule.add([entry])
    assert await schedule.due(due - dt.timedelta(microseconds=1), 10) == []
    assert await schedule.due(due, 10) == [entry]  # equal instants, in whichever zone


async def test_removing_drops_one_entry_and_twice_is_harmless(
    schedule: DueSchedule[Reminder],
) -> None:
    kept, dropped = reminder("case-1", T0), reminder("case-2", T0)
    await schedule.add([kept, dropped])
    await schedule.remove(dropped.key)
    await schedule.remove(dropped.key)
    await schedule.remove("never-scheduled")
    assert await schedule.due(T0, 10) == [kept]


async def test_a_firing_is_claimed_once_and_completed_by_its_claimer(firings: Firings) -> None:
    assert await firings.get("case-1:review") is None
    assert await firings.claim(Firing("case-1:review", "worker-a", T0))
    assert not await firings.claim(Firing("case-1:review", "worker-b", T0))
    assert await firings.get("case-1:review") == Firing("case-1:review", "worker-a", T0)
    done = T0 + dt.timedelta(seconds=1)
    await firings.complete("case-1:review", done)
    assert await firings.get("case-1:review") == Firing("case-1:review", "worker-a", T0, done)


async def test_concurrent_claims_have_one_winner(firings: Firings) -> None:
    won = await asyncio.gather(
        *(firings.claim(Firing("case-1:review", f"worker-{n}", T0)) for n in range(8))
    )
    assert won.count(True) == 1
    stored = await firings.get("case-1:review")
    assert stored is not None
    assert stored.owner == f"worker-{won.index(True)}"


async def test_completing_a_firing_never_claimed_creates_none(firings: Firings) -> None:
    await firings.complete("case-9:review", T0)
    assert await firings.get("case-9:review") is None


@pytest.mark.servers
async def test_documents_keep_the_shape_the_services_first_wrote(
    mongo_database: AsyncDatabase[dict[str, Any]],
) -> None:
    """``deadline_schedule`` and ``escalation_schedule`` were written by the services' own
    adapters before the kit held them: the same documents must read back, and be written."""
    entries, claims = mongo_database["reminders"], mongo_database["reminder_firings"]
    written = {
        "_id": "case-1:review:v2",
        "case_id": "case-1",
        "kind": "review",
        "due_on": "2026-03-02T08:00:00.123456Z",
        "version": 2,
        "scheduled_at": "2026-02-28T08:00:00.123456Z",
    }
    await entries.insert_one(dict(written))
    await claims.insert_one(
        {"_id": "case-1:review", "owner": "worker-a", "claimed_at": "2026-03-02T08:00:00.123456Z"}
    )
    schedule, firings = MongoDueSchedule(entries, Reminder), MongoFirings(claims)
    assert await schedule.due(T0, 10) == [reminder("case-1", T0)]
    assert await firings.get("case-1:review") == Firing("case-1:review", "worker-a", T0)

    await entries.delete_many({})
    await schedule.add([reminder("case-1", T0)])
    assert await entries.find_one({"_id": "case-1:review:v2"}) == written
    await firings.complete("case-1:review", T0 + dt.timedelta(seconds=1))
    assert await claims.find_one({"_id": "case-1:review"}) == {
        "_id": "case-1:review",
        "owner": "worker-a",
        "claimed_at": "2026-03-02T08:00:00.123456Z",
        "completed_at": "2026-03-02T08:00:01.123456Z",
    }
