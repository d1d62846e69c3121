"""Revoked keys: a leaked key proves nothing from its revocation instant on, and registry files
written before revocations existed read (and are written) exactly as before."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from relais_events.integrity import Signer, ViolationKind, seal_stream, verify_stream
from relais_events.keyregistry import KeyRegistry, dumps_registry, loads_registry, new_key_pair
from relais_events.seal_checks import seal_problems, sealed_envelope

from .conftest import EnvelopeFactory

KEY_FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_events_signed_at_or_after_the_revocation_are_violations(
    registry: KeyRegistry, signer: Signer, make_envelopes: EnvelopeFactory, now: dt.datetime
) -> None:
    stream = seal_stream(signer, make_envelopes("case-1"), None)  # events at now + 1..4 min
    revoked = registry.revoked("intake", signer.key_id, now + dt.timedelta(minutes=3), "leaked")
    found = verify_stream(stream, revoked)
    assert {v.kind for v in found} == {ViolationKind.KEY_REVOKED}
    assert [v.aggregate_version for v in found] == [3, 4]  # the instant itself is revoked
    assert verify_stream(stream, registry) == []  # the same log, before the revocation


def test_a_backdated_event_is_caught_by_the_instant_the_log_received_it(
    registry: KeyRegistry, signer: Signer, make_envelopes: EnvelopeFactory, now: dt.datetime
) -> None:
    event = sealed_envelope(seal_stream(signer, make_envelopes("case-1"), None)[0])
    revoked = registry.revoked("intake", signer.key_id, now + dt.timedelta(hours=1))
    key = revoked.key("intake", signer.key_id)
    assert seal_problems(event, key) == []  # its own time is before the revocation
    logged = now + dt.timedelta(hours=2)  # but the broker stamped it after
    assert [k for k, _ in seal_problems(event, key, signed_by=logged)] == [
        ViolationKind.KEY_REVOKED
    ]


def test_revoking_again_only_moves_the_instant_earlier(
    registry: KeyRegistry, signer: Signer, now: dt.datetime
) -> None:
    first = registry.revoked("intake", signer.key_id, now, "leaked")
    assert first.revoked("intake", signer.key_id, now + dt.timedelta(days=1)) == first
    earlier = first.revoked("intake", signer.key_id, now - dt.timedelta(days=1))
    entry = earlier.key("intake", signer.key_id)
    assert entry is not None
    assert entry.revoked_at == now - dt.timedelta(days=1)
    assert entry.revocation_reason == "leaked"
    with pytest.raises(KeyError):
        registry.revoked("intake", "no-such-key", now)


def test_a_registry_without_revocations_is_written_as_before(registry: KeyRegistry) -> None:
    written = json.loads(dumps_registry(registry))
    assert set(written["intake"][0]) == {"key_id", "public_key", "valid_from", "valid_until"}
    old_file = json.dumps(
        {"intake": [{k: v for k, v in written["intake"][0].items() if k != "valid_until"}]}
    )
    assert loads_registry(old_file) == registry  # a file of before valid_until was written


def test_a_revocation_round_trips_through_the_file(
    registry: KeyRegistry, signer: Signer, now: dt.datetime
) -> None:
    revoked = registry.revoked("intake", signer.key_id, now, "laptop stolen")
    assert loads_registry(dumps_registry(revoked)) == revoked
    _, other = new_key_pair("intake-2026-2", valid_from=KEY_FROM)
    both = revoked.with_key("intake", other)
    entries = json.loads(dumps_registry(both))["intake"]
    assert [("revoked_at" in e) for e in entries] == [True, False]
