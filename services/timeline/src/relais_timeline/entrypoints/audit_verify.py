"""``relais-audit verify``: every record of every context topic, from offset 0, checked.

The checks are the pure ``domain.log_audit``; this module reads Kafka and spreads the work.
Speed (``bench/audit.py``): the partitions are shared among worker processes (one per core by
default), each reading its own partitions straight from Kafka, so no record crosses a process
boundary; signatures go through libsodium and the auditor's cache of verified signatures
(``adapters.signatures``). A log under ``IN_PROCESS_BELOW`` records is read in this process:
starting workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relais_events.keyregistry import KeyRegistry, loads_registry
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

from relais_timeline.adapters.signatures import SignatureCache, signatures
from relais_timeline.domain.log_audit import FirstSeen, PartitionAudit, Problem, split_aggregates
from relais_timeline.entrypoints.audit_kafka import Span, read, spans

IN_PROCESS_BELOW = 20_000
_PROGRESS_EVERY_S = 0.25


@dataclass
class Share:
    """What one worker verified."""

    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    aggregates: list[tuple[str, int, dict[str, FirstSeen]]] = field(default_factory=list)
    checked: int = 0  # signatures verified by libsodium
    cache_hits: int = 0
    new_tags: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class Verified:
    records: int
    partitions: int
    problems: list[Problem]
    seconds: float
    workers: int
    checked: int
    cache_hits: int

    @property
    def failed(self) -> bool:
        return any(p.fails for p in self.problems)

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def verify_share(
    bootstrap: str,
    share: Sequence[Span],
    registry: KeyRegistry,
    cache_dir: Path | None,
    progress: Callable[[int], None],
) -> Share:
    keys = {(service, e.key_id): e for service, entries in registry.root.items() for e in entries}
    check = signatures(SignatureCache(cache_dir) if cache_dir else None)
    audits = {
        (s.topic, s.partition): PartitionAudit(s.topic, s.partition, keys, check, s.start)
        for s in share
    }
    done = Share()
    for span, records in read(bootstrap, share):
        feed = audits[(span.topic, span.partition)].feed
        for record in records:
            feed(record)
        progress(len(records))
    for s in share:
        audit = audits[(s.topic, s.partition)]
        done.records += audit.records
        done.problems += audit.finish(s.end)
        done.aggregates.append((s.topic, s.partition, audit.aggregates))
    done.cache_hits, done.new_tags = check.hits, check.verified
    done.checked = len(check.verified)
    return done


def _worker(bootstrap: str, share: list[Span], registry: str, cache: str | None, out: Any) -> None:
    """A worker process: progress counts, then ("done", Share) or ("error", text)."""
    pending, last = 0, time.monotonic()

    def progress(count: int) -> None:
        nonlocal pending, last
        pending += count
        if time.monotonic() - last >= _PROGRESS_EVERY_S:
            out.put(("progress", pending))
            pending, last = 0, time.monotonic()

    try:
        done = verify_share(
            bootstrap, share, loads_registry(registry), Path(cache) if cache else None, progress
        )
        out.put(("progress", pending))
        out.put(("done", done))
    except Exception as error:  # reported to the coordinator, which fails the run
        out.put(("error", f"{type(error).__name__}: {error}"))


def shares_of(plan: Sequence[Span], workers: int) -> list[list[Span]]:
    """Partitions spread so each worker gets about as many records (largest first)."""
    shares: list[list[Span]] = [[] for _ in range(max(1, workers))]
    loads = [0] * len(shares)
    for span in sorted(plan, key=lambda s: -s.size):
        lightest = loads.index(min(loads))
        shares[lightest].append(span)
        loads[lightest] += span.size
    return [s for s in shares if s] or [[]]


def verify_log(
    bootstrap: str,
    topics: Sequence[str],
    registry: KeyRegistry,
    *,
    cache_dir: Path | None,
    workers: int | None = None,
    show_progress: bool = False,
) -> Verified:
    started = time.perf_counter()
    plan = spans(bootstrap, topics)
    total = sum(s.size for s in plan)
    count = workers or (1 if total < IN_PROCESS_BELOW else os.cpu_count() or 1)
    shares = shares_of(plan, count)
    # Workers start before the progress bar does: its refresh thread must not be forked.
    workers_out = _start(bootstrap, shares, registry, cache_dir) if len(shares) > 1 else None
    console = Console(stderr=True)
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not show_progress) as bar:
        task = bar.add_task("verifying", total=total)
        advance: Callable[[int], None] = lambda n: bar.advance(task, n)  # noqa: E731
        if workers_out is None:
            done = [verify_share(bootstrap, shares[0], registry, cache_dir, advance)]
        else:
            done = _collect(*workers_out, advance)
    problems = [p for d in done for p in d.problems]
    problems += split_aggregates(a for d in done for a in d.aggregates)
    if cache_dir is not None:
        SignatureCache(cache_dir).add(t for d in done for t in d.new_tags)
    return Verified(
        records=sum(d.records for d in done),
        partitions=len(plan),
        problems=sorted(problems, key=lambda p: (p.topic, p.partition, p.offset)),
        seconds=time.perf_counter() - started,
        workers=len(shares),
        checked=sum(d.checked for d in done),
        cache_hits=sum(d.cache_hits for d in done),
    )


def _start(
    bootstrap: str, shares: list[list[Span]], registry: KeyRegistry, cache_dir: Path | None
) -> tuple[list[Any], Any]:
    """One process per share. Forked when this process runs no other thread (the command line):
    a fork starts at once, where a spawned worker spends about a second importing; spawned
    otherwise (a test, a host with threads), as a fork would copy their locks mid-use."""
    context: Any = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    out = context.Queue()
    text, cache = registry.model_dump_json(), str(cache_dir) if cache_dir else None
    processes = [
        context.Process(target=_worker, args=(bootstrap, share, text, cache, out), daemon=True)
        for share in shares
    ]
    for process in processes:
        process.start()
    return processes, out


def _collect(processes: list[Any], out: Any, advance: Callable[[int], None]) -> list[Share]:
    done: list[Share] = []
    try:
        while len(done) < len(processes):
            try:
                kind, value = out.get(timeout=1.0)
            except queue.Empty:
                if not any(p.is_alive() for p in processes):
                    raise RuntimeError("a verify worker died without an answer") from None
                continue
            if kind == "progress":
                advance(value)
            elif kind == "done":
                done.append(value)
            else:
                raise RuntimeError(f"a verify worker failed: {value}")
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
    return done
