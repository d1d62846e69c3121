"""A background pass run every few seconds or hours in a service process: a sweep.

What FerretDB cannot do for us (no TTL index, DESIGN.md store rule 5) a process does by itself:
purge old idempotency records, purge access entries past their retention. A pass that fails is
logged and the next one runs as planned (a sweep left undone for one period is harmless); the
first pass runs one period after the start, not during it, so a start stays quick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, every_s: float, action: Callable[[], Awaitable[object]]) -> None:
        if every_s <= 0:
            raise ValueError("a periodic pass needs a positive period")
        self.name, self.every_s, self._action = name, every_s, action
        self._task: asyncio.Task[None] | None = None
        self.passes = 0  # completed passes (for tests and logs)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name=f"periodic:{self.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_once(self) -> None:
        try:
            await self._action()
        except Exception:
            log.exception(
                "periodic pass %s failed; the next one runs in %ss", self.name, self.every_s
            )
        else:
            self.passes += 1

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            await self.run_once()
