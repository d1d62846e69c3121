"""The worker process: the consumers of intake, shelter and referrals events, and the SLA manager.

    python -m relais_referrals.entrypoints.worker

One aiokafka consumer group (``worker_group``, shared by every replica) reads the three topics
through the kit's loop (``relais_kit.consuming``: decode, dead-letter what can never be handled,
retry in place what an outage breaks) into ``EventHandlers.on_event``, whose branches are
idempotent on their own; offsets are committed after the records are handled. The SLA
manager ticks beside it on the runtime's clock. The worker commits escalations, so it runs its
own outbox relay (the kit's ``Runtime``). SIGTERM / SIGINT stop both loops, then the runtime
(``run_until_signalled``).
"""

from __future__ import annotations

import asyncio
import logging

from relais_events import topics
from relais_kit.consuming import consume_until
from relais_kit.runtime import run_loops, run_until_signalled
from relais_kit.topics import ensure_topics

from relais_referrals.bootstrap import Referrals, bootstrap
from relais_referrals.config import ReferralsSettings

log = logging.getLogger(__name__)
CONSUMED = (topics.INTAKE, topics.SHELTER, topics.REFERRALS)
CONSUMER = "referrals-worker"


async def consume(referrals: Referrals, stop: asyncio.Event) -> None:
    settings = referrals.settings
    await consume_until(
        stop,
        name=CONSUMER,
        handler=referrals.handlers.on_event,
        topics=CONSUMED,
        names=settings.topics(),
        bootstrap=settings.kafka_bootstrap,
        group=settings.worker_group,
    )


async def run_worker(referrals: Referrals, stop: asyncio.Event) -> None:
    settings = referrals.settings
    await asyncio.to_thread(
        ensure_topics, settings.kafka_bootstrap, settings.topics(), [*CONSUMED, topics.DEADLETTER]
    )
    async with referrals.runtime.running():
        log.info(
            "referrals worker %s: consuming %s, escalations every %ss",
            referrals.manager.owner,
            ", ".join(CONSUMED),
            settings.escalation_tick_s,
        )
        await run_loops(
            stop,
            consume(referrals, stop),
            referrals.manager.run(settings.escalation_tick_s, stop),
        )


def main() -> None:
    run_until_signalled(lambda stop: run_worker(bootstrap(ReferralsSettings()), stop))


if __name__ == "__main__":
    main()
