"""Where the launcher finds its recipes, keeps its state and caches its downloads.

Everything is read from the environment when asked for, never at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# deploy/local/src/relais_infra/layout.py -> deploy/local
LOCAL_DIR = Path(__file__).resolve().parents[2]
REPO_ROOT = LOCAL_DIR.parents[1]


def _brokers(state_dir: Path) -> int:
    """RELAIS_KAFKA_BROKERS, else as many nodes as the state folder already holds (so `down`
    and `status` after `up --brokers 3` see all three), else 1."""
    raw = os.environ.get("RELAIS_KAFKA_BROKERS", "")
    if raw:
        if raw not in ("1", "3"):
            raise SystemExit(f"RELAIS_KAFKA_BROKERS={raw!r}: use 1 or 3")
        return int(raw)
    return 3 if (state_dir / "kafka-3").is_dir() else 1


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        port = int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise SystemExit(f"{name}={raw!r} is not a port number")
    return port


def env_port(name: str, default: int) -> int:
    """The port in the variable `name` (exits with a message naming it when it is not one)."""
    return _port(name, default)


@dataclass(frozen=True)
class Layout:
    """Ports, folders and external endpoints of one local installation."""

    state_dir: Path
    cache_dir: Path
    kafka_port: int
    kafka_controller_port: int
    ferretdb_port: int
    external_kafka: str | None
    external_mongo: str | None
    # Kafka nodes (each broker and controller, KRaft): 1, or 3 for a cluster that survives the
    # loss of one (replication factor 3, min.insync.replicas=2). Node n > 1 listens on the
    # ports of node 1 plus 10 * (n - 1) and keeps its state in ``kafka-<n>/``.
    kafka_brokers: int = 1

    @classmethod
    def from_env(cls, brokers: int | None = None) -> Layout:
        cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        state_dir = Path(os.environ.get("RELAIS_STATE_DIR") or REPO_ROOT / ".relais").resolve()
        return cls(
            state_dir=state_dir,
            cache_dir=Path(os.environ.get("RELAIS_CACHE_DIR") or cache_home / "relais").resolve(),
            kafka_port=_port("RELAIS_KAFKA_PORT", 9092),
            kafka_controller_port=_port("RELAIS_KAFKA_CONTROLLER_PORT", 9093),
            ferretdb_port=_port("RELAIS_FERRETDB_PORT", 27017),
            external_kafka=os.environ.get("RELAIS_KAFKA_BOOTSTRAP") or None,
            external_mongo=os.environ.get("RELAIS_MONGO_URI") or None,
            kafka_brokers=brokers or _brokers(state_dir),
        )

    def kafka_node_ports(self, node: int) -> tuple[int, int]:
        """(client, controller) ports of Kafka node ``node`` (1-based)."""
        step = 10 * (node - 1)
        return self.kafka_port + step, self.kafka_controller_port + step

    @property
    def kafka_bootstrap(self) -> str:
        if self.external_kafka:
            return self.external_kafka
        nodes = range(1, self.kafka_brokers + 1)
        return ",".join(f"127.0.0.1:{self.kafka_node_ports(n)[0]}" for n in nodes)

    @property
    def mongo_uri(self) -> str:
        return self.external_mongo or f"mongodb://127.0.0.1:{self.ferretdb_port}/"
