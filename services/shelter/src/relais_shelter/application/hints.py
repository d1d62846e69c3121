"""What this process believes is taken, so that a command tries the places and units likely free.

Hints never decide anything: the reservation insert does (a hint that is wrong costs a lost
insert and a retry, never a double booking). Commands of one process pick disjoint candidates
(a candidate is marked before the insert is awaited), so they never collide with each other;
only another process's inserts are discovered as duplicates. When every slot of a night looks
taken the hint is refreshed by exact look-ups (places freed by another process), once for all
the commands waiting on that night.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from relais_shelter.domain.keys import Pool, place_key, place_of

NightPool = tuple[str, dt.date, Pool]  # site, night, pool


@dataclass
class _Night:
    taken: set[int] = field(default_factory=set)  # believed taken, in flight included
    in_flight: set[int] = field(default_factory=set)  # picked here, insert not answered yet
    generation: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class PlaceHints:
    _nights: dict[NightPool, _Night] = field(default_factory=dict)

    def _of(self, key: NightPool) -> _Night:
        return self._nights.setdefault(key, _Night())

    def pick(self, key: NightPool, slots: int, count: int) -> list[int]:
        """Up to ``count`` slots below ``slots`` not believed taken, marked taken now."""
        night = self._of(key)
        picked = [s for s in range(slots) if s not in night.taken][:count]
        night.taken.update(picked)
        night.in_flight.update(picked)
        return picked

    def answered(self, key: NightPool, slot: int) -> None:
        """The slot's insert was answered (won or lost: either way it exists now)."""
        self._of(key).in_flight.discard(slot)

    def forget(self, key: NightPool, slot: int) -> None:
        """The slot is free again (this process gave it back, or never inserted it)."""
        night = self._of(key)
        night.taken.discard(slot)
        night.in_flight.discard(slot)

    def forget_keys(self, keys: Iterable[str]) -> None:
        """The place keys among ``keys`` are free again."""
        for key in keys:
            place = place_of(key)
            if place is not None:
                site_id, night, pool, slot = place
                self.forget((site_id, night, pool), slot)

    def generation(self, key: NightPool) -> int:
        return self._of(key).generation

    async def refresh(
        self,
        key: NightPool,
        slots: int,
        seen: int,
        holders: Callable[[list[str]], Awaitable[dict[str, str]]],
    ) -> None:
        """Re-read which slots exist, unless another command did since generation ``seen``
        (slots this process is inserting right now stay taken: they are not visible yet)."""
        night = self._of(key)
        async with night.lock:
            if night.generation != seen:
                return
            site, day, pool = key
            keys = [place_key(site, day, pool, s) for s in range(slots)]
            found = await holders(keys)
            night.taken = {s for s, k in enumerate(keys) if k in found} | night.in_flight
            night.generation += 1


@dataclass
class _Envelope:
    next_unit: int | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class UnitHints:
    _envelopes: dict[str, _Envelope] = field(default_factory=dict)

    async def pick(
        self, envelope_id: str, nights: int, count: int, start: Callable[[], Awaitable[int]]
    ) -> list[int]:
        """The next ``count`` units below ``nights`` this process has not tried; ``start``
        (how many the ledger shows claimed) tells a fresh process where to begin."""
        known = self._envelopes.setdefault(envelope_id, _Envelope())
        if known.next_unit is None:
            async with known.lock:
                if known.next_unit is None:
                    known.next_unit = min(await start(), nights)
        first = known.next_unit
        picked = list(range(first, min(first + count, nights)))
        known.next_unit = first + len(picked)
        return picked
