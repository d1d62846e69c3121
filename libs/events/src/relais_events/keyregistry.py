"""The public key registry: which Ed25519 keys each service may sign events with, and when.

File format (JSON), read by the auditor tool and every verifier::

    {"intake": [{"key_id": "intake-2026-1", "public_key": "<base64 of the raw 32 bytes>",
                 "valid_from": "2026-01-01T00:00:00Z", "valid_until": null}], ...}

A key signs events whose ``time`` is in [valid_from, valid_until). Rotating = adding a key and
closing the old one's window; a key is never removed, or old events would stop verifying.

Revoking (``revoked_at``, optional: files without it read as before) is for a key that leaked:
set it to the instant the key may have been known to someone else, not to the day it was found
out. Events signed before that instant still verify; one signed with the key at or after it is
a violation, however valid its signature, because its signer may be the thief. A rotation
closes a window on schedule (``valid_until``); a revocation says the key is no longer proof.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AwareDatetime, BaseModel, ConfigDict, RootModel

_RAW = serialization.Encoding.Raw
_UNREVOKED = {"revoked_at", "revocation_reason"}


class PublicKeyEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key_id: str
    public_key: str  # base64 of the raw 32-byte Ed25519 public key
    valid_from: AwareDatetime
    valid_until: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None  # leaked: no proof from this instant on
    revocation_reason: str | None = None

    def revoked_by(self, instant: dt.datetime) -> bool:
        """Whether the key was revoked at or before ``instant`` (its signature proves nothing)."""
        return self.revoked_at is not None and self.revoked_at <= instant

    def valid_at(self, instant: dt.datetime) -> bool:
        return self.valid_from <= instant and (
            self.valid_until is None or instant < self.valid_until
        )

    def verifier(self) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(self.public_key, validate=True))


class KeyRegistry(RootModel[dict[str, tuple[PublicKeyEntry, ...]]]):
    """Service name -> its public keys, past and present."""

    model_config = ConfigDict(frozen=True)

    def key(self, service: str, key_id: str) -> PublicKeyEntry | None:
        return next((k for k in self.root.get(service, ()) if k.key_id == key_id), None)

    def with_key(self, service: str, entry: PublicKeyEntry) -> KeyRegistry:
        if self.key(service, entry.key_id) is not None:
            raise ValueError(f"{service} already has a key {entry.key_id}")
        keys = dict(self.root)
        keys[service] = (*keys.get(service, ()), entry)
        return KeyRegistry(keys)

    def revoked(
        self, service: str, key_id: str, at: dt.datetime, reason: str | None = None
    ) -> KeyRegistry:
        """The registry with ``key_id`` of ``service`` revoked from ``at`` (kept, never removed).

        Revoking again moves the instant only earlier: a later call cannot make events that an
        earlier revocation condemned verify again.
        """
        entry = self.key(service, key_id)
        if entry is None:
            raise KeyError(f"{service} has no key {key_id}")
        if entry.revoked_at is not None and entry.revoked_at <= at:
            return self
        update = {"revoked_at": at, "revocation_reason": reason or entry.revocation_reason}
        keys = dict(self.root)
        keys[service] = tuple(
            k.model_copy(update=update) if k.key_id == key_id else k for k in keys[service]
        )
        return KeyRegistry(keys)


def empty_registry() -> KeyRegistry:
    return KeyRegistry({})


def dumps_registry(registry: KeyRegistry) -> str:
    # Revocation members only where a key was revoked, so a registry without revocations is
    # written exactly as before and older readers (``extra="forbid"``) still load it.
    document = {
        service: [
            entry.model_dump(
                mode="json", exclude=set(_UNREVOKED) if entry.revoked_at is None else None
            )
            for entry in entries
        ]
        for service, entries in registry.root.items()
    }
    return json.dumps(document, indent=2) + "\n"


def loads_registry(text: str | bytes) -> KeyRegistry:
    return KeyRegistry.model_validate_json(text)


def load_registry(path: Path) -> KeyRegistry:
    return loads_registry(path.read_bytes())


def save_registry(registry: KeyRegistry, path: Path) -> None:
    path.write_text(dumps_registry(registry), encoding="utf-8")


def new_key_pair(
    key_id: str, *, valid_from: dt.datetime, valid_until: dt.datetime | None = None
) -> tuple[Ed25519PrivateKey, PublicKeyEntry]:
    """A fresh signing key and the registry entry that publishes its public half."""
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    entry = PublicKeyEntry(
        key_id=key_id,
        public_key=base64.b64encode(raw).decode(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return private, entry


def private_key_to_base64(private: Ed25519PrivateKey) -> str:
    """The raw 32-byte seed, base64: how a service's settings carry its signing key."""
    raw = private.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    return base64.b64encode(raw).decode()


def private_key_from_base64(text: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
