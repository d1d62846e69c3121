"""Domain state to API answers (read side of ``GET /v1/protection-orders/{id}``)."""

from __future__ import annotations

from datetime import datetime

from relais_protection_orders.application.order_stream import LoadedOrder
from relais_protection_orders.application.ports import DashboardRow
from relais_protection_orders.domain.protection_order import enforceable_at
from relais_protection_orders.domain.schedule import open_deadlines
from relais_protection_orders.entrypoints.schemas import (
    DashboardRowOut,
    DeadlineOut,
    DeviceOut,
    OrderOut,
    ProvisionalOut,
)


def order_out(order: LoadedOrder, now: datetime, committed: list[str] | None = None) -> OrderOut:
    s = order.state
    oppi = s.provisional
    return OrderOut(
        order_id=order.aggregate_id,
        case_id=s.case_id,
        departement=order.jurisdiction,
        status=s.stage.value,
        version=order.version,
        # Binding on the defendant now: issued, notified, not expired, not revoked (DOMAIN.md).
        enforceable_now=enforceable_at(s, now),
        measures=sorted(s.measures),
        duration_months=s.duration_months,
        requested_at=s.requested_at,
        hearing_fixed_at=s.hearing_fixed_at,
        served_at=s.served_at,
        ruled_at=s.ruled_at,
        notified_at=s.notified_at,
        expires_at=s.expires_at,
        revoked_at=s.revoked_at,
        registrations=sorted(s.registrations),
        missing_files=s.missing_files() if s.ruled_at and s.measures else [],
        flags=sorted(f.value for f in s.flags),
        ruling_overdue=s.ruling_overdue_flagged,
        open_deadlines=[
            DeadlineOut(kind=d.kind.value, due_at=d.due_at)
            for d in sorted(open_deadlines(s), key=lambda d: d.due_at)
        ],
        provisional=ProvisionalOut(
            status=oppi.status.value,
            requested_at=oppi.requested_at,
            decision_due_at=oppi.decision_due_at,
            overdue=oppi.overdue_flagged,
            measures=sorted(oppi.measures),
        )
        if oppi
        else None,
        devices=[
            DeviceOut(
                device_id=d.device_id,
                kind=d.kind,
                active=d.active,
                assigned_at=d.assigned_at,
                ends_at=d.ends_at,
                alert_distance_km=d.alert_distance_km,
            )
            for d in s.devices
        ],
        breaches=s.breaches,
        committed=committed or [],
    )


def row_out(row: DashboardRow) -> DashboardRowOut:
    return DashboardRowOut(
        order_id=row.order_id,
        case_id=row.case_id,
        departement=row.departement,
        status=row.status,
        next_deadline=row.next_deadline.value if row.next_deadline else None,
        next_due_at=row.next_due_at,
        flags=list(row.flags),
        ruling_overdue=row.ruling_overdue,
    )
