"""Every service's api, found from the repository and opened in this process over real servers.

The authorization matrix, the access-log census and the OpenAPI fuzz are generated from what this
module finds: each ``services/<name>/src/relais_<name>/entrypoints/api.py`` whose ``create_app()``
builds the kit's app (its policy on ``app.state``), so a service that lands later (shelter) is in
them without a line changed here. The console is not: it has no data and no policy of its own,
it shows what the services answer it, and they log it.

``open_stack`` builds each app from the environment the way its process does (``create_app()``
with no argument) after pointing the platform-wide variables at the session's servers and a
namespace of its own, and runs the workers whose read models the reads need (the timeline's,
referrals', shelter's): the data the matrix reads comes in through the real broker.
"""

from __future__ import annotations

import asyncio
import importlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from relais_events.topics import ALL_TOPICS
from relais_infra.testing import Servers
from relais_kit.app import PUBLIC_PATHS, api_routes, route_actions
from relais_kit.auth import Policy
from relais_kit.settings import ServiceSettings
from relais_kit.topics import TopicSettings, ensure_topics

SERVICES_DIR: Final = Path(__file__).resolve().parents[1] / "services"
Worker = Callable[[], AbstractAsyncContextManager[Any]]


def api_packages() -> list[str]:
    """``relais_<name>`` of every service with an api module, in a stable order."""
    return sorted(
        api.parents[1].name for api in SERVICES_DIR.glob("*/src/relais_*/entrypoints/api.py")
    )


@dataclass(frozen=True)
class ServiceApi:
    name: str  # the package, e.g. relais_intake
    app: FastAPI

    @property
    def policy(self) -> Policy:
        policy: Policy = self.app.state.relais_policy
        return policy

    @property
    def settings(self) -> ServiceSettings:
        settings: ServiceSettings = self.app.state.relais_settings
        return settings

    def routes(self) -> list[APIRoute]:
        """The routes a caller reaches with a token (the probes left out)."""
        return [r for r in api_routes(self.app) if r.path not in PUBLIC_PATHS]

    def action_of(self, route: APIRoute) -> str:
        """The one policy action the route authorizes; AssertionError for none or several."""
        actions = route_actions(route)
        assert len(actions) == 1, (
            f"{self.name} {methods_of(route)} {route.path} authorizes {sorted(actions)}: "
            "every route names exactly one action of the service's policy"
        )
        [action] = actions
        assert action in self.policy.actions, f"{route.path}: {action} is not in the policy"
        return action


def methods_of(route: APIRoute) -> list[str]:
    return sorted(route.methods or ())


def build_apis() -> list[ServiceApi]:
    """Every kit service's app, built from the current environment (no I/O)."""
    apis = []
    for package in api_packages():
        module = importlib.import_module(f"{package}.entrypoints.api")
        app = module.create_app()
        if getattr(app.state, "relais_policy", None) is not None:
            apis.append(ServiceApi(package, app))
    return apis


def env_for(
    servers: Servers, namespace: str, tag: str, min_event_wait_s: float = 20
) -> dict[str, str]:
    """The variables the processes of ``make run`` would get, on this run's servers."""
    env = {
        "RELAIS_KAFKA_BOOTSTRAP": servers.kafka_bootstrap,
        "RELAIS_MONGO_URI": servers.mongo_uri,
        "RELAIS_TOPICS_NAMESPACE": namespace,
    }
    for package in api_packages():
        prefix = package.upper() + "_"
        env[f"{prefix}DATABASE"] = servers.database(f"{tag}_{package.removeprefix('relais_')}")
        env[f"{prefix}WORKER_GROUP"] = f"{tag}-{package}-{servers.run_id}"
    # The first read may come while the timeline worker's group is still forming.
    env["RELAIS_TIMELINE_MIN_EVENT_WAIT_S"] = str(min_event_wait_s)
    return env


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@asynccontextmanager
async def timeline_worker() -> AsyncIterator[None]:
    from relais_timeline.config import TimelineSettings
    from relais_timeline.entrypoints.worker import provision

    from .harness import timeline_worker as running

    settings = TimelineSettings()
    await asyncio.to_thread(provision, settings)
    async with running(settings):
        yield


@asynccontextmanager
async def referrals_worker() -> AsyncIterator[None]:
    from relais_referrals.bootstrap import bootstrap
    from relais_referrals.entrypoints.worker import run_worker

    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(bootstrap(worker_name="authz-worker"), stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


@asynccontextmanager
async def shelter_worker() -> AsyncIterator[None]:
    """Shelter allocates only for cases its worker learnt from intake."""
    from relais_shelter.bootstrap import bootstrap
    from relais_shelter.entrypoints.worker import run_worker

    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(bootstrap(), stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


# The workers that feed a service's reads from other services' events (by package).
WORKERS: Final[dict[str, Worker]] = {
    "relais_timeline": timeline_worker,
    "relais_referrals": referrals_worker,
    "relais_shelter": shelter_worker,
}


@dataclass
class Stack:
    apis: list[ServiceApi]
    clients: dict[str, httpx.AsyncClient]

    def client(self, package: str) -> httpx.AsyncClient:
        return self.clients[package]


@asynccontextmanager
async def open_stack(servers: Servers, tag: str) -> AsyncIterator[Stack]:
    """Every service's api with its lifespan, and the workers, in namespace ``tag``."""
    namespace = f"{servers.topic_namespace}{tag}."
    with environment(env_for(servers, namespace, tag)):
        names = TopicSettings(namespace=namespace, partitions=3)
        await asyncio.to_thread(ensure_topics, servers.kafka_bootstrap, names, ALL_TOPICS)
        apis = build_apis()
        async with AsyncExitStack() as stack:
            clients: dict[str, httpx.AsyncClient] = {}
            for api in apis:
                await stack.enter_async_context(api.app.router.lifespan_context(api.app))
                transport = httpx.ASGITransport(app=api.app)
                clients[api.name] = await stack.enter_async_context(
                    httpx.AsyncClient(transport=transport, base_url=f"http://{api.name}")
                )
            for api in apis:
                if api.name in WORKERS:
                    await stack.enter_async_context(WORKERS[api.name]())
            yield Stack(apis, clients)
