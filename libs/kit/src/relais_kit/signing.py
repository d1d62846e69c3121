"""One signer policy for every service: each signs every event it publishes (DESIGN.md 4).

Production: the service's Ed25519 key from its settings (``RELAIS_<SERVICE>_SIGNING_KEY``, base64
of the raw 32-byte seed, published beforehand in the registry under ``signing_key_id``).
Development (no key configured): a key generated once under ``keys_dir`` with owner-only
permissions and published in ``key_registry``, the file the auditor reads, so the events of a
developer's machine verify too and keep verifying across restarts. A warning says so.

Several services start at once under ``make run``: the registry is rewritten under an exclusive
lock (``fcntl.flock`` on a lock file next to it) and replaced atomically, so no start-up loses
another's key and no verifier reads a half-written file.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from relais_events.integrity import Signer
from relais_events.keyregistry import (
    PublicKeyEntry,
    empty_registry,
    load_registry,
    new_key_pair,
    private_key_from_base64,
    private_key_to_base64,
    save_registry,
)

from relais_kit.settings import ServiceSettings

log = logging.getLogger(__name__)
_VALID_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # before any event a dev store may replay


def signer_from(settings: ServiceSettings) -> Signer:
    key_id = settings.signing_key_id
    if settings.signing_key is not None:
        private = private_key_from_base64(settings.signing_key.get_secret_value())
    else:
        log.warning(
            "%s: no signing key configured, signing with the development key in %s",
            settings.service_name,
            settings.keys_dir,
        )
        private = dev_signing_key(
            settings.keys_dir, settings.key_registry, settings.service_name, key_id
        )
    return Signer(settings.service_name, key_id, private)


def dev_signing_key(
    keys_dir: Path, registry_path: Path, service: str, key_id: str
) -> Ed25519PrivateKey:
    """The service's dev signing key, created and published in the registry on first use."""
    path = keys_dir / f"{service}.{key_id}.ed25519"
    with _locked(registry_path):
        if path.exists():
            private = private_key_from_base64(path.read_text().strip())
        else:
            private, _ = new_key_pair(key_id, valid_from=_VALID_FROM)
            _write_secret(path, private_key_to_base64(private))
        _publish(registry_path, service, key_id, private)
    return private


def dev_secret(keys_dir: Path, name: str) -> bytes:
    """A random 32-byte development secret kept in ``keys_dir/<name>.secret``."""
    path = keys_dir / f"{name}.secret"
    with _locked(keys_dir / "registry.json"):
        if not path.exists():
            _write_secret(path, secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def publish(registry_path: Path, service: str, key_id: str, private: Ed25519PrivateKey) -> None:
    """Add the public key to the registry file unless it is there (a key is never removed)."""
    with _locked(registry_path):
        _publish(registry_path, service, key_id, private)


def revoke_key(
    registry_path: Path, service: str, key_id: str, at: dt.datetime, reason: str | None = None
) -> None:
    """Revoke a published key from ``at`` (``relais-audit revoke-key``), under the same lock
    and atomic replace as publishing. KeyError when the registry has no such key."""
    with _locked(registry_path):
        registry = load_registry(registry_path) if registry_path.exists() else empty_registry()
        partial = registry_path.with_suffix(f".{os.getpid()}.tmp")
        save_registry(registry.revoked(service, key_id, at, reason), partial)
        partial.replace(registry_path)


def _publish(registry_path: Path, service: str, key_id: str, private: Ed25519PrivateKey) -> None:
    registry = load_registry(registry_path) if registry_path.exists() else empty_registry()
    if registry.key(service, key_id) is not None:
        return
    raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    entry = PublicKeyEntry(
        key_id=key_id, public_key=base64.b64encode(raw).decode(), valid_from=_VALID_FROM
    )
    partial = registry_path.with_suffix(f".{os.getpid()}.tmp")
    save_registry(registry.with_key(service, entry), partial)
    partial.replace(registry_path)


@contextlib.contextmanager
def _locked(registry_path: Path) -> Iterator[None]:
    registry_path.parent.mkdir(parents=True, exist_ok=True)
    lock = registry_path.with_suffix(".lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text + "\n")
