"""How long a Kafka node takes to come back after ``kill -9`` (prints, never asserts).

Starts a Kafka of its own through the launcher (temporary state, free ports; never the shared
servers), kills a node with SIGKILL, and times ``relais-infra up`` until it returns (the launcher
returns once the node answers a metadata request), ``--runs`` times. ``--brokers 3`` kills node 2
of a three-node KRaft cluster.

    uv run --frozen python -m bench.kafka_restart --brokers 1 --runs 3
    uv run --frozen python -m bench.kafka_restart --brokers 3 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from tests.reliability.stack import OwnServers


def measure(brokers: int, runs: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="relais-kafka-restart-") as state:
        own = OwnServers(Path(state), brokers=brokers)
        node = "kafka" if brokers == 1 else "kafka-2"
        own.up("kafka")
        try:
            times = []
            for run in range(1, runs + 1):
                time.sleep(3)  # let the node settle (its session registered) before the kill
                own.kill(node)
                up_s = own.up("kafka")
                times.append(up_s)
                print(f"brokers={brokers} run {run}: {node} kill -9, relais-infra up {up_s:.1f} s")
            return times
        finally:
            own.down()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brokers", type=int, default=1, choices=(1, 3))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = measure(args.brokers, args.runs)
    load = os.getloadavg()[0]
    print(
        f"brokers={args.brokers}: min {min(times):.1f} s, median {statistics.median(times):.1f} s,"
        f" max {max(times):.1f} s over {len(times)} runs (load average {load:.1f})"
    )


if __name__ == "__main__":
    main()
