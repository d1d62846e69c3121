"""`Idempotency-Key` as a client sees it: repeats get the first answer and write nothing."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException
from opentelemetry.sdk.trace import TracerProvider
from pymongo import AsyncMongoClient
from relais_kit.app import create_app
from relais_kit.application import ManualClock
from relais_kit.auth import Policy, Principal, Role, require
from relais_kit.http.idempotency_stores import (
    IdempotencyRecord,
    IdempotencyStore,
    MemoryIdempotencyStore,
    MongoIdempotencyStore,
    StoredAnswer,
)
from relais_kit.http.schemas import StrictModel
from relais_kit.settings import ServiceSettings


class ReportIn(StrictModel):
    summary: str


@dataclass
class Handler:
    """The route's side: counts runs, can fail once, can be held until released."""

    runs: int = 0
    fail_next: bool = False
    missing_next: bool = False
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    hold: asyncio.Event | None = None
    written: list[str] = field(default_factory=list)


def build(store: IdempotencyStore, handler: Handler, wait_s: float = 5.0) -> FastAPI:
    router = APIRouter()

    @router.post("/v1/reports", status_code=201)
    async def file_report(
        report: ReportIn, principal: Annotated[Principal, Depends(require("report.file"))]
    ) -> dict[str, str]:
        handler.runs += 1
        handler.entered.set()
        if handler.hold is not None:
            await handler.hold.wait()
        if handler.fail_next:
            handler.fail_next = False
            raise RuntimeError("store down")
        if handler.missing_next:  # e.g. a case this service has not learnt yet
            handler.missing_next = False
            raise HTTPException(404)
        handler.written.append(report.summary)
        return {"report_id": f"r-{handler.runs}", "by": principal.sub}

    settings = ServiceSettings(service_name="kit-idem", idempotency_wait_s=wait_s)
    return create_app(
        settings,
        routers=[router],
        policy=Policy({"report.file": {Role.POLICE}}),
        idempotency=store,
        tracer_provider=TracerProvider(),
    )


Serve = Callable[..., Any]
Bearer = Callable[..., dict[str, str]]


def keyed(bearer: Bearer, key: str, sub: str = "u1") -> dict[str, str]:
    return {**bearer("police", sub=sub), "Idempotency-Key": key}


