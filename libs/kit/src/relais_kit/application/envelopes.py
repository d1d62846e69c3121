"""Building a commit's envelopes: ids, links, sealed personal data, signature and hash chain.

The one place that decides what an envelope says about its commit (the package docstring gives
the meaning of each link). Every event gets its id first, so its personal data can be sealed
with the case's data key bound to that id; then each envelope is signed and chained to the one
before it in the stream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from relais_events.catalogue import Event
from relais_events.envelope import Envelope, new_envelope, new_event_id
from relais_events.integrity import Signer, seal_stream
from relais_events.pii import KeyStore, SealedPii, seal_with_key
from relais_events.vocabulary import Actor

from relais_kit.application.aggregate import Loaded
from relais_kit.tracing import current_traceparent


async def sealed_envelopes(
    signer: Signer,
    keys: KeyStore,
    loaded: Loaded[Any],
    events: Sequence[Event],
    *,
    actor: Actor,
    subject: str,
    jurisdiction: str | None,
    personal_data: Callable[[Event], Mapping[str, Any] | None] | None,
    new_case_key: bool,
    depends_on: Sequence[str],
    cause: Envelope | None,
    now: dt.datetime,
) -> list[Envelope]:
    """The signed envelopes of ``events``, versions after ``loaded.version``.

    ``new_case_key``: the commit opens the case itself, so its data key cannot exist yet and
    is written without being looked up first.
    """
    ids = [new_event_id() for _ in events]
    correlation = cause.correlationid if cause is not None else ids[0]
    traceparent = current_traceparent()
    extra = list(depends_on)
    if cause is not None and cause.subject == subject and cause.id not in extra:
        extra.append(cause.id)  # a reaction follows what it reacts to, on the same timeline
    previous = loaded.last_event_id
    key: bytes | None = None
    built: list[Envelope] = []
    for offset, (event, event_id) in enumerate(zip(events, ids, strict=True), start=1):
        causes = [*(extra if offset == 1 else ()), *((previous,) if previous else ())]
        pii = personal_data(event) if personal_data is not None else None
        sealed: SealedPii | None = None
        if pii:
            if key is None:
                key = await (keys.create_key if new_case_key else keys.data_key)(subject)
            sealed = seal_with_key(dict(pii), key, case_id=subject, event_id=event_id)
        built.append(
            new_envelope(
                event,
                source=signer.service,
                subject=subject,
                aggregate_id=loaded.aggregate_id,
                aggregate_version=loaded.version + offset,
                actor=actor,
                jurisdiction=jurisdiction,
                now=now,
                correlation_id=correlation,
                causation_id=cause.id if cause is not None else None,
                depends_on=list(dict.fromkeys(causes)),
                traceparent=traceparent,
                pii=sealed,
                event_id=event_id,
            )
        )
        previous = event_id
    return seal_stream(signer, built, loaded.last_hash)
