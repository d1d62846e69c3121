"""Settings of the protection-orders service (env prefix ``RELAIS_PROTECTION_ORDERS_``).

Every duration of ``DeadlinePolicy`` is overridable here, because the law changes (it did in
2024): e.g. ``RELAIS_PROTECTION_ORDERS_SERVICE_DAYS=3``.
"""

from __future__ import annotations

import socket

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from relais_kit.settings import ServiceSettings

from relais_protection_orders.domain.deadlines import DeadlinePolicy

_DEFAULTS = DeadlinePolicy()


class ProtectionOrdersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_PROTECTION_ORDERS_", extra="ignore")

    service_name: str = "protection-orders"
    http_port: int = 8102

    # Legal durations (DeadlinePolicy documents each with its source).
    service_days: int = Field(default=_DEFAULTS.service_days, ge=1)
    ruling_days: int = Field(default=_DEFAULTS.ruling_days, ge=1)
    max_order_months: int = Field(default=_DEFAULTS.max_order_months, ge=1)
    max_order_months_before_2024_06_15: int = Field(
        default=_DEFAULTS.max_order_months_before_2024_06_15, ge=1
    )
    provisional_decision_hours: int = Field(default=_DEFAULTS.provisional_decision_hours, ge=1)
    serious_danger_phone_months: int = Field(default=_DEFAULTS.serious_danger_phone_months, ge=1)
    notification_flag_days: int = Field(default=_DEFAULTS.notification_flag_days, ge=1)
    registration_flag_days: int = Field(default=_DEFAULTS.registration_flag_days, ge=1)
    holiday_subdivision: str | None = _DEFAULTS.holiday_subdivision

    # Deadline process manager (worker).
    deadline_tick_s: float = Field(default=30.0, gt=0)
    # A firing claimed longer ago than this and never completed is taken over by another replica.
    deadline_lease_s: float = Field(default=120.0, gt=0)
    deadline_batch: int = Field(default=200, ge=1)
    # This replica's stable name: after a restart it recovers its own unfinished firings at once.
    worker_name: str = Field(default_factory=socket.gethostname)

    def deadline_policy(self) -> DeadlinePolicy:
        return DeadlinePolicy(
            service_days=self.service_days,
            ruling_days=self.ruling_days,
            max_order_months=self.max_order_months,
            max_order_months_before_2024_06_15=self.max_order_months_before_2024_06_15,
            provisional_decision_hours=self.provisional_decision_hours,
            serious_danger_phone_months=self.serious_danger_phone_months,
            notification_flag_days=self.notification_flag_days,
            registration_flag_days=self.registration_flag_days,
            holiday_subdivision=self.holiday_subdivision,
        )
