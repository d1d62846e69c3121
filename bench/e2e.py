"""End-to-end load of Relais on this machine (a measurement, not a test).

    uv run python -m bench.e2e [--rate 1000] [--duration 60] [--sample-every 20] [--profile]

Reports filed with ``POST /v1/reports`` (intake api) go through the outbox to Kafka, the timeline
worker projects them, and ``GET /v1/cases/{id}/timeline?min_event=`` (timeline api) shows them.
The bench uses the local Kafka and FerretDB (started if needed, stopped at the end only if it
started them), a fresh topic namespace and fresh databases, and starts the intake api, the
timeline api and the timeline worker as subprocesses on free loopback ports.

Load is open-loop (constant arrival rate, latency from each request's intended send time). One
report in ``--sample-every`` is also followed until the timeline shows it (command-to-timeline).
Two baselines run in the same process on the same machine first: raw aiokafka producer->consumer
at the same rate and record size, and a bare FastAPI endpoint under the same HTTP load. Exit 0
whether or not targets are met; non-zero only when the run itself breaks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import secrets
import shutil
import statistics
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from hdrh.histogram import HdrHistogram
from pymongo import AsyncMongoClient
from relais_events.topics import ALL_TOPICS
from relais_infra import servers
from relais_infra.layout import Layout
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings
from relais_kit.topics import TopicSettings, ensure_topics
from relais_timeline.config import BY_CASE_TOPIC

from bench import mongo_stats
from bench.baselines import bare_http, raw_kafka
from bench.e2e_report import report
from bench.http_load import PostLoad
from bench.open_loop import LoadResult, histogram
from bench.payloads import encoded
from bench.profiles import Summary, summarise
from bench.stack import Memory, Service, base_env, free_port, memory, uvicorn_argv
from bench.sweep import Step, print_sweep, steps

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / ".relais" / "bench"
RAW_TOPIC = "bench.raw.v1"


@dataclass(frozen=True)
class Run:
    """Names and places unique to one run, so it never mixes with tests or ``make run``."""

    id: str
    bootstrap: str
    mongo_uri: str
    dir: Path

    @property
    def namespace(self) -> str:
        return f"bench{self.id}."

    @property
    def intake_db(self) -> str:
        return f"bench_intake_{self.id}"

    @property
    def timeline_db(self) -> str:
        return f"bench_timeline_{self.id}"

    def env(self) -> dict[str, str]:
        keys = self.dir / "keys"
        return base_env(
            {
                "RELAIS_KAFKA_BOOTSTRAP": self.bootstrap,
                "RELAIS_MONGO_URI": self.mongo_uri,
                "RELAIS_TOPICS_NAMESPACE": self.namespace,
                "RELAIS_OTEL_EXPORTER": "none",
                "RELAIS_INTAKE_DATABASE": self.intake_db,
                "RELAIS_KEYS_DIR": str(keys),
                "RELAIS_KEY_REGISTRY": str(keys / "registry.json"),
                "RELAIS_TIMELINE_DATABASE": self.timeline_db,
                "RELAIS_TIMELINE_WORKER_GROUP": f"bench-{self.id}-timeline",
            }
        )


@dataclass
class Visibility:
    """Command-to-timeline of the sampled reports: intended send -> the timeline shows it."""

    base_url: str
    headers: dict[str, str]
    give_up_s: float
    latency_us: HdrHistogram = field(default_factory=histogram)
    seen: int = 0
    lost: int = 0
    reads: int = 0
    errors: int = 0
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    session: aiohttp.ClientSession | None = None

    def follow(self, i: int, intended: float, answer: dict[str, Any]) -> None:
        task = asyncio.create_task(self._until_visible(intended, answer))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _until_visible(self, intended: float, answer: dict[str, Any]) -> None:
        assert self.session is not None
        url = f"{self.base_url}/v1/cases/{answer['case_id']}/timeline"
        params = {"min_event": answer["min_event"]}
        deadline = intended + self.give_up_s
        while time.perf_counter() < deadline:
            try:
                async with self.session.get(url, params=params, headers=self.headers) as reply:
                    await reply.read()
                    self.reads += 1
                    if reply.status == 200:
                        latency = time.perf_counter() - intended
                        self.latency_us.record_value(max(1, int(latency * 1_000_000)))
                        self.seen += 1
                        return
                    if reply.status not in (404, 409):  # not there yet: the api waited already
                        self.errors += 1
                        await asyncio.sleep(0.1)
            except (aiohttp.ClientError, TimeoutError):
                self.errors += 1
                await asyncio.sleep(0.1)
        self.lost += 1

    async def drain(self) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=self.give_up_s + 5)
        for task in set(self.tasks):
            task.cancel()

    def percentile_ms(self, p: float) -> float:
        return float(self.latency_us.get_value_at_percentile(p)) / 1000.0


def token(role: str, departement: str) -> dict[str, str]:
    minted = mint_dev_token(
        AuthSettings(),
        sub=f"bench-{role}",
        roles=[role],
        org=f"bench-{role.replace('_', '-')}",
        jurisdictions=[departement],
        ttl=dt.timedelta(hours=2),
    )
    # Every read of case data states why (the access log keeps it).
    return {"Authorization": f"Bearer {minted}", "X-Relais-Purpose": "committee_review"}


def with_stats(env: dict[str, str], run: Run, name: str) -> dict[str, str]:
    return {**env, mongo_stats.VARIABLE: str(run.dir / f"{name}.mongo.json")}


def services(run: Run, profile: bool) -> dict[str, Service]:
    cwd = run.dir
    intake_port, timeline_port = free_port(), free_port()
    profiles = OUT / f"run-{run.id}"
    intake = Service(
        "intake-api",
        uvicorn_argv("bench.asgi:intake", intake_port, factory=True, app_dir=REPO),
        cwd,
        with_stats(run.env(), run, "intake-api"),
        port=intake_port,
        profile=profiles / "intake-api.pyisession" if profile else None,
    )
    timeline = Service(
        "timeline-api",
        uvicorn_argv("bench.asgi:timeline", timeline_port, factory=True, app_dir=REPO),
        cwd,
        with_stats(run.env(), run, "timeline-api"),
        port=timeline_port,
    )
    worker = Service(
        "timeline-worker",
        ["-m", "bench.timeline_worker"],
        cwd,
        {**with_stats(run.env(), run, "timeline-worker"), "PYTHONPATH": str(REPO)},
        profile=profiles / "timeline-worker.pyisession" if profile else None,
    )
    return {s.name: s for s in (intake, timeline, worker)}


async def warm_up(
    intake: Service, visibility: Visibility, police: dict[str, str], departement: str
) -> int:
    """A few reports until the worker has its partitions and the timeline shows one."""
    url = f"{intake.base_url}/v1/reports"
    load = PostLoad(url, police, rate=5, duration_s=2, departement=departement, sample_every=1)
    load.on_created = visibility.follow
    warm = await load.run()
    await visibility.drain()
    if warm.ok == 0 or visibility.seen == 0:
        raise RuntimeError(f"warm-up failed: {warm.ok} filed, {visibility.seen} seen {load.errors}")
    visibility.latency_us.reset()
    visibility.seen = visibility.lost = visibility.reads = visibility.errors = 0
    return warm.ok


@dataclass
class EndToEnd:
    load: LoadResult
    errors: dict[str, int]
    visibility: Visibility
    memory: list[Memory]
    body_bytes: float
    profiles: list[Summary]
    mongo: dict[str, dict[str, mongo_stats.Stat]]
    warm_up_reports: int
    recovered: LoadResult


async def end_to_end(run: Run, options: argparse.Namespace, layout: Layout) -> EndToEnd:
    procs = services(run, options.profile)
    police = token("police", options.departement)
    committee = token("committee_member", options.departement)
    try:
        for service in procs.values():
            service.start()
        await procs["intake-api"].wait_ready()
        await procs["timeline-api"].wait_ready()
        visibility = Visibility(
            procs["timeline-api"].base_url, committee, give_up_s=options.visibility_timeout
        )
        connector = aiohttp.TCPConnector(limit=options.visibility_connections)
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            visibility.session = session
            warming = warm_up(procs["intake-api"], visibility, police, options.departement)
            warmed = await asyncio.wait_for(warming, 180)
            load = PostLoad(
                f"{procs['intake-api'].base_url}/v1/reports",
                police,
                options.rate,
                options.duration,
                connections=options.connections,
                departement=options.departement,
                sample_every=options.sample_every,
                on_created=visibility.follow,
            )
            result = await load.run()
            await visibility.drain()
            # Recovery: once the load stops, a trickle must be served at once again.
            after = PostLoad(
                f"{procs['intake-api'].base_url}/v1/reports",
                police,
                rate=10,
                duration_s=3,
                departement=options.departement,
            )
            recovered = await after.run()
        used = [memory(name, service.pid) for name, service in procs.items()]
        used += server_memory(layout)
        used.append(memory("generator (this)", os.getpid()))
        crashed = [s.name for s in procs.values() if not s.alive()]
        if crashed:
            raise RuntimeError(f"{crashed} exited during the run")
    finally:
        for service in procs.values():
            service.stop()
    summaries = []
    for service in procs.values():
        if service.profile is not None and service.profile.exists():
            summaries.append(summarise(service.name, service.profile, service.profile.parent))
    body = load.body_bytes / max(result.sent, 1)
    mongo = {n: mongo_stats.load(run.dir / f"{n}.mongo.json") for n in procs}
    return EndToEnd(
        result, dict(load.errors), visibility, used, body, summaries, mongo, warmed, recovered
    )


def server_memory(layout: Layout) -> list[Memory]:
    names = {"kafka": "Kafka JVM", "ferretdb": "FerretDB"}
    return [memory(names.get(s.name, s.name), s.pid) for s in servers.status(layout)]


async def cleanup(run: Run) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(run.mongo_uri)
    try:
        for database in (run.intake_db, run.timeline_db):
            await client.drop_database(database)
    finally:
        await client.close()
    await asyncio.to_thread(delete_topics, run)


def delete_topics(run: Run) -> None:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=run.bootstrap, client_id="relais-bench")
    try:
        mine = [t for t in admin.list_topics() if t.startswith(run.namespace)]
        if mine:
            admin.delete_topics(mine, timeout_ms=30_000)
    finally:
        admin.close()


def report_size(departement: str) -> int:
    rng = random.Random(1)
    return round(statistics.mean(len(encoded(rng, departement)) for _ in range(500)))


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=1000.0, help="reports per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--baseline-duration", type=float, help="default: --duration")
    parser.add_argument("--sample-every", type=int, default=20, help="follow 1 report in N")
    parser.add_argument("--connections", type=int, default=256, help="HTTP pool of the load")
    parser.add_argument("--visibility-connections", type=int, default=128)
    parser.add_argument("--visibility-timeout", type=float, default=60.0, help="seconds")
    parser.add_argument("--departement", default="93")
    parser.add_argument("--profile", action="store_true", help="intake api and worker profiled")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the run's data and logs")
    parser.add_argument(
        "--sweep",
        type=lambda text: [float(r) for r in text.split(",") if r.strip()],
        help="rates to run one after the other on one stack, e.g. 50,100,200,400,600,800 "
        "(--duration each); prints the knee",
    )
    options = parser.parse_args(argv)
    if options.sweep:
        options.rate = max(options.sweep)  # the baselines' rate
    return options


async def measure(run: Run, options: argparse.Namespace, layout: Layout) -> None:
    topics = TopicSettings(namespace=run.namespace)
    await asyncio.to_thread(
        ensure_topics, run.bootstrap, topics, [*ALL_TOPICS, BY_CASE_TOPIC, RAW_TOPIC]
    )
    base_s = options.baseline_duration or options.duration
    if options.skip_baselines:
        base_s = 0.1
    print(f"run {run.id}: bare FastAPI baseline, {options.rate:g}/s for {base_s:g} s", flush=True)
    bare = await bare_http(
        run.dir,
        run.env(),
        free_port(),
        rate=options.rate,
        duration_s=base_s,
        connections=options.connections,
    )
    print(f"run {run.id}: raw Kafka baseline, {options.rate:g}/s for {base_s:g} s", flush=True)
    kafka = await raw_kafka(
        run.bootstrap,
        topics.name(RAW_TOPIC),
        rate=options.rate,
        duration_s=base_s,
        record_bytes=report_size(options.departement),
        partitions=topics.partitions,
    )
    if options.sweep:
        print(f"run {run.id}: sweep {options.sweep} for {options.duration:g} s each", flush=True)
        print_sweep(await sweep_run(run, options), kafka, bare)
        return
    print(f"run {run.id}: end to end, {options.rate:g}/s for {options.duration:g} s", flush=True)
    e2e = await end_to_end(run, options, layout)
    report(options, e2e, kafka, bare)


async def sweep_run(run: Run, options: argparse.Namespace) -> list[Step]:
    procs = services(run, False)
    police = token("police", options.departement)
    committee = token("committee_member", options.departement)
    try:
        for service in procs.values():
            service.start()
        await procs["intake-api"].wait_ready()
        await procs["timeline-api"].wait_ready()
        visibility = Visibility(
            procs["timeline-api"].base_url, committee, give_up_s=options.visibility_timeout
        )
        connector = aiohttp.TCPConnector(limit=options.visibility_connections)
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            visibility.session = session
            await asyncio.wait_for(
                warm_up(procs["intake-api"], visibility, police, options.departement), 180
            )
            found = await steps(procs, visibility, police, options)
        crashed = [s.name for s in procs.values() if not s.alive()]
        if crashed:
            raise RuntimeError(f"{crashed} exited during the run")
        return found
    finally:
        for service in procs.values():
            service.stop()


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    layout = Layout.from_env()
    started = servers.up(layout)
    run_id = secrets.token_hex(3)
    run = Run(run_id, layout.kafka_bootstrap, layout.mongo_uri, OUT / f"work-{run_id}")
    run.dir.mkdir(parents=True, exist_ok=True)
    if options.profile:
        (OUT / f"run-{run_id}").mkdir(parents=True, exist_ok=True)
    broken = False
    try:
        asyncio.run(measure(run, options, layout))
    except Exception:
        broken = True
        traceback.print_exc()
        print(f"bench broke; logs kept in {run.dir}", file=sys.stderr)
    finally:
        if not options.keep:
            with contextlib.suppress(Exception):
                asyncio.run(cleanup(run))
            if not broken:
                shutil.rmtree(run.dir, ignore_errors=True)
        if started:
            servers.down(layout, set(started))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
