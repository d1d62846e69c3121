"""Records a batch at a time: one read and one write for many events (DESIGN.md section 3).

The timeline worker (and any consumer that applies many events to few documents) takes the
records of a poll together; the offsets are committed only after ``handle`` returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from relais_events.envelope import Envelope

from relais_kit.consumer import TRANSIENT, DeadLetters, RawRecord, where
from relais_kit.ingress import Admitted, RecordGate, Refused
from relais_kit.topics import TopicSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decoded:
    """A record decoded once, with the record it came from (its origin, its headers)."""

    record: RawRecord
    envelope: Envelope


BatchHandler = Callable[[Sequence[Decoded]], Awaitable[None]]


@dataclass(frozen=True)
class BatchOutcome:
    handled: int
    dead_lettered: int


class BatchRunner:
    """Handles records a batch at a time (one read and one write for many, DESIGN.md 3).

    Each record is decoded and checked once by the gate (``relais_kit.ingress``); what it refuses
    goes to the dead letters with its reason. The batch
    goes to the handler whole; a transient failure retries it in place (the partition waits), and
    any other failure hands the records over one at a time, so that only the poison one is
    dead-lettered and the others are applied. The handler must be idempotent: the caller commits
    offsets only after ``handle`` returns, so a crash redelivers the whole batch.
    """

    def __init__(
        self,
        name: str,
        handler: BatchHandler,
        dead_letters: AIOKafkaProducer,
        topics: TopicSettings,
        *,
        gate: RecordGate,
        retry_backoff_s: float = 0.5,
        max_backoff_s: float = 10.0,
    ) -> None:
        self.name = name
        self._handler = handler
        self._gate = gate
        self._letters = DeadLetters(name, dead_letters, topics)
        self._backoff = (retry_backoff_s, max_backoff_s)

    async def handle(self, records: Sequence[RawRecord]) -> BatchOutcome:
        admitted, refused = await self._admit(records)
        for refusal in refused:
            await self._letters.send(refusal.record, refusal.reason, refusal.detail)
        dead = len(refused)
        decoded = [Decoded(a.record, a.envelope) for a in admitted]
        if not decoded:
            return BatchOutcome(0, dead)
        try:
            await self._retrying(decoded)
            return BatchOutcome(len(decoded), dead)
        except Exception:
            log.exception("%s: a batch of %d failed; isolating the poison", self.name, len(decoded))
        handled = 0
        for item in decoded:
            try:
                await self._retrying([item])
                handled += 1
            except Exception as error:
                log.exception("%s: handler failed at %s", self.name, where(item.record))
                await self._letters.send(item.record, "handler_error", repr(error)[:1000])
                dead += 1
        return BatchOutcome(handled, dead)

    async def _admit(
        self, records: Sequence[RawRecord]
    ) -> tuple[list[Admitted[RawRecord]], list[Refused[RawRecord]]]:
        delay = self._backoff[0]
        while True:
            try:
                return await self._gate.admit(self.name, records)
            except TRANSIENT as error:  # the fingerprints' store: the partition waits
                log.warning("%s: transient %r admitting a batch; retrying", self.name, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff[1])

    async def _retrying(self, items: Sequence[Decoded]) -> None:
        delay = self._backoff[0]
        while True:
            try:
                await self._handler(items)
                return
            except TRANSIENT as error:
                log.warning("%s: transient %r; retrying the batch", self.name, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff[1])
