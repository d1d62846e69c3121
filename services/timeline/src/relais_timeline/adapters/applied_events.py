"""The events the worker has placed on timelines, as this process knows them.

``announce`` is told each notice (by ``KafkaAppliedFeed``, or directly in a test); a read that
``expecting(event_id)`` wakes as soon as its event is announced. Only the last ``remember`` ids
are kept, and only the reads waiting hold a future: memory is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator


class _Placed:
    def __init__(self, future: asyncio.Future[None]) -> None:
        self.future = future

    async def wait(self, timeout_s: float) -> bool:
        try:
            await asyncio.wait_for(asyncio.shield(self.future), max(0.0, timeout_s))
        except TimeoutError:
            return False
        return True


class AppliedRegistry:
    def __init__(self, remember: int = 200_000) -> None:
        self._remember = remember
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._waiting: dict[str, list[asyncio.Future[None]]] = {}

    def announce(self, event_ids: Iterable[str]) -> None:
        for event_id in event_ids:
            self._recent[event_id] = None
            for future in self._waiting.pop(event_id, ()):
                if not future.done():
                    future.set_result(None)
        while len(self._recent) > self._remember:
            self._recent.popitem(last=False)

    @contextlib.contextmanager
    def expecting(self, event_id: str) -> Iterator[_Placed]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if event_id in self._recent:
            future.set_result(None)
        else:
            self._waiting.setdefault(event_id, []).append(future)
        try:
            yield _Placed(future)
        finally:
            waiting = self._waiting.get(event_id, [])
            if future in waiting:
                waiting.remove(future)
                if not waiting:
                    del self._waiting[event_id]
