"""Verifying the log record by record: what ``relais-audit verify`` proves (DESIGN.md section 4).

One ``PartitionAudit`` reads one partition of a context topic in offset order, and checks:
- each record decodes to an envelope with what the checks need (else ``undecodable``), and its
  Kafka key and ``ce_id``/``ce_type`` headers say what the sealed value says (``record_mismatch``);
- its seal (``relais_events.seal_checks``): hash, registry key, key validity window, revocation
  (at the later of the event's ``time`` and the record's log timestamp), signature;
- its link in its aggregate's chain: version gaps (a dropped event), versions going back
  (swapped or replayed records) and ``prevhash`` links. Every event of an aggregate has the
  aggregate's subject as its Kafka key, so a whole chain lives in one partition; one-event
  aggregates (access-log listings, meetings) are chains of one. ``split_aggregates`` finds an
  aggregate met in two partitions: its order is no longer proved by the log;
- offsets: Kafka numbers a partition's records without holes (no compaction, no transactions
  on these topics), so a log that starts after 0 or skips offsets lost records
  (``offset_gap``), the one way to see a dropped record of a one-event aggregate;
- duplicates, by event id. The outbox publishes at least once (DESIGN.md section 3: a crash
  between the broker's ack and the published marker republishes the commit), so a record whose
  id, hash, signature and content equal an earlier record's is a re-publication: reported as
  ``republished`` so the auditor sees it, but it does not fail the log, because every consumer
  dedupes by event id and the copy changes nothing anyone reads. A record that reuses an
  earlier event id with any other content is a ``conflicting_duplicate``: two different facts
  under one id, one of which a consumer silently ignored. That fails. Neither copy advances its
  aggregate's chain twice.
Only pure computation here: the Kafka reading and the signature implementation are handed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import orjson
from relais_events.keyregistry import PublicKeyEntry
from relais_events.seal_checks import (
    Sealed,
    SignatureCheck,
    ViolationKind,
    link_problems,
    next_head,
    seal_problems,
    sealed_document,
)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class LogKind(StrEnum):
    UNDECODABLE = "undecodable"
    RECORD_MISMATCH = "record_mismatch"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    REPUBLISHED = "republished"  # reported, never a failure (see the module docstring)
    OFFSET_GAP = "offset_gap"
    SPLIT_AGGREGATE = "split_aggregate"


class Record(Protocol):
    """What is read of a Kafka record (kafka-python's ConsumerRecord has these members)."""

    @property
    def offset(self) -> int: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]] | None: ...


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ViolationKind | LogKind
    topic: str
    partition: int
    offset: int
    event_id: str | None
    detail: str

    @property
    def fails(self) -> bool:
        return self.kind is not LogKind.REPUBLISHED


@dataclass(frozen=True, slots=True)
class FirstSeen:
    """Where an aggregate was first met in a partition."""

    offset: int
    event_id: str


