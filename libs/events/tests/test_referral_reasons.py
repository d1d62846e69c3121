"""referral.declined and referral.withdrawn v2 name a reason from the closed list (no capacity,
not eligible, person declined, unreachable, other): v1 records read as v2 through upcasters, and
keep what they said."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events.catalogue import Event, catalogue
from relais_events.catalogue.referrals import (
    DeclineReason,
    ReferralDeclined,
    ReferralDeclinedV1,
    ReferralOutcomeReason,
    ReferralWithdrawalReason,
    ReferralWithdrawn,
    ReferralWithdrawnV1,
)
from relais_events.codec import from_record, to_record
from relais_events.envelope import new_envelope, payload
from relais_events.vocabulary import Actor, Role


def read_back(event: Event, now: dt.datetime) -> Event:
    envelope = new_envelope(
        event,
        source="referrals",
        subject="case-3",
        aggregate_id="referrals-case-3",
        aggregate_version=2,
        actor=Actor(role=Role.ASSOCIATION, org="cidff-93"),
        jurisdiction="93",
        now=now,
    )
    assert envelope.schemaversion == 1
    return payload(from_record(to_record(envelope).value))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (DeclineReason.NO_CAPACITY, ReferralOutcomeReason.NO_CAPACITY),
        (DeclineReason.OUT_OF_SCOPE, ReferralOutcomeReason.NOT_ELIGIBLE),
        (DeclineReason.OUT_OF_AREA, ReferralOutcomeReason.NOT_ELIGIBLE),
        (DeclineReason.VICTIM_UNREACHABLE, ReferralOutcomeReason.UNREACHABLE),
    ],
)
def test_a_v1_decline_reads_as_v2_and_keeps_its_reason(
    old: DeclineReason, new: ReferralOutcomeReason, now: dt.datetime
) -> None:
    v1 = ReferralDeclinedV1(referral_id="ref-1", case_id="case-3", partner_id="p-1", reason=old)
    read = read_back(v1, now)
    assert read == ReferralDeclined(
        referral_id="ref-1", case_id="case-3", partner_id="p-1", reason=new, v1_reason=old
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (ReferralWithdrawalReason.CONSENT_WITHDRAWN, ReferralOutcomeReason.PERSON_DECLINED),
        (ReferralWithdrawalReason.NO_LONGER_NEEDED, ReferralOutcomeReason.OTHER),
        (ReferralWithdrawalReason.SENT_IN_ERROR, ReferralOutcomeReason.OTHER),
    ],
)
def test_a_v1_withdrawal_reads_as_v2_and_keeps_its_reason(
    old: ReferralWithdrawalReason, new: ReferralOutcomeReason, now: dt.datetime
) -> None:
    v1 = ReferralWithdrawnV1(referral_id="ref-1", case_id="case-3", reason=old)
    read = read_back(v1, now)
    assert read == ReferralWithdrawn(
        referral_id="ref-1", case_id="case-3", reason=new, v1_reason=old
    )


def test_both_versions_stay_registered_and_v2_is_the_latest() -> None:
    for type_, v1, v2 in (
        ("referral.declined", ReferralDeclinedV1, ReferralDeclined),
        ("referral.withdrawn", ReferralWithdrawnV1, ReferralWithdrawn),
    ):
        assert catalogue.model(type_, 1) is v1
        assert catalogue.model(type_, 2) is v2
        assert catalogue.latest_version(type_) == 2
    # The free text of "other" is personal data: v2 has no field for it (it goes in ``pii``).
    assert set(ReferralDeclined.model_fields) == {
        "referral_id",
        "case_id",
        "partner_id",
        "reason",
        "v1_reason",
    }
