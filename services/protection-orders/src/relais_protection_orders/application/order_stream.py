"""The protection order as the kit's write path runs it: its fold and its snapshot shape."""

from __future__ import annotations

from typing import Final, get_args

from relais_events.catalogue import Event
from relais_kit.application import Aggregate, Loaded

from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.protection_order import ProtectionOrder, evolve

_ORDER_EVENTS: Final = get_args(ProtectionOrderEvent)

LoadedOrder = Loaded[ProtectionOrder]
"""An order as of its last commit; ``jurisdiction`` is the court's département."""


class OrderNotFound(LookupError):  # noqa: N818  (what happened, not "Error")
    """No application was filed under this order id."""


class ForeignEvent(ValueError):  # noqa: N818  (what happened, not "Error")
    """An event of another aggregate type in an order's stream: the store is corrupted."""


def _evolve(state: ProtectionOrder, event: Event) -> ProtectionOrder:
    if not isinstance(event, _ORDER_EVENTS):
        raise ForeignEvent(event.TYPE)
    return evolve(state, event)


ORDER: Final[Aggregate[ProtectionOrder]] = Aggregate(
    "protection_order",
    initial=ProtectionOrder(),
    evolve=_evolve,
    state_type=ProtectionOrder,
    state_version=2,  # 2: ``last_registered_at`` (acts recorded late)
)
