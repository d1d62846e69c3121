"""The application on memory adapters with a hand-moved clock: handlers, reads and the recovery
sweep, without servers (the same ports the Mongo adapters pass). The cases are fed to the kit's
memory directory as the worker learns them from intake (``know``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from relais_events.envelope import Envelope
from relais_events.integrity import Signer
from relais_events.pii import MemoryKeyStore
from relais_events.vocabulary import Role
from relais_kit.application import Acting, ManualClock, WritePath
from relais_kit.application.access_log import AccessLog
from relais_kit.cases import CaseFacts
from relais_kit.cases.memory import MemoryCaseDirectory
from relais_kit.store import events_of
from relais_kit.store.memory import MemoryEventStore
from relais_shelter.adapters import memory
from relais_shelter.application import allocations, sites
from relais_shelter.application.services import ShelterServices

PARIS = dt.timezone(dt.timedelta(hours=1))
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)
NIGHT = dt.date(2026, 3, 2)
DEP = "93"


def person(role: Role, org: str, *departements: str, sub: str = "user-1") -> Acting:
    return Acting(sub=sub, role=role, org=org, jurisdictions=frozenset(departements or (DEP,)))


OPERATOR = person(Role.SHELTER_OPERATOR, "chrs-93")
OTHER_OPERATOR = person(Role.SHELTER_OPERATOR, "hotel-93")
FUNDER = person(Role.ADMIN, "prefecture-93")
OFFICER = person(Role.POLICE, "pn-93")


@dataclass
class Harness:
    clock: ManualClock = field(default_factory=lambda: ManualClock(T0))
    store: MemoryEventStore = field(default_factory=MemoryEventStore)
    keys: MemoryKeyStore = field(default_factory=MemoryKeyStore)
    reservations: memory.MemoryReservations = field(default_factory=memory.MemoryReservations)
    operations: memory.MemoryOperations = field(default_factory=memory.MemoryOperations)
    holdings: memory.MemoryHoldings = field(default_factory=memory.MemoryHoldings)
    holes: memory.MemoryEnvelopeHoles = field(default_factory=memory.MemoryEnvelopeHoles)
    directory: memory.MemorySiteDirectory = field(default_factory=memory.MemorySiteDirectory)
    ledger: memory.MemoryClaimLedger = field(default_factory=memory.MemoryClaimLedger)
    cases: MemoryCaseDirectory = field(default_factory=MemoryCaseDirectory)
    signer: Signer = field(
        default_factory=lambda: Signer("shelter", "shelter-test", Ed25519PrivateKey.generate())
    )
    published: list[Envelope] = field(default_factory=list)

    def __post_init__(self) -> None:
        def relay(commit: object) -> None:
            for raw in getattr(commit, "events", ()):
                self.published.append(Envelope.model_validate(raw))

        self.write_path = WritePath(self.store, self.keys, self.signer, self.clock, on_commit=relay)
        self.services = self.process()

    def process(self) -> ShelterServices:
        """Another process on the same stores: its own hints and state cache."""
        write_path = self.write_path.over(self.store)
        return ShelterServices(
            write_path=write_path,
            access_log=AccessLog(write_path),
            reservations=self.reservations,
            operations=self.operations,
            holdings=self.holdings,
            holes=self.holes,
            sites=self.directory,
            claims=self.ledger,
            cases=self.cases,
        )

    def know(self, case_id: str, *, minor: bool = False, departement: str = DEP) -> None:
        """The case as the worker learnt it from intake's ``case.opened``."""
        self.cases.cases[case_id] = CaseFacts(
            case_id, departement, minor_victim=minor, last_event_id=f"e-{case_id}", version=1
        )

    def types(self) -> list[str]:
        return [e.type for e in self.published]

    async def stream(self, aggregate_id: str) -> list[Envelope]:
        commits = await self.store.load(aggregate_id)
        return [Envelope.model_validate(e) for e in events_of(commits)]

    async def site(
        self,
        places: int = 10,
        child_places: int = 0,
        *,
        nights: int = 30,
        acting: Acting = OPERATOR,
    ) -> str:
        written = await sites.register_site(
            self.services,
            departement=DEP,
            name="Maison des Lilas",
            address="12 rue des Lilas, 93100 Montreuil",
            accepts_children=True,
            step_free_access=False,
            acting=acting,
        )
        site_id = written.loaded.aggregate_id
        await sites.declare_capacity(
            self.services,
            site_id,
            first_night=NIGHT,
            last_night=NIGHT + dt.timedelta(days=nights - 1),
            places=places,
            child_places=child_places,
            acting=acting,
        )
        return site_id

    async def allocate(
        self,
        site_id: str,
        adults: tuple[str, ...] = ("pk-a",),
        children: tuple[str, ...] = (),
        *,
        first_night: dt.date = NIGHT,
        nights: int = 1,
        case_id: str = "case-1",
        minor: bool = False,
        consent: bool = True,
        services: ShelterServices | None = None,
    ) -> str:
        """Allocate for ``case_id``, learnt first (a minor's when ``minor``) unless known."""
        if case_id not in self.cases.cases:
            self.know(case_id, minor=minor)
        written = await allocations.allocate(
            services or self.services,
            case_id=case_id,
            site_id=site_id,
            first_night=first_night,
            nights=nights,
            adults=adults,
            children=children,
            consent_given=consent,
            acting=OPERATOR,
        )
        return written.loaded.aggregate_id

    async def envelope(self, nights: int = 100, amount_cents: int = 5_000_00) -> str:
        written = await sites.open_envelope(
            self.services,
            departement=DEP,
            period_start=NIGHT,
            period_end=NIGHT + dt.timedelta(days=90),
            nights=nights,
            amount_cents=amount_cents,
            acting=FUNDER,
        )
        return written.loaded.aggregate_id
