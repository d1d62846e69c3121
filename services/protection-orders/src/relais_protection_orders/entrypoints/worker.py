"""The worker process: the deadline manager, ticking against the real clock.

    python -m relais_protection_orders.entrypoints.worker

Each tick fires what is due (the kit's ``relais_kit.due``, with ``application.due_deadlines``);
the loop itself takes its clock from the handler, so tests drive the same code with a hand-moved
clock and ``tick()``. The worker commits events too, so it runs its own outbox relay (the kit's
``Runtime``). SIGTERM / SIGINT stop the loop, then the runtime (``run_until_signalled``).
"""

from __future__ import annotations

import asyncio
import logging

from relais_kit.runtime import run_until_signalled

from relais_protection_orders.bootstrap import Service, bootstrap
from relais_protection_orders.config import ProtectionOrdersSettings

log = logging.getLogger(__name__)


async def run_worker(service: Service, stop: asyncio.Event) -> None:
    async with service.runtime.running():
        log.info(
            "deadline manager %s ticking every %ss",
            service.manager.owner,
            service.settings.deadline_tick_s,
        )
        await service.manager.run(service.settings.deadline_tick_s, stop)


def main() -> None:
    run_until_signalled(lambda stop: run_worker(bootstrap(ProtectionOrdersSettings()), stop))


if __name__ == "__main__":
    main()
