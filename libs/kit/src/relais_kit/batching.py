"""Group commit: the concurrent inserts of one process go to the store as one ``insert_many``.

A FerretDB round trip costs about a millisecond of its CPU and as much of the driver's whatever
its size, and SQLite takes one write lock per database file: a hundred requests that each insert
one document cost a hundred round trips and a hundred lock waits; sent together they cost one.
(DESIGN.md "Store rules"; the figures are in ``bench/store.py``.)

``insert(document)`` queues the document and returns once it is written, or raises the
``DuplicateKeyError`` of that one document: the other documents of the batch are not affected
(``ordered=False``). A drain task sends what is queued, at most ``max_batch`` at a time, after
waiting ``max_delay_s`` for company when the queue is short; documents that arrive while a batch
is in flight form the next one, so the batch grows with the load and a lone insert waits only
``max_delay_s``. At most ``concurrency`` batches are in flight. No task outlives its queue, so
nothing is left running when a test's event loop closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from relais_kit.replacing import STATEMENTS_PER_COMMAND, replace_by_id

log = logging.getLogger(__name__)
DUPLICATE_KEY = 11000
Document = dict[str, Any]


@dataclass(frozen=True)
class BatchSettings:
    max_batch: int = 500
    max_delay_s: float = 0.0003
    concurrency: int = 1


class InsertBatcher:
    def __init__(
        self, collection: AsyncCollection[Document], settings: BatchSettings | None = None
    ) -> None:
        self._collection = collection
        self._settings = settings or BatchSettings()
        self._queue: list[tuple[Document, asyncio.Future[None]]] = []
        self._drains: set[asyncio.Task[None]] = set()
        self.batches = 0  # round trips sent (for benches and tests)

    async def insert(self, document: Document) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((document, future))
        if len(self._drains) < self._settings.concurrency:
            name = f"group-commit:{self._collection.name}"
            self._drains.add(asyncio.create_task(self._drain(), name=name))
        # Shielded: a caller that gives up (a cancelled request) leaves the batch intact.
        await asyncio.shield(future)

    async def insert_all(self, documents: list[Document], *, ignore_duplicates: bool) -> None:
        """Each document through the batcher; duplicates ignored or the first one raised."""
        results = await asyncio.gather(*(self.insert(d) for d in documents), return_exceptions=True)
        for result in results:
            if isinstance(result, DuplicateKeyError) and ignore_duplicates:
                continue
            if isinstance(result, BaseException):
                raise result

    async def _drain(self) -> None:
        settings = self._settings
        try:
            if settings.max_delay_s > 0 and len(self._queue) < settings.max_batch:
                await asyncio.sleep(settings.max_delay_s)
            while self._queue:
                batch = self._queue[: settings.max_batch]
                del self._queue[: len(batch)]
                await self._send(batch)
        finally:
            # In the same step as the empty-queue check: an insert queued after it starts a
            # new drain instead of waiting for one that has already decided to end.
            task = asyncio.current_task()
            if task is not None:
                self._drains.discard(task)

    async def _send(self, batch: list[tuple[Document, asyncio.Future[None]]]) -> None:
        self.batches += 1
        failed: dict[int, Mapping[str, Any]] = {}
        try:
            await self._collection.insert_many([d for d, _ in batch], ordered=False)
        except BulkWriteError as error:
            failed = {e["index"]: e for e in error.details.get("writeErrors", [])}
        except Exception as error:  # the store is down: every waiter learns why
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        for index, (_, future) in enumerate(batch):
            if future.done():
                continue
            problem = failed.get(index)
            if problem is None:
                future.set_result(None)
            elif problem.get("code") == DUPLICATE_KEY:
                future.set_exception(DuplicateKeyError(str(problem.get("errmsg", ""))))
            else:
                message = str(problem.get("errmsg", "insert failed"))
                future.set_exception(OperationFailure(message, problem.get("code")))


class WriteBehind:
    """Replaces documents by ``_id`` in the background, the latest per ``_id`` winning.

    For hints only (snapshots): a write may be lost in a crash, and a loser of a race may land
    last; readers must never depend on it being current. ``flush()`` waits for what is queued.
    One drain task per collection, in update commands FerretDB can serve (``relais_kit.replacing``).
    """

    def __init__(
        self, collection: AsyncCollection[Document], max_batch: int = STATEMENTS_PER_COMMAND
    ) -> None:
        if not 1 <= max_batch < 100:
            raise ValueError("1 to 99 replaces per command (see relais_kit.replacing)")
        self._collection = collection
        self._max_batch = max_batch
        self._pending: dict[Any, Document] = {}
        self._drain: asyncio.Task[None] | None = None
        self.batches = 0

    def put(self, document: Document) -> None:
        self._pending[document["_id"]] = document
        if self._drain is None or self._drain.done():
            name = f"write-behind:{self._collection.name}"
            self._drain = asyncio.get_running_loop().create_task(self._run(), name=name)

    async def flush(self) -> None:
        while self._drain is not None and not self._drain.done():
            await asyncio.shield(self._drain)

    async def close(self) -> None:
        """Write what is queued, then stop; a write that fails is dropped (a hint)."""
        with contextlib.suppress(Exception):
            await self.flush()

    async def _run(self) -> None:
        while self._pending:
            keys = list(self._pending)[: self._max_batch]
            docs = [self._pending.pop(k) for k in keys]
            self.batches += 1
            try:
                await replace_by_id(self._collection, docs, per_command=self._max_batch)
            except Exception as error:  # a lost hint: the next commit writes another
                log.warning("%d snapshot writes dropped: %r", len(docs), error)
