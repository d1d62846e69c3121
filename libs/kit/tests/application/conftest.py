"""A small aggregate of the catalogue's own events, run through the kit's write path in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseClosed, CaseOpened, ClosureReason, ReportFiled
from relais_events.integrity import Signer
from relais_events.pii import MemoryKeyStore
from relais_events.vocabulary import CaseKind, Channel, Role
from relais_kit.application import Acting, Aggregate, Loaded, ManualClock, WritePath
from relais_kit.application.write_path import Decide
from relais_kit.store import NewCommit, Snapshot, StoredCommit
from relais_kit.store.delegating import DelegatingEventStore
from relais_kit.store.memory import MemoryEventStore

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
POLICE_93 = Acting("officer-1", Role.POLICE, "pn-93", frozenset({"93"}))


@dataclass(frozen=True)
class Reports:
    departement: str | None = None
    report_ids: tuple[str, ...] = ()
    closed: bool = False


def evolve(state: Reports, event: Event) -> Reports:
    match event:
        case CaseOpened():
            return replace(state, departement=event.departement)
        case ReportFiled():
            return replace(state, report_ids=(*state.report_ids, event.report_id))
        case CaseClosed():
            return replace(state, closed=True)
        case _:
            raise ValueError(event.TYPE)


REPORTS = Aggregate("reports", initial=Reports(), evolve=evolve, state_type=Reports)


class TooFewReportsError(Exception):
    """The rule the stale-state tests lean on: closing needs two reports."""


def file(case_id: str, report_id: str) -> Decide[Reports]:
    def decide(loaded: Loaded[Reports], now: dt.datetime) -> Sequence[Event]:
        filed = ReportFiled(
            case_id=case_id,
            report_id=report_id,
            channel=Channel.POLICE,
            kind="complaint",
            departement="93",
            minor_victim=False,
            children_present=0,
        )
        if loaded.exists:
            return [filed]
        opened = CaseOpened(
            case_id=case_id,
            kind=CaseKind.CONJUGAL_VIOLENCE,
            departement="93",
            opened_via=Channel.POLICE,
            minor_victim=False,
        )
        return [opened, filed]

    return decide


def close(case_id: str) -> Decide[Reports]:
    def decide(loaded: Loaded[Reports], now: dt.datetime) -> Sequence[Event]:
        if len(loaded.state.report_ids) < 2:
            raise TooFewReportsError()
        return [CaseClosed(case_id=case_id, reason=ClosureReason.VICTIM_SAFE)]

    return decide


class CountingStore(DelegatingEventStore):
    """Counts what each call would cost on a real store (one round trip per read or write)."""

    def __init__(self, inner: MemoryEventStore) -> None:
        super().__init__(inner)
        self.calls: list[str] = []

    async def append(self, commit: NewCommit) -> StoredCommit:
        self.calls.append("append")
        return await super().append(commit)

    async def load(self, aggregate_id: str, after_version: int = 0) -> list[StoredCommit]:
        found = await super().load(aggregate_id, after_version)
        # One find per commit read, and one for the miss that ends the walk.
        self.calls.extend(["find"] * (len(found) + 1))
        return found

    async def snapshot(self, aggregate_id: str) -> Snapshot | None:
        self.calls.append("find")
        return await super().snapshot(aggregate_id)

    def reset(self) -> list[str]:
        calls, self.calls = self.calls, []
        return calls


@dataclass
class Kit:
    memory: MemoryEventStore
    store: CountingStore
    keys: MemoryKeyStore
    signer: Signer
    clock: ManualClock
    committed: list[StoredCommit]

    def write_path(self, *, cache_size: int = 10_000) -> WritePath:
        """A write path as one process has it (its own cache); several share one store."""
        return WritePath(
            self.store,
            self.keys,
            self.signer,
            self.clock,
            on_commit=self.committed.append,
            cache_size=cache_size,
        )


@pytest.fixture
def kit() -> Kit:
    memory = MemoryEventStore()
    return Kit(
        memory,
        CountingStore(memory),
        MemoryKeyStore(),
        Signer("intake", "intake-test", Ed25519PrivateKey.generate()),
        ManualClock(NOW),
        [],
    )
