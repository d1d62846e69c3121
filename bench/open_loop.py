"""An open-loop load generator: requests leave at a constant rate whatever the server does.

Latency is measured from each request's *intended* send time, so a server that stalls is charged
for the queue it causes (no coordinated omission). Figures go into HdrHistograms.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from hdrh.histogram import HdrHistogram

Send = Callable[[int], Awaitable[bool]]


def histogram() -> HdrHistogram:
    # 1 microsecond to 60 seconds, 3 significant digits.
    return HdrHistogram(1, 60_000_000, 3)


@dataclass
class LoadResult:
    rate: float
    duration_s: float
    sent: int = 0
    ok: int = 0
    failed: int = 0
    elapsed_s: float = 0.0
    latency_us: HdrHistogram = field(default_factory=histogram)

    @property
    def achieved(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def percentile_ms(self, p: float) -> float:
        return float(self.latency_us.get_value_at_percentile(p)) / 1000.0


async def run_open_loop(send: Send, *, rate: float, duration_s: float) -> LoadResult:
    """Call `send(i)` at `rate` per second for `duration_s`; `send` returns True on success."""
    result = LoadResult(rate=rate, duration_s=duration_s)
    total = int(rate * duration_s)
    start = time.perf_counter()
    pending: set[asyncio.Task[None]] = set()

    async def one(i: int, intended: float) -> None:
        try:
            ok = await send(i)
        except Exception:  # a failed request is a figure, not a crash
            ok = False
        latency = time.perf_counter() - intended
        if ok:
            result.ok += 1
            result.latency_us.record_value(max(1, int(latency * 1_000_000)))
        else:
            result.failed += 1

    for i in range(total):
        intended = start + i / rate
        delay = intended - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(i, intended))
        pending.add(task)
        task.add_done_callback(pending.discard)
        result.sent += 1
    if pending:
        await asyncio.wait(pending, timeout=30)
    result.elapsed_s = time.perf_counter() - start
    return result


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)
