"""A worker's consumer of whole topics, record by record, until it is told to stop.

One aiokafka consumer group (every replica of the worker shares ``group``) reads the topics and
runs each record through the kit's ``EventRunner`` (decode, dead-letter what can never be
handled, retry in place what an outage breaks) into the service's handler; offsets are committed
after the records are handled (``consume_forever``). ``stop`` ends it cleanly; a crash of the
loop is raised, so the worker stops rather than consume nothing. Referrals and shelter both learn
intake's cases this way (``relais_kit.cases.learn_case``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence

from aiokafka import AIOKafkaConsumer

from relais_kit.consumer import EventRunner, Handler, consume_forever
from relais_kit.producers import idempotent_producer
from relais_kit.store.ports import ProcessedEvents
from relais_kit.topics import TopicSettings


class HandlersAreTheClaim:
    """The ``ProcessedEvents`` port for handlers idempotent on their own (a version check, an
    insert under a unique key): a claim document per record would cost two more round trips and
    could disagree with the read model after a crash between the two writes."""

    async def is_claimed(self, consumer: str, event_id: str) -> bool:
        return False

    async def try_claim(
        self, consumer: str, event_id: str, effect: Mapping[str, object] | None = None
    ) -> bool:
        return True


async def consume_until(
    stop: asyncio.Event,
    *,
    name: str,
    handler: Handler,
    topics: Sequence[str],
    names: TopicSettings,
    bootstrap: str,
    group: str,
    processed: ProcessedEvents | None = None,
) -> None:
    """Consume the base ``topics`` (namespaced by ``names``) as member of ``group`` until
    ``stop`` is set. ``processed``: the claims of handled records (default: the handler's own
    idempotence, ``HandlersAreTheClaim``)."""
    consumer = AIOKafkaConsumer(
        *(names.name(t) for t in topics),
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    dead_letters = idempotent_producer(bootstrap)
    await dead_letters.start()
    try:
        await consumer.start()
        try:
            claims = processed or HandlersAreTheClaim()
            runner = EventRunner(name, handler, claims, dead_letters, names)
            consuming = asyncio.create_task(consume_forever(consumer, runner))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({consuming, stopping}, return_when=asyncio.FIRST_COMPLETED)
            consuming.cancel()
            stopping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consuming  # a crash of the loop is raised here, and stops the worker
        finally:
            await consumer.stop()
    finally:
        await dead_letters.stop()


__all__ = ["HandlersAreTheClaim", "consume_until"]
