"""A night claim: an operator claims a night actually provided for an allocation, against a
funding envelope (DOMAIN.md "Shelter and nights": claims never exceed the envelope; every claim
points at an allocation for a case).

``claim_verdict`` says what the allocation, its site and the envelope alone decide; whether the
allocation's night was claimed already and whether the envelope still has nuitées is decided by
the reservations the application inserts (``keys``), and handed to ``decide_claim`` as
``reserved``. A rejection is an event with its reason, like an acceptance: the funder sees both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relais_events.catalogue import Event
from relais_events.catalogue.shelter import NightClaimed, NightClaimRejected, NightClaimRejection

from relais_shelter.domain import errors
from relais_shelter.domain.allocation import Allocation
from relais_shelter.domain.envelope import Envelope
from relais_shelter.domain.site import Site


@dataclass(frozen=True)
class Claim:
    claim_id: str
    allocation_id: str
    case_id: str
    envelope_id: str
    night: dt.date
    persons: int
    accepted: bool
    reason: NightClaimRejection | None = None


@dataclass(frozen=True)
class ClaimNight:
    claim_id: str
    allocation_id: str
    envelope_id: str
    night: dt.date
    operator_org: str


def claim_verdict(
    command: ClaimNight,
    allocation: Allocation | None,
    site: Site | None,
    envelope: Envelope | None,
) -> NightClaimRejection | None:
    """The rejection the records alone give, or None when only the reservations remain.

    A claim for an allocation nobody can see is not a claim (404, no event: it names no case);
    one by another organisation than the site's operator is refused (403).
    """
    if allocation is None or site is None:
        raise errors.AllocationNotFound(command.allocation_id)
    if command.operator_org != site.operator_org:
        raise errors.NotTheSitesOperator(site.site_id)
    if envelope is None:
        raise errors.EnvelopeNotFound(command.envelope_id)
    if not allocation.stays_on(command.night):
        return NightClaimRejection.NO_ALLOCATION
    if not envelope.covers(command.night):
        return NightClaimRejection.OUTSIDE_ENVELOPE_PERIOD
    if not envelope.serves(site.departement):
        return NightClaimRejection.OUTSIDE_ENVELOPE_TERRITORY
    return None


def decide_claim(
    state: Claim | None,
    command: ClaimNight,
    allocation: Allocation,
    rejection: NightClaimRejection | None,
    now: dt.datetime,
) -> list[Event]:
    """Accept the night (``rejection`` None: every reservation was inserted) or reject it."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if state is not None:
        return []  # decided already (a recovery finishing what a crash interrupted)
    if rejection is not None:
        return [
            NightClaimRejected(
                claim_id=command.claim_id,
                allocation_id=allocation.allocation_id,
                case_id=allocation.case_id,
                envelope_id=command.envelope_id,
                night=command.night,
                reason=rejection,
            )
        ]
    return [
        NightClaimed(
            claim_id=command.claim_id,
            allocation_id=allocation.allocation_id,
            case_id=allocation.case_id,
            site_id=allocation.site_id,
            envelope_id=command.envelope_id,
            night=command.night,
            persons=allocation.persons,
        )
    ]


def evolve_claim(state: Claim | None, event: Event) -> Claim:
    match event:
        case NightClaimed():
            return Claim(
                event.claim_id,
                event.allocation_id,
                event.case_id,
                event.envelope_id,
                event.night,
                event.persons,
                accepted=True,
            )
        case NightClaimRejected():
            return Claim(
                event.claim_id,
                event.allocation_id,
                event.case_id,
                event.envelope_id,
                event.night,
                0,
                accepted=False,
                reason=event.reason,
            )
        case _:
            raise ValueError(f"{event.TYPE} in a claim's stream")
