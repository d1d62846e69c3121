"""Each tamper test fails if the matching check in verify_stream were removed."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from pathlib import Path

from relais_events.envelope import Envelope
from relais_events.integrity import Signer, ViolationKind, seal_stream, verify_log, verify_stream
from relais_events.keyregistry import (
    KeyRegistry,
    dumps_registry,
    empty_registry,
    load_registry,
    loads_registry,
    new_key_pair,
    private_key_from_base64,
    private_key_to_base64,
    save_registry,
)

StreamFactory = Callable[[str], list[Envelope]]
EnvelopeFactory = Callable[..., list[Envelope]]


def kinds(envelopes: list[Envelope], registry: KeyRegistry) -> set[ViolationKind]:
    return {v.kind for v in verify_stream(envelopes, registry)}


def test_an_intact_stream_verifies(sealed_stream: StreamFactory, registry: KeyRegistry) -> None:
    stream = sealed_stream("case-1")
    assert verify_stream(stream, registry) == []
    assert stream[0].prevhash is None
    assert all(b.prevhash == a.hash for a, b in itertools.pairwise(stream))


def test_a_changed_byte_in_data_is_a_hash_mismatch(
    sealed_stream: StreamFactory, registry: KeyRegistry
) -> None:
    stream = sealed_stream("case-1")
    changed = dict(stream[1].data, children_present=3)
    stream[1] = stream[1].model_copy(update={"data": changed})
    assert kinds(stream, registry) == {ViolationKind.HASH_MISMATCH}


def test_a_changed_prevhash_is_caught(sealed_stream: StreamFactory, registry: KeyRegistry) -> None:
    stream = sealed_stream("case-1")
    assert stream[2].prevhash is not None
    flipped = ("0" if stream[2].prevhash[0] != "0" else "1") + stream[2].prevhash[1:]
    stream[2] = stream[2].model_copy(update={"prevhash": flipped})
    assert kinds(stream, registry) == {ViolationKind.HASH_MISMATCH, ViolationKind.BROKEN_LINK}


def test_a_resealed_forgery_still_breaks_the_chain(
    sealed_stream: StreamFactory, registry: KeyRegistry, signer: Signer
) -> None:
    # Even with the signing key, rewriting one event breaks the next event's link.
    stream = sealed_stream("case-1")
    forged = stream[1].model_copy(update={"data": dict(stream[1].data, children_present=0)})
    stream[1] = signer.seal(forged, stream[1].prevhash)
    assert kinds(stream, registry) == {ViolationKind.BROKEN_LINK}


def test_a_dropped_event_is_caught(sealed_stream: StreamFactory, registry: KeyRegistry) -> None:
    stream = sealed_stream("case-1")
    del stream[1]
    assert kinds(stream, registry) == {ViolationKind.VERSION_GAP, ViolationKind.BROKEN_LINK}


def test_a_dropped_first_event_is_caught(
    sealed_stream: StreamFactory, registry: KeyRegistry
) -> None:
    assert ViolationKind.VERSION_GAP in kinds(sealed_stream("case-1")[1:], registry)


def test_swapped_events_are_caught(sealed_stream: StreamFactory, registry: KeyRegistry) -> None:
    stream = sealed_stream("case-1")
    stream[1], stream[2] = stream[2], stream[1]
    assert kinds(stream, registry) == {
        ViolationKind.VERSION_GAP,
        ViolationKind.OUT_OF_ORDER,
        ViolationKind.BROKEN_LINK,
    }


def test_a_key_not_in_the_registry_is_caught(
    registry: KeyRegistry, make_envelopes: EnvelopeFactory, now: dt.datetime
) -> None:
    private, _ = new_key_pair("intake-2026-1", valid_from=now)  # same id, unpublished key
    impostor = Signer("intake", "intake-2026-1", private)
    stream = seal_stream(impostor, make_envelopes("case-1"), None)
    assert kinds(stream, registry) == {ViolationKind.BAD_SIGNATURE}
    other = Signer("intake", "rogue-key", private)
    stream = seal_stream(other, make_envelopes("case-1"), None)
    assert kinds(stream, registry) == {ViolationKind.UNKNOWN_KEY}


def test_a_key_outside_its_validity_window_is_caught(
    make_envelopes: EnvelopeFactory, now: dt.datetime
) -> None:
    until = now + dt.timedelta(minutes=2, seconds=30)
    private, entry = new_key_pair("k-old", valid_from=now, valid_until=until)
    registry = empty_registry().with_key("intake", entry)
    stream = seal_stream(Signer("intake", "k-old", private), make_envelopes("c"), None)
    late = [v for v in verify_stream(stream, registry) if v.kind is ViolationKind.KEY_NOT_VALID]
    assert [v.aggregate_version for v in late] == [3, 4]  # events at +3 and +4 minutes
    early = seal_stream(
        Signer("intake", "k-old", private),
        make_envelopes("c", start=now - dt.timedelta(days=1)),
        None,
    )
    assert ViolationKind.KEY_NOT_VALID in kinds(early, registry)


def test_an_unsealed_event_is_caught(
    registry: KeyRegistry, make_envelopes: EnvelopeFactory
) -> None:
    stream = make_envelopes("case-1")
    assert ViolationKind.UNSEALED in kinds(stream, registry)


def test_verify_log_checks_each_aggregate_of_an_interleaved_log(
    sealed_stream: StreamFactory, registry: KeyRegistry
) -> None:
    a, b = sealed_stream("case-a"), sealed_stream("case-b")
    log = [e for pair in zip(a, b, strict=True) for e in pair]
    assert verify_log(log, registry) == []
    log.remove(b[2])
    assert {v.aggregate_id for v in verify_log(log, registry)} == {"case-b"}


def test_the_key_registry_file_round_trips(registry: KeyRegistry, tmp_path: Path) -> None:
    assert loads_registry(dumps_registry(registry)) == registry
    save_registry(registry, tmp_path / "keys.json")
    assert load_registry(tmp_path / "keys.json") == registry
    assert json.loads((tmp_path / "keys.json").read_text())["intake"][0]["valid_until"] is None


def test_a_signing_key_survives_its_settings_form(signer: Signer) -> None:
    restored = private_key_from_base64(private_key_to_base64(signer.private_key))
    assert restored.sign(b"h") == signer.private_key.sign(b"h")  # Ed25519 is deterministic
