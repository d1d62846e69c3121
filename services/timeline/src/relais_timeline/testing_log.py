"""Test and bench support (not used in production): signed logs shaped like the services' own.

Each case gets the streams the services write for it, sealed and chained by the real ``Signer``
(``seal_stream``) and turned into records by the real ``codec.to_record``: intake's case stream
(``case.opened`` with sealed personal data, then reports), a protection order's stream, and
access-log entries (one-event aggregates on the timeline topic, keyed by the case they showed).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events.catalogue.base import Event
from relais_events.catalogue.intake import CaseOpened, ReportFiled, ReportKind
from relais_events.catalogue.protection_orders import (
    ApplicantKind,
    ProtectionOrderHearingScheduled,
    ProtectionOrderRequested,
)
from relais_events.catalogue.timeline import AccessLogged, AccessPurpose
from relais_events.codec import KafkaRecord, to_record
from relais_events.envelope import Envelope, new_envelope, new_event_id
from relais_events.integrity import Signer, seal_stream
from relais_events.keyregistry import KeyRegistry, PublicKeyEntry, empty_registry, new_key_pair
from relais_events.pii import SealedPii
from relais_events.vocabulary import Actor, CaseKind, Channel, Role

SERVICES = ("intake", "protection-orders", "timeline")
KEYS_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
POLICE = Actor(role=Role.POLICE, org="pn-75", jurisdiction="75")
CLERK = Actor(role=Role.JUSTICE_CLERK, org="tj-paris", jurisdiction="75")
MEMBER = Actor(role=Role.COMMITTEE_MEMBER, org="clav-75", jurisdiction="75")


@dataclass(frozen=True)
class Keys:
    """A signer per service and the registry that publishes their public keys."""

    signers: Mapping[str, Signer]
    registry: KeyRegistry

    @classmethod
    def generate(cls, suffix: str = "test") -> Keys:
        signers, registry = {}, empty_registry()
        for service in SERVICES:
            private, entry = new_key_pair(f"{service}-{suffix}", valid_from=KEYS_FROM)
            signers[service] = Signer(service, entry.key_id, private)
            registry = registry.with_key(service, entry)
        return cls(signers, registry)

    def publishing(self, service: str, entry: PublicKeyEntry) -> Keys:
        """The same signers, with one more key in the registry (an old or a leaked one)."""
        return Keys(self.signers, self.registry.with_key(service, entry))

    def private_keys(self) -> dict[str, tuple[str, str]]:
        """Service -> (key id, raw seed in base64): to rebuild the signers in another process."""
        return {
            s: (signer.key_id, base64.b64encode(signer.private_key.private_bytes_raw()).decode())
            for s, signer in self.signers.items()
        }

    @staticmethod
    def signers_from(private: Mapping[str, tuple[str, str]]) -> dict[str, Signer]:
        return {
            s: Signer(s, key_id, Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed)))
            for s, (key_id, seed) in private.items()
        }


def stream(
    signer: Signer,
    events: Iterable[Event],
    *,
    case_id: str,
    aggregate_id: str,
    actor: Actor,
    start: dt.datetime,
    depends_on: tuple[str, ...] = (),
    pii: SealedPii | None = None,
) -> list[Envelope]:
    """One aggregate's events, a minute apart, each depending on the one before, sealed."""
    envelopes: list[Envelope] = []
    for version, event in enumerate(events, start=1):
        envelopes.append(
            new_envelope(
                event,
                source=signer.service,
                subject=case_id,
                aggregate_id=aggregate_id,
                aggregate_version=version,
                actor=actor,
                jurisdiction="75",
                now=start + dt.timedelta(minutes=version - 1),
                depends_on=(envelopes[-1].id,) if envelopes else depends_on,
                pii=pii if version == 1 else None,
            )
        )
    return seal_stream(signer, envelopes, None)


def case_log(
    signers: Mapping[str, Signer], case_id: str, start: dt.datetime, *, reports: int = 3
) -> list[Envelope]:
    """A case's records in publishing order: intake, then its order, then two reads."""
    sealed = SealedPii(
        keyid=case_id,
        nonce=base64.b64encode(os.urandom(12)).decode(),
        ciphertext=base64.b64encode(os.urandom(180)).decode(),
    )
    intake_events: list[Event] = [
        CaseOpened(
            case_id=case_id,
            kind=CaseKind.CONJUGAL_VIOLENCE,
            departement="75",
            opened_via=Channel.POLICE,
            minor_victim=False,
        ),
        *(
            ReportFiled(
                case_id=case_id,
                report_id=f"r{n}-{case_id}",
                channel=Channel.POLICE,
                kind=ReportKind.COMPLAINT,
                departement="75",
                minor_victim=False,
                children_present=n,
            )
            for n in range(reports)
        ),
    ]
    intake = stream(
        signers["intake"],
        intake_events,
        case_id=case_id,
        aggregate_id=case_id,
        actor=POLICE,
        start=start,
        pii=sealed,
    )
    order_id = f"op-{case_id}"
    asked = start + dt.timedelta(hours=1)
    order_events: list[Event] = [
        ProtectionOrderRequested(
            order_id=order_id, case_id=case_id, applicant=ApplicantKind.VICTIM, requested_at=asked
        ),
        ProtectionOrderHearingScheduled(
            order_id=order_id,
            case_id=case_id,
            scheduled_at=asked,
            hearing_at=asked + dt.timedelta(days=3),
            service_due_at=asked + dt.timedelta(days=2),
            ruling_due_at=asked + dt.timedelta(days=6),
        ),
    ]
    order = stream(
        signers["protection-orders"],
        order_events,
        case_id=case_id,
        aggregate_id=order_id,
        actor=CLERK,
        start=asked,
        depends_on=(intake[-1].id,),
    )
    reads = [
        stream(
            signers["timeline"],
            [
                AccessLogged(
                    access_id=(access_id := f"access-{new_event_id()}"),
                    case_ids=[case_id],
                    subject_ref="member-1",
                    role=Role.COMMITTEE_MEMBER,
                    org="clav-75",
                    resource="timeline",
                    purpose=AccessPurpose.COMMITTEE_REVIEW,
                )
            ],
            case_id=case_id,
            aggregate_id=access_id,
            actor=MEMBER,
            start=start + dt.timedelta(hours=2, minutes=n),
            depends_on=(order[-1].id,),
        )[0]
        for n in range(2)
    ]
    return [*intake, *order, *reads]


def records(envelopes: Iterable[Envelope], namespace: str) -> list[KafkaRecord]:
    """The Kafka records of ``envelopes`` on the topics of ``namespace``."""
    found = []
    for envelope in envelopes:
        record = to_record(envelope)
        found.append(
            KafkaRecord(f"{namespace}{record.topic}", record.key, record.value, record.headers)
        )
    return found
