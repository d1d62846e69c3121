"""A worker's loops run side by side; one failing stops the rest and is raised."""

from __future__ import annotations

import asyncio

import pytest
from relais_kit.runtime import run_loops


async def test_a_failing_loop_stops_the_others_and_is_raised() -> None:
    stop = asyncio.Event()
    cancelled = asyncio.Event()

    async def waits() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def fails() -> None:
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError, match="the store went away"):
        await asyncio.wait_for(run_loops(stop, waits(), fails()), 5)
    assert stop.is_set()
    assert cancelled.is_set()


async def test_loops_that_end_on_stop_end_the_run() -> None:
    stop = asyncio.Event()
    ended: list[str] = []

    async def loop(name: str) -> None:
        await stop.wait()
        ended.append(name)

    running = asyncio.create_task(run_loops(stop, loop("a"), loop("b")))
    stop.set()
    await asyncio.wait_for(running, 5)
    assert sorted(ended) == ["a", "b"]
