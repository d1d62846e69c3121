"""Shelter allocations under contention beside the intake report rate (a measurement, not a test).

    uv run --frozen python -m bench.shelter [--clients 32] [--seconds 15] [--sites 4] [--places 25]

The shelter and intake apis run in this process (ASGI, the services' own factories) against the
shared Kafka and FerretDB named by ``RELAIS_KAFKA_BOOTSTRAP`` / ``RELAIS_MONGO_URI`` (defaults:
the launcher's ports), with fresh databases and a fresh topic namespace, dropped at the end.
``--clients`` closed-loop clients first file intake reports for ``--seconds``; the shelter
worker (its loops run in this process too) learns the cases from intake's topic, and the bench
waits until it knew every case filed (printed: how long after the phase). Then the clients
allocate for as long, for those cases, on a few sites (1 or 2 adults, 1 to 4 nights, a first
night among 60: the nights fill up and 409s appear), through the same in-process HTTP client.
Prints the rates, the 409s and the latencies of both phases: the ratio is what an allocation
costs next to a report here.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import secrets
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from hdrh.histogram import HdrHistogram
from pymongo import AsyncMongoClient
from relais_intake.bootstrap import bootstrap as intake_bootstrap
from relais_intake.config import IntakeSettings
from relais_intake.entrypoints.api import create_app as intake_app
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings
from relais_kit.topics import TopicSettings, ensure_topics
from relais_shelter.bootstrap import bootstrap as shelter_bootstrap
from relais_shelter.config import ShelterSettings
from relais_shelter.entrypoints.api import create_app as shelter_app
from relais_shelter.entrypoints.worker import run_worker as shelter_worker

from bench.payloads import report

FIRST_NIGHT = dt.date(2026, 3, 2)
WINDOW = 60  # nights declared by every site


def headers(role: str, org: str) -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(), sub=f"{org}-bench", roles=[role], org=org, jurisdictions=["93"]
    )
    return {"Authorization": f"Bearer {token}"}


OPERATOR = headers("shelter_operator", "chrs-bench")
OFFICER = headers("police", "pn-93")


async def closed_loop(
    clients: int, seconds: float, call: Callable[[int], Awaitable[int]]
) -> tuple[Counter[int], HdrHistogram, float]:
    statuses: Counter[int] = Counter()
    latency = HdrHistogram(1, 60_000_000, 3)
    counter = iter(range(10**9))
    started = time.perf_counter()
    deadline = started + seconds

    async def client() -> None:
        while time.perf_counter() < deadline:
            sent = time.perf_counter()
            statuses[await call(next(counter))] += 1
            latency.record_value(max(1, int((time.perf_counter() - sent) * 1e6)))

    await asyncio.gather(*(client() for _ in range(clients)))
    return statuses, latency, time.perf_counter() - started


def line(name: str, statuses: Counter[int], latency: HdrHistogram, elapsed: float) -> float:
    done = sum(statuses.values())
    rate = done / elapsed
    print(
        f"{name:<12} {done:>6} requests in {elapsed:5.1f} s = {rate:7.1f}/s   statuses"
        f" {dict(sorted(statuses.items()))}   p50 {latency.get_value_at_percentile(50) / 1000:.1f}"
        f" ms  p99 {latency.get_value_at_percentile(99) / 1000:.1f} ms"
    )
    return rate


async def main(options: argparse.Namespace) -> None:
    kafka = os.environ.get("RELAIS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    mongo = os.environ.get("RELAIS_MONGO_URI", "mongodb://127.0.0.1:27017/")
    run = secrets.token_hex(3)
    names = TopicSettings(namespace=f"bench-shelter-{run}.")
    await asyncio.to_thread(ensure_topics, kafka, names)
    common: dict[str, Any] = {
        "kafka_bootstrap": kafka,
        "mongo_uri": mongo,
        "topics_namespace": names.namespace,
        "max_in_flight": 4 * options.clients,
    }
    shelter_settings = ShelterSettings(
        database=f"bench_shelter_{run}", worker_group=f"bench-shelter-{run}", **common
    )
    served = shelter_bootstrap(shelter_settings)
    shelter = shelter_app(shelter=served)
    stop = asyncio.Event()
    worker = asyncio.create_task(shelter_worker(shelter_bootstrap(shelter_settings), stop))
    filed: list[str] = []
    intake = intake_app(
        intake=intake_bootstrap(IntakeSettings(database=f"bench_intake_{run}", **common))
    )
    rng = random.Random(7)
    try:
        async with (
            shelter.router.lifespan_context(shelter),
            intake.router.lifespan_context(intake),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=shelter), base_url="http://sh", timeout=60
            ) as sh,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=intake), base_url="http://in", timeout=60
            ) as ik,
        ):
            sites = []
            for n in range(options.sites):
                body = {"departement": "93", "name": f"Site {n}", "address": f"{n} rue du Banc"}
                site_id = (await sh.post("/v1/sites", json=body, headers=OPERATOR)).json()[
                    "site_id"
                ]
                last = FIRST_NIGHT + dt.timedelta(days=WINDOW - 1)
                capacity = {
                    "first_night": FIRST_NIGHT.isoformat(),
                    "last_night": last.isoformat(),
                    "places": options.places,
                }
                await sh.post(f"/v1/sites/{site_id}/capacity", json=capacity, headers=OPERATOR)
                sites.append(site_id)

            async def allocate(n: int) -> int:
                first = FIRST_NIGHT + dt.timedelta(days=rng.randrange(WINDOW - 4))
                body = {
                    "case_id": rng.choice(filed),
                    "site_id": rng.choice(sites),
                    "first_night": first.isoformat(),
                    "nights": rng.randint(1, 4),
                    "adults": [f"pk-{n}-{i}" for i in range(rng.randint(1, 2))],
                    "consent_given": True,
                }
                answer = await sh.post("/v1/allocations", json=body, headers=OPERATOR)
                return answer.status_code

            async def file(n: int) -> int:
                answer = await ik.post("/v1/reports", json=report(rng, "93"), headers=OFFICER)
                if answer.status_code == 201:
                    filed.append(answer.json()["case_id"])
                return answer.status_code

            print(
                f"== shelter bench: {options.clients} clients, {options.sites} sites x"
                f" {options.places} places x {WINDOW} nights, {options.seconds:g} s per phase =="
            )
            reports = line("reports", *await closed_loop(options.clients, options.seconds, file))
            waited = time.perf_counter()
            pending = list(filed)
            while pending:
                if await served.services.cases.get(pending[-1]) is None:
                    await asyncio.sleep(0.05)
                    continue
                pending.pop()
            print(
                f"the shelter worker knew all {len(filed)} cases at most"
                f" {time.perf_counter() - waited:.1f} s after the last report (one read a case)"
            )
            allocations = line(
                "allocations", *await closed_loop(options.clients, options.seconds, allocate)
            )
            print(f"allocations/s per intake report/s: {allocations / reports:.2f}")
    finally:
        stop.set()
        await asyncio.wait_for(worker, 30)
        cleaner: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo)
        for database in (f"bench_shelter_{run}", f"bench_intake_{run}"):
            await cleaner.drop_database(database)
        await cleaner.close()


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--sites", type=int, default=4)
    parser.add_argument("--places", type=int, default=25)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse()))
