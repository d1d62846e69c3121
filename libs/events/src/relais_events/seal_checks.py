"""The checks of one sealed event and of one link of a stream (DESIGN.md section 4).

``hash`` = SHA-256 of the canonical JSON of the envelope without ``hash`` and ``sig``; ``prevhash``
= the previous event's ``hash`` in the same aggregate; ``sig`` = Ed25519 of the ASCII hex ``hash``
by the service's key ``sigkeyid``. The checks read ``Sealed``: the few members they need, taken
from an ``Envelope`` (``sealed_envelope``) or straight from a record's JSON (``sealed_document``,
what the auditor's ``verify`` reads at log speed), so both paths run the same rules.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature

from relais_events.canonical import sha256_hex
from relais_events.envelope import SOURCE_PREFIX, Envelope
from relais_events.keyregistry import PublicKeyEntry

_UNHASHED = frozenset({"hash", "sig"})


def envelope_hash(envelope: Envelope) -> str:
    return sha256_hex(envelope.model_dump(mode="json", exclude=set(_UNHASHED)))


def document_hash(document: Mapping[str, Any]) -> str:
    """``envelope_hash`` of a record's parsed JSON, without building the Envelope.

    The record value is the canonical JSON of ``model_dump(mode="json")``, so parsing it gives
    back that dump and this is the same digest. orjson refuses NaN and infinity when parsing,
    so the canonical form needs no second check for them here.
    """
    kept = {k: v for k, v in document.items() if k not in _UNHASHED}
    return hashlib.sha256(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)).hexdigest()


class ViolationKind(StrEnum):
    UNSEALED = "unsealed"  # no hash or no signature
    HASH_MISMATCH = "hash_mismatch"  # bytes changed after sealing
    BROKEN_LINK = "broken_link"  # prevhash is not the previous event's hash
    VERSION_GAP = "version_gap"  # an event is missing (dropped)
    OUT_OF_ORDER = "out_of_order"  # versions go backwards or repeat (swapped, replayed)
    WRONG_AGGREGATE = "wrong_aggregate"
    UNKNOWN_KEY = "unknown_key"  # signed by a key the registry does not publish for the service
    KEY_NOT_VALID = "key_not_valid"  # the key was not valid at the event's time
    KEY_REVOKED = "key_revoked"  # signed with a key revoked at or before the event
    BAD_SIGNATURE = "bad_signature"


@dataclass(frozen=True, slots=True)
class Sealed:
    """What the checks read of one event; ``computed_hash`` is its content's digest now."""

    event_id: str
    service: str
    aggregate_id: str
    aggregate_version: int
    time: dt.datetime
    prevhash: str | None
    hash: str | None
    sig: str | None
    sigkeyid: str | None
    computed_hash: str


def sealed_envelope(envelope: Envelope) -> Sealed:
    return Sealed(
        envelope.id,
        envelope.service,
        envelope.aggregateid,
        envelope.aggregateversion,
        envelope.time,
        envelope.prevhash,
        envelope.hash,
        envelope.sig,
        envelope.sigkeyid,
        envelope_hash(envelope),
    )


def sealed_document(document: Mapping[str, Any]) -> Sealed:
    """From a record's parsed JSON. Raises KeyError, TypeError or ValueError when a member the
    checks need is missing or of the wrong type (the record is then undecodable).

    The auditor's hot path (every record of the log): written for speed, same digest as
    ``document_hash``."""
    kept = dict(document)
    digest, sig = kept.pop("hash", None), kept.pop("sig", None)
    event_id, source = document["id"], document["source"]
    aggregate_id, version = document["aggregateid"], document["aggregateversion"]
    prevhash, sigkeyid = document.get("prevhash"), document.get("sigkeyid")
    time = dt.datetime.fromisoformat(document["time"])
    if type(version) is not int or time.tzinfo is None:
        raise ValueError("aggregateversion must be an integer and time carry an offset")
    for text in (event_id, source, aggregate_id):
        if type(text) is not str:
            raise TypeError("id, source and aggregateid must be strings")
    for member in (prevhash, digest, sig, sigkeyid):
        if member is not None and type(member) is not str:
            raise TypeError("the seal members must be strings")
    return Sealed(
        event_id,
        source.removeprefix(SOURCE_PREFIX),
        aggregate_id,
        version,
        time,
        prevhash,
        digest,
        sig,
        sigkeyid,
        hashlib.sha256(orjson.dumps(kept, option=orjson.OPT_SORT_KEYS)).hexdigest(),
    )


SignatureCheck = Callable[[PublicKeyEntry, str, str], bool]
"""(the signer's registry entry, the hex ``hash``, the base64 ``sig``) -> whether it verifies."""


def check_signature(key: PublicKeyEntry, digest: str, sig: str) -> bool:
    try:
        key.verifier().verify(base64.b64decode(sig), digest.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True


Problems = list[tuple[ViolationKind, str]]


def seal_problems(
    event: Sealed,
    key: PublicKeyEntry | None,
    signature_ok: SignatureCheck = check_signature,
    signed_by: dt.datetime | None = None,
) -> Problems:
    """Hash, key and signature of one event. ``key``: the registry's entry for its
    ``sigkeyid``; ``signed_by``: the latest instant the event can have been signed, when more
    is known than its own ``time`` (the record's log timestamp): a thief who backdates ``time``
    below a revocation is still caught by the instant the log received the record."""
    if event.hash is None or event.sig is None or event.sigkeyid is None:
        return [(ViolationKind.UNSEALED, "no hash, signature or key id")]
    found: Problems = []
    if event.computed_hash != event.hash:
        found.append((ViolationKind.HASH_MISMATCH, "content differs from its hash"))
    if key is None:
        found.append((ViolationKind.UNKNOWN_KEY, f"{event.service} has no {event.sigkeyid}"))
        return found
    if not key.valid_at(event.time):
        found.append((ViolationKind.KEY_NOT_VALID, f"{key.key_id} not valid at {event.time}"))
    instant = max(event.time, signed_by) if signed_by is not None else event.time
    if key.revoked_by(instant):
        found.append((ViolationKind.KEY_REVOKED, f"{key.key_id} revoked at {key.revoked_at}"))
    if not signature_ok(key, event.hash, event.sig):
        found.append((ViolationKind.BAD_SIGNATURE, f"signature does not match {key.key_id}"))
    return found


def link_problems(previous: Sealed | None, event: Sealed) -> Problems:
    """Whether ``event`` follows ``previous`` (None: the first) in its aggregate's stream."""
    found: Problems = []
    expected_version = 1 if previous is None else previous.aggregate_version + 1
    expected_prevhash = None if previous is None else previous.hash
    if previous is not None and event.aggregate_id != previous.aggregate_id:
        found.append((ViolationKind.WRONG_AGGREGATE, f"stream of {previous.aggregate_id}"))
    if event.aggregate_version > expected_version:
        found.append((ViolationKind.VERSION_GAP, f"expected version {expected_version}"))
    elif event.aggregate_version < expected_version:
        found.append((ViolationKind.OUT_OF_ORDER, f"expected version {expected_version}"))
    if event.prevhash != expected_prevhash:
        found.append((ViolationKind.BROKEN_LINK, f"prevhash should be {expected_prevhash}"))
    return found


def next_head(previous: Sealed | None, event: Sealed) -> Sealed:
    """The event the next one must link to: ``event``, unless its version went back (a
    swapped or replayed record), so the chain goes on from the furthest event seen and one
    swapped pair is reported at the pair, not at every event after it."""
    if previous is not None and event.aggregate_version <= previous.aggregate_version:
        return previous
    return event
