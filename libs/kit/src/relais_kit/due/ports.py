"""What the due manager needs, as Protocols: the schedule, the firings, and the service's work.

The schedule and the firings have a Mongo and a memory adapter each (``relais_kit.due.mongo``,
``relais_kit.due.memory``) that pass one contract suite. Both obey the store rules (DESIGN.md
section 3): an entry is inserted once per key and removed by ``_id``; a firing is claimed by
inserting its ``_id`` (store rule 1) and then written by its claimer alone (rule 2).

A service brings its own entry type and its ``DueWork``. The entry is a frozen dataclass of
``due_at``, ``version``, ``scheduled_at`` and the fields that name what it watches (an order and
a kind of deadline; a case's stream and a referral). Its ``DueWork`` says how to load the
aggregate an entry watches, whether the entry is still open there, and the command that fires
it: the rules that say which work is open, and why, stay in the service's domain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from relais_kit.application.acting import Acting
from relais_kit.application.aggregate import Loaded
from relais_kit.application.clock import Clock


class DueEntry(Protocol):
    """A piece of work the manager watches, inserted BEFORE the commit that opens it: a crash
    between the two leaves a harmless extra entry (dropped as abandoned), never a missing one.
    A frozen dataclass: the Mongo adapter stores its other fields as pydantic dumps them."""

    @property
    def key(self) -> str:
        """The entry's ``_id``. It names the commit version that scheduled it, because an
        attempt that lost the commit race may have scheduled the same work under a version
        that never landed."""
        ...

    @property
    def firing_key(self) -> str:
        """The ``_id`` of its firing: one per piece of work, whichever version scheduled it."""
        ...

    @property
    def due_at(self) -> dt.datetime: ...

    @property
    def version(self) -> int:
        """The commit version that opened it: an older loaded state does not show it yet."""
        ...

    @property
    def scheduled_at(self) -> dt.datetime: ...


E = TypeVar("E", bound=DueEntry)
E_contra = TypeVar("E_contra", bound=DueEntry, contravariant=True)
S = TypeVar("S")


class DueSchedule(Protocol[E]):
    async def add(self, entries: Sequence[E]) -> None:
        """Insert each entry unless its key is already there (insert-only: no race to lose)."""
        ...

    async def due(self, now: dt.datetime, limit: int) -> list[E]:
        """Entries with ``due_at <= now``, earliest first (then by key)."""
        ...

    async def remove(self, key: str) -> None:
        """Drop the entry if it is there (removing twice is harmless)."""
        ...


@dataclass(frozen=True)
class Firing:
    """The record that one replica took charge of firing one piece of work."""

    key: str
    owner: str
    claimed_at: dt.datetime
    completed_at: dt.datetime | None = None


class Firings(Protocol):
    async def claim(self, firing: Firing) -> bool:
        """Insert the firing; False on a duplicate key (another replica or an earlier run)."""
        ...

    async def get(self, key: str) -> Firing | None: ...

    async def complete(self, key: str, at: dt.datetime) -> None:
        """Only the claimer calls it (store rule 2)."""
        ...


class DueWork(Protocol[E_contra, S]):
    """A service's side of the due manager, for its own entries and aggregate state ``S``."""

    @property
    def clock(self) -> Clock:
        """The clock the service's commands are decided on (its write path's)."""
        ...

    @property
    def org(self) -> str:
        """The service's organisation: every firing acts as ``Acting.system(org)``."""
        ...

    async def load(self, entry: E_contra) -> Loaded[S]:
        """A fresh read of the aggregate the entry watches (``WritePath.load``)."""
        ...

    def is_open(self, entry: E_contra, loaded: Loaded[S], now: dt.datetime) -> bool:
        """Whether the entry's work still applies in that state (the service's domain rule)."""
        ...

    async def fire(self, entry: E_contra, loaded: Loaded[S], acting: Acting) -> None:
        """Send the firing command through the service's ordinary handler. It must be idempotent
        in the domain: it emits only while the work is open, and what it emits closes it."""
        ...
