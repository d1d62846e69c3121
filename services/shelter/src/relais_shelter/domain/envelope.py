"""A funding envelope: N nights and an amount, for a period and a territory (DOMAIN.md "Shelter
and nights": the 2020 emergency fund financed 20,000 extra nights for EUR 1 million; shelter
operators claim the nights actually provided).

A night claimed is a nuitée: one person, one night, so a claim for a mother and two children
uses three. Accepted claims never exceed the envelope: each nuitée is a unit of the envelope,
reserved by inserting its document (``unit_key``) before the claim is accepted. The amount of a
nuitée is the envelope's amount over its nights, in whole cents (the remainder is not claimable).
``funding.envelope_exhausted`` is recorded once, on the envelope's own stream.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import assert_never

from relais_events.catalogue import Event
from relais_events.catalogue.shelter import FundingEnvelopeExhausted, FundingEnvelopeOpened

from relais_shelter.domain import errors


@dataclass(frozen=True)
class Envelope:
    envelope_id: str
    funder_org: str
    departement: str | None  # None: a national envelope
    period_start: dt.date
    period_end: dt.date  # inclusive
    nights: int
    amount_cents: int
    exhausted: bool = False

    @property
    def night_cents(self) -> int:
        return self.amount_cents // self.nights

    def covers(self, night: dt.date) -> bool:
        return self.period_start <= night <= self.period_end

    def serves(self, departement: str) -> bool:
        return self.departement is None or self.departement == departement


@dataclass(frozen=True)
class OpenEnvelope:
    envelope_id: str
    funder_org: str
    departement: str | None
    period_start: dt.date
    period_end: dt.date
    nights: int
    amount_cents: int


@dataclass(frozen=True)
class MarkExhausted:
    nights_claimed: int


EnvelopeCommand = OpenEnvelope | MarkExhausted


def decide_envelope(
    state: Envelope | None, command: EnvelopeCommand, now: dt.datetime
) -> list[Event]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    match command:
        case OpenEnvelope():
            if state is not None:
                raise errors.AlreadyRecorded(command.envelope_id)
            if command.period_end < command.period_start:
                raise errors.BadEnvelopePeriod()
            return [
                FundingEnvelopeOpened(
                    envelope_id=command.envelope_id,
                    funder_org=command.funder_org,
                    departement=command.departement,
                    period_start=command.period_start,
                    period_end=command.period_end,
                    nights=command.nights,
                    amount_cents=command.amount_cents,
                )
            ]
        case MarkExhausted():
            if state is None:
                raise errors.EnvelopeNotFound()
            if state.exhausted:
                return []  # recorded once, however many claims found it empty
            return [
                FundingEnvelopeExhausted(
                    envelope_id=state.envelope_id, nights_claimed=command.nights_claimed
                )
            ]
        case _:
            assert_never(command)


def evolve_envelope(state: Envelope | None, event: Event) -> Envelope:
    match event:
        case FundingEnvelopeOpened():
            return Envelope(
                envelope_id=event.envelope_id,
                funder_org=event.funder_org,
                departement=event.departement,
                period_start=event.period_start,
                period_end=event.period_end,
                nights=event.nights,
                amount_cents=event.amount_cents,
            )
        case FundingEnvelopeExhausted() if state is not None:
            return Envelope(
                state.envelope_id,
                state.funder_org,
                state.departement,
                state.period_start,
                state.period_end,
                state.nights,
                state.amount_cents,
                exhausted=True,
            )
        case _:
            raise ValueError(f"{event.TYPE} in an envelope's stream")
