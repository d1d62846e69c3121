"""Time spent per Mongo command inside a bench process (pymongo command monitoring).

``install()`` registers a global listener when ``RELAIS_BENCH_MONGO_STATS`` names a file; the
totals are written there as JSON at exit. Imported by the bench's own entrypoints only
(``bench.asgi``, ``bench.timeline_worker``), before any client exists.
"""

from __future__ import annotations

import atexit
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pymongo import monitoring

VARIABLE = "RELAIS_BENCH_MONGO_STATS"


@dataclass
class Stat:
    count: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0
    failed: int = 0


class Listener(monitoring.CommandListener):
    def __init__(self) -> None:
        self.stats: dict[str, Stat] = defaultdict(Stat)
        self._names: dict[int, str] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        if event.command_name == "getMore":
            target = event.command.get("collection")
        self._names[event.request_id] = (
            f"{event.command_name} {target if isinstance(target, str) else ''}"
        )

    def _done(self, request_id: int, duration_us: int, failed: bool) -> None:
        stat = self.stats[self._names.pop(request_id, "?")]
        ms = duration_us / 1000
        stat.count += 1
        stat.total_ms += ms
        stat.max_ms = max(stat.max_ms, ms)
        stat.failed += failed

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self._done(event.request_id, event.duration_micros, False)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._done(event.request_id, event.duration_micros, True)

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps({k: vars(v) for k, v in self.stats.items()}, indent=1))


def install() -> None:
    target = os.environ.get(VARIABLE)
    if not target:
        return
    listener = Listener()
    monitoring.register(listener)
    atexit.register(listener.dump, Path(target))


def load(path: Path) -> dict[str, Stat]:
    if not path.exists():
        return {}
    return {k: Stat(**v) for k, v in json.loads(path.read_text()).items()}
