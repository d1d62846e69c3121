"""The intake api: ``uvicorn relais_intake.entrypoints.api:create_app --factory --port 8101``.

No I/O at import: ``create_app`` wires the bootstrap's adapters into the kit's app factory,
whose lifespan opens the runtime (indexes, Kafka producer, outbox relay) and closes it.
"""

from __future__ import annotations

from fastapi import FastAPI
from relais_kit.app import create_app as create_service_app

from relais_intake.bootstrap import Intake, bootstrap
from relais_intake.config import IntakeSettings
from relais_intake.entrypoints import routes_cases, routes_reports
from relais_intake.entrypoints.policy import POLICY


def create_app(settings: IntakeSettings | None = None, intake: Intake | None = None) -> FastAPI:
    intake = intake or bootstrap(settings)
    app = create_service_app(
        intake.settings,
        routers=[routes_reports.router, routes_cases.router],
        policy=POLICY,
        lifespan_resources=[intake.runtime],
        readiness=intake.runtime.readiness(),
        idempotency=intake.runtime.idempotency,
    )
    app.state.intake = intake.services
    return app
