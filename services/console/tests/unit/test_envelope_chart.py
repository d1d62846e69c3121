"""The envelope chart: nights used and remaining, never past the envelope (DOMAIN.md)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from relais_console.domain.envelope_chart import WIDTH, consumption
from relais_console.domain.partner_views import Envelope


def _envelope(nights: int, claimed: int) -> Envelope:
    return Envelope(
        envelope_id="env-2020",
        funder_org="etat",
        period_start=dt.date(2020, 4, 1),
        period_end=dt.date(2020, 12, 31),
        nights=nights,
        amount_cents=100_000_000,
        nights_claimed=claimed,
        nights_remaining=nights - claimed,
    )


def test_the_2020_fund_a_quarter_used() -> None:
    chart = consumption(_envelope(20_000, 5_000))
    assert (chart.used, chart.remaining, chart.percent_used) == (5_000, 15_000, 25)
    assert chart.used_width == WIDTH // 4


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=0, max_value=200_000))
def test_the_bar_always_fills_exactly_its_width(nights: int, claimed: int) -> None:
    chart = consumption(_envelope(nights, claimed))
    assert chart.used_width + chart.remaining_width == WIDTH
    assert 0 <= chart.used <= chart.total == nights
    assert chart.used + chart.remaining == nights
