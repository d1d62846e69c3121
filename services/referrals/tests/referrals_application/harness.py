"""The application on memory adapters with a hand-moved clock: handlers, reads, the SLA manager
and the worker's event handlers, without servers (the same ports the Mongo adapters pass)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseOpened
from relais_events.catalogue.referrals import SharedDataCategory
from relais_events.envelope import Envelope, new_envelope
from relais_events.integrity import Signer
from relais_events.pii import MemoryKeyStore
from relais_events.vocabulary import (
    Actor,
    CaseKind,
    Channel,
    ConsentPurpose,
    PartnerKind,
    Role,
)
from relais_kit.application import Acting, ManualClock, WritePath
from relais_kit.application.access_log import AccessLog
from relais_kit.cases.memory import MemoryCaseDirectory
from relais_kit.due.memory import MemoryDueSchedule, MemoryFirings
from relais_kit.store import events_of
from relais_kit.store.memory import MemoryEventStore
from relais_referrals.adapters import memory
from relais_referrals.application.due_escalations import DueEscalations, EscalationManager
from relais_referrals.application.on_event import EventHandlers
from relais_referrals.application.partners import register_partner
from relais_referrals.application.ports import ScheduledEscalation
from relais_referrals.application.services import ReferralServices
from relais_referrals.application.streams import stream_id
from relais_referrals.domain.consent import PARIS, ConsentScope
from relais_referrals.domain.sla import SlaPolicy

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)
DEP = "93"
INTAKE = Signer("intake", "intake-test", Ed25519PrivateKey.generate())


def person(role: Role, org: str, *departements: str, sub: str = "user-1") -> Acting:
    return Acting(sub=sub, role=role, org=org, jurisdictions=frozenset(departements or (DEP,)))


OFFICER = person(Role.POLICE, "pn-93")
MEMBER = person(Role.COMMITTEE_MEMBER, "clav-93")
CIDFF_WORKER = person(Role.ASSOCIATION, "cidff-93")
STRANGER = person(Role.ASSOCIATION, "cidff-75", "75")
SCOPE = ConsentScope(
    partner_ids=frozenset(),
    partner_kinds=frozenset({PartnerKind.CIDFF}),
    purposes=frozenset({ConsentPurpose.SUPPORT}),
    data_categories=frozenset({SharedDataCategory.IDENTITY, SharedDataCategory.CONTACT}),
    valid_until=dt.date(2026, 3, 31),
)


def intake_event(event: Event, case_id: str, version: int, minutes: int = 0) -> Envelope:
    """An intake envelope of the case's own stream, signed as intake signs."""
    envelope = new_envelope(
        event,
        source="intake",
        subject=case_id,
        aggregate_id=case_id,
        aggregate_version=version,
        actor=Actor(role=Role.POLICE, org="pn-93", jurisdiction=DEP),
        jurisdiction=DEP,
        now=T0 - dt.timedelta(hours=1) + dt.timedelta(minutes=minutes),
    )
    return INTAKE.seal(envelope, None)


def opened(case_id: str, minor: bool = False) -> Envelope:
    event = CaseOpened(
        case_id=case_id,
        kind=CaseKind.CONJUGAL_VIOLENCE,
        departement=DEP,
        opened_via=Channel.POLICE,
        minor_victim=minor,
    )
    return intake_event(event, case_id, 1)


@dataclass
class Harness:
    clock: ManualClock = field(default_factory=lambda: ManualClock(T0))
    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    keys: MemoryKeyStore = field(default_factory=MemoryKeyStore)
    cases: MemoryCaseDirectory = field(default_factory=MemoryCaseDirectory)
    partners: memory.MemoryPartnerDirectory = field(default_factory=memory.MemoryPartnerDirectory)
    index: memory.MemoryReferralIndex = field(default_factory=memory.MemoryReferralIndex)
    capacity: memory.MemoryShelterCapacity = field(default_factory=memory.MemoryShelterCapacity)
    schedule: MemoryDueSchedule[ScheduledEscalation] = field(default_factory=MemoryDueSchedule)
    firings: MemoryFirings = field(default_factory=MemoryFirings)
    signer: Signer = field(
        default_factory=lambda: Signer("referrals", "referrals-test", Ed25519PrivateKey.generate())
    )
    published: list[Envelope] = field(default_factory=list)

    def __post_init__(self) -> None:
        def relay(commit: object) -> None:
            for raw in getattr(commit, "events", ()):
                self.published.append(Envelope.model_validate(raw))

        self.write_path = WritePath(self.store, self.keys, self.signer, self.clock, on_commit=relay)
        self.services = ReferralServices(
            write_path=self.write_path,
            access_log=AccessLog(self.write_path),
            cases=self.cases,
            partners=self.partners,
            index=self.index,
            capacity=self.capacity,
            schedule=self.schedule,
            sla=SlaPolicy(),
        )
        self.handlers = EventHandlers(
            self.cases, self.partners, self.index, self.capacity, self.keys
        )

    def manager(self, owner: str = "worker-a") -> EscalationManager:
        return EscalationManager(
            DueEscalations(self.services),
            self.schedule,
            self.firings,
            owner,
            lease=dt.timedelta(minutes=2),
        )

    async def deliver_published(self) -> None:
        """What the worker does with this service's own topic: every envelope, once more."""
        for envelope in list(self.published):
            await self.handlers.on_event(envelope)

    async def partner(self, kind: PartnerKind = PartnerKind.CIDFF, org: str = "cidff-93") -> str:
        written = await register_partner(kind, org, [DEP], services=self.services, acting=MEMBER)
        await self.deliver_published()
        return written.loaded.aggregate_id

    async def stream(self, case_id: str) -> list[Envelope]:
        commits = await self.store.load(stream_id(case_id))
        return [Envelope.model_validate(e) for e in events_of(commits)]
