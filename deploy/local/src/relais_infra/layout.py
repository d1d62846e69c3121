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

    @classmethod
    def from_env(cls) -> Layout:
        cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return cls(
            state_dir=Path(os.environ.get("RELAIS_STATE_DIR") or REPO_ROOT / ".relais").resolve(),
            cache_dir=Path(os.environ.get("RELAIS_CACHE_DIR") or cache_home / "relais").resolve(),
            kafka_port=_port("RELAIS_KAFKA_PORT", 9092),
            kafka_controller_port=_port("RELAIS_KAFKA_CONTROLLER_PORT", 9093),
            ferretdb_port=_port("RELAIS_FERRETDB_PORT", 27017),
            external_kafka=os.environ.get("RELAIS_KAFKA_BOOTSTRAP") or None,
            external_mongo=os.environ.get("RELAIS_MONGO_URI") or None,
        )

    @property
    def kafka_bootstrap(self) -> str:
        return self.external_kafka or f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo_uri(self) -> str:
        return self.external_mongo or f"mongodb://127.0.0.1:{self.ferretdb_port}/"
