"""Development keys on disk, for a machine where none is configured (never in production).

The signing key (Ed25519 seed) and the person-key secret are created once under ``keys_dir``
with owner-only permissions, and the public half of the signing key is published in the key
registry file every verifier reads. Later starts reuse them, so events stay verifiable and
person keys stay findable across restarts.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from relais_events.keyregistry import (
    KeyRegistry,
    PublicKeyEntry,
    empty_registry,
    load_registry,
    new_key_pair,
    private_key_from_base64,
    private_key_to_base64,
    save_registry,
)

_VALID_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # before any event a dev store may replay


def dev_signing_key(
    keys_dir: Path, registry_path: Path, service: str, key_id: str
) -> Ed25519PrivateKey:
    """The service's dev signing key, created and published in the registry on first use."""
    path = keys_dir / f"{service}.{key_id}.ed25519"
    if path.exists():
        private = private_key_from_base64(path.read_text().strip())
    else:
        private, _ = new_key_pair(key_id, valid_from=_VALID_FROM)
        _write_secret(path, private_key_to_base64(private))
    publish(registry_path, service, key_id, private)
    return private


def dev_person_key_secret(keys_dir: Path, service: str) -> bytes:
    path = keys_dir / f"{service}.person-key.secret"
    if not path.exists():
        _write_secret(path, secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def publish(registry_path: Path, service: str, key_id: str, private: Ed25519PrivateKey) -> None:
    """Add the public key to the registry file unless it is there (a key is never removed)."""
    registry: KeyRegistry = (
        load_registry(registry_path) if registry_path.exists() else empty_registry()
    )
    if registry.key(service, key_id) is not None:
        return
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    entry = PublicKeyEntry(
        key_id=key_id, public_key=base64.b64encode(raw).decode(), valid_from=_VALID_FROM
    )
    registry_path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside then renamed: a verifier never reads a half-written registry.
    partial = registry_path.with_suffix(f".{os.getpid()}.tmp")
    save_registry(registry.with_key(service, entry), partial)
    partial.replace(registry_path)


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
