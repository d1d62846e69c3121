"""Servers and service processes of the reliability suite, which it may kill.

Every fault here kills something with ``kill -9``, so nothing runs against the shared Kafka and
FerretDB: ``OwnServers`` starts a Kafka and a FerretDB of its own through the launcher
(``relais_infra``) under a temporary state folder and free ports, and restarts them the way an
operator would, with ``relais-infra up``. ``Stack`` starts the services as real processes
(uvicorn apis, workers) against those servers, in a topic namespace and databases of its own, so
one test's faults never reach another's data.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from relais_infra import servers as launcher
from relais_infra.layout import Layout
from relais_infra.process import ManagedProcess, port_is_free


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_ports_every_10(count: int) -> int:
    """A port p with p, p + 10, ... p + 10 * (count - 1) all free (the launcher's node ports)."""
    while True:
        base = free_port()
        if base + 10 * count < 65536 and all(port_is_free(base + 10 * n) for n in range(count)):
            return base


def _without_relais(extra: dict[str, str]) -> dict[str, str]:
    """The environment minus every RELAIS_ variable (the test session points those at the
    shared servers), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def kill_9(pid: int) -> None:
    """SIGKILL a process group we started, and wait until the process is gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        time.sleep(0.02)
    raise AssertionError(f"process {pid} still alive 10 s after SIGKILL")


@dataclass
class OwnServers:
    """A Kafka and a FerretDB of this suite's own (launcher, temporary state, free ports)."""

    state_dir: Path
    brokers: int = 1
    layout: Layout = field(init=False)

    def __post_init__(self) -> None:
        cache = Layout.from_env().cache_dir
        self.layout = Layout(
            state_dir=self.state_dir,
            cache_dir=cache,
            kafka_port=free_ports_every_10(self.brokers),
            kafka_controller_port=free_ports_every_10(self.brokers),
            ferretdb_port=free_port(),
            external_kafka=None,
            external_mongo=None,
            kafka_brokers=self.brokers,
        )

    @property
    def kafka_bootstrap(self) -> str:
        return self.layout.kafka_bootstrap

    @property
    def mongo_uri(self) -> str:
        return self.layout.mongo_uri

    def cli_env(self) -> dict[str, str]:
        """What ``relais-infra`` reads to find these servers (and not the shared ones)."""
        return _without_relais(
            {
                "RELAIS_STATE_DIR": str(self.state_dir),
                "RELAIS_CACHE_DIR": str(self.layout.cache_dir),
                "RELAIS_KAFKA_PORT": str(self.layout.kafka_port),
                "RELAIS_KAFKA_CONTROLLER_PORT": str(self.layout.kafka_controller_port),
                "RELAIS_FERRETDB_PORT": str(self.layout.ferretdb_port),
                "RELAIS_KAFKA_BROKERS": str(self.brokers),
            }
        )

    def up(self, *names: str) -> float:
        """``relais-infra up [names]`` as an operator types it; seconds until it returned (it
        returns once every server answers)."""
        script = Path(sys.executable).parent / "relais-infra"
        began = time.monotonic()
        done = subprocess.run(
            [str(script), "up", *names],
            env=self.cli_env(),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return time.monotonic() - began

    def managed(self, name: str) -> ManagedProcess:
        return {s.name: s.managed for s in launcher.servers(self.layout)}[name]

    def kill(self, name: str) -> None:
        pid = self.managed(name).pid()
        assert pid is not None, f"{name} is not running"
        kill_9(pid)

    def down(self) -> None:
        launcher.down(self.layout)


@dataclass
class Process:
    """One service process (an api under uvicorn, or a worker), which a test may kill -9."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_dir: Path
    port: int | None = None
    ready_line: str | None = None  # a worker is ready once its log shows this
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _ready_seen: int = 0  # ready lines in the log before the latest start

    @property
    def log_file(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        self._ready_seen = self.log_text().count(self.ready_line) if self.ready_line else 0
        with self.log_file.open("ab") as log:
            log.write(f"\n=== start {self.starts} ===\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                [sys.executable, *self.argv],
                cwd=self.log_dir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        assert self.popen is not None
        kill_9(self.popen.pid)
        self.popen.wait(5)

    def stop(self, timeout_s: float = 15.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGINT)
        try:
            self.popen.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_text(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    async def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise AssertionError(f"{self.name} exited at start:\n{self.log_tail()}")
                if self.ready_line is not None:
                    if self.log_text().count(self.ready_line) > self._ready_seen:
                        return
                else:
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(f"{self.url}/readyz")).status_code == 200:
                            return
                await asyncio.sleep(0.2)
        raise AssertionError(f"{self.name} not ready in {timeout_s:.0f} s:\n{self.log_tail()}")


WORKER_READY = {
    "timeline-worker": "timeline worker running",
    "po-worker": "deadline manager",
}


@dataclass
class Stack:
    """The intake, protection-orders and timeline services as processes, in one namespace."""

    servers: OwnServers
    dir: Path
    run_id: str = field(default_factory=lambda: secrets.token_hex(3))
    overrides: dict[str, str] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        return f"rel{self.run_id}."

    def env(self) -> dict[str, str]:
        keys = self.dir / "keys"
        return _without_relais(
            {
                "RELAIS_KAFKA_BOOTSTRAP": self.servers.kafka_bootstrap,
                "RELAIS_MONGO_URI": self.servers.mongo_uri,
                "RELAIS_TOPICS_NAMESPACE": self.namespace,
                "RELAIS_OTEL_EXPORTER": "none",
                "RELAIS_KEYS_DIR": str(keys),
                "RELAIS_KEY_REGISTRY": str(keys / "registry.json"),
                "RELAIS_INTAKE_DATABASE": f"rel_intake_{self.run_id}",
                "RELAIS_PROTECTION_ORDERS_DATABASE": f"rel_po_{self.run_id}",
                "RELAIS_TIMELINE_DATABASE": f"rel_timeline_{self.run_id}",
                "RELAIS_TIMELINE_WORKER_GROUP": f"rel-{self.run_id}-timeline",
                "RELAIS_TIMELINE_MIN_EVENT_WAIT_S": "3",
                # Short enough that a fault's leftovers are swept within a test's time.
                "RELAIS_INTAKE_OUTBOX_SWEEP_INTERVAL_S": "3",
                "RELAIS_PROTECTION_ORDERS_OUTBOX_SWEEP_INTERVAL_S": "3",
                "RELAIS_TIMELINE_OUTBOX_SWEEP_INTERVAL_S": "3",
                # A killed api's session is taken for dead after 10 s (default 30).
                "RELAIS_INTAKE_OUTBOX_STOPPED_AFTER_S": "10",
                "RELAIS_PROTECTION_ORDERS_OUTBOX_STOPPED_AFTER_S": "10",
                # A claim left by a request killed half-way is taken over within the test (its
                # lease ends); well above the slowest answer seen on this loaded machine (a live
                # claim taken over would run its request twice).
                "RELAIS_INTAKE_IDEMPOTENCY_LEASE_S": "40",
                "RELAIS_PROTECTION_ORDERS_IDEMPOTENCY_LEASE_S": "40",
                "RELAIS_PROTECTION_ORDERS_DEADLINE_TICK_S": "0.5",
                "RELAIS_PROTECTION_ORDERS_DEADLINE_LEASE_S": "5",
                "RELAIS_PROTECTION_ORDERS_WORKER_NAME": f"rel-{self.run_id}-po-worker",
                # Two partitions a topic, not six: a broker restarted after kill -9 recovers each
                # one, and this machine's two cores are shared.
                "RELAIS_TOPICS_PARTITIONS": "2",
                # Topics as the cluster can hold them: on three nodes, 3 replicas, 2 in sync.
                "RELAIS_TOPICS_REPLICATION_FACTOR": str(self.servers.brokers),
                "RELAIS_TOPICS_MIN_INSYNC_REPLICAS": "2" if self.servers.brokers >= 3 else "1",
                **self.overrides,
            }
        )

    def _api(self, name: str, package: str) -> Process:
        port = free_port()
        argv = ["-m", "uvicorn", "--factory", f"{package}.entrypoints.api:create_app"]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        argv += ["--log-level", "warning", "--timeout-graceful-shutdown", "5"]
        return Process(name, argv, self.env(), self.dir, port=port)

    def _worker(self, name: str, package: str) -> Process:
        argv = ["-m", f"{package}.entrypoints.worker"]
        return Process(name, argv, self.env(), self.dir, ready_line=WORKER_READY[name])

    def provision(self) -> None:
        """Every topic of the namespace, before any process writes: the worker's own step, in
        a process of the stack's environment (replication settings included)."""
        code = (
            "from relais_timeline.config import TimelineSettings;"
            "from relais_timeline.entrypoints.worker import provision;"
            "provision(TimelineSettings())"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    async def start(self, *names: str) -> None:
        """Start the named processes (default: all but the protection-orders worker, which only
        the deadline fault needs) and wait until each is ready."""
        self.dir.mkdir(parents=True, exist_ok=True)
        if not self.processes:
            await asyncio.to_thread(self.provision)
            self.processes = {
                p.name: p
                for p in (
                    self._api("intake-api", "relais_intake"),
                    self._api("po-api", "relais_protection_orders"),
                    self._api("timeline-api", "relais_timeline"),
                    self._worker("timeline-worker", "relais_timeline"),
                    self._worker("po-worker", "relais_protection_orders"),
                )
            }
        default = tuple(n for n in self.processes if n != "po-worker")
        chosen = [self.processes[n] for n in (names or default)]
        for process in chosen:
            if not process.alive():
                process.start()
        await asyncio.gather(*(p.wait_ready() for p in chosen))

    def extra_worker(self, name: str) -> Process:
        """One more timeline worker in the same consumer group (a rebalance when it starts)."""
        process = self._worker("timeline-worker", "relais_timeline")
        process.name = name
        self.processes[name] = process
        return process

    def __getitem__(self, name: str) -> Process:
        return self.processes[name]

    def stop(self) -> None:
        """SIGINT to every process at once, then wait for each (SIGKILL when stuck)."""
        for process in self.processes.values():
            if process.alive():
                assert process.popen is not None
                process.popen.send_signal(signal.SIGINT)
        for process in self.processes.values():
            process.stop()

    async def relais_audit(self, *args: str) -> tuple[int, str]:
        """``relais-audit`` with this stack's timeline settings: exit code and output."""
        script = Path(sys.executable).parent / "relais-audit"
        process = await asyncio.create_subprocess_exec(
            str(script),
            *args,
            env=self.env(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(process.communicate(), timeout=180)
        assert process.returncode is not None
        return process.returncode, out.decode()

    def logs_with(self, text: str) -> Iterator[str]:
        for process in self.processes.values():
            for line in process.log_text().splitlines():
                if text in line:
                    yield f"{process.name}: {line}"
