"""The api process: ``create_app()`` factory (no I/O at import), served on port 8102.

uvicorn --factory relais_protection_orders.entrypoints.api:create_app --port 8102
"""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI
from relais_kit.app import create_app as create_service_app

from relais_protection_orders.bootstrap import Service, bootstrap
from relais_protection_orders.config import ProtectionOrdersSettings
from relais_protection_orders.entrypoints import routes_dashboard, routes_orders, routes_protection
from relais_protection_orders.entrypoints.dependencies import POLICY


def create_app(service: Service | None = None) -> FastAPI:
    """The app over ``service`` (built from the environment when None); its lifespan opens the
    service's runtime (indexes, outbox relay) and closes it."""
    svc = service or bootstrap(ProtectionOrdersSettings())
    app = create_service_app(
        svc.settings,
        routers=[routes_dashboard.router, routes_orders.router, routes_protection.router],
        policy=POLICY,
        lifespan_resources=[svc.runtime],
        readiness=svc.runtime.readiness(),
        idempotency=svc.runtime.idempotency,
    )
    app.state.service = svc
    return app


def main() -> None:
    settings = ProtectionOrdersSettings()
    uvicorn.run(create_app(bootstrap(settings)), host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
