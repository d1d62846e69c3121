"""The api process: ``create_app()`` factory (no I/O at import nor in the factory), port 8105.

uvicorn --factory relais_timeline.entrypoints.api:create_app --port 8105
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI
from relais_kit.app import create_app as create_service_app

from relais_timeline.bootstrap import Serving, serving
from relais_timeline.config import TimelineSettings
from relais_timeline.entrypoints import routes_committees, routes_timeline
from relais_timeline.entrypoints.dependencies import POLICY


def create_app(service: Serving | None = None) -> FastAPI:
    """The app over ``service`` (built from the environment when None); its lifespan opens the
    runtime (indexes, outbox relay) and closes it."""
    svc = service or serving(TimelineSettings())
    app = create_service_app(
        svc.settings,
        routers=[routes_timeline.router, routes_committees.router],
        policy=POLICY,
        lifespan_resources=[svc],
        readiness=svc.runtime.readiness(),
        idempotency=svc.runtime.idempotency,
    )
    app.state.serving = svc
    return app


def main() -> None:
    settings = TimelineSettings()
    uvicorn.run(create_app(serving(settings)), host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
