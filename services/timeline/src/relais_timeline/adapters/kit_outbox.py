"""The timeline's own events through the kit's event store (the commit collection, which is the
outbox) and its relay (DESIGN.md section 3, steps 3-4).

Each ``access.logged`` and each ``committee.meeting_held`` is an aggregate of its own (its id is
a fresh UUIDv7), so its one commit is version 1 and no writer ever races for it. Events are
sealed (hash + Ed25519 signature) before they are stored when a signer is configured.
"""

from __future__ import annotations

from collections.abc import Sequence

from relais_events.envelope import Envelope
from relais_events.integrity import Signer, seal_stream
from relais_kit.outbox import OutboxRelay
from relais_kit.store import EventStore, NewCommit
from relais_kit.tracing import current_traceparent


class KitEventOutbox:
    def __init__(self, store: EventStore, relay: OutboxRelay, signer: Signer | None) -> None:
        self._store, self._relay, self._signer = store, relay, signer

    async def append(self, aggregate_id: str, envelopes: Sequence[Envelope]) -> None:
        traced = [
            e if e.traceparent else e.model_copy(update={"traceparent": current_traceparent()})
            for e in envelopes
        ]
        sealed = seal_stream(self._signer, traced, None) if self._signer else traced
        stored = await self._store.append(NewCommit.of(sealed))
        self._relay.notify(stored)
