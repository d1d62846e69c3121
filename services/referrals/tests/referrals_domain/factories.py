"""A case, partners and commands at fixed instants, for the domain's tests (no clock is read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from relais_events.catalogue import Event
from relais_events.catalogue.referrals import OverrideGround, SharedDataCategory
from relais_events.vocabulary import ConsentPurpose, PartnerKind, RiskLevel, Role
from relais_kit.cases import CaseFacts
from relais_referrals.domain.case_referrals import decide, evolve
from relais_referrals.domain.commands import CaseCommand, SendReferral
from relais_referrals.domain.consent import PARIS, ConsentScope, GiveConsent
from relais_referrals.domain.override import OverrideRequest
from relais_referrals.domain.partner import Partner
from relais_referrals.domain.state import CaseReferrals

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)  # a Monday morning in Paris
CASE_ID = "case-1"
REFERRER = "pn-93"
CIDFF = Partner("partner-cidff", PartnerKind.CIDFF, "cidff-93", ("93",))
SHELTER = Partner("partner-chrs", PartnerKind.SHELTER_OPERATOR, "chrs-93", ("93", "94"))
ELSEWHERE = Partner("partner-lyon", PartnerKind.CIDFF, "cidff-69", ("69",))
CATEGORIES = (SharedDataCategory.IDENTITY, SharedDataCategory.CONTACT)


def case(*, minor: bool = False, risk: RiskLevel | None = None, closed: bool = False) -> CaseFacts:
    return CaseFacts(
        case_id=CASE_ID,
        departement="93",
        minor_victim=minor,
        risk_level=risk,
        closed=closed,
        last_event_id="intake-event-9",
        version=2,
    )


def consent(
    consent_id: str = "consent-1",
    *,
    partners: Iterable[Partner] = (),
    kinds: Iterable[PartnerKind] = (PartnerKind.CIDFF,),
    purposes: Iterable[ConsentPurpose] = (ConsentPurpose.SUPPORT,),
    categories: Iterable[SharedDataCategory] = CATEGORIES,
    valid_until: dt.date = dt.date(2026, 3, 31),
) -> GiveConsent:
    return GiveConsent(
        consent_id,
        ConsentScope(
            partner_ids=frozenset(p.partner_id for p in partners),
            partner_kinds=frozenset(kinds),
            purposes=frozenset(purposes),
            data_categories=frozenset(categories),
            valid_until=valid_until,
        ),
    )


def send(
    referral_id: str = "referral-1",
    *,
    partner: Partner = CIDFF,
    facts: CaseFacts | None = None,
    purpose: ConsentPurpose = ConsentPurpose.SUPPORT,
    categories: tuple[SharedDataCategory, ...] = CATEGORIES,
    override: OverrideRequest | None = None,
) -> SendReferral:
    return SendReferral(
        referral_id=referral_id,
        case=facts or case(),
        partner=partner,
        purpose=purpose,
        data_categories=categories,
        referrer_org=REFERRER,
        answer_within=dt.timedelta(hours=48),
        override=override,
    )


def override(
    ground: OverrideGround = OverrideGround.MINOR,
    justification: str | None = "Mineure isolée, danger immédiat constaté au domicile.",
    role: Role = Role.PROSECUTOR,
) -> OverrideRequest:
    return OverrideRequest("override-1", ground, justification, role)


def fold(events: Iterable[Event], state: CaseReferrals | None = None) -> CaseReferrals | None:
    for event in events:
        state = evolve(state, event)
    return state


def step(
    state: CaseReferrals | None, command: CaseCommand, now: dt.datetime = T0
) -> tuple[CaseReferrals | None, list[Event]]:
    events = decide(state, command, now, CASE_ID)
    return fold(events, state), events


def run(*commands: CaseCommand, now: dt.datetime = T0) -> CaseReferrals | None:
    state: CaseReferrals | None = None
    for command in commands:
        state, _ = step(state, command, now)
    return state
