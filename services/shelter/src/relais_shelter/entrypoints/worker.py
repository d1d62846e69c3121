"""The worker process: the recovery sweep, at start and then every ``sweep_interval_s``.

    python -m relais_shelter.entrypoints.worker

A crash half-way through an allocation, a release or a claim leaves an operation in flight;
once its lease has passed the sweep gives back what it held or finishes its commit
(``application.recovery``). The sweep may commit (a finished allocation or claim), so the
worker runs its own outbox relay (the kit's ``Runtime``). Sweeps of several replicas are safe
together: each operation's outcome is decided by one insert. SIGTERM / SIGINT stop it
(``run_until_signalled``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from relais_kit.runtime import run_until_signalled

from relais_shelter.application.recovery import sweep
from relais_shelter.bootstrap import Shelter, bootstrap
from relais_shelter.config import ShelterSettings

log = logging.getLogger(__name__)


async def run_worker(shelter: Shelter, stop: asyncio.Event) -> None:
    async with shelter.runtime.running():
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


def main() -> None:
    run_until_signalled(lambda stop: run_worker(bootstrap(ShelterSettings()), stop))


if __name__ == "__main__":
    main()
