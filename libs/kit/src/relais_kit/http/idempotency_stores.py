"""Where `Idempotency-Key` records live: the port and its two adapters (memory, Mongo).

A record is claimed by INSERT (store rule 1: concurrency is decided by inserts) and only its
claimer writes to it afterwards (store rule 2), so no conditional update is ever relied on.

A claim holds a lease (``lease``, from the claim's instant): a process that crashed mid-request
leaves a pending record, and a repeat that finds its lease run out takes it over. The takeover
is decided by inserting ``<record id>#takeover:<claim token>``: of all the repeats that found
the same stale claim, exactly one inserts that document; it then writes the record afresh (a
new token and lease) and runs the request. The loser reads the record again, as any repeat.
A claimer still alive after its lease (a request longer than the lease) may then write its
answer over the taker's record: both answered the same request (same fingerprint), and the
lease is set well above the requests' own time limits so that this stays a crash's case.

Records and takeover documents are purged by ``purge`` once older than the retention: FerretDB
has no TTL index (DESIGN.md store rule 5), so a periodic sweep (``relais_kit.runtime``) calls it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace
from typing import Any, Final, Protocol

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from relais_kit.application.clock import Clock, SystemClock
from relais_kit.batching import InsertBatcher

COLLECTION: Final = "idempotency_keys"
DEFAULT_LEASE: Final = dt.timedelta(seconds=30)


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
    claim: str = ""  # the token of the claim running it (a takeover draws a new one)
    leased_until: dt.datetime | None = None  # a pending claim's claimer is presumed alive till

    def stale(self, now: dt.datetime) -> bool:
        """Pending, and its claimer's lease has run out: a repeat may take it over."""
        return self.answer is None and self.leased_until is not None and now >= self.leased_until


class IdempotencyStore(Protocol):
    async def claim(self, record_id: str, fingerprint: str) -> bool:
        """Insert a pending record; False when one already exists (someone else claimed it)."""
        ...

    async def load(self, record_id: str) -> IdempotencyRecord | None: ...

    async def take_over(self, record_id: str, stale: IdempotencyRecord) -> bool:
        """Take over ``stale`` (a pending record whose lease ran out), decided by inserting the
        takeover document of its claim: True for the one winner, which now holds a fresh
        claim on the record; False for any other, if the record changed meanwhile, or if its
        lease has not run out (then nothing is written)."""
        ...

    async def complete(self, record_id: str, answer: StoredAnswer) -> None:
        """Attach the answer; only the claimer calls it."""
        ...

    async def release(self, record_id: str) -> None:
        """Forget a claim whose request failed, so a retry can run it again."""
        ...

    async def purge(self, claimed_before: dt.datetime) -> int:
        """Delete the records (and takeover documents) claimed before that instant; how many."""
        ...


def _takeover_id(record_id: str, claim: str) -> str:
    # '#' never appears in a record id (`<sub>:<key>`, the key without '#').
    return f"{record_id}#takeover:{claim}"


class MemoryIdempotencyStore:
    """For unit tests and single-process tools; same contract as the Mongo adapter."""

    def __init__(self, clock: Clock | None = None, lease: dt.timedelta = DEFAULT_LEASE) -> None:
        self._clock, self._lease = clock or SystemClock(), lease
        self._records: dict[str, tuple[IdempotencyRecord, dt.datetime]] = {}
        self._takeovers: dict[str, dt.datetime] = {}

    def _fresh(self, fingerprint: str) -> tuple[IdempotencyRecord, dt.datetime]:
        now = self._clock.now()
        record = IdempotencyRecord(fingerprint, None, secrets.token_hex(8), now + self._lease)
        return record, now

    async def claim(self, record_id: str, fingerprint: str) -> bool:
        if record_id in self._records:
            return False
        self._records[record_id] = self._fresh(fingerprint)
        return True

    async def load(self, record_id: str) -> IdempotencyRecord | None:
        found = self._records.get(record_id)
        return found[0] if found else None

    async def take_over(self, record_id: str, stale: IdempotencyRecord) -> bool:
        if not stale.stale(self._clock.now()):
            return False
        takeover = _takeover_id(record_id, stale.claim)
        if takeover in self._takeovers:
            return False
        self._takeovers[takeover] = self._clock.now()
        if await self.load(record_id) != stale:
            return False
        self._records[record_id] = self._fresh(stale.fingerprint)
        return True

    async def complete(self, record_id: str, answer: StoredAnswer) -> None:
        record, claimed_at = self._records[record_id]
        self._records[record_id] = (replace(record, answer=answer, leased_until=None), claimed_at)

    async def release(self, record_id: str) -> None:
        self._records.pop(record_id, None)

    async def purge(self, claimed_before: dt.datetime) -> int:
        old = [r for r, (_, at) in self._records.items() if at < claimed_before]
        old_takeovers = [t for t, at in self._takeovers.items() if at < claimed_before]
        for record_id in old:
            del self._records[record_id]
        for takeover in old_takeovers:
            del self._takeovers[takeover]
        return len(old) + len(old_takeovers)


class MongoIdempotencyStore:
    """Records in the service's own database, one document per `<sub>:<key>` `_id`."""

    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        collection: str = COLLECTION,
        *,
        clock: Clock | None = None,
        lease: dt.timedelta = DEFAULT_LEASE,
    ):
        self._docs = database[collection]
        self._claims = InsertBatcher(self._docs)
        self._clock, self._lease = clock or SystemClock(), lease

    def _fresh(self, record_id: str, fingerprint: str) -> dict[str, Any]:
        now = self._clock.now()
        return {
            "_id": record_id,
            "fingerprint": fingerprint,
            "answer": None,
            "claim": secrets.token_hex(8),
            "claimed_at": now,
            "leased_until": now + self._lease,
        }

    async def claim(self, record_id: str, fingerprint: str) -> bool:
        try:
            await self._claims.insert(self._fresh(record_id, fingerprint))
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
        leased = doc.get("leased_until")
        return IdempotencyRecord(
            str(doc["fingerprint"]),
            answer,
            str(doc.get("claim", "")),
            _aware(leased) if answer is None and leased is not None else None,
        )

    async def take_over(self, record_id: str, stale: IdempotencyRecord) -> bool:
        if not stale.stale(self._clock.now()):
            return False
        takeover = {"_id": _takeover_id(record_id, stale.claim), "claimed_at": self._clock.now()}
        try:
            await self._claims.insert(takeover)
        except DuplicateKeyError:
            return False  # another repeat took this claim over first
        # The one writer now (store rule 2). The record may have been answered or released
        # by a claimer that outlived its lease: then there is nothing to take over.
        if await self.load(record_id) != stale:
            return False
        replaced = await self._docs.replace_one(
            {"_id": record_id}, self._fresh(record_id, stale.fingerprint)
        )
        return replaced.matched_count == 1

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

    async def purge(self, claimed_before: dt.datetime) -> int:
        # A sweep, not the hot path: on FerretDB this filter scans the collection.
        deleted = await self._docs.delete_many({"claimed_at": {"$lt": claimed_before}})
        return deleted.deleted_count


def _aware(instant: dt.datetime) -> dt.datetime:
    """PyMongo answers naive UTC datetimes unless the client was built with tz_aware."""
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=dt.UTC)
