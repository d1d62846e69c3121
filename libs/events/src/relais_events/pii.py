"""Personal data, sealed per case with AES-GCM so that deleting one key erases a person everywhere.

Crypto-shredding: every copy of the log (Kafka, stores, backups) holds only ciphertext; shredding
the case's data key makes all of it unreadable at once, while hashes and signatures, which cover the
ciphertext and not the plaintext, still verify. The event id is bound as associated data, so a
sealed blob cannot be moved onto another event.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from relais_events.envelope import Envelope

KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, the size GCM is specified for


class KeyStore(Protocol):
    """Where each case's data key lives. Implementations: ``MemoryKeyStore``; a Mongo one in kit.

    A key is 32 random bytes. ``shred`` must really delete (no soft delete, no backup copy kept):
    it is how a person is erased from the event log.
    """

    async def data_key(self, case_id: str) -> bytes:
        """The case's key, created (and stored) on first use. Never returns a shredded key."""
        ...

    async def create_key(self, case_id: str) -> bytes:
        """The key of a case just opened: written without a look-up first (one round trip).
        Returns the existing key if there is one after all; raises for a shredded case."""
        ...

    async def existing_key(self, case_id: str) -> bytes | None:
        """The case's key, or None when it never existed or was shredded. Never creates one."""
        ...

    async def shred(self, case_id: str) -> None:
        """Delete the key for good; later ``data_key`` calls for this case must fail."""
        ...


class ShreddedKeyError(LookupError):
    """A new key was asked for a case whose key was shredded: nothing new may be sealed for it."""


class MemoryKeyStore:
    """In-process keys, for tests and tools. Remembers shredded cases so they stay erased."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}
        self._shredded: set[str] = set()

    async def data_key(self, case_id: str) -> bytes:
        if case_id in self._shredded:
            raise ShreddedKeyError(case_id)
        if case_id not in self._keys:
            self._keys[case_id] = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        return self._keys[case_id]

    async def create_key(self, case_id: str) -> bytes:
        return await self.data_key(case_id)

    async def existing_key(self, case_id: str) -> bytes | None:
        return self._keys.get(case_id)

    async def shred(self, case_id: str) -> None:
        self._keys.pop(case_id, None)
        self._shredded.add(case_id)


class SealedPii(BaseModel):
    """The ``pii`` member of an envelope: ciphertext and what is needed to open it, never a key."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alg: Literal["A256GCM"] = "A256GCM"
    keyid: str  # the case id whose data key sealed it
    nonce: str  # base64
    ciphertext: str  # base64, GCM tag appended


class TamperedPiiError(ValueError):
    """The ciphertext, nonce or bound event id was changed: it does not decrypt."""


@dataclass(frozen=True)
class OpenedPii:
    """Either the personal data, or ``erased=True`` with no data (the key was shredded)."""

    data: dict[str, Any] | None
    erased: bool = False


async def seal_pii(
    pii: dict[str, Any], *, case_id: str, event_id: str, keystore: KeyStore
) -> SealedPii:
    return seal_with_key(pii, await keystore.data_key(case_id), case_id=case_id, event_id=event_id)


def seal_with_key(pii: dict[str, Any], key: bytes, *, case_id: str, event_id: str) -> SealedPii:
    """Seal with a key the caller already holds (one look-up for a whole commit)."""
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, orjson.dumps(pii), event_id.encode())
    return SealedPii(
        keyid=case_id,
        nonce=base64.b64encode(nonce).decode(),
        ciphertext=base64.b64encode(ciphertext).decode(),
    )


async def open_pii(envelope: Envelope, keystore: KeyStore) -> OpenedPii:
    """Open an envelope's ``pii``; a shredded key gives ``erased=True``, never an exception."""
    sealed = envelope.pii
    if sealed is None:
        return OpenedPii(data=None)
    key = await keystore.existing_key(sealed.keyid)
    if key is None:
        return OpenedPii(data=None, erased=True)
    try:
        nonce = base64.b64decode(sealed.nonce, validate=True)
        ciphertext = base64.b64decode(sealed.ciphertext, validate=True)
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, envelope.id.encode())
    except (InvalidTag, ValueError) as error:
        raise TamperedPiiError(f"pii of event {envelope.id} does not decrypt") from error
    opened: dict[str, Any] = orjson.loads(plaintext)
    return OpenedPii(data=opened)
