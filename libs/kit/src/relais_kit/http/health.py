"""`/healthz` (the process answers) and `/readyz` (its Kafka and Mongo answer), without auth.

A readiness check is any `async () -> None` that raises when its dependency is unusable; the
service's bootstrap builds them around the clients it already owns, so a probe opens nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka.client import AIOKafkaClient
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pymongo import AsyncMongoClient

from relais_kit.http.problems import problem_response

ReadinessCheck = Callable[[], Awaitable[None]]
log = logging.getLogger(__name__)


def mongo_ping(client: AsyncMongoClient[Any]) -> ReadinessCheck:
    async def check() -> None:
        await client.admin.command("ping")

    return check


def kafka_metadata(client: AIOKafkaClient) -> ReadinessCheck:
    """Asks the brokers for cluster metadata; pass a started producer's or consumer's `.client`."""

    async def check() -> None:
        await client.fetch_all_metadata()

    return check


def health_router(checks: Mapping[str, ReadinessCheck], timeout_s: float) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @router.get("/readyz", response_model=None)
    async def readyz(request: Request) -> JSONResponse | dict[str, Any]:
        names = list(checks)
        outcomes = await asyncio.gather(
            *(asyncio.wait_for(checks[n](), timeout_s) for n in names), return_exceptions=True
        )
        results = {}
        for name, outcome in zip(names, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                # The reason goes to the log only: it may name hosts and credentials.
                log.warning("readiness check %s failed: %r", name, outcome)
            results[name] = "failed" if isinstance(outcome, BaseException) else "ok"
        if "failed" in results.values():
            return problem_response(
                request,
                503,
                "Not ready",
                "A dependency does not answer.",
                slug="not-ready",
                checks=results,
            )
        return {"status": "ready", "checks": results}

    return router
