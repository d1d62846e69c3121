"""Ed25519 checks for ``relais-audit verify``: libsodium, and a cache of what already verified.

Measured on this 2-core machine: OpenSSL (``cryptography``) verifies one signature in about
100 us, libsodium (PyNaCl) in about 45 us; a log of 1 KB records reads at about 85,000 records/s
with kafka-python. Even with libsodium on both cores, checking every signature afresh caps a
run near 30,000 events/s. So ``verify`` remembers the signatures it has verified:

- An entry is a 16-byte BLAKE2b tag of (raw public key, ``hash``, ``sig``), keyed with a
  32-byte secret of the auditor's (``secret``, owner-only). Ed25519 verification is a
  deterministic function of those three, so a hit answers what verifying again would; the
  event's ``hash`` is still recomputed from its content on every run (a changed byte misses
  the cache), and key validity and revocation are judged again against today's registry.
- The key makes the cache unforgeable by whoever can write the file but not read the secret: a
  tag for a forged record cannot be computed without it. The cache is trusted like the registry
  file beside which an auditor keeps it; ``--no-cache`` verifies everything from scratch.
- ``verified.bin`` only grows, by whole 16-byte tags written under a lock; a torn tail (a
  crash mid-write) is ignored on load and cut off before the next write.

libsodium refuses some encodings OpenSSL accepts (non-canonical points, small-order keys): no
signature our signer makes, and an auditor should report them anyway.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nacl.bindings
import nacl.exceptions
from relais_events.keyregistry import PublicKeyEntry

TAG_BYTES = 16
SECRET_BYTES = 32


@dataclass
class SodiumSignatures:
    """A ``SignatureCheck``: libsodium behind a set of known-good tags (``known``)."""

    secret: bytes
    known: set[bytes] = field(default_factory=set)
    verified: list[bytes] = field(default_factory=list)  # new tags, for the cache file
    hits: int = 0
    _raw_keys: dict[str, bytes] = field(default_factory=dict)

    def __call__(self, key: PublicKeyEntry, digest: str, sig: str) -> bool:
        raw = self._raw_keys.get(key.public_key)
        if raw is None:
            raw = self._raw_keys.setdefault(key.public_key, base64.b64decode(key.public_key))
        message = digest.encode("ascii")
        tag = hashlib.blake2b(
            raw + message + sig.encode(), key=self.secret, digest_size=TAG_BYTES
        ).digest()
        if tag in self.known:
            self.hits += 1
            return True
        try:
            nacl.bindings.crypto_sign_open(base64.b64decode(sig, validate=True) + message, raw)
        except (nacl.exceptions.CryptoError, binascii.Error, ValueError):
            return False
        self.known.add(tag)
        self.verified.append(tag)
        return True


@dataclass(frozen=True)
class SignatureCache:
    """The auditor's cache directory: ``secret`` and ``verified.bin``."""

    directory: Path

    def secret(self) -> bytes:
        path = self.directory / "secret"
        with self._locked():
            if not path.exists():
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as file:
                    file.write(secrets.token_bytes(SECRET_BYTES))
            return path.read_bytes()[:SECRET_BYTES]

    def known(self) -> set[bytes]:
        path = self.directory / "verified.bin"
        data = path.read_bytes() if path.exists() else b""
        whole = len(data) - len(data) % TAG_BYTES
        return {data[i : i + TAG_BYTES] for i in range(0, whole, TAG_BYTES)}

    def add(self, tags: Iterable[bytes]) -> None:
        data = b"".join(t for t in tags if len(t) == TAG_BYTES)
        if not data:
            return
        with self._locked():
            descriptor = os.open(self.directory / "verified.bin", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                size = os.fstat(descriptor).st_size
                whole = size - size % TAG_BYTES  # drop a torn tail, or every tag after it shifts
                os.ftruncate(descriptor, whole)
                os.lseek(descriptor, whole, os.SEEK_SET)
                view = memoryview(data)
                while view:  # a large write may be cut short: write the rest
                    view = view[os.write(descriptor, view) :]
            finally:
                os.close(descriptor)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with (self.directory / "lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def sodium_check(key: PublicKeyEntry, digest: str, sig: str) -> bool:
    """libsodium's Ed25519 check alone, for the worker's record gate (no cache: a worker runs
    for months, and sees each signature once but for redeliveries)."""
    message = digest.encode("ascii")
    try:
        raw = base64.b64decode(key.public_key)
        nacl.bindings.crypto_sign_open(base64.b64decode(sig, validate=True) + message, raw)
    except (nacl.exceptions.CryptoError, binascii.Error, ValueError):
        return False
    return True


def signatures(cache: SignatureCache | None) -> SodiumSignatures:
    """The check a worker uses: with the cache's secret and tags, or a fresh secret and none."""
    if cache is None:
        return SodiumSignatures(secrets.token_bytes(SECRET_BYTES))
    return SodiumSignatures(cache.secret(), cache.known())
