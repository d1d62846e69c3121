"""Consent: explicit, scoped, time-limited, withdrawable; "active" means covering NOW.

DOMAIN.md "Referrals and consent". Sending checks consent at that moment.
"""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events.catalogue.referrals import (
    ConsentWithdrawn,
    ReferralOutcomeReason,
    ReferralSent,
    SharedDataCategory,
)
from relais_events.vocabulary import ConsentPurpose, PartnerKind
from relais_referrals.domain import errors
from relais_referrals.domain.commands import AcceptReferral, DeclineReferral, WithdrawConsent
from relais_referrals.domain.consent import PARIS, expiry_instant
from relais_referrals.domain.partner import Partner
from relais_referrals.domain.referral import ReferralStatus

from .factories import CIDFF, SHELTER, T0, consent, run, send, step

OTHER_CIDFF = Partner("partner-cidff-2", PartnerKind.CIDFF, "cidff-93-bis", ("93",))
EXPIRES = dt.datetime(2026, 4, 1, 0, 0, tzinfo=PARIS)  # valid until 31 March, Paris time


def test_a_consent_ends_at_midnight_paris_time_after_its_last_day() -> None:
    assert expiry_instant(dt.date(2026, 3, 31)) == EXPIRES
    # Across the spring DST change (29 March 2026): midnight is still Paris midnight.
    assert expiry_instant(dt.date(2026, 3, 28)).isoformat() == "2026-03-28T23:00:00+00:00"
    assert expiry_instant(dt.date(2026, 3, 29)).isoformat() == "2026-03-29T22:00:00+00:00"


def test_sending_one_microsecond_before_the_expiry_is_covered() -> None:
    state = run(consent())
    _, events = step(state, send(), EXPIRES - dt.timedelta(microseconds=1))
    assert [type(e) for e in events] == [ReferralSent]
    assert isinstance(events[0], ReferralSent)
    assert events[0].consent_id == "consent-1"


def test_sending_exactly_at_the_expiry_instant_is_refused() -> None:
    state = run(consent())
    with pytest.raises(errors.NoCoveringConsent):
        step(state, send(), EXPIRES)


def test_active_means_covering_now_not_the_last_one_recorded() -> None:
    # The last consent recorded is for shelter only; an earlier one still covers the CIDFF.
    state = run(
        consent("consent-1", valid_until=dt.date(2026, 6, 30)),
        consent(
            "consent-2", kinds=(PartnerKind.SHELTER_OPERATOR,), valid_until=dt.date(2026, 12, 31)
        ),
    )
    _, events = step(state, send(partner=CIDFF), T0)
    assert isinstance(events[0], ReferralSent)
    assert events[0].consent_id == "consent-1"
    # A later consent recorded for the same partner but already expired covers nothing.
    assert state is not None
    assert [
        c.consent_id for c in state.active_consents(dt.datetime(2026, 7, 1, 12, tzinfo=PARIS))
    ] == ["consent-2"]


def test_scope_partner_kind_purpose_and_every_category() -> None:
    state = run(consent())
    with pytest.raises(errors.NoCoveringConsent):  # another kind of partner
        step(state, send(partner=SHELTER, purpose=ConsentPurpose.SUPPORT))
    with pytest.raises(errors.NoCoveringConsent):  # another purpose
        step(state, send(purpose=ConsentPurpose.LEGAL_AID))
    with pytest.raises(errors.NoCoveringConsent):  # one category more than consented
        step(state, send(categories=(SharedDataCategory.IDENTITY, SharedDataCategory.HEALTH)))
    by_id = run(consent(partners=(SHELTER,), kinds=()))
    _, events = step(by_id, send(partner=SHELTER))
    assert isinstance(events[0], ReferralSent)


def test_no_consent_at_all_refuses_the_referral() -> None:
    with pytest.raises(errors.NoCoveringConsent):
        step(None, send())


def test_a_consent_names_a_scope_categories_and_an_expiry_not_past() -> None:
    with pytest.raises(errors.ConsentScopeMissing):
        step(None, consent(kinds=()))
    with pytest.raises(errors.ConsentNeedsDataCategories):
        step(None, consent(categories=()))
    with pytest.raises(errors.ConsentAlreadyExpired):
        step(None, consent(valid_until=dt.date(2026, 3, 1)))
    # Its last day may be today: it covers until tonight's midnight.
    assert step(None, consent(valid_until=dt.date(2026, 3, 2)))[1]


def test_withdrawal_during_an_open_referral_stops_new_ones_and_flags_the_open_one() -> None:
    state = run(consent(), send("referral-1"))
    state, events = step(state, WithdrawConsent("consent-1"), T0 + dt.timedelta(hours=1))
    assert events == [
        ConsentWithdrawn(
            consent_id="consent-1", case_id="case-1", flagged_referral_ids=["referral-1"]
        )
    ]
    assert state is not None
    referral = state.referral("referral-1")
    assert referral is not None
    assert referral.consent_withdrawn
    assert referral.status is ReferralStatus.SENT
    # At once: the next referral is refused, the flagged one can no longer be accepted...
    with pytest.raises(errors.NoCoveringConsent):
        step(state, send("referral-2", partner=OTHER_CIDFF))
    with pytest.raises(errors.ConsentWithdrawnForReferral):
        step(state, AcceptReferral("referral-1", "cidff-93"))
    # ... and its outcome still goes back: the partner declines it, with the person's refusal.
    decline = DeclineReferral("referral-1", "cidff-93", ReferralOutcomeReason.PERSON_DECLINED)
    _, declined = step(state, decline)
    assert declined[0].TYPE == "referral.declined"
    with pytest.raises(errors.ConsentAlreadyWithdrawn):
        step(state, WithdrawConsent("consent-1"))
    with pytest.raises(errors.ConsentNotFound):
        step(state, WithdrawConsent("consent-9"))
