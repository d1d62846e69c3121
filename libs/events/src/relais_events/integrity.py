"""Hash chain and signatures: an auditor can prove nothing was changed, dropped or reordered.

``hash`` = SHA-256 of the canonical JSON of the envelope without ``hash`` and ``sig``; ``prevhash``
= the ``hash`` of the previous event of the same aggregate (None for the first); ``sig`` = Ed25519
signature of the ASCII hex ``hash`` by the producing service's key ``sigkeyid``. The sealed ``pii``
is inside the hash, so tampering with it shows, and shredding its key does not. The checks
themselves are in ``relais_events.seal_checks``, shared with the auditor's log verifier.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from relais_events.envelope import Envelope
from relais_events.keyregistry import KeyRegistry
from relais_events.seal_checks import (
    Sealed,
    ViolationKind,
    document_hash,
    envelope_hash,
    link_problems,
    next_head,
    seal_problems,
    sealed_envelope,
)

__all__ = [
    "Signer",
    "Violation",
    "ViolationKind",
    "document_hash",
    "envelope_hash",
    "seal_stream",
    "verify_log",
    "verify_stream",
]


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
    previous: Sealed | None = None
    for envelope in envelopes:
        event = sealed_envelope(envelope)
        key = registry.key(event.service, event.sigkeyid) if event.sigkeyid else None
        found = seal_problems(event, key) + link_problems(previous, event)
        violations.extend(
            Violation(kind, event.event_id, event.aggregate_id, event.aggregate_version, detail)
            for kind, detail in found
        )
        previous = next_head(previous, event)
    return violations


def verify_log(envelopes: Iterable[Envelope], registry: KeyRegistry) -> list[Violation]:
    """Check a whole log (many aggregates, interleaved): each aggregate's stream in log order."""
    streams: dict[str, list[Envelope]] = {}
    for envelope in envelopes:
        streams.setdefault(envelope.aggregateid, []).append(envelope)
    return [v for stream in streams.values() for v in verify_stream(stream, registry)]
