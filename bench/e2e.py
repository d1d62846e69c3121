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
from bench.baselines import HttpBaseline, KafkaBaseline, bare_http, raw_kafka
from bench.http_load import PostLoad
from bench.open_loop import LoadResult, histogram
from bench.payloads import encoded
from bench.profiles import Summary, summarise
from bench.stack import Memory, Service, base_env, free_port, memory, uvicorn_argv

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / ".relais" / "bench"
RAW_TOPIC = "bench.raw.v1"

TARGET_RATE, TARGET_DURATION_S = 1000.0, 60.0
TARGET_HTTP_P99_MS, TARGET_VISIBLE_P99_MS, TARGET_RSS_MB = 50.0, 250.0, 200.0


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
    return {"Authorization": f"Bearer {minted}"}


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
    return EndToEnd(result, dict(load.errors), visibility, used, body, summaries, mongo, warmed)


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


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def fmt_mb(value: float | None) -> str:
    return f"{value:7.1f}" if value is not None else "    n/a"


def report(
    options: argparse.Namespace, e2e: EndToEnd, kafka: KafkaBaseline, bare: HttpBaseline
) -> None:
    load, vis = e2e.load, e2e.visibility
    http_p99 = load.percentile_ms(99)
    vis_p99 = vis.percentile_ms(99)
    at_target = options.rate >= TARGET_RATE and options.duration >= TARGET_DURATION_S
    sustained = at_target and load.achieved >= 0.99 * TARGET_RATE and load.failed == 0
    print(f"\n== Relais end to end: {options.rate:g} reports/s for {options.duration:g} s ==")
    print(f"report body: {e2e.body_bytes:.0f} B avg; 1 in {options.sample_every} followed")
    print(
        f"sent {load.sent}, ok {load.ok}, errors {load.failed} {e2e.errors or ''}; "
        f"sustained {load.achieved:.1f} reports/s over {load.elapsed_s:.1f} s   "
        f"[target 1000/s for 60 s: {met(sustained)}{'' if at_target else ', rate/duration below'}]"
    )
    print(
        f"HTTP POST latency   p50 {load.percentile_ms(50):8.1f} ms  p99 {http_p99:8.1f} ms  "
        f"p99.9 {load.percentile_ms(99.9):8.1f} ms   [target p99 <= 50 ms: "
        f"{met(load.ok > 0 and http_p99 <= TARGET_HTTP_P99_MS)}]"
    )
    print(
        f"command-to-timeline p50 {vis.percentile_ms(50):8.1f} ms  p99 {vis_p99:8.1f} ms  "
        f"max {vis.latency_us.get_max_value() / 1000:8.1f} ms  ({vis.seen} seen, {vis.lost} "
        f"not within {options.visibility_timeout:g} s, {vis.reads} reads, {vis.errors} errors)"
        f"   [target p99 <= 250 ms: {met(vis.seen > 0 and vis.lost == 0 and vis_p99 <= 250)}]"
    )
    print("memory (MB)              pid   current    peak (VmHWM)   [target <= 200 MB each]")
    for m in e2e.memory:
        ok = m.peak_mb is not None and m.peak_mb <= TARGET_RSS_MB
        print(
            f"  {m.name:<18} {m.pid or '-':>7}  {fmt_mb(m.current_mb)}  {fmt_mb(m.peak_mb)}"
            f"        {met(ok) if m.peak_mb is not None else 'unknown'}"
        )
    print("-- baselines, same run, same machine --")
    print(
        f"(a) raw aiokafka producer->consumer, {kafka.sent} records: {kafka.throughput:.1f} "
        f"records/s, produce->consume p50 {kafka.percentile_ms(50):.1f} ms p99 "
        f"{kafka.percentile_ms(99):.1f} ms (producer ack p99 {kafka.produce.percentile_ms(99):.1f}"
        f" ms, {kafka.received}/{kafka.sent} received)"
    )
    b = bare.load
    print(
        f"(b) bare FastAPI POST: {b.achieved:.1f} req/s, errors {b.failed} {bare.errors or ''}, "
        f"p50 {b.percentile_ms(50):.1f} ms p99 {b.percentile_ms(99):.1f} ms "
        f"p99.9 {b.percentile_ms(99.9):.1f} ms, peak RSS {fmt_mb(bare.memory.peak_mb).strip()} MB"
    )
    bare_p99 = b.percentile_ms(99)
    print(
        f"ratios: intake p99 / bare p99 = {http_p99 / bare_p99 if bare_p99 else float('nan'):.1f}"
        f"; e2e throughput / raw Kafka throughput = "
        f"{load.achieved / kafka.throughput if kafka.throughput else float('nan'):.3f}"
    )
    for name, stats in e2e.mongo.items():
        print_mongo(name, stats, load.ok + e2e.warm_up_reports)
    for summary in e2e.profiles:
        print_profile(summary)


def print_mongo(name: str, stats: dict[str, mongo_stats.Stat], reports: int) -> None:
    """Where a process waited on FerretDB (whole life: warm-up and load)."""
    total = sum(s.total_ms for s in stats.values())
    count = sum(s.count for s in stats.values())
    print(
        f"-- Mongo commands of {name}: {count} commands, {total / 1000:.1f} s in total "
        f"(process lifetime; per report = per filed report, warm-up included) --"
    )
    ranked = sorted(stats.items(), key=lambda kv: kv[1].total_ms, reverse=True)[:6]
    for command, s in ranked:
        failed = f"  failed {s.failed}" if s.failed else ""
        print(
            f"   {command:<34} n={s.count:<7} avg {s.total_ms / max(s.count, 1):7.1f} ms  max "
            f"{s.max_ms:7.0f} ms  total {s.total_ms / 1000:6.1f} s  "
            f"({s.count / max(reports, 1):.1f}/report){failed}"
        )


def print_profile(summary: Summary) -> None:
    busy = summary.duration_s - summary.idle_s
    print(
        f"-- profile {summary.name}: {summary.duration_s:.1f} s wall, {busy:.1f} s busy "
        f"(main thread); {summary.html} --"
    )
    print("   self time (busy share):")
    for spot in summary.by_self:
        print(f"   {spot.share:6.1%} {spot.seconds:7.2f}s  {spot.label}")
    print("   inclusive, relais code:")
    for spot in summary.by_total:
        print(f"   {spot.share:6.1%} {spot.seconds:7.2f}s  {spot.label}")


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
    return parser.parse_args(argv)


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
    print(f"run {run.id}: end to end, {options.rate:g}/s for {options.duration:g} s", flush=True)
    e2e = await end_to_end(run, options, layout)
    report(options, e2e, kafka, bare)


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
