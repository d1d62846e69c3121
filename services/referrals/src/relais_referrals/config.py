"""Settings of the referrals service (env prefix ``RELAIS_REFERRALS_``).

The SLA is a parameter, per partner kind (DOMAIN.md: default 48 hours), e.g.
``RELAIS_REFERRALS_SLA_HOURS_BY_KIND='{"shelter_operator": 24}'``.
"""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict
from relais_events.vocabulary import PartnerKind
from relais_kit.settings import ServiceSettings

from relais_referrals.domain.sla import DEFAULT_SLA, SlaPolicy


class ReferralsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_REFERRALS_", extra="ignore")

    service_name: str = "referrals"
    http_port: int = 8104

    # How long a partner has to answer before the referral is escalated, in hours.
    sla_hours: float = Field(default=DEFAULT_SLA.total_seconds() / 3600, gt=0)
    sla_hours_by_kind: dict[PartnerKind, float] = Field(default_factory=dict)

    # Worker: the consumer group of every replica, and the SLA manager.
    worker_group: str = "relais-referrals"
    escalation_tick_s: float = Field(default=30.0, gt=0)
    # A claim older than this and never completed is taken over by another replica.
    escalation_lease_s: float = Field(default=120.0, gt=0)
    escalation_batch: int = Field(default=200, ge=1)
    # This replica's stable name: after a restart it recovers its own unfinished claims at once.
    worker_name: str = Field(default_factory=socket.gethostname)

    # DEVELOPMENT AND TESTS ONLY: a file holding the current instant, read on every ``now()``
    # (``adapters.file_clock``), so a test can move a worker process's time. Refused unless the
    # public dev secret checks tokens (see the validator): never in a real deployment.
    test_clock_file: Path | None = None

    @model_validator(mode="after")
    def _test_clock_only_in_development(self) -> ReferralsSettings:
        if self.test_clock_file is not None and not self.auth.uses_dev_secret:
            raise ValueError(
                "test_clock_file is for development and tests only: it is refused where tokens"
                " are verified (RELAIS_AUTH_JWKS_URL or RELAIS_AUTH_SECRET set)"
            )
        return self

    def sla_policy(self) -> SlaPolicy:
        return SlaPolicy(
            default=dt.timedelta(hours=self.sla_hours),
            by_kind={k: dt.timedelta(hours=h) for k, h in self.sla_hours_by_kind.items()},
        )
