"""The outbox ledger on MongoDB / FerretDB: group commit of commits WITH their ledger entry.

Each batch of concurrent appends is one ``insert_many(ordered=True)`` into the commit collection
whose first document is the batch's ledger entry (``_id: "~outbox:<session>:<n>"``, numbered
without gaps): on FerretDB and MongoDB alike an ordered insert writes documents in order, so no
commit is ever durable without the entry that lets a sweep find it, and the entry costs no round
trip of its own. A duplicate key (a lost version race) stops an ordered insert at that document:
the documents after it are sent again in the next round, under the next entry. Sessions are small
documents of ``<collection>_sessions``, written by their own relay (a heartbeat and the
checkpoint) or, once it is gone, by any sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from pymongo import DeleteOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from relais_kit.batching import DUPLICATE_KEY, BatchSettings
from relais_kit.store.ports import LedgerEntry, OutboxSession

log = logging.getLogger(__name__)
Document = dict[str, Any]
LEDGER: Final = "~outbox:"  # sorts after every aggregate id, and is not an identifier
Written = Callable[[int, list[str]], None]


def entry_id(session: str, number: int) -> str:
    return f"{LEDGER}{session}:{number:012d}"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(instant: dt.datetime) -> dt.datetime:
    # BSON dates are UTC; a client built without tz_aware hands them back naive.
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


@dataclass
class _Waiting:
    document: Document
    future: asyncio.Future[None]


class LedgerBatcher:
    """Appends of one process, sent together with their ledger entry (see the module doc)."""

    def __init__(
        self,
        commits: AsyncCollection[Document],
        sessions: AsyncCollection[Document],
        session: str,
        written: Written,
        settings: BatchSettings | None = None,
    ) -> None:
        self._commits, self._sessions, self._session = commits, sessions, session
        self._written = written
        self._settings = settings or BatchSettings()
        self._queue: list[_Waiting] = []
        self._drain: asyncio.Task[None] | None = None
        self._next = 1
        self._registered = False
        self.batches = 0

    async def insert(self, document: Document) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(document, future))
        if self._drain is None or self._drain.done():
            name = f"group-commit:{self._commits.name}"
            self._drain = asyncio.get_running_loop().create_task(self._run(), name=name)
        await asyncio.shield(future)

    async def _run(self) -> None:
        settings = self._settings
        if settings.max_delay_s > 0 and len(self._queue) < settings.max_batch:
            await asyncio.sleep(settings.max_delay_s)
        while self._queue:
            batch = self._queue[: settings.max_batch]
            del self._queue[: len(batch)]
            try:
                await self._register()
                await self._send(batch)
            except Exception as error:  # the store is down: every waiter learns why
                for waiting in batch:
                    if not waiting.future.done():
                        waiting.future.set_exception(error)

    async def register(self) -> None:
        """Write the session's document (done at start-up, so no request ever waits on it)."""
        await self._register()

    async def _register(self) -> None:
        if self._registered:
            return
        started = now()
        with contextlib.suppress(DuplicateKeyError):
            await self._sessions.insert_one(
                {
                    "_id": self._session,
                    "started_at": started,
                    "heartbeat_at": started,
                    "published_through": 0,
                }
            )
        self._registered = True

    async def _send(self, batch: list[_Waiting]) -> None:
        while batch:
            number = self._next
            ids = [w.document["_id"] for w in batch]
            entry = {
                "_id": entry_id(self._session, number),
                # Unique like a commit's pair: an entry is the aggregate "~outbox:<session>".
                "aggregate_id": f"{LEDGER}{self._session}",
                "version": number,
                "commits": ids,
                "at": now(),
            }
            self.batches += 1
            try:
                await self._commits.insert_many([entry, *(w.document for w in batch)], ordered=True)
            except BulkWriteError as error:
                [problem] = error.details.get("writeErrors", [])[:1] or [{}]
                index = int(problem.get("index", 0))
                if index == 0:  # the entry itself
                    if problem.get("code") != DUPLICATE_KEY:
                        raise
                    self._next += 1  # an earlier attempt that timed out did write it
                    continue
                self._next += 1
                done, lost, batch = batch[: index - 1], batch[index - 1], batch[index:]
                self._settle(number, done)
                lost.future.set_exception(_failure(problem))
                continue
            self._next += 1
            self._settle(number, batch)
            return

    def _settle(self, number: int, written: list[_Waiting]) -> None:
        self._written(number, [w.document["_id"] for w in written])
        for waiting in written:
            if not waiting.future.done():
                waiting.future.set_result(None)


def _failure(problem: dict[str, Any]) -> Exception:
    message = str(problem.get("errmsg", "insert failed"))
    if problem.get("code") == DUPLICATE_KEY:
        return DuplicateKeyError(message)
    return OperationFailure(message, problem.get("code"))


class Sessions:
    """The session documents and the ledger entries' reads and deletes, by exact ``_id``."""

    def __init__(
        self, commits: AsyncCollection[Document], sessions: AsyncCollection[Document]
    ) -> None:
        self._commits, self._sessions = commits, sessions

    async def all(self) -> list[OutboxSession]:
        # A scan of a collection of one document per process: small by construction.
        return [
            OutboxSession(
                session=d["_id"],
                started_at=_aware(d["started_at"]),
                heartbeat_at=_aware(d["heartbeat_at"]),
                published_through=int(d["published_through"]),
            )
            async for d in self._sessions.find({})
        ]

    async def entry(self, session: str, number: int) -> LedgerEntry | None:
        found = await self._commits.find_one({"_id": entry_id(session, number)})
        if found is None:
            return None
        return LedgerEntry(session, number, tuple(found["commits"]), _aware(found["at"]))

    async def checkpoint(self, session: str, through: int, *, alive: bool) -> None:
        found = await self._sessions.find_one({"_id": session})
        if found is None and not alive:
            return  # forgotten meanwhile by another sweep: nothing left to record
        known = int(found["published_through"]) if found else 0
        update: Document = {"published_through": max(known, through)}
        if alive:
            update["heartbeat_at"] = now()
        # Written by the session's own relay, or by sweeps once it is gone: a race between two
        # sweeps only leaves the lower of two true checkpoints, and a sweep starts over from it.
        # A live session a sweep took for stopped and forgot is written again by its heartbeat.
        await self._sessions.update_one(
            {"_id": session},
            {"$set": update, "$setOnInsert": {"started_at": now()}},
            upsert=alive,
        )
        if through > known:
            await self._forget(session, range(known + 1, through + 1))

    async def _forget(self, session: str, numbers: Iterable[int]) -> None:
        deletes = [DeleteOne({"_id": entry_id(session, n)}) for n in numbers]
        for start in range(0, len(deletes), 500):  # each an exact `_id`: one round trip per 500
            await self._commits.bulk_write(deletes[start : start + 500], ordered=False)

    async def forget_session(self, session: str) -> None:
        await self._sessions.delete_one({"_id": session})
