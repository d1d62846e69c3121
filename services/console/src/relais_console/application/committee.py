"""The committee's case list: the timeline's rows, with whether an order binds now.

Three kinds of logged reads, each by the service that owns the data: the committee's cases
(timeline), the département's protection orders (one listing), and each issued order (its
``enforceable_now`` depends on notification and expiry, which only the order itself answers).
An order that is not ``issued`` cannot be enforceable, so it is not read one by one.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from relais_console.application.ports import ProtectionOrders, Timelines
from relais_console.domain.boards import CommitteeRow, committee_rows
from relais_console.domain.views import Order

COMMITTEE_PURPOSE = "committee_review"


async def committee_overview(
    token: str, departement: str, *, timelines: Timelines, orders: ProtectionOrders
) -> list[CommitteeRow]:
    page = await timelines.committee_cases(token, COMMITTEE_PURPOSE, departement)
    if not page.cases:
        return []
    shown = {case.case_id for case in page.cases}
    rows = await orders.dashboard(token, COMMITTEE_PURPOSE, departement)
    issued = [r.order_id for r in rows if r.case_id in shown and r.status == "issued"]
    read = await asyncio.gather(
        *(orders.order(token, COMMITTEE_PURPOSE, order_id) for order_id in issued)
    )
    by_case: dict[str, list[Order]] = defaultdict(list)
    for row in rows:
        if row.case_id in shown and row.status != "issued":
            by_case[row.case_id].append(_not_enforceable(row.order_id, row.case_id, row.status))
    for order in read:
        by_case[order.case_id].append(order)
    return committee_rows(page.cases, by_case)


def _not_enforceable(order_id: str, case_id: str, status: str) -> Order:
    return Order(
        order_id=order_id,
        case_id=case_id,
        departement=None,
        status=status,
        enforceable_now=False,
    )
