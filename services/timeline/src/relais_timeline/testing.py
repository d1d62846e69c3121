"""Test support (not used in production): sealed case histories, publishing, bearer tokens.

Shared by this service's integration tests and the system tests under ``tests/``: it builds
real envelopes (``new_envelope`` + ``Signer`` + ``codec.to_record``), never mocks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events.catalogue.base import Event
from relais_events.catalogue.intake import CaseOpened, ReportFiled, ReportKind
from relais_events.catalogue.protection_orders import ApplicantKind, ProtectionOrderRequested
from relais_events.codec import to_record
from relais_events.envelope import Envelope, new_envelope
from relais_events.integrity import Signer
from relais_events.pii import SealedPii
from relais_events.vocabulary import Actor, CaseKind, Channel, Role
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SEALED_PII_MARKER = "c2VjcmV0LXBpaQ=="  # a stand-in ciphertext that must never appear in an answer
SIGNERS = {
    s: Signer(service=s, key_id=f"{s}-test", private_key=Ed25519PrivateKey.generate())
    for s in ("intake", "protection-orders")
}


def bearer(
    role: Role, *jurisdictions: str, sub: str = "member-1", purpose: str | None = None
) -> dict[str, str]:
    """A token's header, with the purpose every read states (the role's usual one by default;
    ``purpose=""`` leaves it out)."""
    minted = mint_dev_token(
        AuthSettings(), sub=sub, roles=[role], org="clav-75", jurisdictions=jurisdictions
    )
    why = purpose if purpose is not None else USUAL_PURPOSE.get(role, "case_follow_up")
    return {"Authorization": f"Bearer {minted}"} | ({"X-Relais-Purpose": why} if why else {})


USUAL_PURPOSE = {Role.COMMITTEE_MEMBER: "committee_review", Role.AUDITOR: "audit"}


def sealed(
    event: Event,
    service: str,
    case_id: str,
    aggregate: str,
    minute: int,
    *depends: str,
    departement: str = "75",
) -> Envelope:
    envelope = new_envelope(
        event,
        source=service,
        subject=case_id,
        aggregate_id=aggregate,
        aggregate_version=1,
        actor=Actor(role=Role.POLICE, org="pn-75", jurisdiction=departement),
        jurisdiction=departement,
        now=T0 + dt.timedelta(minutes=minute),
        depends_on=depends,
        pii=SealedPii(keyid=case_id, nonce="AAAAAAAAAAAAAAAA", ciphertext=SEALED_PII_MARKER),
    )
    return SIGNERS[service].seal(envelope, None)


def report(case_id: str, report_id: str, minute: int, *depends: str, dep: str = "75") -> Envelope:
    filed = ReportFiled(
        case_id=case_id,
        report_id=report_id,
        channel=Channel.POLICE,
        kind=ReportKind.COMPLAINT,
        departement=dep,
        minor_victim=False,
        children_present=1,
    )
    return sealed(filed, "intake", case_id, report_id, minute, *depends, departement=dep)


def case_history(
    case_id: str, departement: str = "75", kind: CaseKind = CaseKind.CONJUGAL_VIOLENCE
) -> list[Envelope]:
    """case.opened <- report.filed <- protection_order.requested, each caused by the one before.

    The request's ``time`` is earlier than the report's: only causality puts it after.
    """
    opened = sealed(
        CaseOpened(
            case_id=case_id,
            kind=kind,
            departement=departement,
            opened_via=Channel.POLICE,
            minor_victim=False,
        ),
        "intake",
        case_id,
        case_id,
        0,
        departement=departement,
    )
    filed = report(case_id, f"r-{case_id}", 5, opened.id, dep=departement)
    requested = sealed(
        ProtectionOrderRequested(
            order_id=f"op-{case_id}",
            case_id=case_id,
            applicant=ApplicantKind.VICTIM,
            requested_at=T0 + dt.timedelta(minutes=1),
        ),
        "protection-orders",
        case_id,
        f"op-{case_id}",
        1,
        filed.id,
        departement=departement,
    )
    return [opened, filed, requested]


async def publish(producer: AIOKafkaProducer, namespace: str, *envelopes: Envelope) -> None:
    for envelope in envelopes:
        record = to_record(envelope)
        await producer.send_and_wait(
            f"{namespace}{record.topic}", key=record.key, value=record.value, headers=record.headers
        )


async def eventually(probe: Callable[[], Awaitable[Any]], what: str, within_s: float = 30.0) -> Any:
    """The first truthy answer of ``probe``; AssertionError past the deadline."""
    deadline = time.monotonic() + within_s
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
