"""The CloudEvents 1.0 envelope every Relais event travels in (structured mode JSON).

Field names ARE the CloudEvents attribute names (no aliases), so ``model_dump(mode="json")`` is the
wire document. Extensions: ``schemaversion``, ``aggregateid``, ``aggregateversion`` (the event's
position in its aggregate's stream: 1, 2, 3... with no gap), ``actor``, ``jurisdiction``,
``correlationid``, ``causationid``, ``dependson``, ``prevhash``, ``hash``, ``sig``, ``sigkeyid``,
``traceparent`` and ``pii``. ``subject`` is the case id; for an aggregate outside any case (a
shelter site, a funding envelope, a partner) it is that aggregate's id. It is the Kafka key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from uuid_utils import uuid7

from relais_events.catalogue import Event, catalogue
from relais_events.pii import SealedPii
from relais_events.upcasting import upcasters
from relais_events.vocabulary import Actor, Departement, Identifier, Sha256Hex

SOURCE_PREFIX = "relais/"
TRACEPARENT_PATTERN = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    source: str = Field(pattern=r"^relais/[a-z][a-z0-9-]*$")
    type: str = Field(min_length=1)
    specversion: Literal["1.0"] = "1.0"
    time: AwareDatetime
    subject: Identifier
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str
    schemaversion: int = Field(ge=1)
    aggregateid: Identifier
    aggregateversion: int = Field(ge=1)
    actor: Actor
    jurisdiction: Departement | None
    correlationid: str
    causationid: str | None = None
    dependson: tuple[str, ...] = ()
    prevhash: Sha256Hex | None = None
    hash: Sha256Hex | None = None
    sig: str | None = None  # base64 Ed25519 signature of ``hash``
    sigkeyid: str | None = None  # which of the source service's keys signed
    traceparent: str | None = Field(default=None, pattern=TRACEPARENT_PATTERN)
    data: dict[str, Any]
    pii: SealedPii | None = None

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: dt.datetime) -> dt.datetime:
        # One offset for every record, so the canonical form of a time is unique.
        return value.astimezone(dt.UTC)

    @property
    def service(self) -> str:
        """The producing service (``source`` without the ``relais/`` prefix): whose keys sign."""
        return self.source.removeprefix(SOURCE_PREFIX)


def new_event_id() -> str:
    """A UUIDv7: time-ordered, so ids sort roughly by creation (and index well)."""
    return str(uuid7())


def schema_id(type_: str, version: int) -> str:
    return f"urn:relais:schema:{type_}:{version}"


def new_envelope(
    event: Event,
    *,
    source: str,
    subject: str,
    aggregate_id: str,
    aggregate_version: int,
    actor: Actor,
    jurisdiction: str | None,
    now: dt.datetime,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    depends_on: Iterable[str] = (),
    traceparent: str | None = None,
    pii: SealedPii | None = None,
    event_id: str | None = None,
) -> Envelope:
    """Wrap ``event``. ``source`` is a service name (``intake``) or ``relais/intake``.

    ``event_id`` is for a caller who sealed ``pii`` first (the event id is bound into it); a new
    correlation starts at this event when ``correlation_id`` is not given. Unsealed: see Signer.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    identifier = event_id or new_event_id()
    return Envelope(
        id=identifier,
        source=source if source.startswith(SOURCE_PREFIX) else SOURCE_PREFIX + source,
        type=event.TYPE,
        time=now,
        subject=subject,
        dataschema=schema_id(event.TYPE, event.VERSION),
        schemaversion=event.VERSION,
        aggregateid=aggregate_id,
        aggregateversion=aggregate_version,
        actor=actor,
        jurisdiction=jurisdiction,
        correlationid=correlation_id or identifier,
        causationid=causation_id,
        dependson=tuple(depends_on),
        traceparent=traceparent,
        data=event.model_dump(mode="json"),
        pii=pii,
    )


def payload(envelope: Envelope) -> Event:
    """The typed event, upcast to the latest version of its type. Raises on unknown types."""
    version, data = upcasters.upcast(
        catalogue, envelope.type, envelope.schemaversion, dict(envelope.data)
    )
    return catalogue.model(envelope.type, version).model_validate(data)
