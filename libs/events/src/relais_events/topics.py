"""Kafka topics, one per owning context (DESIGN.md section 4)."""

from typing import Final

INTAKE: Final = "relais.intake.v1"
PROTECTION_ORDERS: Final = "relais.protection-orders.v1"
SHELTER: Final = "relais.shelter.v1"
REFERRALS: Final = "relais.referrals.v1"
TIMELINE: Final = "relais.timeline.v1"
DEADLETTER: Final = "relais.deadletter.v1"

CONTEXT_TOPICS: Final = (INTAKE, PROTECTION_ORDERS, SHELTER, REFERRALS, TIMELINE)
ALL_TOPICS: Final = (*CONTEXT_TOPICS, DEADLETTER)
