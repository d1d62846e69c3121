"""The real services for the browser tests, each an HTTP server on a free loopback port.

Intake, protection orders, shelter and timeline apis, the timeline's Faust worker, the shelter's
worker (it learns the cases from intake's topic, and sweeps) and the console run in this process
on the session's real Kafka and Mongo-compatible store, in a topic namespace and databases of
their own. The console reaches the services over HTTP, the browser the console.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from relais_console.bootstrap import bootstrap as console_bootstrap
from relais_console.config import ConsoleSettings
from relais_console.entrypoints.api import create_app as console_app
from relais_infra.testing import Servers
from relais_intake.bootstrap import bootstrap as intake_bootstrap
from relais_intake.config import IntakeSettings
from relais_intake.entrypoints.api import create_app as intake_app
from relais_protection_orders.bootstrap import bootstrap as po_bootstrap
from relais_protection_orders.config import ProtectionOrdersSettings
from relais_protection_orders.entrypoints.api import create_app as po_app
from relais_shelter.bootstrap import Shelter
from relais_shelter.bootstrap import bootstrap as shelter_bootstrap
from relais_shelter.config import ShelterSettings
from relais_shelter.entrypoints.api import create_app as shelter_app
from relais_shelter.entrypoints.worker import run_worker as shelter_worker
from relais_timeline.bootstrap import projecting, serving
from relais_timeline.config import TimelineSettings
from relais_timeline.entrypoints.api import create_app as timeline_app
from relais_timeline.entrypoints.worker import build_worker, provision


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: several servers share this process and pytest."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """``app`` served on 127.0.0.1 at a port the kernel picked; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 60
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise RuntimeError(f"server on port {port} did not start: {task}")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass(frozen=True)
class Stack:
    console: str
    intake: str
    orders: str
    shelter: str
    timeline: str


@asynccontextmanager
async def open_stack(servers: Servers, keys: Path, name: str) -> AsyncIterator[Stack]:
    namespace = f"{servers.topic_namespace}{name}."
    common: dict[str, Any] = {
        "kafka_bootstrap": servers.kafka_bootstrap,
        "mongo_uri": servers.mongo_uri,
        "topics_namespace": namespace,
        "keys_dir": keys,
        "key_registry": keys / "registry.json",
    }
    timeline_settings = TimelineSettings(
        **common,
        database=servers.database(f"{name}_timeline"),
        worker_group=f"relais-timeline-{servers.run_id}-{name}",
        min_event_wait_s=5.0,
    )
    await asyncio.to_thread(provision, timeline_settings)
    async with AsyncExitStack() as stack:
        resources = projecting(timeline_settings)
        await resources.start()
        stack.push_async_callback(resources.stop)
        worker = build_worker(timeline_settings, resources.projection, resources.gate)
        await worker.start()
        stack.push_async_callback(worker.stop)
        intake = await stack.enter_async_context(
            served(
                intake_app(
                    intake=intake_bootstrap(
                        IntakeSettings(**common, database=servers.database(f"{name}_intake"))
                    )
                )
            )
        )
        orders = await stack.enter_async_context(
            served(
                po_app(
                    po_bootstrap(
                        ProtectionOrdersSettings(**common, database=servers.database(f"{name}_po"))
                    )
                )
            )
        )
        shelter_settings = ShelterSettings(
            **common,
            database=servers.database(f"{name}_shelter"),
            # A group of this run's own: the worker reads the namespace's intake topic from its
            # start, whatever another run's group of the same name committed.
            worker_group=f"relais-shelter-{servers.run_id}-{name}",
        )
        shelter = await stack.enter_async_context(
            served(shelter_app(shelter=shelter_bootstrap(shelter_settings)))
        )
        await stack.enter_async_context(_running(shelter_worker, shelter_settings))
        timeline = await stack.enter_async_context(served(timeline_app(serving(timeline_settings))))
        settings = ConsoleSettings(
            dev_login=True,
            intake_url=intake,
            protection_orders_url=orders,
            shelter_url=shelter,
            timeline_url=timeline,
            live_refresh_s=1.0,
        )
        console = await stack.enter_async_context(served(console_app(console_bootstrap(settings))))
        yield Stack(
            console=console, intake=intake, orders=orders, shelter=shelter, timeline=timeline
        )


@asynccontextmanager
async def _running(
    worker: Callable[[Shelter, asyncio.Event], Coroutine[Any, Any, None]], settings: ShelterSettings
) -> AsyncIterator[None]:
    """The shelter's worker (it learns the cases from intake, sweeps, relays its outbox) as
    ``main`` runs it, stopped the way SIGTERM stops it; a worker that died is reported."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker(shelter_bootstrap(settings), stop))
    try:
        yield
    finally:
        stop.set()
        await task
