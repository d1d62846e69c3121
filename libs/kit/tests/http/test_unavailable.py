"""A store or broker that does not answer: 503 with Retry-After, never a 500 or a stack trace."""

from __future__ import annotations

from aiokafka.errors import KafkaConnectionError
from fastapi import APIRouter
from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError
from relais_kit.app import create_app
from relais_kit.auth import Policy, Role
from relais_kit.http.idempotency_stores import MemoryIdempotencyStore
from relais_kit.settings import ServiceSettings

from .conftest import Bearer, serving


def app_failing_with(error: Exception) -> tuple[APIRouter, list[int]]:
    router, calls = APIRouter(), []

    @router.post("/v1/things")
    async def write() -> dict[str, str]:
        calls.append(1)
        raise error

    return router, calls


async def test_a_store_or_broker_away_is_a_503_with_retry_after(bearer: Bearer) -> None:
    for error in (
        ServerSelectionTimeoutError("127.0.0.1:27017: [Errno 111] Connection refused"),
        AutoReconnect("connection reset"),
        KafkaConnectionError("Unable to bootstrap from [('127.0.0.1', 9092)]"),
    ):
        router, calls = app_failing_with(error)
        app = create_app(
            ServiceSettings(),
            routers=[router],
            policy=Policy({"x.write": {Role.POLICE}}),
            idempotency=MemoryIdempotencyStore(),
        )
        async with serving(app) as client:
            headers = bearer("police") | {"Idempotency-Key": "k-1"}
            answer = await client.post("/v1/things", headers=headers)
            assert answer.status_code == 503, answer.text
            assert answer.headers["Retry-After"] == "2"
            assert answer.headers["content-type"] == "application/problem+json"
            body = answer.json()
            assert body["type"] == "urn:relais:problem:unavailable"
            assert "27017" not in answer.text  # no hosts shown
            assert "9092" not in answer.text
            # Not kept as the key's answer: the repeat runs the request again.
            again = await client.post("/v1/things", headers=headers)
            assert again.status_code == 503
            assert len(calls) == 2


async def test_any_other_error_stays_a_plain_500(bearer: Bearer) -> None:
    router, _ = app_failing_with(ValueError("a bug"))
    app = create_app(ServiceSettings(), routers=[router], policy=Policy({"x.write": {Role.POLICE}}))
    async with serving(app, raise_app_exceptions=False) as client:
        answer = await client.post("/v1/things", headers=bearer("police"))
        assert answer.status_code == 500
        assert "a bug" not in answer.text
