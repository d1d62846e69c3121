"""Where `Idempotency-Key` records live: the port and its two adapters (memory, Mongo).

A record is claimed by INSERT (store rule 1: concurrency is decided by inserts) and only its
claimer writes to it afterwards (store rule 2), so no conditional update is ever relied on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from relais_kit.batching import InsertBatcher

COLLECTION: Final = "idempotency_keys"


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer to a keyed request, replayed byte for byte to its repeats."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class IdempotencyRecord:
    fingerprint: str  # hash of method, path and body: a repeat must match it
    answer: StoredAnswer | None  # None while the first request is still running
    # When the pending claim was taken (None: unknown); not part of the record's identity.
    claimed_at: dt.datetime | None = field(default=None, compare=False)


class IdempotencyStore(Protocol):
    async def claim(self, record_id: str, fingerprint: str) -> bool:
        """Insert a pending record; False when one already exists (someone else claimed it)."""
        ...

    async def load(self, record_id: str) -> IdempotencyRecord | None: ...

    async def complete(self, record_id: str, answer: StoredAnswer) -> None:
        """Attach the answer; only the claimer calls it."""
        ...

    async def release(self, record_id: str) -> None:
        """Forget a claim whose request failed, so a retry can run it again."""
        ...

    async def take_over(self, record_id: str, fingerprint: str, claimed_at: dt.datetime) -> bool:
        """Replace a pending claim taken at ``claimed_at`` whose claimer is gone (killed, or
        its release failed with the store away) by a claim of the caller's. Decided by an
        insert naming that claim: of several repeats, exactly one takes it over."""
        ...


class MemoryIdempotencyStore:
    """For unit tests and single-process tools; same contract as the Mongo adapter."""

    def __init__(self) -> None:
        self._records: dict[str, IdempotencyRecord] = {}
        self._takeovers: set[str] = set()

    async def claim(self, record_id: str, fingerprint: str) -> bool:
        if record_id in self._records:
            return False
        self._records[record_id] = IdempotencyRecord(fingerprint, None, dt.datetime.now(dt.UTC))
        return True

    async def take_over(self, record_id: str, fingerprint: str, claimed_at: dt.datetime) -> bool:
        marker = f"{record_id}~{claimed_at.isoformat()}"
        if marker in self._takeovers:
            return False
        self._takeovers.add(marker)
        self._records.pop(record_id, None)
        return await self.claim(record_id, fingerprint)

    async def load(self, record_id: str) -> IdempotencyRecord | None:
        return self._records.get(record_id)

    async def complete(self, record_id: str, answer: StoredAnswer) -> None:
        self._records[record_id] = IdempotencyRecord(self._records[record_id].fingerprint, answer)

    async def release(self, record_id: str) -> None:
        self._records.pop(record_id, None)


class MongoIdempotencyStore:
    """Records in the service's own database, one document per `<sub>:<key>` `_id`."""

    def __init__(self, database: AsyncDatabase[dict[str, Any]], collection: str = COLLECTION):
        self._docs = database[collection]
        self._claims = InsertBatcher(self._docs)

    async def claim(self, record_id: str, fingerprint: str) -> bool:
        try:
            await self._claims.insert(
                {
                    "_id": record_id,
                    "fingerprint": fingerprint,
                    "answer": None,
                    "claimed_at": dt.datetime.now(dt.UTC),
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def load(self, record_id: str) -> IdempotencyRecord | None:
        doc = await self._docs.find_one({"_id": record_id})
        if doc is None:
            return None
        raw = doc.get("answer")
        answer = (
            StoredAnswer(
                status=int(raw["status"]),
                body=bytes(raw["body"]),
                headers=tuple((str(k), str(v)) for k, v in raw["headers"].items()),
            )
            if raw
            else None
        )
        claimed_at = doc.get("claimed_at")
        if claimed_at is not None and claimed_at.tzinfo is None:
            claimed_at = claimed_at.replace(tzinfo=dt.UTC)  # BSON dates are UTC
        return IdempotencyRecord(str(doc["fingerprint"]), answer, claimed_at)

    async def complete(self, record_id: str, answer: StoredAnswer) -> None:
        # One writer: the request that claimed the record by its insert (store rule 2).
        stored = {
            "status": answer.status,
            "body": answer.body,
            # a subdocument, not pairs: store rule 5 forbids nested arrays
            "headers": dict(answer.headers),
        }
        await self._docs.update_one({"_id": record_id}, {"$set": {"answer": stored}})

    async def release(self, record_id: str) -> None:
        await self._docs.delete_one({"_id": record_id})

    async def take_over(self, record_id: str, fingerprint: str, claimed_at: dt.datetime) -> bool:
        # The marker's insert decides between repeats (store rule 1); its winner alone then
        # deletes the stale claim and claims again (a new claimed_at: a later takeover of that
        # one needs a marker of its own).
        marker = f"{record_id}~takeover:{claimed_at.isoformat()}"
        try:
            await self._docs.insert_one(
                {"_id": marker, "fingerprint": "", "answer": None, "takeover": True}
            )
        except DuplicateKeyError:
            return False
        await self._docs.delete_one({"_id": record_id})
        return await self.claim(record_id, fingerprint)
