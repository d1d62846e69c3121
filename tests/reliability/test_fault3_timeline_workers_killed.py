"""Fault 3: the timeline worker ``kill -9``ed 5 times during the load, then a second worker
joining its consumer group (a rebalance in the middle of the load).

Promise: the live case hashes equal those of a rebuild from offset 0 (``relais-audit rebuild``,
which replays every context topic into an empty database and compares), and count(201) equals
count(report entries): a batch handled but not committed when the worker died is delivered
again and changes nothing (the projection is idempotent), and none is skipped.
"""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.reliability.figures import report
from tests.reliability.load import converge, run_load, scale
from tests.reliability.stack import Stack

pytestmark = pytest.mark.servers

KILLS = 5


async def test_killed_and_rebalanced_workers_converge_to_the_rebuild(stack: Stack) -> None:
    duration = 20 * scale()
    load_task = asyncio.create_task(run_load(stack, rate=15, duration_s=duration))
    worker = stack["timeline-worker"]
    for _ in range(KILLS):
        await asyncio.sleep(duration * 0.6 / KILLS)
        worker.kill()
        await stack.start("timeline-worker")
    second = stack.extra_worker("timeline-worker-2")
    await stack.start(second.name)  # the group rebalances while the load goes on
    load = await load_task

    seen = await converge(stack, load)
    code, out = await stack.relais_audit("rebuild", "--timeout-s", "60")
    compared = re.search(r"compared (\d+) timelines, (\d+) mismatches", out)
    reports = [op for op in load.acknowledged if op.kind == "report"]
    rebalances = sum(1 for _ in stack.logs_with("timeline owns"))
    report(
        "timeline worker kill -9 x5 + second worker",
        load,
        seen,
        worker_starts=worker.starts,
        rebalances_seen=rebalances,
        rebuild=compared.group(0) if compared else out[-300:],
    )
    assert worker.starts == KILLS + 1
    assert second.alive()
    assert load.problems == []
    assert len(load.acknowledged) == len(load.ops)
    assert seen.missing == []
    assert seen.duplicates == 0
    assert seen.report_entries == len(reports)  # count(201) == count(report entries)
    assert code == 0, out
    assert compared is not None
    assert int(compared.group(1)) >= len(reports)
    assert compared.group(2) == "0"
