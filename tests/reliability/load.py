"""The open-loop load of the reliability suite, what it saw, and what the timelines show after.

Requests leave at a constant rate whatever the services do (a fault does not slow the load
down). Each one is a report filed at the intake (it opens a case) or, one in three, an
application for a protection order on a case already acknowledged. A client that gets a 503 or
no answer (a connection refused, a timeout) retries the same request with the same
``Idempotency-Key`` after the ``Retry-After`` it was given, as a well-behaved client does, until
``retry_for_s`` after the load ends; every answer is counted. Afterwards ``converge`` reads every
case the committee of the département can list, and checks what the promise says: every
acknowledged event is on its case's timeline exactly once, and nothing else is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from pymongo import AsyncMongoClient
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings

from tests.reliability.stack import Stack

DEP = "93"
Json = dict[str, Any]
# A request still unanswered after this is a hang (the client gives up and retries).
HANG_S = 15.0


def scale() -> float:
    """``RELAIS_RELIABILITY_SCALE`` multiplies every load's duration (``make reliability``)."""
    return float(os.environ.get("RELAIS_RELIABILITY_SCALE", "1") or 1)


def headers(role: str, sub: str, purpose: str | None = None) -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(),
        sub=sub,
        roles=[role],
        org=f"org-{role}",
        jurisdictions=[DEP],
        ttl=dt.timedelta(hours=2),
    )
    found = {"Authorization": f"Bearer {token}"}
    return found | ({"X-Relais-Purpose": purpose} if purpose else {})


POLICE = headers("police", "opj-93")
CLERK = headers("justice_clerk", "greffe-93")
MEMBER = headers("committee_member", "member-93", "committee_review")


def report_body(rng: random.Random) -> Json:
    return {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": DEP,
        "minor_victim": False,
        "victim": {"last_name": rng.choice(["Martin", "Diallo", "Nguyen"]), "first_name": "Léa"},
        "narrative": "Coups portés au domicile.",
    }


@dataclass
class Op:
    """One logical request of the load and everything it was answered."""

    kind: str  # "report" or "order"
    key: str
    answers: list[int | str] = field(default_factory=list)  # statuses, or "timeout"/"refused"
    body: Json | None = None  # the 201's body
    slowest_s: float = 0.0

    @property
    def acknowledged(self) -> bool:
        return self.body is not None

    @property
    def case_id(self) -> str:
        assert self.body is not None
        return str(self.body["case_id"])

    @property
    def event_ids(self) -> list[str]:
        assert self.body is not None
        return list(self.body["event_ids"] if self.kind == "report" else self.body["committed"])


@dataclass
class Load:
    """What the load sent and was answered."""

    ops: list[Op] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # 500s, and 503s without Retry-After

    @property
    def acknowledged(self) -> list[Op]:
        return [op for op in self.ops if op.acknowledged]

    def answers(self) -> Counter[str]:
        return Counter(str(a) for op in self.ops for a in op.answers)

    @property
    def hangs(self) -> int:
        return sum("timeout" in op.answers for op in self.ops)


async def run_load(
    stack: Stack,
    *,
    rate: float,
    duration_s: float,
    retry_for_s: float = 90.0,
    seed: int = 15,
) -> Load:
    """Send ``rate`` requests a second for ``duration_s`` (open loop); wait for every retry."""
    rng = random.Random(seed)
    load = Load()
    acked_cases: list[str] = []
    give_up = time.monotonic() + duration_s + retry_for_s
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    timeout = httpx.Timeout(HANG_S, connect=2.0)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:

        async def attempt(op: Op, url: str, body: Json, auth: dict[str, str]) -> None:
            while time.monotonic() < give_up:
                began = time.monotonic()
                try:
                    answer = await client.post(
                        url, json=body, headers=auth | {"Idempotency-Key": op.key}
                    )
                except httpx.TimeoutException:
                    op.answers.append("timeout")
                    op.slowest_s = max(op.slowest_s, time.monotonic() - began)
                    continue
                except httpx.TransportError:  # refused or cut: the process is down
                    op.answers.append("refused")
                    await asyncio.sleep(0.5)
                    continue
                op.slowest_s = max(op.slowest_s, time.monotonic() - began)
                op.answers.append(answer.status_code)
                if answer.status_code in (200, 201):
                    op.body = answer.json()
                    if op.kind == "report":
                        acked_cases.append(op.case_id)
                    return
                retry = answer.headers.get("retry-after")
                if answer.status_code >= 500 and (answer.status_code != 503 or not retry):
                    load.problems.append(f"{op.kind} {answer.status_code}: {answer.text[:300]}")
                if answer.status_code not in (409, 503):
                    return  # a 4xx is the answer: retrying cannot change it
                await asyncio.sleep(min(float(retry or 1), 2.0))

        async def one(i: int) -> None:
            if i % 3 == 2 and acked_cases:
                case_id = rng.choice(acked_cases)
                op = Op("order", f"order-{seed}-{i}")
                at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30)
                body: Json = {
                    "order_id": f"op-{stack.run_id}-{seed}-{i}",
                    "case_id": case_id,
                    "departement": DEP,
                    "applicant": "victim",
                    "at": at.isoformat(),
                }
                load.ops.append(op)
                await attempt(op, f"{stack['po-api'].url}/v1/protection-orders", body, CLERK)
            else:
                op = Op("report", f"report-{seed}-{i}")
                load.ops.append(op)
                await attempt(op, f"{stack['intake-api'].url}/v1/reports", report_body(rng), POLICE)

        tasks: set[asyncio.Task[None]] = set()
        start = time.monotonic()
        for i in range(int(rate * duration_s)):
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(one(i))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(set(tasks))
    return load


