"""`create_app`: the FastAPI application every service's `api` process serves.

The service's bootstrap builds the adapters (Mongo client, Kafka producer, outbox relay) and
hands them over; the app only opens them in its lifespan, in the given order, and closes them in
reverse. Nothing here does I/O when imported or when `create_app` runs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from inspect import isawaitable
from typing import Any, Final, Protocol, runtime_checkable

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider

from relais_kit.auth.dependencies import ActionDependency
from relais_kit.auth.policy import Policy
from relais_kit.auth.tokens import TokenVerifier
from relais_kit.http.admission import AdmissionLimit
from relais_kit.http.health import ReadinessCheck, health_router
from relais_kit.http.idempotency import IdempotencyMiddleware
from relais_kit.http.idempotency_stores import IdempotencyStore
from relais_kit.http.problems import NotFoundFloor, install_problem_handlers
from relais_kit.http.unavailable import DependencyUnavailable
from relais_kit.settings import ServiceSettings
from relais_kit.telemetry import configure_tracing

log = logging.getLogger(__name__)


@runtime_checkable
class Startable(Protocol):
    """A resource with `start()`/`stop()`, sync or async (aiokafka clients, the outbox relay)."""

    def start(self) -> Any: ...
    def stop(self) -> Any: ...


Resource = AbstractAsyncContextManager[Any] | Startable


def create_app(
    settings: ServiceSettings,
    *,
    routers: Iterable[APIRouter],
    policy: Policy,
    lifespan_resources: Sequence[Resource] = (),
    readiness: Mapping[str, ReadinessCheck] | None = None,
    error_map: Mapping[type[Exception], int] | None = None,
    idempotency: IdempotencyStore | None = None,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """Build the service's app.

    policy: the service's role x action table; every `require(action)` must name one of its
    actions (checked here, so a typo fails at start-up instead of denying in production).
    readiness: named checks for `/readyz` (see `relais_kit.http.health`).
    error_map: the service's exception classes answered as rule violations, e.g.
    `{ProtectionOrderRuleViolated: 422, ConcurrencyConflict: 409}`.
    idempotency: where `Idempotency-Key` records live; None disables the header.
    tracer_provider: explicit provider (tests); None installs the one the settings describe.
    """
    app = FastAPI(
        title=f"relais-{settings.service_name}",
        lifespan=_lifespan(settings, list(lifespan_resources), tracer_provider is None),
    )
    app.state.relais_settings = settings
    app.state.relais_policy = policy
    app.state.relais_verifier = TokenVerifier(settings.auth)
    install_problem_handlers(app, error_map)
    app.include_router(health_router(readiness or {}, settings.readiness_timeout_s))
    for router in routers:
        app.include_router(router)
    _check_actions(app, policy)
    if idempotency is not None:
        app.add_middleware(
            IdempotencyMiddleware, store=idempotency, wait_s=settings.idempotency_wait_s
        )
    # A store or broker that does not answer: 503 with Retry-After (idempotency records too).
    app.add_middleware(DependencyUnavailable)
    app.add_middleware(NotFoundFloor, floor_s=settings.not_found_floor_s)
    # Outermost: a request refused for load costs nothing else (no token check, no body read).
    app.add_middleware(AdmissionLimit, limit=settings.max_in_flight)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider, excluded_urls="/healthz,/readyz"
    )
    return app


def _lifespan(settings: ServiceSettings, resources: list[Resource], install_tracing: bool) -> Any:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if install_tracing:
                provider = configure_tracing(settings)
                stack.callback(provider.force_flush)
            if settings.auth.uses_dev_secret:
                log.warning("auth uses the public dev secret: tokens prove nothing here")
            for resource in resources:
                await _open(stack, resource)
            yield

    return lifespan


async def _open(stack: AsyncExitStack, resource: Resource) -> None:
    if isinstance(resource, AbstractAsyncContextManager):
        await stack.enter_async_context(resource)
        return
    started = resource.start()
    if isawaitable(started):
        await started

    async def stop() -> None:
        stopped = resource.stop()
        if isawaitable(stopped):
            await stopped

    stack.push_async_callback(stop)


# Routes any caller may reach without a token: the probes of the process itself.
PUBLIC_PATHS: Final = frozenset({"/healthz", "/readyz"})


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every API route of ``app``, routers included into routers too (FastAPI includes lazily)."""
    return [
        context.original_route
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def route_actions(route: APIRoute) -> frozenset[str]:
    """The policy actions a route's dependencies authorize (``require``/``acting``)."""

    def requirements(dependant: Dependant) -> Iterable[str]:
        if isinstance(dependant.call, ActionDependency):
            yield dependant.call.action
        for sub in dependant.dependencies:
            yield from requirements(sub)

    return frozenset(requirements(route.dependant))


def _check_actions(app: FastAPI, policy: Policy) -> None:
    for route in api_routes(app):
        unknown = set(route_actions(route)) - policy.actions
        if unknown:
            raise ValueError(f"{route.path} requires undeclared actions {sorted(unknown)}")
        _check_path_parameters(route)


def _check_path_parameters(route: APIRoute) -> None:
    """Every path parameter is validated before the route runs: a string one carries a pattern.

    An unconstrained ``str`` let any bytes through to the store and the event models, where
    they failed as a 500 (a device id of non-ASCII bytes on a withdrawal): ids are
    ``relais_events.vocabulary.Identifier``, codes their own patterns, at the edge.
    """
    for param in route.dependant.path_params:
        info = param.field_info
        if param.field_info.annotation is not str:
            continue  # enums, ints: their type is the constraint
        patterns = [getattr(m, "pattern", None) for m in info.metadata]
        if not any(patterns):
            raise ValueError(
                f"{route.path}: path parameter {param.name!r} is a bare str; "
                "give it a pattern (relais_events.vocabulary.Identifier)"
            )
