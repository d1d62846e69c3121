"""How deadlines are counted (computation des délais), CPC art. 640 to 642.

Every computation happens in Europe/Paris civil time; instants come in and go out in UTC.

A deadline is returned as ``due_at``: the first instant at which it is missed. A deadline that
"ends on its last day at 24:00" is therefore returned as 00:00 Europe/Paris of the following day,
converted to UTC; an act at ``t < due_at`` (any time of the last day) is in time, and a scheduler
fires at ``now >= due_at``. This exclusive end needs no microsecond arithmetic and stays exact
across DST changes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays import country_holidays
from holidays.holiday_base import HolidayBase

# The kinds are the catalogue's: the events that open and close each one name them too.
from relais_events.catalogue.protection_orders import DeadlineKind

PARIS = ZoneInfo("Europe/Paris")
LAW_2024_536_IN_FORCE = date(2024, 6, 15)
"""Law no. 2024-536 of 13 June 2024 applies to orders issued from 15 June 2024."""


def paris_date(instant: datetime) -> date:
    """The Europe/Paris civil date of an instant (the day an act took place)."""
    return instant.astimezone(PARIS).date()


def end_of_day(day: date) -> datetime:
    """The instant a day ends at 24:00 Europe/Paris (= next day's 00:00), in UTC."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
    return midnight.astimezone(UTC)


def last_day_in_days(start: datetime, days: int) -> date:
    """Last day of a deadline in days: the day of the act is not counted (CPC art. 641 al. 1)."""
    return paris_date(start) + timedelta(days=days)


def last_day_in_months(start: datetime, months: int) -> date:
    """Last day of a deadline in months (CPC art. 641 al. 2).

    It ends on the day of the last month with the same number as the starting day, or on that
    month's last day when it has no such day (31 January + 1 month -> 28 or 29 February).
    """
    day = paris_date(start)
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=32)
def _public_holidays(subdivision: str | None) -> HolidayBase:
    # `holidays.France`, the maintained calendar (never a hand-typed list); years fill lazily.
    return country_holidays("FR", subdiv=subdivision)


def is_working_day(day: date, subdivision: str | None = None) -> bool:
    """Neither Saturday, Sunday nor a French public holiday (jour férié, `holidays.France`)."""
    return day.weekday() < 5 and day not in _public_holidays(subdivision)


def extend_to_working_day(day: date, subdivision: str | None = None) -> date:
    """CPC art. 642 al. 2: a limit ending on a Saturday, Sunday or holiday runs to the next
    working day (prorogation au premier jour ouvrable suivant)."""
    while not is_working_day(day, subdivision):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class DeadlinePolicy:
    """The durations of the law, as parameters (the law changes: it did in 2024).

    - ``service_days``: 2 days to serve the application on the defendant from the order fixing
      the hearing date, else it lapses (CPC art. 1136-3, decree no. 2020-841).
    - ``ruling_days``: the judge rules within 6 days of fixing the hearing date (C. civ.
      art. 515-11, law no. 2019-1480 of 28 December 2019).
    - ``max_order_months``: 12 months from notification (C. civ. art. 515-12, law no. 2024-536).
    - ``max_order_months_before_2024_06_15``: 6 months for orders issued before 15 June 2024
      (C. civ. art. 515-12 in its former wording).
    - ``provisional_decision_hours``: the OPPI is decided within 24 hours of the request (C. civ.
      art. 515-13-1; CPC art. 1136-15-2, decree no. 2025-47).
    - ``serious_danger_phone_months``: a serious-danger phone is attributed for 6 months,
      renewable (CPP art. 41-3-1).
    - ``notification_flag_days`` / ``registration_flag_days``: local practice, not law: the delay
      after issuance at which an order not yet notified / not entered in FPR (and FINIADA) is
      flagged (DOMAIN.md "configurable delay"); 2 days by default.
    - ``holiday_subdivision``: `holidays.France` subdivision of the court (e.g. "57" Moselle,
      "6AE" Alsace) whose local holidays also count for art. 642; None for the national list.
    """

    service_days: int = 2
    ruling_days: int = 6
    max_order_months: int = 12
    max_order_months_before_2024_06_15: int = 6
    provisional_decision_hours: int = 24
    serious_danger_phone_months: int = 6
    notification_flag_days: int = 2
    registration_flag_days: int = 2
    holiday_subdivision: str | None = None

    def service_due_at(self, hearing_fixed_at: datetime) -> datetime:
        """Summons must be served before this instant (CPC art. 1136-3), with the CPC art. 642
        extension because it is a party's limit (délai imparti à une partie)."""
        last = last_day_in_days(hearing_fixed_at, self.service_days)
        return end_of_day(extend_to_working_day(last, self.holiday_subdivision))

    def ruling_due_at(self, hearing_fixed_at: datetime) -> datetime:
        """The ruling is overdue from this instant (C. civ. art. 515-11). Not extended by art. 642:
        it is the court's own target, flagged early."""
        return end_of_day(last_day_in_days(hearing_fixed_at, self.ruling_days))

    def max_duration_months(self, issued_at: datetime) -> int:
        """12 months, or 6 for an order issued before 15 June 2024 (law no. 2024-536)."""
        if paris_date(issued_at) < LAW_2024_536_IN_FORCE:
            return self.max_order_months_before_2024_06_15
        return self.max_order_months

    def expires_at(self, notified_at: datetime, duration_months: int) -> datetime:
        """An order's term runs from its notification (C. civ. art. 515-12, CPC art. 1136-7),
        counted in months (CPC art. 641) and never extended by art. 642."""
        return end_of_day(last_day_in_months(notified_at, duration_months))

    def provisional_decision_due_at(self, requested_at: datetime) -> datetime:
        """24 elapsed hours from the request's timestamp (C. civ. art. 515-13-1): not calendar
        days, so a DST change makes it 23 or 25 hours of wall-clock time."""
        return requested_at.astimezone(UTC) + timedelta(hours=self.provisional_decision_hours)

    def serious_danger_phone_ends_at(self, assigned_at: datetime) -> datetime:
        """A serious-danger phone is attributed for 6 months (CPP art. 41-3-1), in months."""
        return end_of_day(last_day_in_months(assigned_at, self.serious_danger_phone_months))

    def notification_flag_at(self, issued_at: datetime) -> datetime:
        """An issued order still not notified is flagged from this instant (local practice)."""
        return end_of_day(last_day_in_days(issued_at, self.notification_flag_days))

    def registration_flag_at(self, issued_at: datetime) -> datetime:
        """An issued order still missing FPR/FINIADA entries is flagged from this instant."""
        return end_of_day(last_day_in_days(issued_at, self.registration_flag_days))


@dataclass(frozen=True)
class Deadline:
    """An open deadline: ``due_at`` (UTC) is the first instant at which it is missed."""

    kind: DeadlineKind
    due_at: datetime
