"""The worker process: the consumers of intake, shelter and referrals events, and the SLA manager.

    python -m relais_referrals.entrypoints.worker

One aiokafka consumer group (``worker_group``, shared by every replica) reads the three topics
and runs each record through the kit's ``EventRunner`` (admit through the kit's gate: size,
envelope, signature, replayed ids; dead-letter what can never be handled, retry in place what an
outage breaks) into ``EventHandlers.on_event``, whose branches
are idempotent on their own; offsets are committed after the records are handled. The SLA
manager ticks beside it on the runtime's clock. The worker commits escalations, so it runs its
own outbox relay (the kit's ``Runtime``). SIGTERM / SIGINT stop both loops, then the runtime
(``run_until_signalled``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer
from relais_events import topics
from relais_kit.consumer import EventRunner, consume_forever
from relais_kit.ingress import record_gate
from relais_kit.producers import idempotent_producer
from relais_kit.runtime import run_until_signalled
from relais_kit.topics import ensure_topics

from relais_referrals.bootstrap import Referrals, bootstrap
from relais_referrals.config import ReferralsSettings

log = logging.getLogger(__name__)
CONSUMED = (topics.INTAKE, topics.SHELTER, topics.REFERRALS)
CONSUMER = "referrals-worker"


class HandlersAreTheClaim:
    """The kit's ``ProcessedEvents`` port, for handlers idempotent on their own (see
    ``application.on_event``): a claim document per record would cost two more round trips
    and could disagree with the read model after a crash between the two writes."""

    async def is_claimed(self, consumer: str, event_id: str) -> bool:
        return False

    async def try_claim(
        self, consumer: str, event_id: str, effect: Mapping[str, object] | None = None
    ) -> bool:
        return True


async def consume(referrals: Referrals, stop: asyncio.Event) -> None:
    settings = referrals.settings
    names = settings.topics()
    consumer = AIOKafkaConsumer(
        *(names.name(t) for t in CONSUMED),
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=settings.worker_group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    dead_letters = idempotent_producer(settings.kafka_bootstrap)
    await dead_letters.start()
    await consumer.start()
    try:
        runner = EventRunner(
            CONSUMER,
            referrals.handlers.on_event,
            HandlersAreTheClaim(),
            dead_letters,
            names,
            gate=record_gate(settings, referrals.runtime.database),
        )
        consuming = asyncio.create_task(consume_forever(consumer, runner))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({consuming, stopping}, return_when=asyncio.FIRST_COMPLETED)
        consuming.cancel()
        stopping.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await consuming  # a crash of the loop is raised here, and stops the worker
    finally:
        await consumer.stop()
        await dead_letters.stop()


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
        tasks = [
            asyncio.create_task(consume(referrals, stop)),
            asyncio.create_task(referrals.manager.run(settings.escalation_tick_s, stop)),
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                task.result()  # one loop failed: raise it (the others are cancelled below)
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def main() -> None:
    run_until_signalled(lambda stop: run_worker(bootstrap(ReferralsSettings()), stop))


if __name__ == "__main__":
    main()