@dataclass
class Convergence:
    """What the timelines show once the platform has caught up."""

    cases: int = 0  # cases on the committee's list
    applied: int = 0  # acknowledged events found on their timeline
    missing: list[str] = field(default_factory=list)  # acknowledged, not on the timeline
    duplicates: int = 0  # entries beyond the first of one event id
    report_entries: int = 0  # report.filed entries over every listed case
    unacknowledged: int = 0  # entries of events no 201 announced (a write whose answer was lost)
    case_hashes: dict[str, str] = field(default_factory=dict)
    unpublished: dict[str, int] = field(default_factory=dict)  # commits per database


async def unpublished(stack: Stack) -> dict[str, int]:
    """Commits of each service's outbox with no "published" marker (``relais_kit.store``)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.servers.mongo_uri, serverSelectionTimeoutMS=5000
    )
    found = {}
    try:
        for database in ("intake", "po", "timeline"):
            db = client[f"rel_{database}_{stack.run_id}"]
            commits = {d["_id"] async for d in db["commits"].find({}, {"_id": 1})}
            marked = {d["_id"] async for d in db["commits_published"].find({}, {"_id": 1})}
            found[database] = len({c for c in commits if not c.startswith("~")} - marked)
    finally:
        await client.close()
    return found


async def drained(stack: Stack, within_s: float = 30.0) -> dict[str, int]:
    """Wait until every outbox is published (or ``within_s``); what is left per database."""
    deadline = time.monotonic() + within_s
    while any(left := await unpublished(stack)) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(1)  # another process's store: nothing to wait on but a poll
    return {k: v for k, v in left.items() if v}


async def committee_cases(client: httpx.AsyncClient, stack: Stack) -> list[str]:
    found: list[str] = []
    offset: int | None = 0
    while offset is not None:
        answer = await client.get(
            f"{stack['timeline-api'].url}/v1/committees/{DEP}/cases",
            params={"limit": 100, "offset": offset},
            headers=MEMBER,
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found.extend(c["case_id"] for c in page["cases"])
        offset = page["next_offset"]
    return found


async def converge(stack: Stack, load: Load, *, within_s: float = 90.0) -> Convergence:
    """Wait until every acknowledged event is on its timeline (or ``within_s`` passed), then
    count, over every case the committee lists, what is there."""
    expected: dict[str, set[str]] = {}
    for op in load.acknowledged:
        expected.setdefault(op.case_id, set()).update(op.event_ids)
    acknowledged = {e for ids in expected.values() for e in ids}
    deadline = time.monotonic() + within_s
    result = Convergence()
    gate = asyncio.Semaphore(8)
    timeline_url = f"{stack['timeline-api'].url}/v1/cases"
    async with httpx.AsyncClient(timeout=30.0) as client:

        async def read(case_id: str) -> list[Json]:
            async with gate:
                while True:
                    answer = await client.get(f"{timeline_url}/{case_id}/timeline", headers=MEMBER)
                    if answer.status_code == 200:
                        body: Json = answer.json()
                        ids = {e["event_id"] for e in body["entries"]}
                        if expected.get(case_id, set()) <= ids or time.monotonic() > deadline:
                            result.case_hashes[case_id] = body["case_hash"]
                            return list(body["entries"])
                    elif answer.status_code != 404 or time.monotonic() > deadline:
                        assert answer.status_code == 404, answer.text
                        return []
                    await asyncio.sleep(0.5)

        # Every acknowledged case first (waiting for it), then whatever else the list shows.
        entries = dict(zip(expected, await asyncio.gather(*map(read, expected)), strict=True))
        listed = await committee_cases(client, stack)
        others = [c for c in listed if c not in entries]
        entries.update(zip(others, await asyncio.gather(*map(read, others)), strict=True))
    result.cases = len(set(listed) | set(expected))
    result.unpublished = await drained(stack)
    for case_id, found in entries.items():
        ids = [e["event_id"] for e in found]
        result.duplicates += len(ids) - len(set(ids))
        result.report_entries += sum(e["type"] == "report.filed" for e in found)
        result.unacknowledged += len(set(ids) - acknowledged)
        wanted = expected.get(case_id, set())
        result.applied += len(wanted & set(ids))
        result.missing.extend(sorted(wanted - set(ids)))
    return result


async def records_on(bootstrap: str, topic: str) -> list[Any]:
    """Every record of ``topic`` from offset 0 to its end now (aiokafka ``ConsumerRecord``s)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    found: list[Any] = []
    try:
        cluster = await consumer._client.fetch_all_metadata()  # the harness's way (tests/)
        partitions = [TopicPartition(topic, p) for p in cluster.partitions_for_topic(topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)

        async def behind() -> bool:
            return any([await consumer.position(tp) < end for tp, end in ends.items()])

        while await behind():
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found.extend(
                    r for r in records if r.offset < ends[TopicPartition(topic, r.partition)]
                )
    finally:
        await consumer.stop()
    return found


async def event_ids_on(bootstrap: str, topic: str) -> Counter[str]:
    """How many times each event id is in ``topic``, from offset 0 to its end now."""
    found: Counter[str] = Counter()
    for record in await records_on(bootstrap, topic):
        found.update(v.decode() for k, v in record.headers or () if k == "ce_id")
    return found
