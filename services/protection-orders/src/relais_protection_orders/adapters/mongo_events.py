"""The commit store on MongoDB / FerretDB (DESIGN.md section 3, store rules 1, 3 and 4).

One document per commit, ``_id = "<order>:<first version, zero-padded>"``: the duplicate key on
insert is the concurrency check, and the document is its own outbox entry (``published``).
Loading walks the stream by ``_id`` lookups only, the one filter FerretDB sends to SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_events.envelope import Envelope

from relais_protection_orders.application.ports import ConcurrencyConflict

COMMITS: Final = "commits"


def commit_id(aggregate_id: str, version: int) -> str:
    return f"{aggregate_id}:{version:010d}"


class MongoEventStore:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        on_commit: Callable[[str], None] | None = None,
    ) -> None:
        self._commits = database[COMMITS]
        self._on_commit = on_commit

    async def ensure_indexes(self) -> None:
        # For MongoDB: the outbox sweep. FerretDB scans anyway (rule 4: a sweep, not hot path).
        await self._commits.create_index("published")

    async def load(self, aggregate_id: str) -> Sequence[Envelope]:
        envelopes: list[Envelope] = []
        while True:
            doc = await self._commits.find_one({"_id": commit_id(aggregate_id, len(envelopes) + 1)})
            if doc is None:
                return envelopes
            envelopes.extend(Envelope.model_validate(e) for e in doc["events"])

    async def append(
        self, aggregate_id: str, expected_version: int, envelopes: Sequence[Envelope]
    ) -> None:
        identifier = commit_id(aggregate_id, expected_version + 1)
        document = {
            "_id": identifier,
            "aggregate_id": aggregate_id,
            "version": expected_version + len(envelopes),
            "events": [e.model_dump(mode="json") for e in envelopes],
            "published": False,
        }
        try:
            await self._commits.insert_one(document)
        except DuplicateKeyError as exc:
            raise ConcurrencyConflict(identifier) from exc
        if self._on_commit is not None:
            self._on_commit(identifier)  # the outbox relay publishes it at once
