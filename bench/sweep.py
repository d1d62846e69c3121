"""``python -m bench.e2e --sweep 50,100,200,400,600,800``: one stack, a series of rates.

Per rate: throughput, errors and 503s, HTTP p50/p99, command-to-timeline p50/p99, and the RSS
and CPU seconds each process spent at that rate; then the raw-aiokafka and bare-FastAPI
baselines of the same run, the ratios, and the KNEE: the highest rate served with HTTP
p99 <= 100 ms and no error (a 503 is an error here: it is load the stack did not take).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

from bench.baselines import HttpBaseline, KafkaBaseline
from bench.http_load import PostLoad
from bench.open_loop import LoadResult
from bench.stack import Service, cpu_seconds, memory

KNEE_P99_MS = 100.0


@dataclass
class Step:
    rate: float
    load: LoadResult
    errors: dict[str, int]
    seen: int
    lost: int
    visible_p50_ms: float
    visible_p99_ms: float
    cpu_s: dict[str, float]
    rss_mb: dict[str, float]

    @property
    def clean(self) -> bool:
        return self.load.failed == 0 and self.load.percentile_ms(99) <= KNEE_P99_MS


async def steps(
    procs: dict[str, Service],
    visibility: object,
    police: dict[str, str],
    options: argparse.Namespace,
) -> list[Step]:
    from bench.e2e import Visibility

    assert isinstance(visibility, Visibility)
    found = []
    for rate in options.sweep:
        before = {n: cpu_seconds(s.pid) or 0.0 for n, s in procs.items() if s.pid}
        visibility.latency_us.reset()
        visibility.seen = visibility.lost = 0
        load = PostLoad(
            f"{procs['intake-api'].base_url}/v1/reports",
            police,
            rate,
            options.duration,
            connections=options.connections,
            departement=options.departement,
            sample_every=options.sample_every,
            on_created=visibility.follow,
        )
        result = await load.run()
        await visibility.drain()
        after = {n: cpu_seconds(s.pid) or 0.0 for n, s in procs.items() if s.pid}
        found.append(
            Step(
                rate,
                result,
                dict(load.errors),
                visibility.seen,
                visibility.lost,
                visibility.percentile_ms(50),
                visibility.percentile_ms(99),
                {n: after[n] - before.get(n, 0.0) for n in after},
                {n: memory(n, s.pid).current_mb or 0.0 for n, s in procs.items()},
            )
        )
        print(f"  {rate:g}/s done: {result.achieved:.0f}/s, p99 {result.percentile_ms(99):.0f} ms")
        await asyncio.sleep(5)  # let the stack drain what queued before the next rate
    return found


def print_sweep(found: list[Step], kafka: KafkaBaseline, bare: HttpBaseline) -> None:
    print("\n== sweep ==")
    print(" rate   got/s  errors  503s  HTTP p50   p99 ms   c2t p50    p99 ms  lost  CPU s each")
    for s in found:
        cpu = ", ".join(f"{n} {v:.1f}" for n, v in s.cpu_s.items())
        print(
            f"{s.rate:5.0f} {s.load.achieved:7.1f} {s.load.failed:7d}"
            f" {s.errors.get('HTTP 503', 0):5d}"
            f" {s.load.percentile_ms(50):9.1f} {s.load.percentile_ms(99):8.1f}"
            f" {s.visible_p50_ms:9.1f} {s.visible_p99_ms:9.1f} {s.lost:5d}  {cpu}"
        )
    for s in found:
        rss = ", ".join(f"{n} {v:.0f}" for n, v in s.rss_mb.items())
        print(f"  RSS MB after {s.rate:g}/s: {rss}")
    clean = [s.rate for s in found if s.clean]
    knee = max(clean) if clean else None
    print(
        f"knee (highest rate with HTTP p99 <= {KNEE_P99_MS:.0f} ms and no error): "
        f"{f'{knee:g} reports/s' if knee is not None else 'none of the rates'}"
    )
    b = bare.load
    print(
        f"baselines: raw aiokafka {kafka.throughput:.0f} records/s"
        f" (p99 {kafka.percentile_ms(99):.1f} ms); bare FastAPI {b.achieved:.0f} req/s"
        f" (p99 {b.percentile_ms(99):.1f} ms)"
    )
    if knee is not None and kafka.throughput:
        at_knee = next(s for s in found if s.rate == knee)
        bare_p99 = b.percentile_ms(99) or float("nan")
        print(
            "ratios at the knee: throughput / raw Kafka"
            f" {at_knee.load.achieved / kafka.throughput:.3f};"
            f" intake p99 / bare p99 {at_knee.load.percentile_ms(99) / bare_p99:.1f}"
        )


__all__ = ["Step", "print_sweep", "steps"]
