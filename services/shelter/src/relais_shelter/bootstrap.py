"""The composition root: the only place that builds adapters and wires them to the handlers.

Nothing here does I/O when called but reading development key files: the kit's ``Runtime``
connects lazily, and its ``running()`` (the api's lifespan resource, and the worker's main)
declares indexes, starts the outbox relay and closes everything on the way out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relais_kit.application import Clock
from relais_kit.cases.mongo import MongoCaseDirectory
from relais_kit.runtime import Runtime

from relais_shelter.adapters.mongo_ledgers import (
    MongoClaimLedger,
    MongoEnvelopeHoles,
    MongoSiteDirectory,
)
from relais_shelter.adapters.mongo_reservations import (
    MongoHoldings,
    MongoOperations,
    MongoReservations,
)
from relais_shelter.application.services import ShelterServices
from relais_shelter.config import ShelterSettings


@dataclass
class Shelter:
    settings: ShelterSettings
    runtime: Runtime
    services: ShelterServices


def bootstrap(settings: ShelterSettings | None = None, *, clock: Clock | None = None) -> Shelter:
    settings = settings or ShelterSettings()
    runtime = Runtime.build(settings, clock=clock)
    database = runtime.database
    sites = MongoSiteDirectory(database)
    holes = MongoEnvelopeHoles(database)
    claims = MongoClaimLedger(database)
    runtime.on_start(sites.ensure_indexes, holes.ensure_indexes, claims.ensure_indexes)
    services = ShelterServices(
        write_path=runtime.write_path,
        access_log=runtime.access_log,
        reservations=MongoReservations(database),
        operations=MongoOperations(database),
        holdings=MongoHoldings(database),
        holes=holes,
        sites=sites,
        claims=claims,
        cases=MongoCaseDirectory(database),
        lease=dt.timedelta(seconds=settings.operation_lease_s),
    )
    return Shelter(settings, runtime, services)
