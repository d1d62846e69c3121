"""One runtime per service process: the store client, event store, relay, keys and signer.

Every service's bootstrap builds one (``Runtime.build``: no I/O) and hands its ``write_path`` and
``access_log`` to its handlers; the api's lifespan and the worker's main open it with
``running()`` (indexes, the relay, the sweeps) and close it on the way out, in reverse. Services
add their own read models' index declarations with ``on_start`` and their own sweeps with
``every``; the runtime sweeps its idempotency records itself. Nothing else in a service
constructs a client, a store, a relay or a signer.

A worker process's ``main`` is ``run_until_signalled``: it builds nothing itself, it runs the
service's own ``run(stop)`` (which opens its runtime with ``running()``) until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.envelope import Envelope
from relais_events.integrity import Signer

from relais_kit.application.access_log import AccessLog
from relais_kit.application.clock import Clock, SystemClock
from relais_kit.application.write_path import WritePath
from relais_kit.http.health import ReadinessCheck, mongo_ping
from relais_kit.http.idempotency_stores import MongoIdempotencyStore
from relais_kit.keystore_mongo import MongoKeyStore
from relais_kit.outbox import OutboxRelay, relay_for
from relais_kit.periodic import Periodic
from relais_kit.settings import ServiceSettings
from relais_kit.signing import signer_from
from relais_kit.store.mongo import MongoEventStore

Document = dict[str, Any]
StartHook = Callable[[], Awaitable[None]]


def mongo_client(settings: ServiceSettings) -> AsyncMongoClient[Document]:
    """The process's one client (it connects lazily, on the first command).

    Its timeouts bound how long a request waits for a store that went away: PyMongo's defaults
    (30 s to select a server, no socket timeout) made every request hang half a minute, then
    answer 500, while FerretDB was down (tests/reliability)."""
    timeout_ms = round(settings.mongo_timeout_s * 1000)
    return AsyncMongoClient(
        settings.mongo_uri,
        tz_aware=True,
        maxPoolSize=settings.mongo_pool_size,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=round(settings.mongo_socket_timeout_s * 1000),
    )


@dataclass
class Runtime:
    settings: ServiceSettings
    client: AsyncMongoClient[Document]
    database: AsyncDatabase[Document]
    store: MongoEventStore
    relay: OutboxRelay
    keys: MongoKeyStore
    signer: Signer
    clock: Clock
    write_path: WritePath
    access_log: AccessLog
    idempotency: MongoIdempotencyStore
    _on_start: list[StartHook] = field(default_factory=list)
    sweeps: list[Periodic] = field(default_factory=list)

    @classmethod
    def build(cls, settings: ServiceSettings, *, clock: Clock | None = None) -> Runtime:
        client = mongo_client(settings)
        database = client[settings.database]
        store = MongoEventStore(database)
        relay = relay_for(store, settings)
        keys = MongoKeyStore(database)
        signer = signer_from(settings)
        clock = clock or SystemClock()
        write_path = WritePath(
            store,
            keys,
            signer,
            clock,
            on_commit=relay.notify,
            max_attempts=settings.max_command_attempts,
            cache_size=settings.state_cache_size,
        )
        runtime = cls(
            settings=settings,
            client=client,
            database=database,
            store=store,
            relay=relay,
            keys=keys,
            signer=signer,
            clock=clock,
            write_path=write_path,
            access_log=AccessLog(write_path),
            idempotency=MongoIdempotencyStore(
                database, clock=clock, lease=dt.timedelta(seconds=settings.idempotency_lease_s)
            ),
        )
        runtime.every("idempotency-purge", settings.idempotency_sweep_s, runtime.purge_idempotency)
        runtime.every("access-log-purge", settings.access_log_purge_s, runtime.purge_access_log)
        return runtime

    def on_start(self, *hooks: StartHook) -> None:
        """Run these when the runtime starts, before the relay (e.g. read models' indexes)."""
        self._on_start.extend(hooks)

    def every(self, name: str, every_s: float, action: Callable[[], Awaitable[object]]) -> Periodic:
        """Run ``action`` every ``every_s`` seconds while the runtime runs (a sweep)."""
        sweep = Periodic(name, every_s, action)
        self.sweeps.append(sweep)
        return sweep

    async def purge_idempotency(self) -> int:
        """Delete the idempotency records older than the retention (no TTL index on FerretDB)."""
        retention = dt.timedelta(seconds=self.settings.idempotency_retention_s)
        return await self.idempotency.purge(self.clock.now() - retention)

    async def purge_access_log(self) -> Envelope | None:
        """Delete the access-log entries past their retention; the event recording it."""
        retention = dt.timedelta(days=self.settings.access_log_retention_days)
        return await self.access_log.purge(retention)

    def readiness(self) -> dict[str, ReadinessCheck]:
        """``/readyz``: the store answers a ping and the brokers a metadata request."""
        return {"mongo": mongo_ping(self.client), "kafka": self.relay.check_kafka}

    async def start(self) -> None:
        try:
            await self.store.ensure_indexes()
            await self.store.open_session()
            for hook in self._on_start:
                await hook()
            await self.relay.start()
            for sweep in self.sweeps:
                sweep.start()
        except BaseException:
            await self.client.close()
            raise

    async def stop(self) -> None:
        try:
            for sweep in self.sweeps:
                await sweep.stop()
            await self.relay.stop()
            await self.store.close()
        finally:
            await self.client.close()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Runtime]:
        await self.start()
        try:
            yield self
        finally:
            await self.stop()


async def run_loops(stop: asyncio.Event, *loops: Awaitable[None]) -> None:
    """A worker's loops side by side until ``stop``: the first one to fail is raised, after
    ``stop`` is set and the others are cancelled (a worker never runs half of itself)."""
    tasks = [asyncio.ensure_future(loop) for loop in loops]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def run_until_signalled(run: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """A worker process's main: INFO logs, then ``run(stop)`` on a new event loop. SIGTERM and
    SIGINT set ``stop``: the worker's loops end their current pass and its runtime closes."""
    logging.basicConfig(level=logging.INFO)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
                loop.add_signal_handler(sig, stop.set)
        await run(stop)

    asyncio.run(_main())
