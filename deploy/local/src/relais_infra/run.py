"""`relais-infra run` (what `make run` calls): servers, topics and every service, until Ctrl-C."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType

from relais_infra import servers
from relais_infra.layout import Layout
from relais_infra.process import LaunchError, require_free_port


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    page: str = "/docs"  # what to open in a browser: the OpenAPI page, or the console itself

    @property
    def package(self) -> str:
        return "relais_" + self.name.replace("-", "_")

    def exists(self, part: str) -> bool:
        try:
            return importlib.util.find_spec(f"{self.package}.entrypoints.{part}") is not None
        except ModuleNotFoundError:
            return False


SERVICES = (
    Service("console", 8100, page="/"),  # first: the address people open
    Service("intake", 8101),
    Service("protection-orders", 8102),
    Service("shelter", 8103),
    Service("referrals", 8104),
    Service("timeline", 8105),
)


def _commands(layout: Layout) -> list[tuple[str, list[str]]]:
    commands = []
    for service in SERVICES:
        if service.exists("api"):
            require_free_port(service.port, f"RELAIS_{service.package[7:].upper()}_PORT", "api")
            commands.append(
                (
                    f"{service.name} api  http://127.0.0.1:{service.port}{service.page}",
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "--factory",
                        f"{service.package}.entrypoints.api:create_app",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(service.port),
                    ],
                )
            )
        if service.exists("worker"):
            commands.append(
                (
                    f"{service.name} worker",
                    [sys.executable, "-m", f"{service.package}.entrypoints.worker"],
                )
            )
    return commands


def run() -> int:
    layout = Layout.from_env()
    keys = layout.state_dir / "keys"
    env = dict(
        os.environ,
        RELAIS_KAFKA_BOOTSTRAP=layout.kafka_bootstrap,
        RELAIS_MONGO_URI=layout.mongo_uri,
        # Every service's development signing key, and the one registry the auditor reads.
        RELAIS_KEYS_DIR=os.environ.get("RELAIS_KEYS_DIR", str(keys)),
        RELAIS_KEY_REGISTRY=os.environ.get("RELAIS_KEY_REGISTRY", str(keys / "registry.json")),
        # The console's development login (choose role, organisation, département): on here,
        # off unless set anywhere else.
        RELAIS_CONSOLE_DEV_LOGIN=os.environ.get("RELAIS_CONSOLE_DEV_LOGIN", "true"),
    )
    started: list[str] = []
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        from relais_kit.topics import TopicSettings, ensure_topics

        started = servers.up(layout)
        report = ensure_topics(layout.kafka_bootstrap, TopicSettings())
        print(f"topics: {len(report.created)} created, {len(report.existing)} already there")
        print(f"kafka     {layout.kafka_bootstrap}")
        print(f"ferretdb  {layout.mongo_uri}")
        for label, argv in _commands(layout):
            children.append(subprocess.Popen(argv, env=env))
            print(f"started   {label}")
        if not children:
            print("no service has an entrypoint yet: only the servers run")
        print("Ctrl-C stops everything started here.", flush=True)
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    print(f"a service exited with code {child.returncode}; stopping", flush=True)
                    stopping = True
            time.sleep(0.5)
        return 0
    except LaunchError as exc:
        print(f"relais-infra: {exc}", file=sys.stderr)
        return 2
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        servers.down(layout, set(started))
        print("stopped: " + ", ".join(["services", *started]), flush=True)
