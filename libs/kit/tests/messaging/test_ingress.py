"""The record gate on its own: redeliveries pass, replays and late revocations do not, and the
key registry is re-read when its file changes (a service started later published its key)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events.codec import to_record
from relais_events.envelope import Envelope
from relais_events.integrity import Signer
from relais_events.keyregistry import new_key_pair
from relais_kit.consumer import TRANSIENT, RawRecord
from relais_kit.ingress import (
    KeyRegistrySource,
    MemoryFingerprints,
    RecordGate,
    RegistryUnavailable,
)
from relais_kit.signing import publish

from .conftest import NOW, REGISTRY, SIGNER, gate, report, unsigned_report


def raw(envelope: Envelope, offset: int = 0, logged: dt.datetime | None = None) -> RawRecord:
    record = to_record(envelope)
    stamp = round(logged.timestamp() * 1000) if logged else None
    return RawRecord(record.topic, 0, offset, record.key, record.value, record.headers, stamp)


async def test_a_redelivery_of_the_same_event_is_admitted_again() -> None:
    checks, event = gate(), report("case-1", 1)
    admitted, refused = await checks.admit("c", [raw(event, 0), raw(event, 1)])
    assert ([a.envelope.id for a in admitted], refused) == ([event.id, event.id], [])
    admitted, refused = await checks.admit("c", [raw(event, 2)])
    assert (len(admitted), refused) == (1, [])


async def test_a_replay_with_other_content_is_refused_in_the_same_batch_or_later() -> None:
    checks, event = gate(), report("case-1", 1)
    data = {**event.data, "children_present": 2}
    replay = SIGNER.seal(event.model_copy(update={"data": data, "hash": None, "sig": None}), None)
    admitted, refused = await checks.admit("c", [raw(event, 0), raw(replay, 1)])
    assert [a.record.offset for a in admitted] == [0]
    assert [(r.record.offset, r.reason) for r in refused] == [(1, "conflicting_duplicate")]
    _, later = await checks.admit("c", [raw(replay, 2)])
    assert [r.reason for r in later] == ["conflicting_duplicate"]
    # Another consumer never admitted the first one: it takes whichever it sees first.
    admitted, _ = await checks.admit("other", [raw(replay, 3)])
    assert len(admitted) == 1


async def test_a_key_revoked_before_the_log_received_the_record_is_refused() -> None:
    """A thief backdates ``time`` below the revocation; the log's timestamp still tells."""
    private, entry = new_key_pair("intake-2", valid_from=NOW - dt.timedelta(days=30))
    revoked_at = NOW + dt.timedelta(hours=1)
    registry = REGISTRY.with_key("intake", entry).revoked("intake", "intake-2", revoked_at)
    checks = RecordGate(
        KeyRegistrySource(registry=registry), MemoryFingerprints(), max_bytes=64 * 1024
    )
    backdated = Signer("intake", "intake-2", private).seal(unsigned_report("case-1", 1), None)
    assert backdated.time < revoked_at
    early, _ = await checks.admit("c", [raw(backdated, 0, logged=NOW)])
    assert len(early) == 1
    _, late = await checks.admit("c", [raw(backdated, 1, logged=revoked_at + dt.timedelta(1))])
    assert [r.reason for r in late] == ["key_revoked"]


async def test_the_registry_is_read_again_when_a_key_is_published(tmp_path: Path) -> None:
    registry = tmp_path / "registry.json"
    publish(registry, "intake", SIGNER.key_id, SIGNER.private_key)
    checks = RecordGate(KeyRegistrySource(registry), MemoryFingerprints(), max_bytes=64 * 1024)
    newcomer = Signer("intake", "intake-new", Ed25519PrivateKey.generate())
    event = newcomer.seal(unsigned_report("case-1", 1), None)
    _, refused = await checks.admit("c", [raw(event, 0)])
    assert [r.reason for r in refused] == ["unknown_key"]
    publish(registry, "intake", "intake-new", newcomer.private_key)
    admitted, refused = await checks.admit("c", [raw(event, 1)])
    assert (len(admitted), refused) == (1, [])
    assert [a.envelope.id for a in (await checks.admit("c", [raw(report("c", 1))]))[0]]


async def test_without_its_registry_file_the_gate_judges_nothing(tmp_path: Path) -> None:
    """A missing registry is an outage (the partition waits), not a reason to refuse all."""
    checks = RecordGate(
        KeyRegistrySource(tmp_path / "none.json"), MemoryFingerprints(), max_bytes=64 * 1024
    )
    with pytest.raises(RegistryUnavailable):
        await checks.admit("c", [raw(report("case-1", 1))])
    assert RegistryUnavailable in TRANSIENT
