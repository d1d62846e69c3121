"""What the application needs from the outside world, as Protocols (DESIGN.md section 2).

Adapters implement each twice, on MongoDB/FerretDB and in memory, and one contract suite runs
against both (``tests/referrals_servers/test_port_contracts.py``). Every write obeys the store
rules: races are decided by inserts; a document that is updated has ONE writer at a time, named
in each port's docstring. The event store, the clock, the write path and the access log are the
kit's (``relais_kit.application``); so are the escalation schedule and its firings
(``relais_kit.due``), of ``ScheduledEscalation`` entries, and the cases learnt from intake
(``relais_kit.cases.CaseDirectory``, shared with shelter).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from relais_events.vocabulary import PartnerKind

from relais_referrals.domain.capacity import Declaration, Stay
from relais_referrals.domain.partner import Partner
from relais_referrals.domain.referral import ReferralStatus


class PartnerDirectory(Protocol):
    """The directory listing, projected from ``partner.registered`` (one insert per partner);
    a partner itself is read from its stream by ``_id``."""

    async def add(self, partner: Partner) -> None:
        """Insert unless already there (a redelivery)."""
        ...

    async def serving(self, departement: str, kind: PartnerKind | None) -> list[Partner]: ...


@dataclass(frozen=True)
class IndexRow:
    """One referral in the inbox and outbox listings, projected from the referrals topic. It
    only finds referrals: what a read shows comes from the case's stream itself."""

    referral_id: str
    case_id: str
    departement: str | None
    partner_id: str
    referrer_org: str | None
    status: ReferralStatus
    sent_at: dt.datetime
    version: int  # the case stream's version of the last event applied


class ReferralIndex(Protocol):
    """One row per referral. One writer per row: the worker consuming the referrals partition
    the case id keys; ``put`` keeps a row's newest version."""

    async def get(self, referral_id: str) -> IndexRow | None: ...

    async def put(self, row: IndexRow) -> None: ...

    async def for_partner(
        self, partner_id: str, statuses: Collection[ReferralStatus], limit: int
    ) -> list[IndexRow]:
        """The partner's rows in these statuses, oldest sent first."""
        ...

    async def for_referrer(
        self, org: str, departements: Collection[str], limit: int
    ) -> list[IndexRow]:
        """The organisation's rows in these départements, newest sent first."""
        ...


@dataclass(frozen=True)
class Site:
    site_id: str
    operator_org: str
    departement: str


class ShelterCapacity(Protocol):
    """A copy of what ``relais.shelter.v1`` says of places: insert-only documents keyed by
    what the shelter events name, so a redelivery changes nothing."""

    async def add_site(self, site: Site) -> None: ...

    async def add_declaration(self, declaration: Declaration) -> None: ...

    async def add_stay(self, stay: Stay) -> None: ...

    async def add_release(self, allocation_id: str, last_night: dt.date) -> None: ...

    async def sites_of(self, operator_org: str, departement: str) -> list[Site]: ...

    async def declarations(self, site_ids: Collection[str]) -> list[Declaration]: ...

    async def stays(self, site_ids: Collection[str]) -> list[Stay]:
        """The sites' stays, each with its release applied."""
        ...


@dataclass(frozen=True)
class ScheduledEscalation:
    """A referral's SLA the manager watches, inserted BEFORE the commit that sends it: a crash
    between the two leaves an entry the manager drops, never a sent referral nobody watches."""

    stream_id: str
    referral_id: str
    due_at: dt.datetime
    version: int  # the commit version that sent it
    scheduled_at: dt.datetime

    @property
    def firing_key(self) -> str:
        """The ``_id`` of its firing: once per referral (it is escalated once)."""
        return f"escalation:{self.referral_id}"

    @property
    def key(self) -> str:
        # The version is part of it: an attempt that lost the commit race may have scheduled
        # the same referral under a version that never landed.
        return f"{self.referral_id}:v{self.version}"
