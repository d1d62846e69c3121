"""The two lists people work from: the committee's cases and the clerk's deadline dashboard.

Committee (DOMAIN.md "Protection orders"): police and committee views show whether an order is
*enforceable now* (issued, notified, not expired, not revoked: the protection-orders service
answers it as ``enforceable_now``), not only whether one exists. Clerk: due within 48 hours,
overdue, lapsed, not notified, not registered in FPR / FINIADA.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from relais_console.domain.views import CommitteeCase, DashboardRow, OpenDeadline, Order

SOON: Final = dt.timedelta(hours=48)


@dataclass(frozen=True)
class CommitteeRow:
    case: CommitteeCase
    next_deadline: OpenDeadline | None
    # True: an order of the case binds the defendant now; False: orders, none enforceable;
    # None: no protection order known for the case.
    enforceable: bool | None


def committee_rows(
    cases: Iterable[CommitteeCase], orders: Mapping[str, Sequence[Order]]
) -> list[CommitteeRow]:
    rows = []
    for case in cases:
        case_orders = orders.get(case.case_id, ())
        deadlines = sorted(case.open_deadlines, key=lambda d: d.due_at)
        rows.append(
            CommitteeRow(
                case=case,
                next_deadline=deadlines[0] if deadlines else None,
                enforceable=any(o.enforceable_now for o in case_orders) if case_orders else None,
            )
        )
    return rows


@dataclass(frozen=True)
class DashboardLine:
    row: DashboardRow
    situations: tuple[str, ...]  # keys of SITUATIONS, most urgent first


SITUATIONS: Final = {
    "overdue": "En retard",
    "due_soon": "Échéance sous 48 h",
    "lapsed": "Caduque",
    "not_notified": "Non notifiée",
    "not_registered": "Non inscrite FPR / FINIADA",
}


def situations(row: DashboardRow, now: dt.datetime) -> tuple[str, ...]:
    found = []
    due = row.next_due_at
    if row.ruling_overdue or (due is not None and due <= now):
        found.append("overdue")
    elif due is not None and due - now <= SOON:
        found.append("due_soon")
    if row.status == "lapsed":
        found.append("lapsed")
    found.extend(flag for flag in ("not_notified", "not_registered") if flag in row.flags)
    return tuple(found)


def dashboard(rows: Iterable[DashboardRow], now: dt.datetime) -> list[DashboardLine]:
    return [DashboardLine(row, situations(row, now)) for row in rows]


def counts(lines: Iterable[DashboardLine]) -> dict[str, int]:
    tally = dict.fromkeys(SITUATIONS, 0)
    for line in lines:
        for key in line.situations:
            tally[key] += 1
    return tally
