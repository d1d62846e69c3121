"""Rules of the immediate provisional order (OPPI): C. civ. art. 515-13-1, CPC art. 1136-15-1 ff."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from relais_events.catalogue.protection_orders import (
    Measure,
    ProtectionOrderIssued,
    ProtectionOrderRejected,
    ProvisionalEndReason,
    ProvisionalOrderEnded,
    ProvisionalOrderRequested,
)
from relais_protection_orders.domain import errors
from relais_protection_orders.domain.commands import (
    Command,
    IssueOrder,
    IssueProvisionalOrder,
    RejectApplication,
    RejectProvisionalOrder,
    RequestProvisionalOrder,
)
from relais_protection_orders.domain.deadlines import PARIS
from relais_protection_orders.domain.protection_order import ProtectionOrder, decide, fold
from relais_protection_orders.domain.state import ProvisionalStatus


def step(state: ProtectionOrder, command: Command, now: datetime) -> ProtectionOrder:
    return fold(decide(state, command, now), state)


AT = datetime(2025, 3, 3, 11, tzinfo=PARIS)


def oppi_request(actor: str = "prosecutor", agreement: bool = True) -> RequestProvisionalOrder:
    return RequestProvisionalOrder.model_validate(
        {"actor": actor, "victim_agreement": agreement, "at": AT}
    )


def test_provisional_order_is_decided_within_24_hours_of_the_request(
    scheduled: ProtectionOrder,
) -> None:
    [event] = decide(scheduled, oppi_request(), AT)
    assert isinstance(event, ProvisionalOrderRequested)
    assert event.decision_due_at - event.requested_at == timedelta(hours=24)


def test_only_the_prosecutor_requests_a_provisional_order(scheduled: ProtectionOrder) -> None:
    with pytest.raises(errors.OnlyProsecutorMayRequestProvisionalOrder):
        decide(scheduled, oppi_request(actor="justice_clerk"), AT)


def test_provisional_order_needs_the_victims_agreement(scheduled: ProtectionOrder) -> None:
    with pytest.raises(errors.ProvisionalOrderNeedsAgreement):
        decide(scheduled, oppi_request(agreement=False), AT)


def test_provisional_order_needs_a_pending_application(issued: ProtectionOrder) -> None:
    with pytest.raises(errors.NoPendingApplication):
        decide(ProtectionOrder(), oppi_request(), AT)
    later = oppi_request().model_copy(update={"at": datetime(2025, 3, 8, tzinfo=PARIS)})
    with pytest.raises(errors.NoPendingApplication):
        decide(issued, later, later.at)


def test_provisional_order_may_be_requested_with_the_application(
    requested: ProtectionOrder,
) -> None:
    assert decide(requested, oppi_request(), AT)


def test_one_provisional_order_per_application(with_oppi: ProtectionOrder) -> None:
    with pytest.raises(errors.ProvisionalOrderAlreadyRequested):
        decide(with_oppi, oppi_request(), AT)


def test_provisional_order_measures_are_limited_by_article_515_13_1(
    with_oppi: ProtectionOrder,
) -> None:
    command = IssueProvisionalOrder(
        actor="justice_clerk", at=AT, measures=[Measure.NO_CONTACT, Measure.FAMILY_HOME_ALLOCATION]
    )
    with pytest.raises(errors.MeasureNotAllowed):
        decide(with_oppi, command, AT)
    allowed = [Measure.NO_CONTACT, Measure.VISITING_RIGHTS_SUSPENDED, Measure.ADDRESS_CONCEALMENT]
    state = step(
        with_oppi, IssueProvisionalOrder(actor="justice_clerk", at=AT, measures=allowed), AT
    )
    assert state.provisional is not None
    assert state.provisional.status is ProvisionalStatus.ISSUED


def test_provisional_order_decision_needs_a_request(scheduled: ProtectionOrder) -> None:
    with pytest.raises(errors.NoProvisionalOrderPending):
        decide(scheduled, RejectProvisionalOrder(actor="justice_clerk", at=AT), AT)


def test_provisional_order_is_decided_once(with_oppi: ProtectionOrder) -> None:
    state = step(with_oppi, RejectProvisionalOrder(actor="justice_clerk", at=AT), AT)
    with pytest.raises(errors.NoProvisionalOrderPending):
        decide(state, RejectProvisionalOrder(actor="justice_clerk", at=AT), AT)


def test_provisional_order_ends_with_the_ruling_issuing_the_order(
    with_oppi: ProtectionOrder,
) -> None:
    granted = step(
        with_oppi,
        IssueProvisionalOrder(actor="justice_clerk", at=AT, measures=[Measure.NO_CONTACT]),
        AT,
    )
    at = datetime(2025, 3, 4, 16, tzinfo=PARIS)
    ruling = IssueOrder(
        actor="justice_clerk", at=at, measures=[Measure.NO_CONTACT], duration_months=6
    )
    events = decide(granted, ruling, at)
    assert [type(e) for e in events] == [ProtectionOrderIssued, ProvisionalOrderEnded]
    ended = events[1]
    assert isinstance(ended, ProvisionalOrderEnded)
    assert ended.reason is ProvisionalEndReason.RULING_RECORDED


def test_provisional_order_ends_with_the_ruling_rejecting_the_application(
    with_oppi: ProtectionOrder,
) -> None:
    at = datetime(2025, 3, 3, 16, tzinfo=PARIS)  # within the OPPI's 24 hours
    events = decide(with_oppi, RejectApplication(actor="justice_clerk", at=at), at)
    assert [type(e) for e in events] == [ProtectionOrderRejected, ProvisionalOrderEnded]
    state = fold(events, with_oppi)
    assert state.provisional is not None
    assert not state.provisional.alive
