"""Settings: the SLA per partner kind, and the test clock that production can never use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from relais_events.vocabulary import PartnerKind
from relais_kit.settings import AuthSettings
from relais_referrals.adapters.file_clock import FileClock
from relais_referrals.config import ReferralsSettings


def test_the_sla_is_48_hours_by_default_and_set_per_partner_kind() -> None:
    policy = ReferralsSettings(sla_hours_by_kind={PartnerKind.SHELTER_OPERATOR: 24}).sla_policy()
    assert policy.answer_within(PartnerKind.CIDFF) == dt.timedelta(hours=48)
    assert policy.answer_within(PartnerKind.SHELTER_OPERATOR) == dt.timedelta(hours=24)


def test_the_sla_per_kind_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_REFERRALS_SLA_HOURS_BY_KIND", '{"victim_support": 12}')
    policy = ReferralsSettings().sla_policy()
    assert policy.answer_within(PartnerKind.VICTIM_SUPPORT) == dt.timedelta(hours=12)


def test_the_test_clock_is_refused_where_tokens_are_really_verified(tmp_path: Path) -> None:
    clock = tmp_path / "now"
    assert ReferralsSettings(test_clock_file=clock).test_clock_file == clock  # dev secret
    with pytest.raises(ValidationError, match="development and tests only"):
        ReferralsSettings(
            test_clock_file=clock, auth=AuthSettings(secret=SecretStr("a-real-secret"))
        )
    with pytest.raises(ValidationError, match="development and tests only"):
        ReferralsSettings(
            test_clock_file=clock,
            auth=AuthSettings(jwks_url="https://idp.example/jwks", algorithms=("RS256",)),
        )


def test_the_file_clock_reads_the_instant_a_test_wrote(tmp_path: Path) -> None:
    path = tmp_path / "now"
    instant = dt.datetime(2026, 3, 4, 9, 0, 0, 123456, tzinfo=dt.UTC)
    FileClock.write(path, instant)
    assert FileClock(path).now() == instant
    FileClock.write(path, instant + dt.timedelta(hours=49))
    assert FileClock(path).now() == instant + dt.timedelta(hours=49)
