"""`up`, `down` and `status` for the two local servers."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from relais_infra import ferretdb, kafka
from relais_infra.layout import Layout
from relais_infra.process import LaunchError, ManagedProcess

STARTUP_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class Server:
    name: str
    endpoint: str
    external: bool
    managed: ManagedProcess
    start: Callable[[Layout], int]
    answers: Callable[[str, float], bool]


def servers(layout: Layout) -> list[Server]:
    nodes = [1] if layout.external_kafka else range(1, layout.kafka_brokers + 1)
    return [
        *(
            Server(
                kafka.name(node),
                layout.external_kafka or f"127.0.0.1:{layout.kafka_node_ports(node)[0]}",
                layout.external_kafka is not None,
                kafka.process(layout, node),
                partial(kafka.start, node=node),
                kafka.answers,
            )
            for node in nodes
        ),
        Server(
            "ferretdb",
            layout.mongo_uri,
            layout.external_mongo is not None,
            ferretdb.process(layout),
            ferretdb.start,
            ferretdb.answers,
        ),
    ]


@dataclass(frozen=True)
class Status:
    name: str
    endpoint: str
    pid: int | None
    healthy: bool
    external: bool

    def line(self) -> str:
        if self.external:
            state = "up (external)" if self.healthy else "DOWN (external, not answering)"
        elif self.pid is None:
            state = "down"
        else:
            state = f"up, pid {self.pid}" if self.healthy else f"starting or stuck, pid {self.pid}"
        return f"{self.name:<9} {state:<28} {self.endpoint}"


def status(layout: Layout) -> list[Status]:
    result = []
    for server in servers(layout):
        pid = None if server.external else server.managed.pid()
        healthy = (server.external or pid is not None) and server.answers(server.endpoint, 2.0)
        result.append(Status(server.name, server.endpoint, pid, healthy, server.external))
    return result


def up(layout: Layout, only: set[str] | None = None) -> list[str]:
    """Start what is not running yet and wait until every server answers. Returns the started."""
    started: list[str] = []
    pending: list[Server] = []
    for server in servers(layout):
        if not _chosen(server, only):
            continue
        if server.external or server.managed.pid() is not None:
            pending.append(server)
            continue
        server.start(layout)
        started.append(server.name)
        pending.append(server)
    for server in pending:
        _wait(server)
    return started


def _chosen(server: Server, only: set[str] | None) -> bool:
    """``kafka`` names every Kafka node; ``kafka-2`` only that one."""
    if only is None:
        return True
    return server.name in only or server.name.partition("-")[0] in only


def _wait(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.answers(server.endpoint, 2.0):
            return
        if not server.external and server.managed.pid() is None:
            raise LaunchError(
                f"{server.name} exited during start-up. Last lines of {server.managed.log_file}:\n"
                + server.managed.log_tail()
            )
        time.sleep(0.5)
    where = "" if server.external else f" Last lines of {server.managed.log_file}:\n"
    tail = "" if server.external else server.managed.log_tail()
    raise LaunchError(
        f"{server.name} did not answer at {server.endpoint} within {STARTUP_TIMEOUT_S:.0f} s."
        + where
        + tail
    )


def down(layout: Layout, only: set[str] | None = None) -> list[str]:
    """Stop the servers this launcher started (by pid file); never touches external ones."""
    stopped = []
    for server in reversed(servers(layout)):
        if not _chosen(server, only):
            continue
        if not server.external and server.managed.stop():
            stopped.append(server.name)
    return stopped
