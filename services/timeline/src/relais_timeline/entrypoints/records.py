"""The Kafka side of the projection, shared by the Faust worker and the plain aiokafka replay.

Re-keying: a record of a context topic is decoded once by the kit's ``EventRunner`` (which
dead-letters what cannot be decoded) and forwarded unchanged to the internal by-case topic with
the case id (``subject``) as key, so one partition, hence one worker, owns each case. Where it
came from travels in headers (``relais-origin`` = ``topic/partition/offset``,
``relais-logged-at`` = the context record's timestamp in ms): that is what watermarks and
``as_of`` count, and it is what the auditor's replay reads straight from the context topics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from relais_events.codec import UndecodableRecord, from_record
from relais_kit.consumer import RawRecord

from relais_timeline.application.projection import Arrival
from relais_timeline.domain.summary import Origin

ORIGIN: Final = "relais-origin"
LOGGED_AT: Final = "relais-logged-at"
EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

Headers = Sequence[tuple[str, bytes]]


def logged_at(timestamp_ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=timestamp_ms)


@dataclass(frozen=True)
class ContextRecord:
    """A record as read, with the log timestamp the kit's ``RawRecord`` does not carry."""

    raw: RawRecord
    timestamp_ms: int

    @property
    def origin(self) -> Origin:
        return Origin(topic=self.raw.topic, partition=self.raw.partition, offset=self.raw.offset)

    @classmethod
    def of(cls, message: Any, timestamp_ms: int) -> ContextRecord:
        """From an aiokafka ConsumerRecord or a Faust message (both untyped libraries)."""
        headers = message.headers or ()
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        raw = RawRecord(
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key=message.key,
            value=message.value,
            headers=[(k, v) for k, v in pairs],
        )
        return cls(raw=raw, timestamp_ms=timestamp_ms)


def rekeyed_headers(record: ContextRecord) -> list[tuple[str, bytes]]:
    raw = record.raw
    kept = [(k, v) for k, v in raw.headers if k not in (ORIGIN, LOGGED_AT)]
    origin = f"{raw.topic}/{raw.partition}/{raw.offset}".encode()
    return [*kept, (ORIGIN, origin), (LOGGED_AT, str(record.timestamp_ms).encode())]


def origin_of(headers: Headers) -> tuple[dt.datetime, Origin]:
    """Where a by-case record came from; UndecodableRecord when its headers do not say."""
    found = dict(headers)
    try:
        topic, partition, offset = found[ORIGIN].decode().rsplit("/", 2)
        stamped = logged_at(int(found[LOGGED_AT]))
        return stamped, Origin(topic=topic, partition=int(partition), offset=int(offset))
    except (KeyError, ValueError) as error:
        raise UndecodableRecord("no_origin", "by-case record without origin headers") from error


@dataclass(frozen=True)
class Rekeyed:
    """A by-case record put back in its place of origin: what a dead letter must name (the
    context topic, partition and offset, the original headers), and when the log had it."""

    raw: RawRecord
    logged_at: dt.datetime
    origin: Origin


def from_by_case(record: ContextRecord) -> Rekeyed:
    """Raises UndecodableRecord when the re-keying headers are missing."""
    stamped, origin = origin_of(record.raw.headers)
    raw = record.raw
    original = RawRecord(
        topic=origin.topic,
        partition=origin.partition,
        offset=origin.offset,
        key=raw.key,
        value=raw.value,
        headers=[(k, v) for k, v in raw.headers if k not in (ORIGIN, LOGGED_AT)],
    )
    return Rekeyed(original, stamped, origin)


def arrival_of(record: ContextRecord) -> Arrival:
    """The replay path (no re-keying: one process owns every case). Raises UndecodableRecord."""
    envelope = from_record(record.raw.value, record.raw.headers)
    return Arrival(envelope, logged_at(record.timestamp_ms), record.origin)
