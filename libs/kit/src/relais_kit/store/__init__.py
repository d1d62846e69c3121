"""The event store and processed-event ports, with their Mongo and in-memory adapters."""

from relais_kit.store.ports import (
    ConcurrencyConflict,
    EventStore,
    NewCommit,
    ProcessedEvents,
    Snapshot,
    StoredCommit,
    commit_id,
    events_of,
)

__all__ = [
    "ConcurrencyConflict",
    "EventStore",
    "NewCommit",
    "ProcessedEvents",
    "Snapshot",
    "StoredCommit",
    "commit_id",
    "events_of",
]
