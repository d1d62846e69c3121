"""Fault 6: 10 % of the records delivered twice, and poison records in every context topic.

During the load a second producer re-sends a tenth of what the relays published (the exact bytes
and headers, as a producer retry or a republished commit would) and three poison records per
context topic: not JSON, an unknown event type, and headers that contradict the value.

Promise: no state changes twice (no entry twice on a timeline, count(201) equals count(report
entries), the live case hashes equal the rebuild from offset 0), and every poison record is on
the dead-letter topic with its reason and its place (topic, partition, offset) in the log.
"""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from relais_events.envelope import new_event_id
from relais_events.topics import CONTEXT_TOPICS, DEADLETTER, INTAKE, PROTECTION_ORDERS

from tests.reliability.figures import report
from tests.reliability.load import converge, records_on, run_load, scale
from tests.reliability.stack import Stack

pytestmark = pytest.mark.servers


def poisons(sample: Any) -> list[tuple[str, bytes, list[tuple[str, bytes]]]]:
    """(reason, value, headers) of the three kinds, made from one good record."""
    unknown = orjson.loads(sample.value) | {"type": "report.teleported", "id": new_event_id()}
    lying = [(k, b"case.closed" if k == "ce_type" else v) for k, v in sample.headers]
    return [
        ("bad_json", b"{not json", []),
        ("unknown_type", orjson.dumps(unknown), []),
        ("header_mismatch", sample.value, lying),
    ]


async def test_duplicates_change_nothing_and_every_poison_is_dead_lettered(stack: Stack) -> None:
    duration = 16 * scale()
    rng = random.Random(6)
    bootstrap = stack.servers.kafka_bootstrap
    load_task = asyncio.create_task(run_load(stack, rate=15, duration_s=duration))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    duplicated: set[tuple[str, int, int]] = set()
    injected: list[tuple[str, str, int, int]] = []  # reason, topic, partition, offset
    try:
        for round_ in range(2):
            await asyncio.sleep(duration / 2)
            for base in (INTAKE, PROTECTION_ORDERS):
                topic = f"{stack.namespace}{base}"
                fresh = [
                    r
                    for r in await records_on(bootstrap, topic)
                    if (r.topic, r.partition, r.offset) not in duplicated
                ]
                for record in rng.sample(fresh, len(fresh) // 10):
                    duplicated.add((record.topic, record.partition, record.offset))
                    await producer.send_and_wait(
                        topic, key=record.key, value=record.value, headers=list(record.headers)
                    )
                if round_ == 0:
                    sample = fresh[0]
                    for other in CONTEXT_TOPICS:
                        for reason, value, headers in poisons(sample):
                            sent = await producer.send_and_wait(
                                f"{stack.namespace}{other}",
                                key=sample.key,
                                value=value,
                                headers=headers,
                            )
                            injected.append((reason, sent.topic, sent.partition, sent.offset))
                    break  # one sample poisons every topic once
    finally:
        await producer.stop()
    load = await load_task

    seen = await converge(stack, load)
    code, out = await stack.relais_audit("rebuild", "--timeout-s", "60")
    compared = re.search(r"compared (\d+) timelines, (\d+) mismatches", out)
    letters = [
        orjson.loads(r.value) for r in await records_on(bootstrap, f"{stack.namespace}{DEADLETTER}")
    ]
    lettered = {(x["reason"], x["topic"], x["partition"], x["offset"]) for x in letters}
    reports = [op for op in load.acknowledged if op.kind == "report"]
    report(
        "10% duplicates + poison",
        load,
        seen,
        duplicated_records=len(duplicated),
        poison_injected=len(injected),
        dead_lettered=len(letters),
        poison_dead_lettered=len(set(injected) & lettered),
        # Letters of records not injected here (reason, topic), e.g. a poison lettered by two
        # consumer groups of its topic: shown, so that a good record dead-lettered is seen.
        other_letters=sorted((r, t) for r, t, _, _ in lettered - set(injected)),
        rebuild=compared.group(0) if compared else out[-300:],
    )
    assert len(duplicated) >= len(load.acknowledged) // 10  # the fault was there
    assert len(injected) == 3 * len(CONTEXT_TOPICS)
    assert set(injected) <= lettered  # each with its reason and its place in the log
    assert seen.missing == []
    assert seen.duplicates == 0
    assert seen.report_entries == len(reports)
    assert code == 0, out
    assert compared is not None
    assert compared.group(2) == "0"
