"""The protection_orders event catalogue: registered, versioned, UTC, and free of personal data."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from relais_events import topics
from relais_events.catalogue import catalogue
from relais_events.catalogue.protection_orders import ProtectionOrderNotified

EXPECTED = {
    "protection_order.requested", "protection_order.hearing_scheduled",
    "protection_order.summons_served", "protection_order.lapsed", "protection_order.issued",
    "protection_order.rejected", "protection_order.notified", "protection_order.registered",
    "protection_order.extended", "protection_order.modified", "protection_order.revoked",
    "protection_order.expired", "protection_order.ruling_overdue", "protection_order.flagged",
    "protection_order.lapse_annulled", "protection_order.missed_deadline_annulled",
    "provisional_order.requested", "provisional_order.issued", "provisional_order.rejected",
    "provisional_order.overdue", "provisional_order.ended", "protective_device.assigned",
    "protective_device.renewed", "protective_device.withdrawn", "order_breach.reported",
}  # fmt: skip

PERSONAL = ("name", "address", "phone_number", "position", "latitude", "longitude", "narrative")


def test_every_protection_order_event_is_registered_on_its_topic() -> None:
    models = [m for m in catalogue.models() if m.TOPIC == topics.PROTECTION_ORDERS]
    assert {m.TYPE for m in models} == EXPECTED
    assert all(m.VERSION == 1 for m in models)
    assert all(catalogue.model(t, 1).TOPIC == topics.PROTECTION_ORDERS for t in EXPECTED)


@pytest.mark.parametrize("model", [m for m in catalogue.models() if m.TYPE in EXPECTED])
def test_no_personal_data_in_protection_order_events(model: type) -> None:
    fields = set(model.model_fields)  # type: ignore[attr-defined]
    assert not [f for f in fields if any(word in f for word in PERSONAL)]


def test_instants_are_stored_in_utc() -> None:
    paris = datetime(2025, 3, 10, 9, tzinfo=ZoneInfo("Europe/Paris"))
    event = ProtectionOrderNotified(order_id="o", case_id="c", notified_at=paris, expires_at=paris)
    assert event.notified_at.tzinfo is UTC
    assert event.notified_at == datetime(2025, 3, 10, 8, tzinfo=UTC)


def test_naive_instants_are_rejected() -> None:
    naive = datetime(2025, 3, 10, 9)  # noqa: DTZ001  (the point of the test)
    with pytest.raises(ValidationError):
        ProtectionOrderNotified(order_id="o", case_id="c", notified_at=naive, expires_at=naive)
