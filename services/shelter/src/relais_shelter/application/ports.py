"""The shelter's ports: reservation documents, in-flight operations, and its small read models.

Every adapter has a memory and a Mongo implementation passing one contract suite
(``tests/shelter_servers/test_port_contracts.py``). On FerretDB only an exact ``_id`` reaches
SQL, so the hot ports (``Reservations``, ``Operations`` by id, ``Holdings``) touch documents by
``_id`` only; the listings (``Operations.started_before``, ``EnvelopeHoles.of``, the directory
and the claim ledger) read small collections or are off the hot path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Reservations(Protocol):
    """Documents whose unique ``_id`` is the thing raced for (``domain.keys``)."""

    async def insert(self, keys: Sequence[str], holder: str) -> set[str]:
        """Insert every key for ``holder`` in one round trip; returns the keys that existed
        already (someone holds them: a lost race). The others are now held by ``holder``."""
        ...

    async def holders(self, keys: Sequence[str]) -> dict[str, str]:
        """The holder of each key that exists (exact look-ups)."""
        ...

    async def release(self, keys: Sequence[str], holder: str) -> None:
        """Delete each key that ``holder`` still holds; another holder's key is left alone."""
        ...


class Outcome(StrEnum):
    COMMIT = "commit"  # the operation's events are (to be) committed: finish it, never undo
    ABANDON = "abandon"  # nothing is committed: give back what it holds


class OperationKind(StrEnum):
    ALLOCATE = "allocate"
    RELEASE = "release"
    CLAIM = "claim"


@dataclass(frozen=True)
class Operation:
    """A multi-document command in flight: what it may hold, written BEFORE it inserts it, so
    that a crash half-way leaves enough to give it back (the recovery sweep)."""

    op_id: str
    kind: OperationKind
    holder: str  # who the reservations name
    started_at: dt.datetime
    held: tuple[str, ...] = ()
    command: dict[str, Any] = field(default_factory=dict)  # enough to finish it (JSON)


class Operations(Protocol):
    async def begin(self, operation: Operation) -> None: ...

    async def note(self, operation: Operation) -> None:
        """Replace the operation (its single writer adds keys before inserting them)."""
        ...

    async def decide(self, op_id: str, outcome: Outcome) -> Outcome:
        """Insert the operation's outcome unless one exists; returns the one that holds (the
        first inserted: the command and the recovery sweep race for it)."""
        ...

    async def finish(self, op_id: str) -> None:
        """The operation is done (committed and tidied, or given back): forget it."""
        ...

    async def started_before(self, instant: dt.datetime) -> list[Operation]:
        """Operations still in flight that started before ``instant`` (the sweep's list)."""
        ...


class Holdings(Protocol):
    """The reservations a committed allocation holds, by allocation id (a release frees some)."""

    async def keep(self, allocation_id: str, keys: Sequence[str]) -> None: ...

    async def of(self, allocation_id: str) -> list[str]: ...


class EnvelopeHoles(Protocol):
    """Units of an envelope given back by a claim that failed after taking them."""

    async def add(self, envelope_id: str, units: Sequence[int]) -> None: ...

    async def of(self, envelope_id: str) -> list[int]: ...

    async def remove(self, envelope_id: str, unit: int) -> None: ...


class SiteDirectory(Protocol):
    """Which sites a département has: written before a site's first commit (a site whose
    commit then failed is listed but does not load, and is skipped)."""

    async def add(self, site_id: str, departement: str) -> None: ...

    async def in_departement(self, departement: str) -> list[str]: ...


@dataclass(frozen=True)
class ClaimRecord:
    """A decided claim as the funder's statement shows it: no case, no person, no site."""

    claim_id: str
    envelope_id: str
    night: dt.date
    departement: str
    persons: int  # nuitées (0 for a rejection)
    amount_cents: int
    reason: str | None  # None: accepted
    decided_at: dt.datetime

    @property
    def accepted(self) -> bool:
        return self.reason is None


class ClaimLedger(Protocol):
    async def add(self, record: ClaimRecord) -> None:
        """Idempotent by ``claim_id``."""
        ...

    async def of_envelope(self, envelope_id: str) -> list[ClaimRecord]: ...
