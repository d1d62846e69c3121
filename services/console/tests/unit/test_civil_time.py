"""People type Paris civil time; the services speak UTC instants (DOMAIN.md, Europe/Paris)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from relais_console.domain.civil_time import (
    PARIS,
    NotADateTime,
    input_value,
    instant_from_input,
    shown,
)


def test_winter_and_summer_offsets() -> None:
    assert instant_from_input("2025-01-15T10:00") == dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.UTC)
    assert instant_from_input("2025-07-15T10:00") == dt.datetime(2025, 7, 15, 8, 0, tzinfo=dt.UTC)


def test_the_hour_repeated_when_clocks_go_back_is_its_first_occurrence() -> None:
    # 26 October 2025: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
    assert instant_from_input("2025-10-26T02:30") == dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC)


def test_text_that_is_not_a_date_time_is_refused() -> None:
    with pytest.raises(NotADateTime):
        instant_from_input("demain matin")


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2090, 1, 1)))  # noqa: DTZ001
def test_what_is_shown_in_the_picker_reads_back_to_the_same_minute(naive: dt.datetime) -> None:
    instant = naive.replace(tzinfo=dt.UTC, second=0, microsecond=0)
    back = instant_from_input(input_value(instant))
    # Only the second pass of the repeated autumn hour reads back as its first pass.
    second_pass = instant.astimezone(PARIS).fold == 1
    assert back == instant or (second_pass and instant - back == dt.timedelta(hours=1))


def test_shown_in_paris_time() -> None:
    assert shown("2025-03-12T13:05:00+00:00") == "12/03/2025 14:05"
    assert shown(None) == ""