@dataclass
class PartitionAudit:
    topic: str
    partition: int
    keys: Mapping[tuple[str, str], PublicKeyEntry]
    signature_ok: SignatureCheck
    start_offset: int = 0  # where the partition's log begins now
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    aggregates: dict[str, FirstSeen] = field(default_factory=dict)
    _heads: dict[str, Sealed] = field(default_factory=dict)
    _seen: dict[str, tuple[str, str | None, str | None, int]] = field(default_factory=dict)
    _next_offset: int | None = None

    def __post_init__(self) -> None:
        if self.start_offset > 0:
            self._report(LogKind.OFFSET_GAP, 0, None, f"the log starts at {self.start_offset}")
        self._next_offset = self.start_offset

    def feed(self, record: Record) -> None:
        self.records += 1
        offset = record.offset
        if self._next_offset is not None and offset != self._next_offset:
            missing = f"offsets {self._next_offset} to {offset - 1} are missing"
            self._report(LogKind.OFFSET_GAP, offset, None, missing)
        self._next_offset = offset + 1
        try:
            document = orjson.loads(record.value or b"")
            event = sealed_document(document)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            self._report(LogKind.UNDECODABLE, offset, None, type(error).__name__)
            return
        found = _record_problems(record, document)
        if not self._first_time(event, offset, found):
            return
        key = self.keys.get((event.service, event.sigkeyid)) if event.sigkeyid else None
        signed_by = None  # the log's timestamp matters only against a revocation
        if key is not None and key.revoked_at is not None:
            signed_by = EPOCH + dt.timedelta(milliseconds=record.timestamp)
        found += seal_problems(event, key, self.signature_ok, signed_by)
        aggregate_id = event.aggregate_id
        head = self._heads.get(aggregate_id)
        found += link_problems(head, event)
        self._heads[aggregate_id] = next_head(head, event)
        if aggregate_id not in self.aggregates:
            self.aggregates[aggregate_id] = FirstSeen(offset, event.event_id)
        for kind, detail in found:
            self._report(kind, offset, event.event_id, detail)

    def finish(self, end_offset: int) -> list[Problem]:
        """The problems of the partition once read up to ``end_offset`` (exclusive)."""
        if self._next_offset is not None and self._next_offset < end_offset:
            missing = f"offsets {self._next_offset} to {end_offset - 1} were never read"
            self._report(LogKind.OFFSET_GAP, self._next_offset, None, missing)
        return self.problems

    def _first_time(self, event: Sealed, offset: int, found: list[tuple[Any, str]]) -> bool:
        """Whether the record is the first with its event id (a duplicate is reported here)."""
        fingerprint = (event.computed_hash, event.hash, event.sig, offset)
        earlier = self._seen.setdefault(event.event_id, fingerprint)
        if earlier is fingerprint:
            return True
        first = f"first at offset {earlier[3]}"
        if earlier[:3] == fingerprint[:3]:
            kind, detail = LogKind.REPUBLISHED, f"an identical copy, {first} (at-least-once)"
        else:
            kind, detail = LogKind.CONFLICTING_DUPLICATE, f"same id, other content, {first}"
        for problem, why in [*found, (kind, detail)]:
            self._report(problem, offset, event.event_id, why)
        return False

    def _report(
        self, kind: ViolationKind | LogKind, offset: int, event_id: str | None, detail: str
    ) -> None:
        self.problems.append(Problem(kind, self.topic, self.partition, offset, event_id, detail))


def _record_problems(record: Record, document: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """The Kafka key and routing headers, which the hash does not cover, against the value."""
    found: list[tuple[Any, str]] = []
    subject = document.get("subject")
    if type(subject) is not str or record.key != subject.encode():
        found.append((LogKind.RECORD_MISMATCH, "the record key is not the event's subject"))
    for name, value in record.headers or ():
        if name in {"ce_id", "ce_type"}:  # every record passes here: no dict look-up
            expected = document.get("id" if name == "ce_id" else "type")
            if type(expected) is not str or value != expected.encode():
                found.append((LogKind.RECORD_MISMATCH, f"header {name} differs from the value"))
    return found


def split_aggregates(
    partitions: Iterable[tuple[str, int, Mapping[str, FirstSeen]]],
) -> list[Problem]:
    """Aggregates met in more than one (topic, partition): reported where met after the first."""
    home: dict[str, tuple[str, int]] = {}
    found: list[Problem] = []
    for topic, partition, aggregates in partitions:
        for aggregate_id, first in aggregates.items():
            where = home.setdefault(aggregate_id, (topic, partition))
            if where != (topic, partition):
                detail = f"{aggregate_id} is also in {where[0]}/{where[1]}"
                found.append(
                    Problem(
                        LogKind.SPLIT_AGGREGATE,
                        topic,
                        partition,
                        first.offset,
                        first.event_id,
                        detail,
                    )
                )
    return found
