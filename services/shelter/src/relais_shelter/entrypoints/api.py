"""The shelter api: ``uvicorn relais_shelter.entrypoints.api:create_app --factory --port 8103``.

No I/O at import: ``create_app`` wires the bootstrap's adapters into the kit's app factory,
whose lifespan opens the runtime (indexes, Kafka producer, outbox relay) and closes it.
"""

from __future__ import annotations

from fastapi import FastAPI
from relais_kit.app import create_app as create_service_app

from relais_shelter.bootstrap import Shelter, bootstrap
from relais_shelter.config import ShelterSettings
from relais_shelter.entrypoints import routes_allocations, routes_sites
from relais_shelter.entrypoints.policy import POLICY


def create_app(settings: ShelterSettings | None = None, shelter: Shelter | None = None) -> FastAPI:
    shelter = shelter or bootstrap(settings)
    app = create_service_app(
        shelter.settings,
        routers=[routes_sites.router, routes_allocations.router],
        policy=POLICY,
        lifespan_resources=[shelter.runtime],
        readiness=shelter.runtime.readiness(),
        idempotency=shelter.runtime.idempotency,
    )
    app.state.shelter = shelter.services
    return app
