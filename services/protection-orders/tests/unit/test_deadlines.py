"""How deadlines are counted (CPC art. 640 to 642), in Europe/Paris civil time, returned in UTC.

``due_at`` is exclusive: the first instant at which the deadline is missed (24:00 Paris of the
last day). Each test crosses one of: a DST change, a public holiday, a weekend, a month end, 29 Feb.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from relais_protection_orders.domain.deadlines import (
    PARIS,
    DeadlinePolicy,
    end_of_day,
    extend_to_working_day,
    is_working_day,
    last_day_in_days,
    last_day_in_months,
    paris_date,
)

POLICY = DeadlinePolicy()


def utc(year: int, month: int, day: int, hour: int) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def test_day_of_the_act_is_counted_in_paris_civil_time_not_utc() -> None:
    # 00:30 on 4 March in Paris is still 3 March in UTC: the act's day is 4 March.
    act = datetime(2025, 3, 4, 0, 30, tzinfo=PARIS)
    assert act.astimezone(UTC).date() == date(2025, 3, 3)
    assert paris_date(act) == date(2025, 3, 4)
    assert last_day_in_days(act, 2) == date(2025, 3, 6)


def test_days_deadline_does_not_count_the_day_of_the_act_and_ends_at_24h() -> None:
    act = datetime(2025, 3, 3, 23, 59, tzinfo=PARIS)  # Monday, late: still day 0
    assert last_day_in_days(act, 2) == date(2025, 3, 5)
    assert end_of_day(date(2025, 3, 5)) == datetime(2025, 3, 6, 0, 0, tzinfo=PARIS)
    assert end_of_day(date(2025, 3, 5)) == utc(2025, 3, 5, 23)


def test_end_of_day_on_spring_dst_change_is_22h_utc() -> None:
    # Sunday 30 March 2025 has 23 hours; it ends at 00:00 CEST on 31 March.
    assert end_of_day(date(2025, 3, 30)) == utc(2025, 3, 30, 22)


def test_end_of_day_on_autumn_dst_change_is_23h_utc() -> None:
    # Sunday 26 October 2025 has 25 hours; it ends at 00:00 CET on 27 October.
    assert end_of_day(date(2025, 10, 26)) == utc(2025, 10, 26, 23)


def test_months_deadline_ends_on_the_same_numbered_day() -> None:
    assert last_day_in_months(datetime(2025, 3, 10, 9, tzinfo=PARIS), 12) == date(2026, 3, 10)


def test_months_deadline_ends_on_month_end_when_no_such_day() -> None:
    assert last_day_in_months(datetime(2025, 1, 31, 9, tzinfo=PARIS), 1) == date(2025, 2, 28)
    assert last_day_in_months(datetime(2025, 8, 31, 9, tzinfo=PARIS), 1) == date(2025, 9, 30)


def test_months_deadline_reaches_29_february_in_a_leap_year() -> None:
    assert last_day_in_months(datetime(2024, 1, 31, 9, tzinfo=PARIS), 1) == date(2024, 2, 29)


def test_months_deadline_from_29_february_ends_28_february() -> None:
    assert last_day_in_months(datetime(2024, 2, 29, 9, tzinfo=PARIS), 12) == date(2025, 2, 28)


def test_months_deadline_crosses_the_year_end() -> None:
    assert last_day_in_months(datetime(2025, 11, 30, 9, tzinfo=PARIS), 6) == date(2026, 5, 30)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 7, 14), False),  # Fête nationale
        (date(2025, 5, 1), False),  # Fête du travail
        (date(2025, 5, 29), False),  # Ascension
        (date(2025, 6, 9), False),  # Whit Monday (lundi de Pentecôte)
        (date(2025, 3, 8), False),  # Saturday
        (date(2025, 3, 9), False),  # Sunday
        (date(2025, 3, 10), True),
    ],
)
def test_working_days_come_from_the_holidays_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_local_holidays_of_alsace_moselle_count_when_configured() -> None:
    good_friday = date(2025, 4, 18)
    assert is_working_day(good_friday)
    assert not is_working_day(good_friday, "57")
    # Good Friday, weekend, Easter Monday: to Tuesday 22 April in Moselle.
    assert extend_to_working_day(good_friday, "57") == date(2025, 4, 22)


def test_service_limit_ending_on_saturday_runs_to_monday() -> None:
    fixed = datetime(2025, 3, 6, 10, tzinfo=PARIS)  # Thursday -> last day Saturday 8
    assert POLICY.service_due_at(fixed) == end_of_day(date(2025, 3, 10))


def test_service_limit_ending_on_14_july_runs_to_next_day() -> None:
    fixed = datetime(2025, 7, 12, 10, tzinfo=PARIS)  # Saturday -> last day Monday 14 July
    assert POLICY.service_due_at(fixed) == end_of_day(date(2025, 7, 15))


def test_service_limit_ending_on_1_may_runs_to_friday() -> None:
    fixed = datetime(2025, 4, 29, 10, tzinfo=PARIS)  # Tuesday -> last day Thursday 1 May
    assert POLICY.service_due_at(fixed) == end_of_day(date(2025, 5, 2))


def test_service_limit_ending_on_ascension_runs_to_friday() -> None:
    fixed = datetime(2025, 5, 27, 10, tzinfo=PARIS)  # Tuesday -> last day Thursday 29 May
    assert POLICY.service_due_at(fixed) == end_of_day(date(2025, 5, 30))


def test_service_limit_over_whitsun_weekend_runs_to_tuesday() -> None:
    fixed = datetime(2025, 6, 6, 10, tzinfo=PARIS)  # Friday -> Sunday 8, Whit Monday 9 June
    assert POLICY.service_due_at(fixed) == end_of_day(date(2025, 6, 10))


def test_service_limit_across_spring_dst_change() -> None:
    fixed = datetime(2025, 3, 28, 10, tzinfo=PARIS)  # Friday CET -> Sunday 30 (DST) -> Monday
    assert POLICY.service_due_at(fixed) == utc(2025, 3, 31, 22)  # 1 April 00:00 CEST


def test_service_limit_on_a_working_day_is_not_extended() -> None:
    fixed = datetime(2025, 3, 3, 10, tzinfo=PARIS)  # Monday -> Wednesday 5
    assert POLICY.service_due_at(fixed) == end_of_day(date(2025, 3, 5))


def test_ruling_target_is_not_extended_to_a_working_day() -> None:
    fixed = datetime(2025, 3, 3, 10, tzinfo=PARIS)  # Monday -> last day Sunday 9 March
    assert POLICY.ruling_due_at(fixed) == end_of_day(date(2025, 3, 9))


def test_ruling_target_across_spring_dst_change() -> None:
    fixed = datetime(2025, 3, 27, 10, tzinfo=PARIS)  # CET -> Wednesday 2 April in CEST
    assert POLICY.ruling_due_at(fixed) == utc(2025, 4, 2, 22)


def test_ruling_target_across_autumn_dst_change() -> None:
    fixed = datetime(2025, 10, 23, 10, tzinfo=PARIS)  # CEST -> Wednesday 29 October in CET
    assert POLICY.ruling_due_at(fixed) == utc(2025, 10, 29, 23)


def test_ruling_target_ending_on_a_holiday_is_not_extended() -> None:
    fixed = datetime(2025, 7, 8, 10, tzinfo=PARIS)  # Tuesday -> last day Monday 14 July
    assert POLICY.ruling_due_at(fixed) == end_of_day(date(2025, 7, 14))


def test_provisional_decision_is_24_elapsed_hours_across_spring_dst() -> None:
    requested = datetime(2025, 3, 29, 22, tzinfo=PARIS)  # CET
    due = POLICY.provisional_decision_due_at(requested)
    assert due - requested == timedelta(hours=24)
    assert due.astimezone(PARIS).hour == 23  # 25 hours of wall-clock time
    assert due.tzinfo is UTC


def test_provisional_decision_is_24_elapsed_hours_across_autumn_dst() -> None:
    requested = datetime(2025, 10, 25, 22, tzinfo=PARIS)  # CEST
    due = POLICY.provisional_decision_due_at(requested)
    assert due == utc(2025, 10, 26, 20)
    assert due.astimezone(PARIS).hour == 21  # 23 hours of wall-clock time


def test_order_expiry_counts_months_from_notification() -> None:
    notified = datetime(2025, 3, 10, 9, tzinfo=PARIS)
    assert POLICY.expires_at(notified, 12) == end_of_day(date(2026, 3, 10))


def test_order_expiry_on_a_sunday_is_not_extended() -> None:
    notified = datetime(2025, 3, 15, 9, tzinfo=PARIS)  # 15 March 2026 is a Sunday
    assert POLICY.expires_at(notified, 12) == end_of_day(date(2026, 3, 15))


def test_order_expiry_at_month_end_of_a_leap_february() -> None:
    notified = datetime(2023, 8, 31, 9, tzinfo=PARIS)
    assert POLICY.expires_at(notified, 6) == end_of_day(date(2024, 2, 29))


def test_order_expiry_across_autumn_dst_change() -> None:
    notified = datetime(2025, 4, 26, 9, tzinfo=PARIS)  # CEST -> 26 October 2025 (DST day)
    assert POLICY.expires_at(notified, 6) == utc(2025, 10, 26, 23)


def test_max_duration_is_12_months_from_15_june_2024() -> None:
    assert POLICY.max_duration_months(datetime(2024, 6, 15, 0, 30, tzinfo=PARIS)) == 12


def test_max_duration_is_6_months_for_orders_issued_before_15_june_2024() -> None:
    # 23:30 on 14 June in Paris; the UTC date would not tell the difference at 00:30 on 15 June.
    assert POLICY.max_duration_months(datetime(2024, 6, 14, 23, 30, tzinfo=PARIS)) == 6


def test_serious_danger_phone_term_is_6_months() -> None:
    assigned = datetime(2025, 8, 31, 9, tzinfo=PARIS)
    assert POLICY.serious_danger_phone_ends_at(assigned) == end_of_day(date(2026, 2, 28))


def test_flag_delays_are_days_from_issuance() -> None:
    issued = datetime(2025, 3, 7, 14, tzinfo=PARIS)  # Friday -> Sunday 9, not extended
    assert POLICY.notification_flag_at(issued) == end_of_day(date(2025, 3, 9))
    assert POLICY.registration_flag_at(issued) == end_of_day(date(2025, 3, 9))


def test_durations_are_parameters_with_the_legal_defaults() -> None:
    assert (POLICY.service_days, POLICY.ruling_days, POLICY.max_order_months) == (2, 6, 12)
    assert POLICY.max_order_months_before_2024_06_15 == 6
    assert (POLICY.provisional_decision_hours, POLICY.serious_danger_phone_months) == (24, 6)
    changed = DeadlinePolicy(service_days=3, notification_flag_days=5)
    fixed = datetime(2025, 3, 3, 10, tzinfo=PARIS)
    assert changed.service_due_at(fixed) == end_of_day(date(2025, 3, 6))
    assert changed.notification_flag_at(fixed) == end_of_day(date(2025, 3, 8))
