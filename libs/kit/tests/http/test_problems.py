"""Every error is an RFC 9457 problem that names what is wrong and leaks nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import httpx
import pytest
from fastapi import APIRouter, HTTPException
from opentelemetry.sdk.trace import TracerProvider
from relais_kit.app import create_app
from relais_kit.auth import Policy
from relais_kit.http.errors import DomainRuleViolation
from relais_kit.http.schemas import StrictModel
from relais_kit.settings import ServiceSettings


class Victim(StrictModel):
    age: int
    phones: list[str] = []


class ReportIn(StrictModel):
    departement: str
    victim: Victim


class ProtectionOrderRuleViolated(Exception):  # noqa: N818  (shaped like a service domain error)
    """A command breaks a rule of the protection-order domain."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class RulingBeforeApplication(ProtectionOrderRuleViolated):
    """A ruling cannot precede the application it answers (C. civ. 515-10)."""


class ConcurrencyConflict(Exception):  # noqa: N818  (the store's name)
    """Another writer appended to this stream first."""


class AlreadyRuled(DomainRuleViolation):
    status = 409


router = APIRouter()


@router.post("/v1/reports", status_code=201)
async def file_report(report: ReportIn) -> dict[str, str]:
    return {"departement": report.departement}


@router.post("/v1/raise/{what}")
async def raise_(what: Literal["http", "rule", "state", "domain", "conflict", "bug"]) -> None:
    errors: dict[str, Exception] = {
        "http": HTTPException(404, "No such case"),
        "rule": DomainRuleViolation("report.victim_consent", "The victim has not consented."),
        "state": AlreadyRuled("order.already_ruled", "The order is already ruled."),
        "domain": RulingBeforeApplication(),
        "conflict": ConcurrencyConflict("case-1:000042 exists"),
        "bug": RuntimeError("mongodb://admin:hunter2@db/ secret victim name"),
    }
    raise errors[what]


@pytest.fixture
async def client(serve: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        ServiceSettings(service_name="kit-problems"),
        routers=[router],
        policy=Policy({}),
        error_map={ProtectionOrderRuleViolated: 422, ConcurrencyConflict: 409},
        tracer_provider=TracerProvider(),
    )
    # A server logs unhandled errors after the 500 is sent; the client must not re-raise them.
    async with serve(app, raise_app_exceptions=False) as c:
        yield c


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


async def test_validation_names_every_failing_field(client: httpx.AsyncClient) -> None:
    sent = {"victim": {"age": "old", "phones": ["x", 3], "name": "Marie"}, "extra": 1}
    body = problem(await client.post("/v1/reports", json=sent), 422)
    assert body["type"] == "urn:relais:problem:validation"
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"departement", "victim.age", "victim.phones[1]", "victim.name", "extra"}
    assert "Marie" not in str(body)
    assert "old" not in str(body)


async def test_a_body_that_is_not_json_is_a_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/reports", content=b"{", headers={"content-type": "application/json"}
    )
    assert problem(response, 422)["errors"][0]["field"] == "body"


async def test_a_valid_body_passes(client: httpx.AsyncClient) -> None:
    sent = {"departement": "75", "victim": {"age": 30}}
    assert (await client.post("/v1/reports", json=sent)).status_code == 201


async def test_http_exceptions_and_unknown_routes_are_problems(client: httpx.AsyncClient) -> None:
    assert problem(await client.post("/v1/raise/http"), 404)["detail"] == "No such case"
    assert problem(await client.get("/v1/nowhere"), 404)["type"] == "about:blank"
    assert problem(await client.get("/v1/reports"), 405)


async def test_a_rule_violation_is_a_422_naming_the_rule(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/v1/raise/rule"), 422)
    assert body["rule"] == "report.victim_consent"
    assert body["detail"] == "The victim has not consented."


async def test_a_state_dependent_rule_can_be_a_409(client: httpx.AsyncClient) -> None:
    assert problem(await client.post("/v1/raise/state"), 409)["rule"] == "order.already_ruled"


async def test_mapped_domain_errors_use_their_class_as_rule(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/v1/raise/domain"), 422)
    assert body["rule"] == "RulingBeforeApplication"
    assert "515-10" in body["detail"]


async def test_a_concurrency_conflict_is_a_409(client: httpx.AsyncClient) -> None:
    assert problem(await client.post("/v1/raise/conflict"), 409)["rule"] == "ConcurrencyConflict"


async def test_a_bug_is_a_generic_500(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/v1/raise/bug"), 500)
    assert body["detail"] == "An unexpected error occurred."
    text = str(body)
    assert "hunter2" not in text
    assert "RuntimeError" not in text
    assert "Traceback" not in text
    assert len(body["trace_id"]) == 32  # what support searches the logs with
