"""FerretDB 1.x with its SQLite backend, built from the committed Go module that embeds it."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from relais_infra.layout import LOCAL_DIR, Layout
from relais_infra.process import LaunchError, ManagedProcess, require_free_port
from relais_infra.toolchain import require

MODULE = LOCAL_DIR / "ferretdb"


def process(layout: Layout) -> ManagedProcess:
    home = layout.state_dir / "ferretdb"
    return ManagedProcess("ferretdb", home / "ferretdb.pid", home / "ferretdb.log")


def binary(layout: Layout) -> Path:
    """The built server, rebuilt only when the Go module's sources change."""
    sources = sorted([MODULE / "go.mod", MODULE / "go.sum", *MODULE.glob("*.go")])
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in sources)).hexdigest()[:12]
    target = layout.cache_dir / "bin" / f"relais-ferretdb-{digest}"
    if target.exists():
        return target
    go = require("go")
    print(f"building FerretDB into {target} (first run only, about a minute)...", flush=True)
    env = dict(
        os.environ,
        GOMODCACHE=str(layout.cache_dir / "go" / "mod"),
        GOCACHE=str(layout.cache_dir / "go" / "build"),
        GOFLAGS="-mod=readonly",
        GOTOOLCHAIN="local",
        CGO_ENABLED="0",
    )
    partial = target.with_suffix(".partial")
    result = subprocess.run(
        [go, "build", "-trimpath", "-o", str(partial), "."],
        cwd=MODULE,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LaunchError(
            "building FerretDB failed (is the Go module proxy reachable?):\n"
            + (result.stdout + result.stderr)[-3000:]
        )
    partial.rename(target)
    return target


SYNCHRONOUS = ("normal", "full")


def synchronous() -> str:
    """SQLite's durability: ``normal`` (default) or ``full``, from RELAIS_FERRETDB_SYNCHRONOUS.

    In WAL mode, ``normal`` keeps every acknowledged write through a crash of FerretDB (the WAL
    is already in the OS's hands) and may lose the last ones on an OS crash or power loss;
    ``full`` fsyncs each commit and keeps them through both, at several times the cost under
    concurrent writers. Production durability is MongoDB's write concern, not this.
    """
    value = os.environ.get("RELAIS_FERRETDB_SYNCHRONOUS", "normal").strip().lower()
    if value not in SYNCHRONOUS:
        raise LaunchError(f"RELAIS_FERRETDB_SYNCHRONOUS={value!r}: use normal or full")
    return value


def argv(layout: Layout, exe: Path) -> list[str]:
    home = layout.state_dir / "ferretdb"
    return [
        str(exe),
        "-listen",
        f"127.0.0.1:{layout.ferretdb_port}",
        "-data",
        str(home / "data"),
        "-synchronous",
        synchronous(),
    ]


def start(layout: Layout) -> int:
    synchronous()  # a wrong setting is told before a minute of building
    exe = binary(layout)
    home = layout.state_dir / "ferretdb"
    home.mkdir(parents=True, exist_ok=True)
    require_free_port(layout.ferretdb_port, "RELAIS_FERRETDB_PORT", "FerretDB")
    return process(layout).start(argv(layout, exe), cwd=home)


def answers(uri: str, timeout_s: float = 2.0) -> bool:
    """True when a Mongo `ping` to `uri` succeeds."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    client: MongoClient[dict[str, object]] = MongoClient(
        uri, serverSelectionTimeoutMS=int(timeout_s * 1000), connectTimeoutMS=int(timeout_s * 1000)
    )
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()
