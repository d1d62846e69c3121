"""Envelopes to Kafka records and back: what the kit's relay produces and its consumers read.

Structured-mode CloudEvents: the whole envelope is the record value (canonical JSON), the key is
the subject (case id, so a case keeps its order within a topic), and headers repeat ``ce_type``,
``ce_id`` and ``traceparent`` so brokers-side tools can route and trace without parsing the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import orjson
from pydantic import ValidationError

from relais_events.canonical import canonical_json
from relais_events.catalogue import UnknownEventType, catalogue
from relais_events.envelope import Envelope, payload

CONTENT_TYPE = "application/cloudevents+json"


@dataclass(frozen=True)
class KafkaRecord:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


class UndecodableRecord(ValueError):  # noqa: N818  (the kit imports this name)
    """A record no consumer can use: it goes to the dead-letter topic with ``reason``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def to_record(envelope: Envelope) -> KafkaRecord:
    topic = catalogue.model(envelope.type, envelope.schemaversion).TOPIC
    headers = [
        ("ce_type", envelope.type.encode()),
        ("ce_id", envelope.id.encode()),
        ("ce_specversion", envelope.specversion.encode()),
        ("content-type", CONTENT_TYPE.encode()),
    ]
    if envelope.traceparent is not None:
        headers.append(("traceparent", envelope.traceparent.encode()))
    return KafkaRecord(
        topic=topic,
        key=envelope.subject.encode(),
        value=canonical_json(envelope.model_dump(mode="json")),
        headers=headers,
    )


def from_record(value: bytes, headers: Sequence[tuple[str, bytes]] | None = None) -> Envelope:
    """Decode and check a record value: envelope, known type and version, valid ``data``."""
    try:
        document = orjson.loads(value)
    except orjson.JSONDecodeError as error:
        raise UndecodableRecord("bad_json", str(error)) from error
    if not isinstance(document, dict):
        raise UndecodableRecord("not_an_object")
    try:
        envelope = Envelope.model_validate(document)
    except ValidationError as error:
        raise UndecodableRecord("bad_envelope", _fields(error)) from error
    try:
        payload(envelope)
    except UnknownEventType as error:
        raise UndecodableRecord("unknown_type", str(error)) from error
    except ValidationError as error:
        raise UndecodableRecord("bad_data", _fields(error)) from error
    for name, expected in (("ce_id", envelope.id), ("ce_type", envelope.type)):
        sent = dict(headers or ()).get(name)
        if sent is not None and sent != expected.encode():
            raise UndecodableRecord("header_mismatch", f"{name} differs from the value")
    return envelope


def _fields(error: ValidationError) -> str:
    # Field paths only: a validation message may echo the input, which can hold personal data.
    return ", ".join(f"{'.'.join(str(p) for p in e['loc'])} {e['type']}" for e in error.errors())[
        :500
    ]
