"""The worker process: the deadline process manager, ticking against the real clock.

    python -m relais_protection_orders.entrypoints.worker

Each tick fires what is due (see ``application.deadline_manager``); the loop itself takes its
clock from the handler, so tests drive the same code with a hand-moved clock and ``tick()``.
The worker commits events too, so it runs its own outbox relay (the kit's ``Runtime``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

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
    logging.basicConfig(level=logging.INFO)

    async def _main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await run_worker(bootstrap(ProtectionOrdersSettings()), stop)

    asyncio.run(_main())


if __name__ == "__main__":
    main()
