"""An aggregate as the write path knows it: how its state folds, and how it is snapshotted.

A service declares each of its aggregates once::

    CASE = Aggregate("case", initial=None, evolve=evolve, state_type=CaseState | None)

``evolve(state, event)`` is the domain's own, pure fold. ``state_type`` lets the write path keep a
snapshot of the folded state (pydantic dumps dataclasses, enums, datetimes and frozensets to
JSON and back); bump ``state_version`` when the state's shape changes, and snapshots of the old
shape are ignored (the stream is folded from the start instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

import orjson
from pydantic import TypeAdapter
from relais_events.catalogue import Event

S = TypeVar("S")


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    name: str
    initial: S
    evolve: Callable[[S, Event], S]
    state_type: Any
    state_version: int = 1
    # A one-event aggregate that is never loaded again (an access-log entry) needs none.
    snapshots: bool = True

    @cached_property
    def adapter(self) -> TypeAdapter[S]:
        return TypeAdapter(self.state_type)

    @property
    def schema(self) -> str:
        """Names the shape a snapshot was written in: another shape is never read back."""
        return f"{self.name}:{self.state_version}"

    def dump_state(self, state: S) -> str:
        return orjson.dumps(self.adapter.dump_python(state, mode="json")).decode()

    def load_state(self, text: str) -> S:
        return self.adapter.validate_python(orjson.loads(text))

    def fold(self, state: S, events: list[Event]) -> S:
        for event in events:
            state = self.evolve(state, event)
        return state


@dataclass(frozen=True)
class Loaded(Generic[S]):
    """An aggregate as of its last commit: its state and what the next commit chains to."""

    aggregate_id: str
    state: S
    version: int = 0
    subject: str | None = None  # the case the stream is about (the envelopes' subject)
    jurisdiction: str | None = None  # the département of its first event
    last_event_id: str | None = None
    last_hash: str | None = None
    last_commit_id: str | None = None
    created_at: dt.datetime | None = None  # the time of its first event

    @property
    def exists(self) -> bool:
        return self.version > 0


def written_once(name: str) -> Aggregate[None]:
    """An aggregate of one commit that is never loaded again (an access-log entry, a committee
    meeting): it folds to nothing and keeps no snapshot."""
    return Aggregate(name, initial=None, evolve=_unchanged, state_type=None, snapshots=False)


def _unchanged(state: None, _: Event) -> None:
    return state
