"""Fault 5: an api process ``kill -9``ed between its commits' inserts and their publication.

To be sure the kill lands in that window, the broker is away while the reports are filed (an api
answers 201 once the commit is in the store, ``relais_kit.outbox``): the intake api holds
acknowledged, unpublished commits when it is killed. Kafka comes back, a new intake api process
starts (a new outbox session); its sweep finds the dead session's ledger (``store/ledger.py``,
``mongo_outbox.py``) once that session has been silent ``outbox_stopped_after_s``, and publishes
each of those commits once: every acknowledged event is exactly once in the intake topic, not
merely once on the timeline.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from relais_events.topics import INTAKE

from tests.reliability.figures import report
from tests.reliability.load import converge, event_ids_on, run_load, scale
from tests.reliability.stack import Stack

pytestmark = pytest.mark.servers


async def test_the_sweep_publishes_a_killed_apis_commits_once(stack: Stack) -> None:
    before = await run_load(stack, rate=10, duration_s=3, seed=1)  # published at once
    await converge(stack, before)

    stack.servers.kill("kafka")
    during = await run_load(stack, rate=10, duration_s=6 * scale(), seed=2)
    stack["intake-api"].kill()  # its commits are in the store, not in Kafka
    await asyncio.to_thread(stack.servers.up, "kafka")
    restarted_at = time.monotonic()
    await stack.start("intake-api")  # a new process: a new outbox session

    load = type(during)(
        ops=[*before.ops, *during.ops], problems=[*before.problems, *during.problems]
    )
    seen = await converge(stack, load)
    published_s = time.monotonic() - restarted_at
    log = await event_ids_on(stack.servers.kafka_bootstrap, f"{stack.namespace}{INTAKE}")
    reports = [op for op in load.acknowledged if op.kind == "report"]
    killed = [op for op in during.acknowledged if op.kind == "report"]
    expected = {e for op in reports for e in op.event_ids}
    twice = sorted(e for e in expected if log[e] > 1)
    report(
        "intake api kill -9 before publishing",
        load,
        seen,
        acknowledged_unpublished_at_kill=len(killed),
        on_the_log_once=sum(log[e] == 1 for e in expected),
        on_the_log_twice=len(twice),
        swept_within_s=f"{published_s:.1f}",
    )
    assert killed  # the kill did catch acknowledged commits that no one had published
    assert load.problems == []
    assert all(op.acknowledged for op in during.ops if op.kind == "report")
    assert {e for e in expected if log[e] == 0} == set()  # none lost
    assert twice == []  # and the sweep published each once
    assert seen.missing == []
    assert seen.duplicates == 0
    assert seen.report_entries == len(reports)
    assert seen.unpublished == {}
