"""Protection orders (port 8102): the dashboard, one order, the application and the acts."""

from __future__ import annotations

from typing import Final

from pydantic import TypeAdapter

from relais_console.adapters.http_service import ServiceApi
from relais_console.application.ports import Body
from relais_console.domain.views import DashboardRow, Order

ACTS: Final = frozenset({"hearing", "service", "ruling", "notification", "registrations"})
_ROWS: Final = TypeAdapter(list[DashboardRow])


class HttpOrders:
    def __init__(self, api: ServiceApi) -> None:
        self.api = api

    async def dashboard(
        self, token: str, purpose: str, departement: str | None = None
    ) -> list[DashboardRow]:
        params = {"departement": departement} if departement else {}
        return _ROWS.validate_python(
            await self.api.read("/v1/protection-orders", token, purpose, params)
        )

    async def order(self, token: str, purpose: str, order_id: str) -> Order:
        answer = await self.api.read(f"/v1/protection-orders/{order_id}", token, purpose)
        return Order.model_validate(answer)

    async def apply(self, token: str, body: Body, key: str) -> Order:
        return Order.model_validate(
            await self.api.command("/v1/protection-orders", token, body, key)
        )

    async def record(self, token: str, order_id: str, act: str, body: Body, key: str) -> Order:
        if act not in ACTS:
            raise ValueError(f"unknown act {act!r}")
        path = f"/v1/protection-orders/{order_id}/{act}"
        return Order.model_validate(await self.api.command(path, token, body, key))
