"""The outbox ledger, one contract for every EventStore adapter (memory, Mongo on FerretDB)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from relais_events.envelope import Envelope
from relais_kit.store import ConcurrencyConflict, EventStore, NewCommit
from relais_kit.store.memory import MemoryEventStore
from relais_kit.store.mongo import MongoEventStore

from .conftest import ADAPTERS

Reports = Callable[[str, int], Envelope]


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> EventStore:
    if request.param == "memory":
        return MemoryEventStore()
    return MongoEventStore(request.getfixturevalue("mongo_database"))


@pytest.fixture
async def store(adapter: EventStore) -> EventStore:
    if isinstance(adapter, MongoEventStore):
        await adapter.ensure_indexes()
    return adapter


async def entries(store: EventStore) -> list[tuple[int, tuple[str, ...]]]:
    found, number = [], 0
    while (entry := await store.ledger_entry(store.session, number + 1)) is not None:
        found.append((entry.number, entry.commits))
        number = entry.number
    return found


async def test_every_written_commit_is_on_its_session_ledger(
    store: EventStore, reports: Reports
) -> None:
    results = await asyncio.gather(
        *(store.append(NewCommit.of([reports(f"case-{n % 7}", 1)])) for n in range(30)),
        return_exceptions=True,
    )
    written = {r.id for r in results if not isinstance(r, BaseException)}
    assert len(written) == 7  # one winner per case
    assert all(isinstance(r, ConcurrencyConflict) for r in results if isinstance(r, Exception))
    ledger = await entries(store)
    assert [n for n, _ in ledger] == list(range(1, len(ledger) + 1))  # numbered without gaps
    listed = {c for _, commits in ledger for c in commits}
    assert written <= listed  # none written without an entry a sweep can find
    [session] = [s for s in await store.outbox_sessions() if s.session == store.session]
    assert session.published_through == 0


async def test_marks_move_the_checkpoint_and_a_checkpoint_forgets_its_entries(
    store: EventStore, reports: Reports
) -> None:
    # One append at a time: each commit is an entry of its own, numbered 1 to 4.
    commits = [await store.append(NewCommit.of([reports(f"case-{n}", 1)])) for n in range(4)]
    await store.mark_published([commits[1].id, commits[0].id])
    assert store.published_through() == 2
    await store.mark_published([commits[3].id])  # the third is still out: no move
    assert store.published_through() == 2
    await store.checkpoint(store.session, store.published_through(), alive=True)
    [session] = [s for s in await store.outbox_sessions() if s.session == store.session]
    assert session.published_through == 2
    assert await store.ledger_entry(store.session, 2) is None  # forgotten: a sweep starts after
    assert await store.ledger_entry(store.session, 3) is not None
    await store.mark_published([commits[2].id])
    assert store.published_through() == 4
    await store.checkpoint(store.session, 1, alive=True)  # never back
    [session] = [s for s in await store.outbox_sessions() if s.session == store.session]
    assert session.published_through == 2


async def test_a_forgotten_session_is_no_longer_listed_until_it_beats_again(
    store: EventStore, reports: Reports
) -> None:
    await store.append(NewCommit.of([reports("case-1", 1)]))
    await store.forget_session(store.session)
    assert store.session not in {s.session for s in await store.outbox_sessions()}
    await store.checkpoint(store.session, 0, alive=False)  # a sweep: nothing to record
    assert store.session not in {s.session for s in await store.outbox_sessions()}
    await store.checkpoint(store.session, 0, alive=True)  # its own relay's heartbeat
    assert store.session in {s.session for s in await store.outbox_sessions()}
