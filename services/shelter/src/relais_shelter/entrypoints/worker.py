"""The worker process: it learns the cases from intake's events, and sweeps what crashes left.

    python -m relais_shelter.entrypoints.worker

The api allocates only for a case shelter knows (``application.cases``): one consumer group
(``worker_group``, shared by every replica) reads ``relais.intake.v1`` through the kit's loop
(``relais_kit.consuming``) and keeps each case's facts (``relais_kit.cases.learn_case``, as
referrals does), idempotent on the case stream's version, one writer per case (the partition's
owner).

A crash half-way through an allocation, a release or a claim leaves an operation in flight;
once its lease has passed the sweep gives back what it held or finishes its commit
(``application.recovery``), at start and then every ``sweep_interval_s``. The sweep may commit
(a finished allocation or claim), so the worker runs its own outbox relay (the kit's
``Runtime``). Sweeps of several replicas are safe together: each operation's outcome is decided
by one insert. SIGTERM / SIGINT stop both loops, then the runtime (``run_until_signalled``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from relais_events import topics
from relais_events.envelope import Envelope
from relais_kit.cases import learn_case
from relais_kit.consuming import consume_until
from relais_kit.runtime import run_loops, run_until_signalled
from relais_kit.topics import ensure_topics

from relais_shelter.application.recovery import sweep
from relais_shelter.bootstrap import Shelter, bootstrap
from relais_shelter.config import ShelterSettings

log = logging.getLogger(__name__)
CONSUMED: Final = (topics.INTAKE,)
CONSUMER: Final = "shelter-worker"


async def learn(shelter: Shelter, stop: asyncio.Event) -> None:
    settings = shelter.settings
    cases = shelter.services.cases

    async def on_event(envelope: Envelope) -> None:
        await learn_case(cases, envelope)

    await consume_until(
        stop,
        name=CONSUMER,
        handler=on_event,
        topics=CONSUMED,
        names=settings.topics(),
        bootstrap=settings.kafka_bootstrap,
        group=settings.worker_group,
    )


async def sweep_now_and_then(shelter: Shelter, stop: asyncio.Event) -> None:
    swept = await sweep(shelter.services)
    log.info(
        "shelter worker: recovery sweep at start gave back %s and finished %s operations",
        swept.given_back,
        swept.finished,
    )
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), shelter.settings.sweep_interval_s)
        if not stop.is_set():
            await sweep(shelter.services)


async def run_worker(shelter: Shelter, stop: asyncio.Event) -> None:
    settings = shelter.settings
    await asyncio.to_thread(
        ensure_topics, settings.kafka_bootstrap, settings.topics(), [*CONSUMED, topics.DEADLETTER]
    )
    async with shelter.runtime.running():
        await run_loops(stop, sweep_now_and_then(shelter, stop), learn(shelter, stop))


def main() -> None:
    run_until_signalled(lambda stop: run_worker(bootstrap(ShelterSettings()), stop))


if __name__ == "__main__":
    main()
