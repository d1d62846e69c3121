"""What the entrypoints hand to the handlers, built once by ``bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass

from relais_kit.application import Clock, WritePath
from relais_kit.application.access_log import AccessLog
from relais_kit.cases import CaseDirectory
from relais_kit.due import DueSchedule

from relais_referrals.application.ports import (
    PartnerDirectory,
    ReferralIndex,
    ScheduledEscalation,
    ShelterCapacity,
)
from relais_referrals.domain.sla import SlaPolicy


@dataclass(frozen=True)
class ReferralServices:
    write_path: WritePath
    access_log: AccessLog
    cases: CaseDirectory
    partners: PartnerDirectory
    index: ReferralIndex
    capacity: ShelterCapacity
    schedule: DueSchedule[ScheduledEscalation]
    sla: SlaPolicy

    @property
    def clock(self) -> Clock:
        return self.write_path.clock
