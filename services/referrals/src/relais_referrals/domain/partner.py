"""The partner directory's aggregate: who a case can be referred to (DOMAIN.md "Referrals and
consent"): associations, CIDFF, victim-support services, shelter operators, prostitution-exit
programmes and perpetrator programmes, each with the départements it serves.

A partner is registered once; ``decide`` and ``evolve`` sit side by side as everywhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relais_events.catalogue import Event
from relais_events.catalogue.referrals import PartnerRegistered
from relais_events.vocabulary import PartnerKind

from relais_referrals.domain import errors


@dataclass(frozen=True)
class Partner:
    partner_id: str
    kind: PartnerKind
    org: str  # the organisation whose members act for it (their token's ``org``, pseudonymised)
    departements: tuple[str, ...]

    def serves(self, departement: str) -> bool:
        return departement in self.departements


@dataclass(frozen=True)
class RegisterPartner:
    partner_id: str
    kind: PartnerKind
    org: str
    departements: tuple[str, ...]


def decide_partner(
    state: Partner | None, command: RegisterPartner, now: dt.datetime
) -> list[Event]:
    """A partner is registered once (its id names it everywhere a referral goes)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if state is not None:
        raise errors.AlreadyRecorded(command.partner_id)
    return [
        PartnerRegistered(
            partner_id=command.partner_id,
            kind=command.kind,
            org=command.org,
            departements=sorted(set(command.departements)),
        )
    ]


def evolve_partner(state: Partner | None, event: Event) -> Partner:
    if not isinstance(event, PartnerRegistered):
        raise ValueError(f"{event.TYPE} in a partner's stream")
    return Partner(
        partner_id=event.partner_id,
        kind=event.kind,
        org=event.org,
        departements=tuple(event.departements),
    )
