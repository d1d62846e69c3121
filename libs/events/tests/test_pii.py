"""Sealed personal data: opens with the key, reads as erased after shredding, never moves."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from relais_events.catalogue.intake import ReportFiled
from relais_events.envelope import Envelope, new_envelope, new_event_id
from relais_events.integrity import Signer, verify_stream
from relais_events.keyregistry import KeyRegistry
from relais_events.pii import (
    MemoryKeyStore,
    ShreddedKeyError,
    TamperedPiiError,
    open_pii,
    seal_pii,
)
from relais_events.vocabulary import Actor, Channel, Role

PERSONAL = {"name": "Camille Martin", "phone": "+33 6 12 34 56 78", "narrative": "Il m'a menacée."}


async def sealed_report(keystore: MemoryKeyStore, signer: Signer, now: dt.datetime) -> Envelope:
    event_id = new_event_id()
    pii = await seal_pii(PERSONAL, case_id="case-9", event_id=event_id, keystore=keystore)
    report = ReportFiled(
        case_id="case-9",
        report_id="r-9",
        channel=Channel.HOTLINE_3919,
        kind="call",
        departement="2A",
        minor_victim=False,
        children_present=0,
    )
    envelope = new_envelope(
        report,
        source="intake",
        subject="case-9",
        aggregate_id="case-9",
        aggregate_version=1,
        actor=Actor(role=Role.HOTLINE, org="fnsf-3919"),
        jurisdiction="2A",
        now=now,
        pii=pii,
        event_id=event_id,
    )
    return signer.seal(envelope, None)


async def test_sealed_pii_opens_with_the_case_key(signer: Signer, now: dt.datetime) -> None:
    keystore = MemoryKeyStore()
    envelope = await sealed_report(keystore, signer, now)
    assert "Camille" not in envelope.model_dump_json()
    opened = await open_pii(envelope, keystore)
    assert opened.data == PERSONAL
    assert not opened.erased


async def test_shredding_erases_but_the_log_still_verifies(
    signer: Signer, registry: KeyRegistry, now: dt.datetime
) -> None:
    keystore = MemoryKeyStore()
    envelope = await sealed_report(keystore, signer, now)
    await keystore.shred("case-9")
    opened = await open_pii(envelope, keystore)
    assert opened.erased
    assert opened.data is None
    assert verify_stream([envelope], registry) == []
    with pytest.raises(ShreddedKeyError):
        await keystore.data_key("case-9")


async def test_a_tampered_ciphertext_neither_decrypts_nor_verifies(
    signer: Signer, registry: KeyRegistry, now: dt.datetime
) -> None:
    keystore = MemoryKeyStore()
    envelope = await sealed_report(keystore, signer, now)
    assert envelope.pii is not None
    raw = bytearray(base64.b64decode(envelope.pii.ciphertext))
    raw[0] ^= 1
    pii = envelope.pii.model_copy(update={"ciphertext": base64.b64encode(bytes(raw)).decode()})
    tampered = envelope.model_copy(update={"pii": pii})
    with pytest.raises(TamperedPiiError):
        await open_pii(tampered, keystore)
    assert [v.kind for v in verify_stream([tampered], registry)] == ["hash_mismatch"]


async def test_sealed_pii_cannot_be_moved_to_another_event(
    signer: Signer, now: dt.datetime
) -> None:
    keystore = MemoryKeyStore()
    first = await sealed_report(keystore, signer, now)
    second = await sealed_report(keystore, signer, now)
    moved = second.model_copy(update={"pii": first.pii})
    with pytest.raises(TamperedPiiError):
        await open_pii(moved, keystore)


async def test_an_event_without_pii_opens_to_nothing(signer: Signer, now: dt.datetime) -> None:
    envelope = (await sealed_report(MemoryKeyStore(), signer, now)).model_copy(update={"pii": None})
    opened = await open_pii(envelope, MemoryKeyStore())
    assert opened.data is None
    assert not opened.erased
