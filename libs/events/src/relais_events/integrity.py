"""Hash chain and signatures: an auditor can prove nothing was changed, dropped or reordered.

``hash`` = SHA-256 of the canonical JSON of the envelope without ``hash`` and ``sig``; ``prevhash``
= the ``hash`` of the previous event of the same aggregate (None for the first); ``sig`` = Ed25519
signature of the ASCII hex ``hash`` by the producing service's key ``sigkeyid``. The sealed ``pii``
is inside the hash, so tampering with it shows, and shredding its key does not.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from relais_events.canonical import sha256_hex
from relais_events.envelope import Envelope
from relais_events.keyregistry import KeyRegistry

_UNHASHED = frozenset({"hash", "sig"})


def envelope_hash(envelope: Envelope) -> str:
    return sha256_hex(envelope.model_dump(mode="json", exclude=set(_UNHASHED)))


@dataclass(frozen=True)
class Signer:
    """A service's signing key. ``seal`` is the last step before an event is stored."""

    service: str
    key_id: str
    private_key: Ed25519PrivateKey

    def seal(self, envelope: Envelope, prevhash: str | None) -> Envelope:
        if envelope.service != self.service:
            raise ValueError(f"{self.service} cannot sign an event from {envelope.source}")
        linked = envelope.model_copy(
            update={"prevhash": prevhash, "sigkeyid": self.key_id, "hash": None, "sig": None}
        )
        digest = envelope_hash(linked)
        signature = self.private_key.sign(digest.encode("ascii"))
        return linked.model_copy(
            update={"hash": digest, "sig": base64.b64encode(signature).decode()}
        )


def seal_stream(
    signer: Signer, envelopes: Iterable[Envelope], prevhash: str | None
) -> list[Envelope]:
    """Seal consecutive events of one aggregate, chaining each to the one before."""
    sealed: list[Envelope] = []
    for envelope in envelopes:
        sealed.append(signer.seal(envelope, prevhash))
        prevhash = sealed[-1].hash
    return sealed


class ViolationKind(StrEnum):
    UNSEALED = "unsealed"  # no hash or no signature
    HASH_MISMATCH = "hash_mismatch"  # bytes changed after sealing
    BROKEN_LINK = "broken_link"  # prevhash is not the previous event's hash
    VERSION_GAP = "version_gap"  # an event is missing (dropped)
    OUT_OF_ORDER = "out_of_order"  # versions go backwards or repeat (swapped, replayed)
    WRONG_AGGREGATE = "wrong_aggregate"
    UNKNOWN_KEY = "unknown_key"  # signed by a key the registry does not publish for the service
    KEY_NOT_VALID = "key_not_valid"  # the key was not valid at the event's time
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    event_id: str
    aggregate_id: str
    aggregate_version: int
    detail: str


def verify_stream(envelopes: Sequence[Envelope], registry: KeyRegistry) -> list[Violation]:
    """Check ONE aggregate's whole stream, in the order given (log order). Empty = intact."""
    violations: list[Violation] = []
    previous: Envelope | None = None
    for envelope in envelopes:
        found = _seal_problems(envelope, registry)
        expected_version = 1 if previous is None else previous.aggregateversion + 1
        expected_prevhash = None if previous is None else previous.hash
        if previous is not None and envelope.aggregateid != previous.aggregateid:
            found.append((ViolationKind.WRONG_AGGREGATE, f"stream of {previous.aggregateid}"))
        if envelope.aggregateversion > expected_version:
            found.append((ViolationKind.VERSION_GAP, f"expected version {expected_version}"))
        elif envelope.aggregateversion < expected_version:
            found.append((ViolationKind.OUT_OF_ORDER, f"expected version {expected_version}"))
        if envelope.prevhash != expected_prevhash:
            found.append((ViolationKind.BROKEN_LINK, f"prevhash should be {expected_prevhash}"))
        violations.extend(
            Violation(kind, envelope.id, envelope.aggregateid, envelope.aggregateversion, detail)
            for kind, detail in found
        )
        previous = envelope
    return violations


def verify_log(envelopes: Iterable[Envelope], registry: KeyRegistry) -> list[Violation]:
    """Check a whole log (many aggregates, interleaved): each aggregate's stream in log order."""
    streams: dict[str, list[Envelope]] = {}
    for envelope in envelopes:
        streams.setdefault(envelope.aggregateid, []).append(envelope)
    return [v for stream in streams.values() for v in verify_stream(stream, registry)]


def _seal_problems(envelope: Envelope, registry: KeyRegistry) -> list[tuple[ViolationKind, str]]:
    if envelope.hash is None or envelope.sig is None or envelope.sigkeyid is None:
        return [(ViolationKind.UNSEALED, "no hash, signature or key id")]
    found: list[tuple[ViolationKind, str]] = []
    if envelope_hash(envelope) != envelope.hash:
        found.append((ViolationKind.HASH_MISMATCH, "content differs from its hash"))
    key = registry.key(envelope.service, envelope.sigkeyid)
    if key is None:
        found.append((ViolationKind.UNKNOWN_KEY, f"{envelope.service} has no {envelope.sigkeyid}"))
        return found
    if not key.valid_at(envelope.time):
        found.append((ViolationKind.KEY_NOT_VALID, f"{key.key_id} not valid at {envelope.time}"))
    try:
        key.verifier().verify(base64.b64decode(envelope.sig), envelope.hash.encode("ascii"))
    except (InvalidSignature, ValueError):
        found.append((ViolationKind.BAD_SIGNATURE, f"signature does not match {key.key_id}"))
    return found
