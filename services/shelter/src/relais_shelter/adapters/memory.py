"""In-memory adapters of every port, with the same contracts as the Mongo ones (the contract
suite in ``tests/shelter_servers/test_port_contracts.py`` runs against both). Each method runs
without awaiting in between, so an insert is as atomic here as a document insert is there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from relais_shelter.application.ports import ClaimRecord, Operation, Outcome


class MemoryReservations:
    def __init__(self) -> None:
        self.held: dict[str, str] = {}

    async def insert(self, keys: Sequence[str], holder: str) -> set[str]:
        taken = {k for k in keys if k in self.held}
        for key in keys:
            self.held.setdefault(key, holder)
        return taken

    async def holders(self, keys: Sequence[str]) -> dict[str, str]:
        return {k: self.held[k] for k in keys if k in self.held}

    async def release(self, keys: Sequence[str], holder: str) -> None:
        for key in keys:
            if self.held.get(key) == holder:
                del self.held[key]


class MemoryOperations:
    def __init__(self) -> None:
        self.running: dict[str, Operation] = {}
        self.outcomes: dict[str, Outcome] = {}

    async def begin(self, operation: Operation) -> None:
        self.running[operation.op_id] = operation

    async def note(self, operation: Operation) -> None:
        self.running[operation.op_id] = replace(operation)

    async def decide(self, op_id: str, outcome: Outcome) -> Outcome:
        return self.outcomes.setdefault(op_id, outcome)

    async def finish(self, op_id: str) -> None:
        self.running.pop(op_id, None)

    async def started_before(self, instant: dt.datetime) -> list[Operation]:
        return sorted(
            (o for o in self.running.values() if o.started_at < instant),
            key=lambda o: (o.started_at, o.op_id),
        )


class MemoryHoldings:
    def __init__(self) -> None:
        self._keys: dict[str, list[str]] = {}

    async def keep(self, allocation_id: str, keys: Sequence[str]) -> None:
        self._keys[allocation_id] = list(keys)

    async def of(self, allocation_id: str) -> list[str]:
        return list(self._keys.get(allocation_id, []))


class MemoryEnvelopeHoles:
    def __init__(self) -> None:
        self._holes: dict[str, set[int]] = {}

    async def add(self, envelope_id: str, units: Sequence[int]) -> None:
        self._holes.setdefault(envelope_id, set()).update(units)

    async def of(self, envelope_id: str) -> list[int]:
        return sorted(self._holes.get(envelope_id, set()))

    async def remove(self, envelope_id: str, unit: int) -> None:
        self._holes.get(envelope_id, set()).discard(unit)


class MemorySiteDirectory:
    def __init__(self) -> None:
        self._sites: dict[str, str] = {}

    async def add(self, site_id: str, departement: str) -> None:
        self._sites.setdefault(site_id, departement)

    async def in_departement(self, departement: str) -> list[str]:
        return sorted(s for s, d in self._sites.items() if d == departement)


class MemoryClaimLedger:
    def __init__(self) -> None:
        self._records: dict[str, ClaimRecord] = {}

    async def add(self, record: ClaimRecord) -> None:
        self._records.setdefault(record.claim_id, record)

    async def of_envelope(self, envelope_id: str) -> list[ClaimRecord]:
        return sorted(
            (r for r in self._records.values() if r.envelope_id == envelope_id),
            key=lambda r: (r.night, r.decided_at, r.claim_id),
        )
