"""A protection order at each stage, built through ``decide`` from fixed Europe/Paris instants.

Timeline (2025, no clock is read): application Mon 3 March 09:00; hearing fixed 10:00 (service
due by Wed 5 March, ruling by Sun 9 March); served Tue 4 March; issued Fri 7 March 14:00 with
no_contact and weapon_ban for 12 months; notified Mon 10 March 09:00 (expires end of 10 March
2026).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from relais_events.catalogue.protection_orders import ApplicantKind, Measure
from relais_protection_orders.domain.commands import (
    Command,
    IssueOrder,
    NotifyOrder,
    RequestProtectionOrder,
    RequestProvisionalOrder,
    ScheduleHearing,
    ServeSummons,
)
from relais_protection_orders.domain.deadlines import PARIS
from relais_protection_orders.domain.protection_order import ProtectionOrder, decide, fold


def step(state: ProtectionOrder, command: Command, now: datetime | None = None) -> ProtectionOrder:
    at = now or getattr(command, "at", None)
    assert at is not None
    return fold(decide(state, command, at), state)


@pytest.fixture
def requested() -> ProtectionOrder:
    command = RequestProtectionOrder(
        order_id="op-1",
        case_id="case-1",
        actor="justice_clerk",
        applicant=ApplicantKind.VICTIM,
        at=datetime(2025, 3, 3, 9, tzinfo=PARIS),
    )
    return step(ProtectionOrder(), command)


@pytest.fixture
def scheduled(requested: ProtectionOrder) -> ProtectionOrder:
    command = ScheduleHearing(
        actor="justice_clerk",
        at=datetime(2025, 3, 3, 10, tzinfo=PARIS),
        hearing_at=datetime(2025, 3, 7, 9, tzinfo=PARIS),
    )
    return step(requested, command)


@pytest.fixture
def with_oppi(scheduled: ProtectionOrder) -> ProtectionOrder:
    command = RequestProvisionalOrder(
        actor="prosecutor", victim_agreement=True, at=datetime(2025, 3, 3, 11, tzinfo=PARIS)
    )
    return step(scheduled, command)


@pytest.fixture
def served(scheduled: ProtectionOrder) -> ProtectionOrder:
    return step(
        scheduled, ServeSummons(actor="justice_clerk", at=datetime(2025, 3, 4, 10, tzinfo=PARIS))
    )


@pytest.fixture
def issued(served: ProtectionOrder) -> ProtectionOrder:
    command = IssueOrder(
        actor="justice_clerk",
        at=datetime(2025, 3, 7, 14, tzinfo=PARIS),
        measures=[Measure.NO_CONTACT, Measure.WEAPON_BAN],
        duration_months=12,
    )
    return step(served, command)


@pytest.fixture
def notified(issued: ProtectionOrder) -> ProtectionOrder:
    return step(
        issued, NotifyOrder(actor="justice_clerk", at=datetime(2025, 3, 10, 9, tzinfo=PARIS))
    )
