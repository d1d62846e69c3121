"""What ``bench.e2e`` prints: figures against the targets, baselines, ratios, processes."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bench import mongo_stats
from bench.baselines import HttpBaseline, KafkaBaseline
from bench.profiles import Summary
from bench.stack import Memory

if TYPE_CHECKING:
    from bench.e2e import EndToEnd

TARGET_RATE, TARGET_DURATION_S = 400.0, 60.0
TARGET_HTTP_P99_MS, TARGET_VISIBLE_P99_MS = 100.0, 1000.0


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
        f"[target 400/s for 60 s: {met(sustained)}{'' if at_target else ', rate/duration below'}]"
    )
    print(
        f"HTTP POST latency   p50 {load.percentile_ms(50):8.1f} ms  p99 {http_p99:8.1f} ms  "
        f"p99.9 {load.percentile_ms(99.9):8.1f} ms   [target p99 <= 100 ms: "
        f"{met(load.ok > 0 and http_p99 <= TARGET_HTTP_P99_MS)}]"
    )
    print(
        f"command-to-timeline p50 {vis.percentile_ms(50):8.1f} ms  p99 {vis_p99:8.1f} ms  "
        f"max {vis.latency_us.get_max_value() / 1000:8.1f} ms  ({vis.seen} seen, {vis.lost} "
        f"not within {options.visibility_timeout:g} s, {vis.reads} reads, {vis.errors} errors)"
        f"   [target p99 <= 1 s: {met(vis.seen > 0 and vis.lost == 0 and vis_p99 <= 1000)}]"
    )
    refused = e2e.errors.get("HTTP 503", 0)
    print(
        f"503 (at capacity, Retry-After): {refused}; slowest answer "
        f"{load.latency_us.get_max_value() / 1000:.0f} ms"
    )
    back = e2e.recovered
    print(
        f"after the load, 10/s for 3 s: {back.ok}/{back.sent} answered 201, "
        f"p99 {back.percentile_ms(99):.1f} ms"
    )
    print_memory(e2e.memory)
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
    print(round_trips(e2e.mongo, load.ok + e2e.warm_up_reports))
    for name, stats in e2e.mongo.items():
        print_mongo(name, stats, load.ok + e2e.warm_up_reports)
    for summary in e2e.profiles:
        print_profile(summary)


def print_memory(used: list[Memory]) -> None:
    print("process                  pid   RSS MB    peak MB   CPU s")
    for m in used:
        cpu = f"{m.cpu_s:7.1f}" if m.cpu_s is not None else "    n/a"
        print(
            f"  {m.name:<18} {m.pid or '-':>7}  {fmt_mb(m.current_mb)}  {fmt_mb(m.peak_mb)}  {cpu}"
        )


def round_trips(mongo: dict[str, dict[str, mongo_stats.Stat]], reports: int) -> str:
    """Store commands of every process of the run, per filed report (warm-up included)."""
    count = sum(s.count for stats in mongo.values() for s in stats.values())
    parts = ", ".join(
        f"{name} {sum(s.count for s in stats.values()) / max(reports, 1):.2f}"
        for name, stats in mongo.items()
    )
    return f"{count / max(reports, 1):.2f} store round trips per filed report ({parts})"


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