async def test_a_repeat_gets_the_first_answer(serve: Serve, bearer: Bearer) -> None:
    handler = Handler()
    async with serve(build(MemoryIdempotencyStore(), handler)) as client:
        first = await client.post("/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "k1"))
        again = await client.post("/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "k1"))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() == {"report_id": "r-1", "by": "u1"}
    assert again.headers["idempotent-replayed"] == "true"
    assert handler.runs == 1


async def test_the_same_key_with_another_body_is_a_422(serve: Serve, bearer: Bearer) -> None:
    handler = Handler()
    async with serve(build(MemoryIdempotencyStore(), handler)) as client:
        await client.post("/v1/reports", json={"summary": "a"}, headers=keyed(bearer, "k2"))
        other = await client.post("/v1/reports", json={"summary": "b"}, headers=keyed(bearer, "k2"))
    assert other.status_code == 422
    assert other.json()["type"] == "urn:relais:problem:idempotency-key-reused"
    assert handler.written == ["a"]


async def test_keys_belong_to_their_caller(serve: Serve, bearer: Bearer) -> None:
    handler = Handler()
    async with serve(build(MemoryIdempotencyStore(), handler)) as client:
        for sub in ("u1", "u2"):
            sent = keyed(bearer, "shared", sub=sub)
            assert (await client.post("/v1/reports", json={"summary": "s"}, headers=sent)).json()[
                "by"
            ] == sub
    assert handler.runs == 2


async def test_without_a_key_every_post_runs(serve: Serve, bearer: Bearer) -> None:
    handler = Handler()
    async with serve(build(MemoryIdempotencyStore(), handler)) as client:
        for _ in range(2):
            await client.post("/v1/reports", json={"summary": "s"}, headers=bearer("police"))
    assert handler.runs == 2


async def test_a_malformed_key_is_a_400(serve: Serve, bearer: Bearer) -> None:
    async with serve(build(MemoryIdempotencyStore(), Handler())) as client:
        response = await client.post(
            "/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "a:b")
        )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_failed_first_attempt_can_be_retried(serve: Serve, bearer: Bearer) -> None:
    handler = Handler(fail_next=True)
    async with serve(build(MemoryIdempotencyStore(), handler), raise_app_exceptions=False) as c:
        failed = await c.post("/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "k3"))
        retried = await c.post("/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "k3"))
    assert (failed.status_code, retried.status_code) == (500, 201)
    assert handler.written == ["s"]


async def test_a_404_is_not_kept_as_the_keys_answer(serve: Serve, bearer: Bearer) -> None:
    """What is missing now may be there on the retry (a case learnt from intake meanwhile)."""
    handler = Handler(missing_next=True)
    async with serve(build(MemoryIdempotencyStore(), handler)) as c:
        first = await c.post("/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "k9"))
        again = await c.post("/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "k9"))
    assert (first.status_code, again.status_code) == (404, 201)
    assert handler.written == ["s"]


async def test_an_unauthenticated_attempt_does_not_burn_the_key(
    serve: Serve, bearer: Bearer
) -> None:
    handler = Handler()
    async with serve(build(MemoryIdempotencyStore(), handler)) as client:
        bad = {"Authorization": "Bearer nope", "Idempotency-Key": "k4"}
        assert (
            await client.post("/v1/reports", json={"summary": "s"}, headers=bad)
        ).status_code == 401
        ok = await client.post("/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "k4"))
    assert ok.status_code == 201


class WatchedStore(MemoryIdempotencyStore):
    """Tells the test when a repeat has found the first request still running."""

    def __init__(self) -> None:
        super().__init__()
        self.saw_pending = asyncio.Event()

    async def load(self, record_id: str) -> IdempotencyRecord | None:
        record = await super().load(record_id)
        if record is not None and record.answer is None:
            self.saw_pending.set()
        return record


async def test_a_concurrent_repeat_waits_for_the_first_answer(serve: Serve, bearer: Bearer) -> None:
    handler, store = Handler(hold=asyncio.Event()), WatchedStore()
    async with serve(build(store, handler)) as client:
        headers = keyed(bearer, "k5")
        first = asyncio.create_task(
            client.post("/v1/reports", json={"summary": "s"}, headers=headers)
        )
        await handler.entered.wait()
        second = asyncio.create_task(
            client.post("/v1/reports", json={"summary": "s"}, headers=headers)
        )
        await store.saw_pending.wait()
        assert handler.hold is not None
        handler.hold.set()
        answers = await asyncio.gather(first, second)
    assert [a.json() for a in answers] == [{"report_id": "r-1", "by": "u1"}] * 2
    assert answers[1].headers["idempotent-replayed"] == "true"
    assert handler.runs == 1


async def test_a_repeat_that_waits_too_long_gets_a_409(serve: Serve, bearer: Bearer) -> None:
    handler = Handler(hold=asyncio.Event())
    async with serve(build(MemoryIdempotencyStore(), handler, wait_s=0.05)) as client:
        headers = keyed(bearer, "k6")
        first = asyncio.create_task(
            client.post("/v1/reports", json={"summary": "s"}, headers=headers)
        )
        await handler.entered.wait()
        busy = await client.post("/v1/reports", json={"summary": "s"}, headers=headers)
        assert handler.hold is not None
        handler.hold.set()
        assert (await first).status_code == 201
    assert busy.status_code == 409
    assert busy.json()["type"] == "urn:relais:problem:idempotency-key-in-progress"
    assert handler.runs == 1


@pytest.mark.servers
async def test_with_mongo_a_repeat_writes_nothing_new(
    serve: Serve, bearer: Bearer, servers: Any
) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    database = client[servers.database("kit_idem_http")]
    handler = Handler()
    try:
        async with serve(build(MongoIdempotencyStore(database), handler)) as http:
            answers = [
                await http.post("/v1/reports", json={"summary": "s"}, headers=keyed(bearer, "m1"))
                for _ in range(3)
            ]
        assert {a.text for a in answers} == {answers[0].text}
        assert handler.runs == 1
        assert await database["idempotency_keys"].count_documents({}) == 1
    finally:
        await client.drop_database(database.name)
        await client.close()


class CrashingStore(MemoryIdempotencyStore):
    """Loses the writes of the first request's end, as when its process dies mid-request."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock, dt.timedelta(seconds=30))
        self.crashed = True

    async def complete(self, record_id: str, answer: StoredAnswer) -> None:
        if not self.crashed:
            await super().complete(record_id, answer)

    async def release(self, record_id: str) -> None:
        if not self.crashed:
            await super().release(record_id)


async def test_a_key_whose_request_crashed_is_taken_over_after_its_lease(
    serve: Serve, bearer: Bearer
) -> None:
    """Issue 13: a crash mid-request must not leave the key claimed forever."""
    clock = ManualClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    store, handler = CrashingStore(clock), Handler()
    async with serve(build(store, handler, wait_s=0.05)) as client:
        headers, body = keyed(bearer, "k-crash"), {"summary": "s"}
        await client.post("/v1/reports", json=body, headers=headers)  # its end is lost
        store.crashed = False
        within = await client.post("/v1/reports", json=body, headers=headers)
        assert within.status_code == 409  # the lease still runs: maybe it is alive
        clock.advance(dt.timedelta(seconds=30))
        after = await client.post("/v1/reports", json=body, headers=headers)
        assert after.status_code == 201, after.text
        again = await client.post("/v1/reports", json=body, headers=headers)
    assert handler.runs == 2  # the crashed run, then the takeover's; never a third
    assert again.json() == after.json()
    assert again.headers["idempotent-replayed"] == "true"


async def test_of_concurrent_repeats_after_the_lease_one_runs_it_and_the_others_replay(
    serve: Serve, bearer: Bearer
) -> None:
    """The first attempt's process died after its claim (or the store was away for its release,
    fault 4 of the reliability suite): of several repeats after the lease, one takes the key
    over and runs the request, the others get its answer; it never runs twice."""
    clock = ManualClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    store, handler = CrashingStore(clock), Handler()
    async with serve(build(store, handler, wait_s=2.0)) as client:
        body, headers = {"summary": "s"}, keyed(bearer, "k-dead")
        await client.post("/v1/reports", json=body, headers=headers)  # its end is lost
        store.crashed = False
        clock.advance(dt.timedelta(seconds=30))
        repeats = await asyncio.gather(
            *(client.post("/v1/reports", json=body, headers=headers) for _ in range(3))
        )
    assert [r.status_code for r in repeats] == [201, 201, 201]
    assert len({r.text for r in repeats}) == 1  # one answer, replayed to the others
    assert handler.runs == 2  # the dead run, then one takeover's
