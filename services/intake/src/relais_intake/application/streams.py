"""Case streams: load and fold a case, then append what ``decide`` returned as one commit.

Every new envelope gets its id first, so its personal data can be sealed with the case's data key
bound to that id (``seal_pii``); the envelopes are then signed and chained to the stream's last
hash (``seal_stream``), and appended as one commit. Each event depends on the one before it in the
stream (``dependson``), so the timeline can order a case without trusting clocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from relais_events.catalogue import Event
from relais_events.envelope import Envelope, new_envelope, new_event_id, payload
from relais_events.integrity import Signer, seal_stream
from relais_events.pii import KeyStore, seal_pii
from relais_events.vocabulary import Actor
from relais_kit.store import EventStore, NewCommit, events_of

from relais_intake.application.ports import CommitListener
from relais_intake.domain.case import CaseState, evolve


@dataclass(frozen=True)
class LoadedStream:
    """An aggregate's stream as read: its envelopes (version = their count)."""

    aggregate_id: str
    envelopes: tuple[Envelope, ...]

    @property
    def version(self) -> int:
        return len(self.envelopes)

    @property
    def last(self) -> Envelope | None:
        return self.envelopes[-1] if self.envelopes else None


@dataclass(frozen=True)
class LoadedCase(LoadedStream):
    state: CaseState | None


@dataclass(frozen=True)
class Pending:
    """An event to append, with the personal data to seal next to it (None: no ``pii``)."""

    event: Event
    pii: dict[str, Any] | None = None


@dataclass(frozen=True)
class CaseStreams:
    store: EventStore
    keystore: KeyStore
    signer: Signer
    on_commit: CommitListener = lambda _: None
    # The current request's W3C traceparent (one trace from HTTP through Kafka), if traced.
    traceparent: Callable[[], str | None] = lambda: None

    async def load_case(self, case_id: str) -> LoadedCase:
        envelopes = await self._envelopes(case_id)
        state: CaseState | None = None
        for envelope in envelopes:
            state = evolve(state, payload(envelope))
        return LoadedCase(case_id, envelopes, state)

    async def load(self, aggregate_id: str) -> LoadedStream:
        return LoadedStream(aggregate_id, await self._envelopes(aggregate_id))

    async def _envelopes(self, aggregate_id: str) -> tuple[Envelope, ...]:
        commits = await self.store.load(aggregate_id)
        return tuple(Envelope.model_validate(e) for e in events_of(commits))

    async def append(
        self,
        stream: LoadedStream,
        pending: Sequence[Pending],
        *,
        case_id: str,
        actor: Actor,
        jurisdiction: str | None,
        now: dt.datetime,
        depends_on: Sequence[str] = (),
    ) -> list[Envelope]:
        """Seal, sign, chain, append ``pending`` as one commit; raced: ``ConcurrencyConflict``."""
        built: list[Envelope] = []
        previous = stream.last.id if stream.last else None
        correlation = new_event_id()
        traceparent = self.traceparent()
        for offset, item in enumerate(pending, start=1):
            event_id = correlation if offset == 1 else new_event_id()
            sealed = None
            if item.pii is not None:
                sealed = await seal_pii(
                    item.pii, case_id=case_id, event_id=event_id, keystore=self.keystore
                )
            built.append(
                new_envelope(
                    item.event,
                    source=self.signer.service,
                    subject=case_id,
                    aggregate_id=stream.aggregate_id,
                    aggregate_version=stream.version + offset,
                    actor=actor,
                    jurisdiction=jurisdiction,
                    now=now,
                    correlation_id=correlation,
                    causation_id=built[-1].id if built else None,
                    depends_on=[
                        *(depends_on if offset == 1 else ()),
                        *([previous] if previous else []),
                    ],
                    traceparent=traceparent,
                    pii=sealed,
                    event_id=event_id,
                )
            )
            previous = event_id
        prevhash = stream.last.hash if stream.last else None
        sealed_envelopes = seal_stream(self.signer, built, prevhash)
        stored = await self.store.append(NewCommit.of(sealed_envelopes))
        self.on_commit(stored)
        return sealed_envelopes
