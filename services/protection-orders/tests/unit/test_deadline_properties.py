"""Properties of deadline counting (CPC art. 640 to 642) over instants from 2023 to 2027."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from relais_protection_orders.domain.deadlines import (
    PARIS,
    DeadlinePolicy,
    is_working_day,
    paris_date,
)

INSTANTS = st.datetimes(
    # hypothesis takes naive bounds and attaches the zone itself
    min_value=datetime(2023, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
POLICY = DeadlinePolicy()


@given(INSTANTS)
def test_service_limit_always_ends_at_paris_midnight_after_a_working_day(fixed: datetime) -> None:
    due = POLICY.service_due_at(fixed)
    assert due.tzinfo is UTC
    local = due.astimezone(PARIS)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    last_day = paris_date(due - timedelta(microseconds=1))
    assert is_working_day(last_day)
    assert (last_day - paris_date(fixed)).days >= POLICY.service_days


@given(INSTANTS)
def test_ruling_target_is_always_the_sixth_day_after_fixing(fixed: datetime) -> None:
    due = POLICY.ruling_due_at(fixed)
    assert (paris_date(due - timedelta(microseconds=1)) - paris_date(fixed)).days == 6
    assert paris_date(due).day != paris_date(due - timedelta(microseconds=1)).day


@given(INSTANTS)
def test_provisional_decision_is_always_24_elapsed_hours(requested: datetime) -> None:
    assert POLICY.provisional_decision_due_at(requested) - requested == timedelta(hours=24)


@given(INSTANTS, st.integers(1, 12))
def test_order_expiry_is_never_before_the_same_day_months_later(
    notified: datetime, months: int
) -> None:
    last_day = paris_date(POLICY.expires_at(notified, months) - timedelta(microseconds=1))
    start = paris_date(notified)
    assert (last_day.year - start.year) * 12 + last_day.month - start.month == months
    assert last_day.day <= start.day
