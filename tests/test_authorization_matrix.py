"""The authorization matrix, generated from every service's route table and policy table.

Every route of every kit service (``tests/service_apis.py`` finds them) x every role a token may
carry x the caller's own département (93) or another (75), with a token for the 93:

- a role the route's policy action does not name: 403 ``forbidden-action``, in either
  département, before anything is read or written;
- a role it names, on another département's data: refused, 404 (the case does not exist for
  the caller) or 403 (``forbidden-jurisdiction``, or a rule of the service such as "whoever
  registers a partner acts for every département it serves"); never a success. The uniform
  not-found change (issue 13, another branch) turns the 403s on case routes into 404s: both are
  accepted here until it lands, and it should then narrow this to 404 where the route names a
  case;
- a role it names, on its own département's data: authorization lets it through (never
  ``forbidden-action``/``forbidden-jurisdiction``), and a read answers 200;
- whatever the answer, nothing in it names the 75's case data (ids, the planted victim name).

A route that authorizes no action of its service's policy fails the test, as does a path
parameter the world has no value for.
"""

from __future__ import annotations

import itertools
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from relais_infra.testing import Servers
from relais_kit.auth.principal import TOKEN_ROLES

from .authz_world import (
    OTHER,
    OWN,
    Call,
    World,
    call_for,
    headers,
    minimal_bodies,
    seed,
)
from .service_apis import Stack, methods_of, open_stack

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]
ROLES = sorted(TOKEN_ROLES)
DENIALS = frozenset(
    {"urn:relais:problem:forbidden-action", "urn:relais:problem:forbidden-jurisdiction"}
)


@dataclass
class Opened:
    stack: Stack
    world: World


@pytest.fixture(scope="module")
async def opened(servers: Servers) -> AsyncIterator[Opened]:
    async with open_stack(servers, f"authz{secrets.token_hex(2)}") as stack:
        yield Opened(stack, await seed(stack))


def problem_type(answer: httpx.Response) -> str | None:
    if answer.headers.get("content-type", "").startswith("application/problem+json"):
        found = answer.json().get("type")
        return str(found) if found else None
    return None


async def send(client: httpx.AsyncClient, call: Call, role: str) -> httpx.Response:
    return await client.request(
        call.method, call.path, params=call.params, json=call.body, headers=headers(role)
    )


def test_every_route_of_every_service_names_one_action_of_its_policy(opened: Opened) -> None:
    found = {api.name: len(api.routes()) for api in opened.stack.apis}
    assert {
        "relais_intake",
        "relais_protection_orders",
        "relais_referrals",
        "relais_shelter",
        "relais_timeline",
    } <= set(found)
    for api in opened.stack.apis:
        assert api.routes(), f"{api.name} has no route"
        for route in api.routes():
            api.action_of(route)  # fails on none, several, or one its policy does not declare


def verdict(answer: httpx.Response, method: str, allowed: bool, where: str) -> str | None:
    """What is wrong with ``answer`` (None: what the policy and the jurisdiction expect)."""
    status, kind, text = answer.status_code, problem_type(answer), answer.text[:200]
    if status >= 500 or status == 401:
        return f"{status} {text}"
    if not allowed:
        if (status, kind) != (403, "urn:relais:problem:forbidden-action"):
            return f"expected 403 forbidden-action, got {status} {text}"
        return None
    if where == OTHER:
        return None if status in (403, 404) else f"expected a refusal, got {status} {text}"
    if kind in DENIALS:
        return f"refused on its own département: {text}"
    if method == "GET" and status != 200:
        return f"a permitted read answered {status} {text}"
    return None


async def test_authorization_matrix_every_route_every_role_own_and_other_departement(
    opened: Opened,
) -> None:
    world = opened.world
    wrong: list[str] = []
    tally: Counter[str] = Counter()
    # How each route refuses a permitted role the 75's data (the uniform 404 will narrow it).
    elsewhere: Counter[str] = Counter()
    for api in opened.stack.apis:
        client = opened.stack.client(api.name)
        bodies = minimal_bodies(api)
        # Reads first: the commands below change the own département's data (never the 75's).
        for route in sorted(api.routes(), key=lambda r: ("GET" not in methods_of(r), r.path)):
            allowed = {str(r) for r in api.policy.roles_for(api.action_of(route))}
            for method, where in itertools.product(methods_of(route), (OWN, OTHER)):
                call = call_for(route, method, where, world, bodies)
                if where == OTHER and not call.scoped:
                    continue  # nothing in the request names a département: own only
                for role in ROLES:
                    answer = await send(client, call, role)
                    label = f"{api.name} {method} {route.path} as {role} on {where}"
                    tally[f"{'allowed' if role in allowed else 'denied'} role, {where}"] += 1
                    if role in allowed and where == OTHER:
                        elsewhere[f"{route.path} {answer.status_code}"] += 1
                    if leaked := world.leaked(OTHER, answer.text, call.sent()):
                        wrong.append(f"{label}: shows the 75's {leaked}")
                    if problem := verdict(answer, method, role in allowed, where):
                        wrong.append(f"{label}: {problem}")
    print(f"authorization matrix: {sum(tally.values())} requests, {dict(tally)}")
    print(f"refusals of the 75's data to permitted roles: {dict(sorted(elsewhere.items()))}")
    assert not wrong, "\n".join(wrong)
