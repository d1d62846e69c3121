"""Loading an order's stream and sealing new events onto it (DESIGN.md sections 3 and 4)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast, get_args

from relais_events.envelope import Envelope, new_envelope, payload
from relais_events.integrity import Signer, seal_stream
from relais_events.vocabulary import Actor

from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.protection_order import ProtectionOrder, fold

SOURCE = "protection-orders"
_ORDER_EVENTS = get_args(ProtectionOrderEvent)


class OrderNotFound(LookupError):  # noqa: N818  (what happened, not "Error")
    """No application was filed under this order id."""


class ForeignEvent(ValueError):  # noqa: N818  (what happened, not "Error")
    """An event of another aggregate type in an order's stream: the store is corrupted."""


@dataclass(frozen=True)
class LoadedOrder:
    """An order as of its last commit: the folded state and what the next commit chains to."""

    order_id: str
    state: ProtectionOrder
    version: int
    last_event_id: str | None
    last_hash: str | None
    departement: str | None  # the court's département, carried by the stream's envelopes

    @property
    def exists(self) -> bool:
        return self.version > 0


def to_event(envelope: Envelope) -> ProtectionOrderEvent:
    event = payload(envelope)
    if not isinstance(event, _ORDER_EVENTS):
        raise ForeignEvent(envelope.type)
    return cast(ProtectionOrderEvent, event)  # narrowed by the isinstance on the union's args


def load_order(order_id: str, envelopes: Sequence[Envelope]) -> LoadedOrder:
    events = [to_event(e) for e in envelopes]
    last = envelopes[-1] if envelopes else None
    return LoadedOrder(
        order_id=order_id,
        state=fold(events),
        version=last.aggregateversion if last else 0,
        last_event_id=last.id if last else None,
        last_hash=last.hash if last else None,
        departement=envelopes[0].jurisdiction if envelopes else None,
    )


@dataclass(frozen=True)
class Provenance:
    """Who caused a commit and in which trace; never a name (DESIGN.md section 4)."""

    actor: Actor
    correlation_id: str | None = None
    causation_id: str | None = None
    traceparent: str | None = None


def seal_commit(
    signer: Signer,
    loaded: LoadedOrder,
    *,
    case_id: str,
    departement: str | None,
    events: Sequence[ProtectionOrderEvent],
    provenance: Provenance,
    now: datetime,
) -> list[Envelope]:
    """Envelopes for the next versions, each depending on the one before (the stream's causal
    chain, which the timeline orders by) and hash-chained to the previous event."""
    envelopes: list[Envelope] = []
    previous_id = loaded.last_event_id
    correlation = provenance.correlation_id
    for offset, event in enumerate(events, start=1):
        envelope = new_envelope(
            event,
            source=SOURCE,
            subject=case_id,
            aggregate_id=loaded.order_id,
            aggregate_version=loaded.version + offset,
            actor=provenance.actor,
            jurisdiction=departement,
            now=now,
            correlation_id=correlation,
            causation_id=provenance.causation_id,
            depends_on=(previous_id,) if previous_id else (),
            traceparent=provenance.traceparent,
        )
        correlation = correlation or envelope.id
        previous_id = envelope.id
        envelopes.append(envelope)
    return seal_stream(signer, envelopes, loaded.last_hash)
