"""The store path measured the same way every time (a measurement, not a test).

    uv run python -m bench.store [--seconds 5] [--callers 1,16,64]

Against the launcher's FerretDB (started if needed): single ``insert_one`` calls, the same
inserts through the kit's group commit (``InsertBatcher``), and finds by ``_id``, each with 1, 16
and 64 concurrent callers for ``--seconds``; prints operations/s, p50/p99 latency and FerretDB's
CPU time per operation (from /proc), with ~1 KB documents like the commits'.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from hdrh.histogram import HdrHistogram
from pymongo import AsyncMongoClient
from relais_infra import servers
from relais_infra.layout import Layout
from relais_kit.batching import InsertBatcher

from bench.stack import cpu_seconds

Op = Callable[[int], Awaitable[Any]]
PAYLOAD = "x" * 900


def ferretdb_pid(layout: Layout) -> int | None:
    return next((s.pid for s in servers.status(layout) if s.name == "ferretdb"), None)


async def drive(
    op: Op, callers: int, seconds: float, pid: int | None
) -> tuple[int, HdrHistogram, float]:
    histogram = HdrHistogram(1, 60_000_000, 3)
    done = 0
    deadline = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def caller() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            await op(next(counter))
            histogram.record_value(max(1, int((time.perf_counter() - start) * 1e6)))
            done += 1

    before = cpu_seconds(pid) if pid else None
    await asyncio.gather(*(caller() for _ in range(callers)))
    after = cpu_seconds(pid) if pid else None
    cpu = (after - before) if before is not None and after is not None else float("nan")
    return done, histogram, cpu


def insert_one(collection: Any) -> Op:
    async def op(n: int) -> None:
        await collection.insert_one({"_id": f"d{n}", "p": PAYLOAD})

    return op


def grouped_insert(batcher: InsertBatcher) -> Op:
    async def op(n: int) -> None:
        await batcher.insert({"_id": f"d{n}", "p": PAYLOAD})

    return op


def find_by_id(collection: Any) -> Op:
    async def op(n: int) -> None:
        await collection.find_one({"_id": f"d{n % 500}"})

    return op


async def main(options: argparse.Namespace) -> None:
    layout = Layout.from_env()
    started = servers.up(layout)
    pid = ferretdb_pid(layout)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(layout.mongo_uri, maxPoolSize=8)
    name = f"bench_store_{secrets.token_hex(3)}"
    db = client[name]
    try:
        print(f"FerretDB pid {pid}; pool 8; {options.seconds:g} s per line; ~1 KB documents")
        print(
            f"{'operation':<18} {'callers':>7} {'ops/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
            f" {'FerretDB CPU ms/op':>19}"
        )
        for callers in options.callers:
            single = db[f"single_{callers}"]
            grouped = db[f"grouped_{callers}"]
            batcher = InsertBatcher(grouped)
            ops: dict[str, Op] = {
                "insert_one": insert_one(single),
                "grouped insert": grouped_insert(batcher),
                "find by _id": find_by_id(single),
            }
            for label, op in ops.items():
                done, hist, cpu = await drive(op, callers, options.seconds, pid)
                rate = done / options.seconds
                per_op = cpu * 1000 / done if done else float("nan")
                p50, p99 = hist.get_value_at_percentile(50), hist.get_value_at_percentile(99)
                print(
                    f"{label:<18} {callers:>7} {rate:>9.0f}"
                    f" {p50 / 1000:>8.2f} {p99 / 1000:>8.2f} {per_op:>19.3f}"
                )
    finally:
        await client.drop_database(name)
        await client.close()
        if started:
            servers.down(layout, set(started))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--callers", type=lambda t: [int(c) for c in t.split(",")], default=[1, 16, 64]
    )
    return parser.parse_args()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    asyncio.run(main(arguments()))
