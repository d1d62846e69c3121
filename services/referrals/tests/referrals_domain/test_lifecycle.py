"""The referral's lifecycle (DOMAIN.md "Referrals and consent"), who answers it, its reasons, its
SLA escalation, and the rules of sending."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events.catalogue.referrals import (
    ReferralDeclined,
    ReferralEscalated,
    ReferralOutcomeReason,
    ReferralSent,
)
from relais_referrals.domain import errors
from relais_referrals.domain.commands import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    EscalateReferral,
    WithdrawReferral,
)
from relais_referrals.domain.referral import ReferralStatus
from relais_referrals.domain.state import CaseReferrals

from .factories import ELSEWHERE, REFERRER, T0, case, consent, run, send, step

PARTNER_ORG = "cidff-93"
OTHER = ReferralOutcomeReason.OTHER
DUE = T0 + dt.timedelta(hours=48)


def sent() -> CaseReferrals | None:
    return run(consent(), send())


def test_sent_accepted_completed() -> None:
    state, events = step(sent(), AcceptReferral("referral-1", PARTNER_ORG))
    assert [e.TYPE for e in events] == ["referral.accepted"]
    state, events = step(state, CompleteReferral("referral-1", PARTNER_ORG))
    assert [e.TYPE for e in events] == ["referral.completed"]
    assert state is not None
    referral = state.referral("referral-1")
    assert referral is not None
    assert referral.status is ReferralStatus.COMPLETED
    with pytest.raises(errors.TransitionNotAllowed):
        step(state, WithdrawReferral("referral-1", REFERRER, OTHER, "plus utile"))


def test_only_the_addressed_partner_answers_and_only_the_referrer_withdraws() -> None:
    with pytest.raises(errors.NotTheAddressedPartner):
        step(sent(), AcceptReferral("referral-1", "cidff-69"))
    with pytest.raises(errors.NotTheReferrer):
        step(sent(), WithdrawReferral("referral-1", PARTNER_ORG, OTHER, "erreur"))


def test_a_decline_names_a_reason_of_the_closed_list_and_other_comes_with_a_text() -> None:
    with pytest.raises(errors.ReasonNeedsText):
        step(sent(), DeclineReferral("referral-1", PARTNER_ORG, OTHER))
    no_capacity = ReferralOutcomeReason.NO_CAPACITY
    with pytest.raises(errors.TextOnlyWithOther):
        step(sent(), DeclineReferral("referral-1", PARTNER_ORG, no_capacity, "complet"))
    _, events = step(sent(), DeclineReferral("referral-1", PARTNER_ORG, OTHER, "hors public"))
    assert events == [
        ReferralDeclined(
            referral_id="referral-1", case_id="case-1", partner_id="partner-cidff", reason=OTHER
        )
    ]
    assert "hors public" not in str(events)  # the text is personal data: sealed by the application


def test_withdrawn_while_sent_or_accepted_then_nothing_more() -> None:
    reason = ReferralOutcomeReason.PERSON_DECLINED
    state, events = step(sent(), WithdrawReferral("referral-1", REFERRER, reason))
    assert [e.TYPE for e in events] == ["referral.withdrawn"]
    for late in (AcceptReferral("referral-1", PARTNER_ORG), EscalateReferral("referral-1")):
        if isinstance(late, EscalateReferral):
            assert step(state, late, DUE)[1] == []
        else:
            with pytest.raises(errors.TransitionNotAllowed):
                step(state, late)


def test_an_unanswered_referral_is_escalated_once_at_its_due_instant() -> None:
    state = sent()
    assert step(state, EscalateReferral("referral-1"), DUE - dt.timedelta(microseconds=1))[1] == []
    state, events = step(state, EscalateReferral("referral-1"), DUE)
    assert events == [
        ReferralEscalated(
            referral_id="referral-1",
            case_id="case-1",
            partner_id="partner-cidff",
            answer_was_due_by=DUE,
        )
    ]
    assert step(state, EscalateReferral("referral-1"), DUE + dt.timedelta(days=3))[1] == []
    # Escalated, it still waits for its answer: the partner may accept it late.
    assert step(state, AcceptReferral("referral-1", PARTNER_ORG))[1]


def test_an_answered_referral_is_not_escalated() -> None:
    state, _ = step(sent(), AcceptReferral("referral-1", PARTNER_ORG))
    assert step(state, EscalateReferral("referral-1"), DUE)[1] == []


def test_sending_rules() -> None:
    state = sent()
    with pytest.raises(errors.ReferralAlreadyOpen):
        step(state, send("referral-2"))
    with pytest.raises(errors.AlreadyRecorded):
        step(state, send("referral-1"))
    with pytest.raises(errors.PartnerDoesNotServeDepartement):
        step(None, send(partner=ELSEWHERE))
    with pytest.raises(errors.CaseIsClosed):
        step(None, send(facts=case(closed=True)))
    with pytest.raises(errors.ReferralNeedsDataCategories):
        step(None, send(categories=()))
    with pytest.raises(errors.ReferralNotFound):
        step(None, AcceptReferral("referral-1", PARTNER_ORG))


def test_the_answer_is_due_48_hours_after_sending() -> None:
    _, events = step(run(consent()), send())
    assert isinstance(events[0], ReferralSent)
    assert events[0].answer_due_by == DUE
    assert events[0].referrer_org == REFERRER
    assert events[0].partner_org == PARTNER_ORG
