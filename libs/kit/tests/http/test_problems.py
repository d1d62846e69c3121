"""Every error is an RFC 9457 problem that names what is wrong and leaks nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx
import pytest
from fastapi import APIRouter, HTTPException
from opentelemetry.sdk.trace import TracerProvider
from relais_events.rules import RuleViolation
from relais_kit.app import create_app
from relais_kit.application import NotVisible
from relais_kit.auth import Policy
from relais_kit.http.errors import DomainRuleViolation
from relais_kit.http.problems import ProblemError
from relais_kit.http.schemas import StrictModel
from relais_kit.settings import ServiceSettings


class Victim(StrictModel):
    age: int
    phones: list[str] = []


class ReportIn(StrictModel):
    departement: str
    victim: Victim


class ProtectionOrderRuleViolated(RuleViolation):  # shaped like a service domain's base
    """A command breaks a rule of the protection-order domain."""


class RulingBeforeApplication(ProtectionOrderRuleViolated):
    """A ruling cannot precede the application it answers (C. civ. 515-10)."""


class OrderNotFound(ProtectionOrderRuleViolated):
    """No order of the départements you act for has this id."""

    status = 404


class OrderAlreadyRuled(ProtectionOrderRuleViolated):
    """An order is ruled once."""

    status = 409


class CaseNotKnownYet(ProtectionOrderRuleViolated):
    """This service has not learnt the case from intake's events yet: retry shortly."""

    status = 409
    retry_after_s = 2


class ConcurrencyConflict(Exception):  # noqa: N818  (the store's name)
    """Another writer appended to this stream first."""


class AlreadyRuled(DomainRuleViolation):
    status = 409


router = APIRouter()


@router.post("/v1/reports", status_code=201)
async def file_report(report: ReportIn) -> dict[str, str]:
    return {"departement": report.departement}


@router.post("/v1/raise/{what}")
async def raise_(what: str) -> None:
    errors: dict[str, Exception] = {
        "http": HTTPException(404, "No such case"),
        "rule": DomainRuleViolation("report.victim_consent", "The victim has not consented."),
        "state": AlreadyRuled("order.already_ruled", "The order is already ruled."),
        "domain": RulingBeforeApplication(),
        "missing": OrderNotFound("order-7"),
        "ruled": OrderAlreadyRuled("order-7"),
        "not-yet": CaseNotKnownYet("case-1"),
        "conflict": ConcurrencyConflict("case-1:000042 exists"),
        "bug": RuntimeError("mongodb://admin:hunter2@db/ secret victim name"),
    }
    raise errors[what]


@router.get("/v1/cases/{case_id}")
async def read_case(case_id: str) -> None:
    """Four ways of not showing a case, as services raise them."""
    errors: dict[str, Exception] = {
        "case-hidden": NotVisible("75"),
        "case-missing": OrderNotFound(case_id),
        "case-gone": ProblemError(404, "Case not found", f"No {case_id}", slug="case-not-found"),
        "case-unrouted": HTTPException(404, f"No such case {case_id}"),
    }
    raise errors[case_id]


@pytest.fixture
async def client(serve: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        ServiceSettings(service_name="kit-problems"),
        routers=[router],
        policy=Policy({}),
        error_map={ConcurrencyConflict: 409},
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
    assert problem(await client.post("/v1/raise/http"), 404)["type"].endswith(":not-found")
    assert problem(await client.get("/v1/nowhere"), 404)["instance"] == "/v1/nowhere"
    assert problem(await client.get("/v1/reports"), 405)


async def test_a_hidden_case_answers_the_bytes_of_a_missing_one(client: httpx.AsyncClient) -> None:
    """Issue 13: "outside your jurisdiction" would tell a caller that the case exists."""
    bodies = set()
    for case_id in ("case-hidden", "case-missing", "case-gone", "case-unrouted"):
        response = await client.get(f"/v1/cases/{case_id}")
        assert problem(response, 404)["instance"] == f"/v1/cases/{case_id}"
        assert "retry-after" not in response.headers
        bodies.add(response.content.replace(case_id.encode(), b"<id>"))
    assert len(bodies) == 1, bodies
    assert b"jurisdiction" not in bodies.pop()


async def test_a_rule_violation_is_a_422_naming_the_rule(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/v1/raise/rule"), 422)
    assert body["rule"] == "report.victim_consent"
    assert body["detail"] == "The victim has not consented."


async def test_a_state_dependent_rule_can_be_a_409(client: httpx.AsyncClient) -> None:
    assert problem(await client.post("/v1/raise/state"), 409)["rule"] == "order.already_ruled"


async def test_domain_rules_use_their_class_as_rule(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/v1/raise/domain"), 422)
    assert body["rule"] == "RulingBeforeApplication"
    assert "515-10" in body["detail"]


async def test_a_domain_rule_answers_its_own_status(client: httpx.AsyncClient) -> None:
    body = problem(await client.post("/v1/raise/ruled"), 409)
    assert body["rule"] == "OrderAlreadyRuled"
    assert body["detail"].endswith("(order-7)")
    # A 404 rule is the uniform not-found: no rule, no detail that names the record.
    missing = problem(await client.post("/v1/raise/missing"), 404)
    assert "rule" not in missing
    assert "order-7" not in str(missing)


async def test_a_rule_that_time_resolves_says_when_to_retry(client: httpx.AsyncClient) -> None:
    answer = await client.post("/v1/raise/not-yet")
    assert problem(answer, 409)["rule"] == "CaseNotKnownYet"
    assert answer.headers["Retry-After"] == "2"
    assert "Retry-After" not in (await client.post("/v1/raise/domain")).headers


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


async def test_every_404_waits_for_the_floor_so_timing_tells_nothing(
    serve: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hidden case costs other round trips than a missing one: both are held until the
    floor after the request came in (the delay asked is recorded, not timed)."""
    waits: list[float] = []
    real_sleep = anyio.sleep

    async def recorded(delay: float) -> None:
        waits.append(delay)
        await real_sleep(0)

    monkeypatch.setattr("relais_kit.http.problems.anyio.sleep", recorded)
    app = create_app(
        ServiceSettings(service_name="kit-floor", not_found_floor_s=0.5),
        routers=[router],
        policy=Policy({}),
        error_map={OrderNotFound: 404},
        tracer_provider=TracerProvider(),
    )
    async with serve(app) as client:
        for case_id in ("case-hidden", "case-missing"):
            assert (await client.get(f"/v1/cases/{case_id}")).status_code == 404
        assert (await client.post("/v1/reports", json={"x": 1})).status_code == 422
    assert len(waits) == 2  # the two 404s, not the 422
    assert all(0.0 < w <= 0.5 for w in waits)
