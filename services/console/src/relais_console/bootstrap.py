"""Composition root: the service clients, the token verifier and the login, from the settings.

Nothing else constructs I/O. The console owns no data: no store, no Kafka, no runtime; its
only resources are one pooled HTTP client per service, closed when the app stops.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import httpx
from relais_kit.auth import TokenVerifier

from relais_console.adapters.http_intake import HttpIntake
from relais_console.adapters.http_orders import HttpOrders
from relais_console.adapters.http_referrals import HttpReferrals
from relais_console.adapters.http_service import ServiceApi, client
from relais_console.adapters.http_shelter import HttpShelter
from relais_console.adapters.http_timeline import HttpTimelines
from relais_console.adapters.oidc import OidcProvider
from relais_console.config import ConsoleSettings


@dataclass
class Console:
    settings: ConsoleSettings
    intake: HttpIntake
    orders: HttpOrders
    timelines: HttpTimelines
    shelter: HttpShelter
    referrals: HttpReferrals
    verifier: TokenVerifier
    oidc: OidcProvider | None
    session_secret: str
    clients: tuple[httpx.AsyncClient, ...]

    async def start(self) -> None:
        """Nothing to open: each client connects on its first request."""

    async def stop(self) -> None:
        for each in self.clients:
            await each.aclose()
        if self.oidc is not None:
            await self.oidc.close()


def bootstrap(settings: ConsoleSettings | None = None) -> Console:
    settings = settings or ConsoleSettings()
    timeout = settings.service_timeout_s
    intake = client(settings.intake_url, timeout)
    orders = client(settings.protection_orders_url, timeout)
    timeline = client(settings.timeline_url, timeout)
    shelter = client(settings.shelter_url, timeout)
    referrals = client(settings.referrals_url, timeout)
    secret = settings.session_secret
    return Console(
        settings=settings,
        intake=HttpIntake(ServiceApi("intake", intake)),
        orders=HttpOrders(ServiceApi("protection-orders", orders)),
        timelines=HttpTimelines(ServiceApi("timeline", timeline)),
        shelter=HttpShelter(ServiceApi("shelter", shelter)),
        referrals=HttpReferrals(ServiceApi("referrals", referrals)),
        verifier=TokenVerifier(settings.auth),
        oidc=OidcProvider.from_settings(settings) if settings.oidc_enabled else None,
        # Without a configured secret, a random one: sessions then end when the process does.
        session_secret=secret.get_secret_value() if secret else secrets.token_urlsafe(32),
        clients=(intake, orders, timeline, shelter, referrals),
    )
