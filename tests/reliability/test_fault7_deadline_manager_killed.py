"""Fault 7: the deadline process manager (the protection-orders worker, the kit's
``relais_kit.due``) ``kill -9``ed again and again around the due instants of its deadlines.

Provisional orders (OPPI) must be decided within 24 elapsed hours of their request (C. civ. art.
515-13-1, ``DeadlinePolicy.provisional_decision_hours``): requests recorded as made 24 hours ago
minus a few seconds fall due one after another, 2.5 s apart, while the worker is killed a
fraction of a second after a due instant whenever it is up (and restarted, under the same
replica name: it recovers its own unfinished claims at once) and the usual load goes on.

Promise: each deadline's ``provisional_order.overdue`` is emitted exactly once: one event per
order in the protection-orders log (by event id) and one entry on its case's timeline.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections import Counter

import httpx
import orjson
import pytest
from relais_events.topics import PROTECTION_ORDERS

from tests.reliability.figures import note
from tests.reliability.load import (
    CLERK,
    DEP,
    MEMBER,
    POLICE,
    headers,
    records_on,
    report_body,
    run_load,
)
from tests.reliability.stack import Stack

pytestmark = pytest.mark.servers

ORDERS = 12
SPACING = dt.timedelta(seconds=2.5)
PROSECUTOR = headers("prosecutor", "parquet-93")
OVERDUE = "provisional_order.overdue"


async def test_each_deadline_fires_once_though_its_manager_is_killed(stack: Stack) -> None:
    await stack.start("po-worker")
    po, rng = stack["po-api"].url, random.Random(7)
    orders: dict[str, str] = {}  # order -> its own case
    async with httpx.AsyncClient(timeout=15.0) as client:
        now = dt.datetime.now(dt.UTC)
        first_due = now + dt.timedelta(seconds=10)
        for n in range(ORDERS):
            filed = await client.post(
                f"{stack['intake-api'].url}/v1/reports", json=report_body(rng), headers=POLICE
            )
            assert filed.status_code == 201, filed.text
            order_id, case_id = f"op-{stack.run_id}-oppi-{n}", filed.json()["case_id"]
            applied = {
                "order_id": order_id,
                "case_id": case_id,
                "departement": DEP,
                "applicant": "victim",
                "at": (now - dt.timedelta(hours=25)).isoformat(),
            }
            answer = await client.post(f"{po}/v1/protection-orders", json=applied, headers=CLERK)
            assert answer.status_code == 201, answer.text
            # Due 24 hours after the request: from 10 s from now on, 2.5 s apart.
            requested = first_due + n * SPACING - dt.timedelta(hours=24)
            answer = await client.post(
                f"{po}/v1/protection-orders/{order_id}/provisional-order",
                json={"at": requested.isoformat(), "victim_agreement": True},
                headers=PROSECUTOR,
            )
            assert answer.status_code == 200, answer.text
            orders[order_id] = case_id

        load_task = asyncio.create_task(run_load(stack, rate=8, duration_s=30, seed=7))
        worker, kills = stack["po-worker"], 0
        for n in range(ORDERS):
            # A tick (0.5 s) after the due instant, the manager is claiming or firing it.
            at = first_due + n * SPACING + dt.timedelta(seconds=rng.uniform(0.3, 0.8))
            wait = (at - dt.datetime.now(dt.UTC)).total_seconds()
            if wait < 0:
                continue  # still restarting from the last kill
            await asyncio.sleep(wait)
            worker.kill()
            kills += 1
            await stack.start("po-worker")
        load = await load_task

        # Every deadline fired, and its event reached the timeline.
        deadline, on_timeline = time.monotonic() + 60, Counter[str]()
        while time.monotonic() < deadline:
            on_timeline.clear()
            for order_id, case_id in orders.items():
                answer = await client.get(
                    f"{stack['timeline-api'].url}/v1/cases/{case_id}/timeline", headers=MEMBER
                )
                if answer.status_code == 200:
                    types = [e["type"] for e in answer.json()["entries"]]
                    on_timeline[order_id] = types.count(OVERDUE)
            if all(on_timeline[o] >= 1 for o in orders):
                break
            await asyncio.sleep(1)

    log = await records_on(stack.servers.kafka_bootstrap, f"{stack.namespace}{PROTECTION_ORDERS}")
    fired: dict[str, set[str]] = {}
    for record in log:
        event = orjson.loads(record.value)
        if event.get("type") == OVERDUE:
            fired.setdefault(event["aggregateid"], set()).add(event["id"])
    refired = sum(1 for _ in stack.logs_with("refired"))
    note(
        "deadline manager kill -9 around due instants",
        deadlines=ORDERS,
        worker_kills=kills,
        fired_once=sum(len(fired.get(o, ())) == 1 for o in orders),
        fired_twice_or_more=sum(len(fired.get(o, ())) > 1 for o in orders),
        on_timeline_once=sum(on_timeline[o] == 1 for o in orders),
        refired_visits_logged=refired,
        load_sent=len(load.ops),
        load_acknowledged=len(load.acknowledged),
    )
    assert kills >= 3  # a restart takes seconds here: some due instants pass while it starts
    assert {o: len(fired.get(o, ())) for o in orders} == dict.fromkeys(orders, 1)
    assert dict(on_timeline) == dict.fromkeys(orders, 1)
    assert load.problems == []
    assert len(load.acknowledged) == len(load.ops)
