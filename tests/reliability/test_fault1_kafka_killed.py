"""Fault 1: Kafka ``kill -9`` during the load, restarted with ``relais-infra up``.

Promise: every report answered 201 reaches its timeline exactly once; the outbox relay resumes by
itself (no service is restarted); while the broker is away nothing hangs and nothing answers 500:
a write is acknowledged once its commit is in the store (the relay publishes it when Kafka is
back), and what cannot be served answers 503 with ``Retry-After`` (``/readyz`` included).
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.reliability.figures import report
from tests.reliability.load import converge, run_load, scale
from tests.reliability.stack import Stack

pytestmark = pytest.mark.servers


async def test_a_killed_broker_loses_no_acknowledged_report(stack: Stack) -> None:
    duration = 16 * scale()
    load_task = asyncio.create_task(run_load(stack, rate=15, duration_s=duration))
    await asyncio.sleep(duration / 4)

    stack.servers.kill("kafka")
    killed_at = time.monotonic()
    # /readyz must turn 503 once the api's client notices the broker is gone (within 10 s).
    async with httpx.AsyncClient(timeout=10.0) as client:
        while True:
            began = time.monotonic()
            ready = await client.get(f"{stack['intake-api'].url}/readyz")
            readyz_s = time.monotonic() - began
            if ready.status_code != 200 or time.monotonic() - killed_at > 10:
                break
            await asyncio.sleep(0.2)
    await asyncio.sleep(max(0.0, duration / 3 - 2))
    comeback_s = await asyncio.to_thread(stack.servers.up, "kafka")
    outage_s = time.monotonic() - killed_at

    load = await load_task
    seen = await converge(stack, load)
    reports = [op for op in load.acknowledged if op.kind == "report"]
    report(
        "kafka kill -9",
        load,
        seen,
        outage_s=f"{outage_s:.1f}",
        relais_infra_up_s=f"{comeback_s:.1f}",
        readyz_during_outage=ready.status_code,
    )
    assert ready.status_code == 503
    assert readyz_s < 5  # answered, not hung: the probe's own bound is 2 s
    assert load.problems == []
    assert load.hangs == 0
    assert len(load.acknowledged) == len(load.ops)  # every request got its 201 in the end
    assert seen.missing == []
    assert seen.duplicates == 0
    assert seen.report_entries == len(reports)
    assert seen.unacknowledged == 0
    assert seen.unpublished == {}  # every relay resumed by itself: its outbox is empty
    assert all(p.starts == 1 and p.alive() for p in stack.processes.values() if p.starts)
