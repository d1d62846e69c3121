"""A case's consents and referrals: ``decide(state, command, now)`` and ``evolve(state, event)``.

``state`` is None before anything was recorded for the case. Rules come with their sources in
``errors``, ``consent``, ``override``, ``referral`` and ``sending``; ``evolve`` folds facts and
checks nothing. Time is an input: nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import assert_never

from relais_events.catalogue import Event
from relais_events.catalogue.referrals import (
    ConsentGiven,
    ConsentOverridden,
    ConsentWithdrawn,
    ReferralAccepted,
    ReferralCompleted,
    ReferralDeclined,
    ReferralEscalated,
    ReferralSent,
    ReferralWithdrawn,
)

from relais_referrals.domain import errors
from relais_referrals.domain.commands import (
    AcceptReferral,
    CaseCommand,
    CompleteReferral,
    DeclineReferral,
    EscalateReferral,
    SendReferral,
    WithdrawConsent,
    WithdrawReferral,
)
from relais_referrals.domain.consent import Consent, GiveConsent, check_consent
from relais_referrals.domain.referral import (
    Referral,
    ReferralStatus,
    check_partner,
    check_reason,
    check_referrer,
    check_transition,
)
from relais_referrals.domain.sending import decide_send
from relais_referrals.domain.state import CaseReferrals, Override


def decide(
    state: CaseReferrals | None, command: CaseCommand, now: dt.datetime, case_id: str
) -> list[Event]:
    """The events ``command`` produces on case ``case_id``, or a ``ReferralRuleViolation``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    match command:
        case GiveConsent():
            scope = command.scope
            check_consent(scope, now)
            if state is not None and state.knows(command.consent_id):
                raise errors.AlreadyRecorded(command.consent_id)
            return [
                ConsentGiven(
                    consent_id=command.consent_id,
                    case_id=case_id,
                    partner_ids=sorted(scope.partner_ids),
                    partner_kinds=sorted(scope.partner_kinds),
                    purposes=sorted(scope.purposes),
                    valid_until=scope.valid_until,
                    data_categories=sorted(scope.data_categories),
                )
            ]
        case WithdrawConsent():
            consent = state.consent(command.consent_id) if state else None
            if state is None or consent is None:
                raise errors.ConsentNotFound(command.consent_id)
            if consent.withdrawn:
                raise errors.ConsentAlreadyWithdrawn(command.consent_id)
            flagged = [r.referral_id for r in state.open_under(command.consent_id)]
            return [
                ConsentWithdrawn(
                    consent_id=command.consent_id,
                    case_id=case_id,
                    flagged_referral_ids=flagged,
                )
            ]
        case SendReferral():
            return decide_send(state, command, now)
        case AcceptReferral():
            referral = _referral(state, command.referral_id)
            check_partner(referral, command.by_org)
            check_transition(referral, ReferralStatus.ACCEPTED)
            if referral.consent_withdrawn:
                raise errors.ConsentWithdrawnForReferral(referral.referral_id)
            return [ReferralAccepted(**_names(referral, case_id))]
        case DeclineReferral():
            referral = _referral(state, command.referral_id)
            check_partner(referral, command.by_org)
            check_transition(referral, ReferralStatus.DECLINED)
            check_reason(command.reason, command.text)
            return [ReferralDeclined(**_names(referral, case_id), reason=command.reason)]
        case CompleteReferral():
            referral = _referral(state, command.referral_id)
            check_partner(referral, command.by_org)
            check_transition(referral, ReferralStatus.COMPLETED)
            return [ReferralCompleted(**_names(referral, case_id))]
        case WithdrawReferral():
            referral = _referral(state, command.referral_id)
            check_referrer(referral, command.by_org)
            check_transition(referral, ReferralStatus.WITHDRAWN)
            check_reason(command.reason, command.text)
            return [
                ReferralWithdrawn(
                    referral_id=referral.referral_id, case_id=case_id, reason=command.reason
                )
            ]
        case EscalateReferral():
            referral = _referral(state, command.referral_id)
            if not referral.escalation_due(now):
                return []  # answered, withdrawn, escalated already, or not due: nothing to do
            return [
                ReferralEscalated(
                    **_names(referral, case_id), answer_was_due_by=referral.answer_due_by
                )
            ]
        case _:
            assert_never(command)


def _referral(state: CaseReferrals | None, referral_id: str) -> Referral:
    referral = state.referral(referral_id) if state is not None else None
    if referral is None:
        raise errors.ReferralNotFound(referral_id)
    return referral


def _names(referral: Referral, case_id: str) -> dict[str, str]:
    return {
        "referral_id": referral.referral_id,
        "case_id": case_id,
        "partner_id": referral.partner_id,
    }


def evolve(state: CaseReferrals | None, event: Event) -> CaseReferrals:
    """Fold one event of the case's referrals stream (events are facts: no rule here)."""
    case = state or CaseReferrals(case_id=str(getattr(event, "case_id", "")))
    match event:
        case ConsentGiven():
            consent = Consent(
                consent_id=event.consent_id,
                partner_ids=frozenset(event.partner_ids),
                partner_kinds=frozenset(event.partner_kinds),
                purposes=frozenset(event.purposes),
                data_categories=frozenset(event.data_categories),
                valid_until=event.valid_until,
            )
            return replace(case, consents=(*case.consents, consent))
        case ConsentWithdrawn():
            flagged = set(event.flagged_referral_ids)
            return replace(
                case,
                consents=tuple(
                    replace(c, withdrawn=True) if c.consent_id == event.consent_id else c
                    for c in case.consents
                ),
                referrals=tuple(
                    replace(r, consent_withdrawn=True) if r.referral_id in flagged else r
                    for r in case.referrals
                ),
            )
        case ConsentOverridden():
            override = Override(
                event.override_id,
                event.ground,
                event.authorised_by,
                event.purpose,
                event.partner_id,
            )
            return replace(case, overrides=(*case.overrides, override))
        case ReferralSent():
            return replace(case, referrals=(*case.referrals, Referral.sent(event)))
        case ReferralAccepted():
            return case.moved(event.referral_id, status=ReferralStatus.ACCEPTED)
        case ReferralDeclined():
            return case.moved(
                event.referral_id, status=ReferralStatus.DECLINED, reason=event.reason
            )
        case ReferralCompleted():
            return case.moved(event.referral_id, status=ReferralStatus.COMPLETED)
        case ReferralWithdrawn():
            return case.moved(
                event.referral_id, status=ReferralStatus.WITHDRAWN, reason=event.reason
            )
        case ReferralEscalated():
            return case.moved(event.referral_id, escalated=True)
    raise ValueError(f"{event.TYPE} in a case's referrals stream")
