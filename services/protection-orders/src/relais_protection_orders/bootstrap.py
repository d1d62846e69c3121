"""The composition root: the only place that builds adapters and wires them to the handlers.

Nothing here does I/O when called: the kit's ``Runtime`` connects lazily, and its ``running()``
(the api's lifespan resource, and the worker's main) creates indexes, starts the outbox relay
and closes everything on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from relais_kit.application import Clock
from relais_kit.application.access_log import AccessLog
from relais_kit.due.mongo import MongoDueSchedule, MongoFirings
from relais_kit.runtime import Runtime

from relais_protection_orders.adapters.mongo_dashboard import MongoDashboard
from relais_protection_orders.application.due_deadlines import DeadlineManager, DueDeadlines
from relais_protection_orders.application.handlers import OrderHandler
from relais_protection_orders.application.ports import ScheduledDeadline
from relais_protection_orders.config import ProtectionOrdersSettings

# The deadline manager's collections: names and document shapes as first written.
DEADLINE_SCHEDULE: Final = "deadline_schedule"
DEADLINE_FIRINGS: Final = "deadline_firings"


@dataclass
class Service:
    settings: ProtectionOrdersSettings
    runtime: Runtime
    handler: OrderHandler
    manager: DeadlineManager
    schedule: MongoDueSchedule[ScheduledDeadline]
    dashboard: MongoDashboard

    @property
    def access_log(self) -> AccessLog:
        return self.runtime.access_log


def bootstrap(
    settings: ProtectionOrdersSettings | None = None,
    *,
    clock: Clock | None = None,
    worker_name: str | None = None,
) -> Service:
    settings = settings or ProtectionOrdersSettings()
    runtime = Runtime.build(settings, clock=clock)
    database = runtime.database
    schedule = MongoDueSchedule(database[DEADLINE_SCHEDULE], ScheduledDeadline)
    dashboard = MongoDashboard(database)
    runtime.on_start(schedule.ensure_indexes, dashboard.ensure_indexes)
    handler = OrderHandler(
        runtime.write_path, schedule, dashboard, policy=settings.deadline_policy()
    )
    manager = DeadlineManager(
        DueDeadlines(handler),
        schedule,
        MongoFirings(database[DEADLINE_FIRINGS]),
        owner=worker_name or settings.worker_name,
        lease=timedelta(seconds=settings.deadline_lease_s),
        batch=settings.deadline_batch,
    )
    return Service(settings, runtime, handler, manager, schedule, dashboard)
