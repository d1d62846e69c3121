"""What a consumer admits: every record is checked here, once, before any handler sees it.

Both consumer loops of the kit (``EventRunner``, one record at a time, and ``BatchRunner``, a
poll at a time) take a ``RecordGate`` and hand their handlers only what it admits; the rest goes
to the dead-letter topic with its reason (``relais_reason`` header and the letter's ``reason``),
so a record is either applied or dead-lettered, never dropped (issue 13: count in = count
applied + count dead-lettered). A record is refused when it is

- ``oversized``: more bytes than ``max_record_bytes`` (checked before parsing anything);
- malformed: not a valid envelope of a known event type and version (``bad_json``,
  ``bad_envelope``, ``unknown_type``, ``bad_data``, ``header_mismatch``...: the codec's reasons);
- ``unsealed`` (no hash, signature or key id), or wrongly signed: ``hash_mismatch``,
  ``unknown_key``, ``key_not_valid``, ``key_revoked``, ``bad_signature``, against the key
  registry the auditor reads (``relais_events.seal_checks``, the same checks as ``verify``);
  a revoked key is judged at the later of the event's time and the log's timestamp;
- ``conflicting_duplicate``: an event id this consumer already admitted with another hash (a
  replay of an id with different content). The same id with the same hash is a redelivery (the
  outbox publishes at least once) and passes: handlers are idempotent.

The fingerprints (event id -> hash) are remembered by inserts under unique ids (FerretDB decides
races by duplicate keys, never by a conditional update), before the handler runs: a crash after
that only makes the redelivered record pass as a redelivery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Generic, Protocol, TypeVar

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError
from relais_events.codec import UndecodableRecord, from_record
from relais_events.envelope import Envelope
from relais_events.keyregistry import KeyRegistry, empty_registry, load_registry
from relais_events.seal_checks import (
    SignatureCheck,
    check_signature,
    seal_problems,
    sealed_envelope,
)

from relais_kit.settings import ServiceSettings

OVERSIZED: Final = "oversized"
CONFLICTING_DUPLICATE: Final = "conflicting_duplicate"
FINGERPRINTS: Final = "consumed_fingerprints"
_DUPLICATE_KEY: Final = 11000


class RecordLike(Protocol):
    """What the gate reads of a record (``relais_kit.consumer.RawRecord``)."""

    @property
    def value(self) -> bytes: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...
    @property
    def timestamp_ms(self) -> int | None: ...


R = TypeVar("R", bound=RecordLike)


@dataclass(frozen=True)
class Admitted(Generic[R]):
    record: R  # the caller's record, handed back as given
    envelope: Envelope


@dataclass(frozen=True)
class Refused(Generic[R]):
    record: R
    reason: str
    detail: str


class Fingerprints(Protocol):
    """Event id -> hash of what a consumer admitted, remembered once per (consumer, id)."""

    async def remember(self, consumer: str, hashes: Mapping[str, str]) -> dict[str, str]:
        """Remember the ids not seen before; answer the hash first remembered for each id that
        was seen before (whatever it is: the caller compares)."""
        ...


class MemoryFingerprints:
    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], str] = {}

    async def remember(self, consumer: str, hashes: Mapping[str, str]) -> dict[str, str]:
        before: dict[str, str] = {}
        for event_id, digest in hashes.items():
            key = (consumer, event_id)
            if key in self._seen:
                before[event_id] = self._seen[key]
            else:
                self._seen[key] = digest
        return before


class MongoFingerprints:
    """One document per (consumer, event id): ``_id`` decides who was first (no update)."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self._collection = collection

    async def remember(self, consumer: str, hashes: Mapping[str, str]) -> dict[str, str]:
        if not hashes:
            return {}
        documents = [{"_id": f"{consumer}:{i}", "hash": h} for i, h in hashes.items()]
        ids = list(hashes)
        seen: list[str] = []
        try:
            await self._collection.insert_many(documents, ordered=False)
        except BulkWriteError as error:
            for failure in error.details.get("writeErrors", []):
                if failure.get("code") != _DUPLICATE_KEY:
                    raise
                seen.append(ids[failure["index"]])
        before: dict[str, str] = {}
        for event_id in seen:  # rare (redeliveries): one lookup by exact _id each
            found = await self._collection.find_one({"_id": f"{consumer}:{event_id}"})
            if found is not None:
                before[event_id] = str(found["hash"])
        return before


