"""Authentication and authorization as a client sees them: 401 and 403 problem details."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any, Protocol

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Path
from relais_events.vocabulary import DEPARTEMENT_PATTERN, Identifier
from relais_kit.app import create_app
from relais_kit.auth import (
    CurrentPrincipal,
    Policy,
    Principal,
    Role,
    ensure_jurisdiction,
    mint_dev_token,
    require,
)
from relais_kit.settings import AuthSettings, ServiceSettings

POLICY = Policy(
    {
        "report.file": {Role.POLICE, Role.HOTLINE, Role.REPORTING_POINT},
        "case.read": {Role.POLICE, Role.PROSECUTOR, Role.AUDITOR},
    }
)
router = APIRouter()


@router.post("/v1/reports", status_code=201)
async def file_report(
    principal: Annotated[Principal, Depends(require("report.file"))],
) -> dict[str, str]:
    return {"filed_by": principal.sub}


@router.get("/v1/departements/{departement}/cases")
async def list_cases(
    departement: Annotated[str, Path(pattern=DEPARTEMENT_PATTERN)],
    principal: Annotated[Principal, Depends(require("case.read"))],
) -> dict[str, str]:
    ensure_jurisdiction(principal, departement)
    return {"departement": departement}


@router.get("/v1/me")
async def me(principal: CurrentPrincipal) -> dict[str, Any]:
    return {"sub": principal.sub, "org": principal.org}


class IdP(Protocol):  # the `idp` fixture
    settings: AuthSettings

    def sign(self, alg: str = ..., kid: str | None = ..., **overrides: Any) -> str: ...


def build(auth: AuthSettings) -> FastAPI:
    settings = ServiceSettings(service_name="kit-auth", auth=auth)
    return create_app(settings, routers=[router], policy=POLICY)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(build(AuthSettings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as c:
        yield c


def token(*roles: str, jurisdictions: tuple[str, ...] = ("75",), **kw: Any) -> dict[str, str]:
    minted = mint_dev_token(
        AuthSettings(), sub="u1", roles=roles, org="org", jurisdictions=jurisdictions, **kw
    )
    return {"Authorization": f"Bearer {minted}"}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


async def test_a_valid_token_reaches_the_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me", headers=token("police"))
    assert response.json() == {"sub": "u1", "org": "org"}


async def test_no_token_is_a_401_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me")
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_an_expired_token_is_a_401(client: httpx.AsyncClient) -> None:
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    response = await client.get("/v1/me", headers=token("police", now=then))
    assert assert_problem(response, 401)["detail"] == "token expired"


async def test_a_garbage_token_is_a_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me", headers={"Authorization": "Bearer not.a.jwt"})
    assert_problem(response, 401)


async def test_a_role_the_policy_does_not_name_is_a_403(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/reports", headers=token("shelter_operator"))
    body = assert_problem(response, 403)
    assert body["action"] == "report.file"
    assert (await client.post("/v1/reports", headers=token("hotline"))).status_code == 201


async def test_admin_is_not_a_superuser(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post("/v1/reports", headers=token("admin")), 403)


async def test_another_departement_is_a_403(client: httpx.AsyncClient) -> None:
    police_75 = token("police", jurisdictions=("75",))
    assert (await client.get("/v1/departements/75/cases", headers=police_75)).status_code == 200
    response = await client.get("/v1/departements/69/cases", headers=police_75)
    assert assert_problem(response, 403)["type"] == "urn:relais:problem:forbidden-jurisdiction"


async def test_the_national_scope_counts_only_for_national_roles(
    client: httpx.AsyncClient,
) -> None:
    auditor = token("auditor", jurisdictions=("*",))
    assert (await client.get("/v1/departements/971/cases", headers=auditor)).status_code == 200
    police = token("police", jurisdictions=("*",))
    assert_problem(await client.get("/v1/departements/971/cases", headers=police), 403)


async def test_no_jurisdiction_means_no_access(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/v1/departements/75/cases", headers=token("police", jurisdictions=())
    )
    assert_problem(response, 403)


async def test_production_verifies_rs256_against_the_jwks(idp: IdP) -> None:
    transport = httpx.ASGITransport(build(idp.settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as c:
        ok = await c.get("/v1/me", headers={"Authorization": f"Bearer {idp.sign('RS256')}"})
        assert ok.json()["sub"] == "alice"
        hs = await c.get("/v1/me", headers={"Authorization": f"Bearer {idp.sign('HS256')}"})
        assert_problem(hs, 401)


def test_a_route_requiring_an_undeclared_action_is_refused_at_build_time() -> None:
    typo = APIRouter()

    @typo.get("/v1/x")
    async def x(principal: Annotated[Principal, Depends(require("case.raed"))]) -> None:
        return None

    with pytest.raises(ValueError, match=r"case\.raed"):
        create_app(ServiceSettings(), routers=[typo], policy=POLICY)


def test_a_bare_string_path_parameter_is_refused_at_build_time() -> None:
    """Any bytes reached the handlers through an unconstrained ``str`` (a 500 on non-ASCII)."""
    loose = APIRouter()

    @loose.get("/v1/orders/{order_id}")
    async def x(
        order_id: str, principal: Annotated[Principal, Depends(require("case.read"))]
    ) -> None:
        return None

    with pytest.raises(ValueError, match=r"order_id.*bare str"):
        create_app(ServiceSettings(), routers=[loose], policy=POLICY)


async def test_a_path_id_of_non_ascii_bytes_is_a_422_before_any_handler_runs() -> None:
    ran: list[str] = []
    ids = APIRouter()

    @ids.get("/v1/orders/{order_id}")
    async def x(
        order_id: Identifier, principal: Annotated[Principal, Depends(require("case.read"))]
    ) -> None:
        ran.append(order_id)

    app = create_app(ServiceSettings(), routers=[ids], policy=POLICY)
    token = mint_dev_token(AuthSettings(), sub="p", roles=["police"], org="pn", jurisdictions=[])
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as c:
        answer = await c.get(
            "/v1/orders/%C3%A9%00%FF", headers={"Authorization": f"Bearer {token}"}
        )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "path.order_id"
    assert ran == []


def test_policy_actions_are_named_resource_dot_verb() -> None:
    with pytest.raises(ValueError, match="resource"):
        Policy({"FileReport": {Role.POLICE}})
