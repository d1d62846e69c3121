"""`relais-infra run` (what `make run` calls): servers, topics and every service, until Ctrl-C.

The service processes are supervised (`relais_infra.supervisor`): one that exits is started
again with a backoff, and each exit and restart is logged. Only Ctrl-C (or SIGTERM) stops them,
then the servers this run started. One `ready` line with the addresses is printed once every
api's `/readyz` answers 200 (its store and its Kafka answer), not before.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from types import FrameType

from relais_infra import servers
from relais_infra.layout import Layout, env_port
from relais_infra.process import LaunchError, require_free_port
from relais_infra.supervisor import Child, Supervisor

# How often to say which apis are not ready yet, while waiting for them.
WAITING_REPORT_S = 15.0
POLL_S = 0.5


@dataclass(frozen=True)
class Service:
    name: str
    default_port: int
    page: str = "/docs"  # what to open in a browser: the OpenAPI page, or the console itself

    @property
    def package(self) -> str:
        return "relais_" + self.name.replace("-", "_")

    @property
    def port_variable(self) -> str:
        """The service's own setting (its `http_port`), which the launcher honours too."""
        return f"RELAIS_{self.package[7:].upper()}_HTTP_PORT"

    @property
    def port(self) -> int:
        return env_port(self.port_variable, self.default_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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


@dataclass(frozen=True)
class Api:
    label: str
    service: Service

    @property
    def readyz(self) -> str:
        return f"{self.service.url}/readyz"


def _children(env: dict[str, str]) -> tuple[list[Child], list[Api]]:
    children, apis = [], []
    for service in SERVICES:
        if service.exists("api"):
            require_free_port(service.port, service.port_variable, f"the {service.name} api")
            label = f"{service.name} api"
            argv = [sys.executable, "-m", "uvicorn", "--factory",
                    f"{service.package}.entrypoints.api:create_app",
                    "--host", "127.0.0.1", "--port", str(service.port)]  # fmt: skip
            children.append(Child(label, argv, env))
            apis.append(Api(label, service))
        if service.exists("worker"):
            argv = [sys.executable, "-m", f"{service.package}.entrypoints.worker"]
            children.append(Child(f"{service.name} worker", argv, env))
    return children, apis


def _environment(layout: Layout) -> dict[str, str]:
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
    for service in SERVICES[1:]:
        # The console calls the services where this run put them.
        variable = f"RELAIS_CONSOLE_{service.package[7:].upper()}_URL"
        env.setdefault(variable, service.url)
    return env


def _status(url: str) -> str:
    """'200', another status, or why nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (loopback only)
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except (urllib.error.URLError, OSError):
        return "no answer"


class Readiness:
    """Which apis have answered `/readyz` with 200 since they (re)started."""

    def __init__(self, apis: list[Api]) -> None:
        self.apis = apis
        self.ready: set[str] = set()
        self.last: dict[str, str] = {}

    def pending(self) -> list[Api]:
        return [a for a in self.apis if a.label not in self.ready]

    def check(self) -> list[Api]:
        """Ask the pending apis; returns those that just became ready."""
        became = []
        for api in self.pending():
            self.last[api.label] = _status(api.readyz)
            if self.last[api.label] == "200":
                self.ready.add(api.label)
                became.append(api)
        return became

    def restarted(self, label: str) -> None:
        self.ready.discard(label)


def _ready_line(apis: list[Api]) -> str:
    where = ", ".join(f"{a.service.name} {a.service.url}{a.service.page}" for a in apis)
    return f"ready: {where or 'no api'} (Ctrl-C stops everything started here)"


def run() -> int:
    layout = Layout.from_env()
    env = _environment(layout)
    started: list[str] = []
    supervisor: Supervisor | None = None
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        if supervisor is not None:
            supervisor.stopping = True  # a child exiting from the same Ctrl-C is not restarted

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        from relais_kit.topics import TopicSettings, ensure_topics

        started = servers.up(layout)
        report = ensure_topics(layout.kafka_bootstrap, TopicSettings())
        say(f"topics: {len(report.created)} created, {len(report.existing)} already there")
        say(f"kafka     {layout.kafka_bootstrap}")
        say(f"ferretdb  {layout.mongo_uri}")
        if stopping:  # Ctrl-C while the servers started: they stop, no service starts
            return 0
        children, apis = _children(env)
        supervisor = Supervisor(children, say=say, stopping=stopping)
        supervisor.start()
        for child in children:
            say(f"starting  {child.label} (pid {child.pid})")
        if not children:
            say("no service has an entrypoint yet: only the servers run")
        readiness = Readiness(apis)
        announced = False
        waiting_since = last_report = time.monotonic()
        while not stopping:
            for child in supervisor.poll():
                readiness.restarted(child.label)
            for api in readiness.check():
                if announced:
                    say(f"ready     {api.label} {api.service.url}{api.service.page} (again)")
            if not announced and not readiness.pending():
                announced = True
                say(_ready_line(apis))
            elif not announced and time.monotonic() - last_report >= WAITING_REPORT_S:
                last_report = time.monotonic()
                waited = last_report - waiting_since
                pending = ", ".join(
                    f"{a.label} ({readiness.last.get(a.label, 'not asked')})"
                    for a in readiness.pending()
                )
                say(f"waiting   {waited:.0f} s so far for /readyz of: {pending}")
            time.sleep(POLL_S)
        return 0
    except LaunchError as exc:
        print(f"relais-infra: {exc}", file=sys.stderr)
        return 2
    finally:
        if supervisor is not None:
            supervisor.stop()
        servers.down(layout, set(started))
        say("stopped: " + ", ".join(["services", *started]))


def say(line: str) -> None:
    print(line, flush=True)
