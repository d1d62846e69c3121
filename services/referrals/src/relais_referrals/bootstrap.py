"""The composition root: the only place that builds adapters and wires them to the handlers.

Nothing here does I/O when called but reading development key files: the kit's ``Runtime``
connects lazily, and its ``running()`` (the api's lifespan resource, and the worker's main)
creates indexes, starts the outbox relay and closes everything on the way out.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Final

from relais_kit.application import Clock
from relais_kit.cases.mongo import MongoCaseDirectory
from relais_kit.due.mongo import MongoDueSchedule, MongoFirings
from relais_kit.runtime import Runtime

from relais_referrals.adapters.file_clock import FileClock
from relais_referrals.adapters.mongo_capacity import MongoShelterCapacity
from relais_referrals.adapters.mongo_index import MongoReferralIndex
from relais_referrals.adapters.mongo_partners import MongoPartnerDirectory
from relais_referrals.application.due_escalations import DueEscalations, EscalationManager
from relais_referrals.application.on_event import EventHandlers
from relais_referrals.application.ports import ScheduledEscalation
from relais_referrals.application.services import ReferralServices
from relais_referrals.config import ReferralsSettings

log = logging.getLogger(__name__)
# The SLA manager's collections: names and document shapes as first written.
ESCALATION_SCHEDULE: Final = "escalation_schedule"
ESCALATION_FIRINGS: Final = "escalation_firings"


@dataclass
class Referrals:
    settings: ReferralsSettings
    runtime: Runtime
    services: ReferralServices
    handlers: EventHandlers
    manager: EscalationManager


def bootstrap(
    settings: ReferralsSettings | None = None,
    *,
    clock: Clock | None = None,
    worker_name: str | None = None,
) -> Referrals:
    settings = settings or ReferralsSettings()
    if clock is None and settings.test_clock_file is not None:
        log.warning("referrals runs on the TEST clock of %s", settings.test_clock_file)
        clock = FileClock(settings.test_clock_file)
    runtime = Runtime.build(settings, clock=clock)
    database = runtime.database
    partners = MongoPartnerDirectory(database)
    index = MongoReferralIndex(database)
    capacity = MongoShelterCapacity(database)
    schedule = MongoDueSchedule(database[ESCALATION_SCHEDULE], ScheduledEscalation)
    runtime.on_start(
        partners.ensure_indexes,
        index.ensure_indexes,
        capacity.ensure_indexes,
        schedule.ensure_indexes,
    )
    services = ReferralServices(
        write_path=runtime.write_path,
        access_log=runtime.access_log,
        cases=MongoCaseDirectory(database),
        partners=partners,
        index=index,
        capacity=capacity,
        schedule=schedule,
        sla=settings.sla_policy(),
    )
    handlers = EventHandlers(services.cases, partners, index, capacity, runtime.keys)
    manager = EscalationManager(
        DueEscalations(services),
        schedule,
        MongoFirings(database[ESCALATION_FIRINGS]),
        owner=worker_name or settings.worker_name,
        lease=dt.timedelta(seconds=settings.escalation_lease_s),
        batch=settings.escalation_batch,
    )
    return Referrals(settings, runtime, services, handlers, manager)