class RegistryUnavailable(Exception):  # noqa: N818  (named after what happened)
    """The key registry file is missing: transient, so the partition waits (nothing is judged
    against an empty registry, which would dead-letter every record)."""


class KeyRegistrySource:
    """The public key registry, re-read when its file changes (a key added or revoked)."""

    def __init__(self, path: Path | None = None, registry: KeyRegistry | None = None) -> None:
        self._path = path
        self._registry = registry or empty_registry()
        self._stamp: tuple[int, int, int] | None = None

    def current(self) -> KeyRegistry:
        if self._path is None:
            return self._registry
        try:
            found = self._path.stat()
        except FileNotFoundError as error:
            raise RegistryUnavailable(f"no key registry at {self._path}") from error
        # The registry is replaced atomically (a new inode): coarse mtimes still differ so.
        stamp = (found.st_mtime_ns, found.st_ino, found.st_size)
        if stamp != self._stamp:
            self._registry, self._stamp = load_registry(self._path), stamp
        return self._registry


class RecordGate:
    def __init__(
        self,
        keys: KeyRegistrySource,
        fingerprints: Fingerprints,
        *,
        max_bytes: int,
        signature_ok: SignatureCheck = check_signature,
    ) -> None:
        self._keys, self._fingerprints, self._max = keys, fingerprints, max_bytes
        # OpenSSL by default; a service may bring a faster one (the timeline: libsodium).
        self._signature_ok = signature_ok

    async def admit(
        self, consumer: str, records: Sequence[R]
    ) -> tuple[list[Admitted[R]], list[Refused[R]]]:
        """Split ``records`` (each with ``value``, ``headers``, ``timestamp_ms``) into what
        ``consumer`` may apply and what goes to the dead letters, keeping their order."""
        registry = self._keys.current()
        checked: list[Admitted[R] | Refused[R]] = [self._check(r, registry) for r in records]
        first: dict[str, str] = {}
        for item in checked:
            if isinstance(item, Admitted):
                first.setdefault(item.envelope.id, str(item.envelope.hash))
        before = await self._fingerprints.remember(consumer, first)
        known = {**first, **before}
        admitted: list[Admitted[R]] = []
        refused: list[Refused[R]] = []
        for item in checked:
            if isinstance(item, Refused):
                refused.append(item)
            elif item.envelope.hash != known[item.envelope.id]:
                refused.append(
                    Refused(
                        item.record,
                        CONFLICTING_DUPLICATE,
                        f"event {item.envelope.id} was admitted before with other content",
                    )
                )
            else:
                admitted.append(item)
        return admitted, refused

    def _check(self, record: R, registry: KeyRegistry) -> Admitted[R] | Refused[R]:
        value = record.value
        if len(value) > self._max:
            return Refused(record, OVERSIZED, f"{len(value)} bytes, over {self._max}")
        try:
            envelope = from_record(value, record.headers)
        except UndecodableRecord as error:
            return Refused(record, error.reason, error.detail)
        event = sealed_envelope(envelope)
        key = registry.key(event.service, event.sigkeyid) if event.sigkeyid else None
        logged = record.timestamp_ms
        signed_by = dt.datetime.fromtimestamp(logged / 1000, dt.UTC) if logged else None
        problems = seal_problems(event, key, self._signature_ok, signed_by)
        if problems:
            kind, detail = problems[0]
            return Refused(record, str(kind), detail)
        return Admitted(record, envelope)


def record_gate(
    settings: ServiceSettings,
    database: AsyncDatabase[dict[str, Any]],
    signature_ok: SignatureCheck = check_signature,
) -> RecordGate:
    """The gate of a service's consumers: its key registry, fingerprints in its own database."""
    return RecordGate(
        KeyRegistrySource(settings.key_registry),
        MongoFingerprints(database[FINGERPRINTS]),
        max_bytes=settings.max_record_bytes,
        signature_ok=signature_ok,
    )
