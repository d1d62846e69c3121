"""Fault 2: one broker of a three-node KRaft cluster ``kill -9``ed and restarted during the load.

The launcher starts the cluster (``relais-infra up --brokers 3``: each node a broker and a
controller, every topic with 3 replicas and ``min.insync.replicas=2``); every producer is
idempotent with ``acks=all`` (``relais_kit.producers``), so an acknowledged record is on two
nodes at least before the relay marks its commit published. One node is killed in the middle
of the load and brought back with ``relais-infra up``.

Promise: 0 acknowledged events lost, 0 duplicates on the timelines, no 500; the node rejoins.
Slow answers are printed (``hangs``: no answer within the client's 15 s) but not asserted: on
this shared 2-core machine three JVMs restarting a node starve the services of CPU.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.reliability.figures import report
from tests.reliability.load import converge, run_load, scale
from tests.reliability.stack import OwnServers, Stack

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnServers]:
    own = OwnServers(tmp_path_factory.mktemp("reliability-cluster"), brokers=3)
    own.up()
    try:
        yield own
    finally:
        own.down()


@pytest.fixture
async def on_cluster(cluster: OwnServers, tmp_path: Path) -> AsyncIterator[Stack]:
    running = Stack(cluster, tmp_path / "stack")
    await running.start()
    try:
        yield running
    finally:
        running.stop()


async def test_a_killed_broker_of_three_loses_and_duplicates_nothing(on_cluster: Stack) -> None:
    stack, duration = on_cluster, 18 * scale()
    load_task = asyncio.create_task(run_load(stack, rate=12, duration_s=duration))
    await asyncio.sleep(duration / 3)
    stack.servers.kill("kafka-2")
    killed_at = time.monotonic()
    await asyncio.sleep(duration / 4)
    comeback_s = await asyncio.to_thread(stack.servers.up)
    outage_s = time.monotonic() - killed_at
    load = await load_task

    seen = await converge(stack, load)
    report(
        "1 of 3 brokers kill -9",
        load,
        seen,
        outage_s=f"{outage_s:.1f}",
        relais_infra_up_s=f"{comeback_s:.1f}",
    )
    assert load.problems == []
    assert len(load.acknowledged) == len(load.ops)
    assert seen.missing == []
    assert seen.duplicates == 0
    assert seen.report_entries == len([op for op in load.acknowledged if op.kind == "report"])
    assert seen.unpublished == {}
    assert stack.servers.managed("kafka-2").pid() is not None
