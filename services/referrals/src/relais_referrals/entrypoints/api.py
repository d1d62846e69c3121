"""The referrals api: ``uvicorn relais_referrals.entrypoints.api:create_app --factory --port 8104``.

No I/O at import: ``create_app`` wires the bootstrap's adapters into the kit's app factory,
whose lifespan opens the runtime (indexes, Kafka producer, outbox relay) and closes it.
"""

from __future__ import annotations

from fastapi import FastAPI
from relais_kit.app import create_app as create_service_app

from relais_referrals.bootstrap import Referrals, bootstrap
from relais_referrals.config import ReferralsSettings
from relais_referrals.entrypoints import (
    routes_consents,
    routes_inboxes,
    routes_partners,
    routes_referrals,
)
from relais_referrals.entrypoints.policy import POLICY


def create_app(
    settings: ReferralsSettings | None = None, referrals: Referrals | None = None
) -> FastAPI:
    referrals = referrals or bootstrap(settings)
    app = create_service_app(
        referrals.settings,
        # The inbox route before the partner's own: both live under /v1/partners.
        routers=[
            routes_inboxes.router,
            routes_partners.router,
            routes_consents.router,
            routes_referrals.router,
        ],
        policy=POLICY,
        lifespan_resources=[referrals.runtime],
        readiness=referrals.runtime.readiness(),
        idempotency=referrals.runtime.idempotency,
    )
    app.state.referrals = referrals.services
    return app
