"""The access-log census, generated from every kit service's route table (issue 13).

Every GET route that answers case data takes the caller's purpose (``relais_kit.http.purpose``):
that is how a route declares it reads case data, and it is what goes into the log. For each
such route of each service, every permitted role of the own département reads it a few times;
the service's own store then holds exactly as many ``access.logged`` events more as there were
answers showing case data (one per request, however many cases its page shows: "no log, no
data"). An empty listing (an outbox of an organisation that sent nothing) showed no case and logs
nothing, as the services document; refused reads show nothing and log nothing. A GET route that
takes no purpose must be one of the few that answer no case data at all (``NO_CASE_DATA``): a new
one fails here until it is declared.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any, Final

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pymongo import AsyncMongoClient
from relais_infra.testing import Servers
from relais_kit.http.purpose import access_purpose

from .authz_world import OTHER, OWN, World, call_for, headers, seed, victim_name
from .service_apis import ServiceApi, Stack, methods_of, open_stack

pytestmark = [pytest.mark.servers, pytest.mark.timeout(300)]
READS_PER_ROUTE: Final = 2
# GET routes that show no case data (the partner directory: organisations and free places;
# shelter's funding envelopes, their monthly statement and free places: counts and amounts, no
# case, person or site). ``test_a_route_declared_without_case_data_shows_none`` checks it.
NO_CASE_DATA: Final = {
    ("relais_referrals", "/v1/partners"),
    ("relais_referrals", "/v1/partners/{partner_id}"),
    ("relais_shelter", "/v1/envelopes/{envelope_id}"),
    ("relais_shelter", "/v1/envelopes/{envelope_id}/statement"),
    ("relais_shelter", "/v1/availability"),
    ("relais_shelter", "/v1/sites"),  # counts of places per night, no case nor person
}


@pytest.fixture(scope="module")
async def opened(servers: Servers) -> AsyncIterator[tuple[Stack, World]]:
    async with open_stack(servers, f"census{secrets.token_hex(2)}") as stack:
        yield stack, await seed(stack)


def states_purpose(dependant: Dependant) -> bool:
    return dependant.call is access_purpose or any(
        states_purpose(d) for d in dependant.dependencies
    )


def case_reads(api: ServiceApi) -> list[APIRoute]:
    return [r for r in api.routes() if "GET" in methods_of(r) and states_purpose(r.dependant)]


async def access_events(api: ServiceApi) -> int:
    """``access.logged`` events in the service's own event store."""
    settings = api.settings
    database = settings.database or f"relais_{settings.service_name}"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongo_uri)
    try:
        commits = client[database]["commits"]
        found = commits.find({"aggregate_id": {"$regex": "^access-"}}, {"events": 1})
        return sum(
            1
            for commit in await found.to_list()
            for event in commit["events"]
            if event["type"] == "access.logged"
        )
    finally:
        await client.close()


def test_every_get_route_either_states_a_purpose_or_shows_no_case_data(
    opened: tuple[Stack, World],
) -> None:
    stack, _ = opened
    undeclared = [
        (api.name, route.path)
        for api in stack.apis
        for route in api.routes()
        if "GET" in methods_of(route)
        and not states_purpose(route.dependant)
        and (api.name, route.path) not in NO_CASE_DATA
    ]
    assert not undeclared, f"GET routes that log no access: {undeclared}"
    assert sum(len(case_reads(api)) for api in stack.apis) >= 9


async def test_one_access_logged_per_answered_read_on_every_case_data_route(
    opened: tuple[Stack, World],
) -> None:
    stack, world = opened
    census: dict[str, tuple[int, int, int]] = {}
    for api in stack.apis:
        client = stack.client(api.name)
        for route in case_reads(api):
            readers = sorted(str(r) for r in api.policy.roles_for(api.action_of(route)))
            before = await access_events(api)
            answered = showed = 0
            for role in readers:
                for _ in range(READS_PER_ROUTE):
                    call = call_for(route, "GET", OWN, world, {})
                    answer = await client.get(call.path, params=call.params, headers=headers(role))
                    assert answer.status_code == 200, f"{route.path} as {role}: {answer.text}"
                    answered += 1
                    showed += world.value("case_id", OWN) in answer.text
                # Refused: another département's data, or no purpose stated. Nothing logged.
                elsewhere = call_for(route, "GET", OTHER, world, {})
                if elsewhere.scoped:
                    refused = await client.get(
                        elsewhere.path, params=elsewhere.params, headers=headers(role)
                    )
                    assert refused.status_code in (403, 404), refused.text
                silent = {k: v for k, v in headers(role).items() if k != "X-Relais-Purpose"}
                unstated = await client.get(call.path, params=call.params, headers=silent)
                assert unstated.status_code == 400, unstated.text
            logged = await access_events(api) - before
            census[f"{api.name} {route.path}"] = (answered, showed, logged)
    print("access-log census (answered, showing case data, access.logged):", census)
    assert census, "no route reads case data"
    assert {k: v for k, v in census.items() if v[1] != v[2]} == {}
    assert sum(v[1] for v in census.values()) >= 60


async def test_a_route_declared_without_case_data_shows_none(
    opened: tuple[Stack, World],
) -> None:
    """Each ``NO_CASE_DATA`` route, read by every role it permits on the own département's
    seeds, answers without the case's id, its victim's name or a person key, and logs nothing."""
    stack, world = opened
    case_data = {
        world.value("case_id", OWN),
        victim_name(OWN),
        *world.params.get("person_key", {}).values(),
    }
    read = 0
    for api in stack.apis:
        client = stack.client(api.name)
        for route in api.routes():
            if (api.name, route.path) not in NO_CASE_DATA or "GET" not in methods_of(route):
                continue
            before = await access_events(api)
            for role in sorted(str(r) for r in api.policy.roles_for(api.action_of(route))):
                call = call_for(route, "GET", OWN, world, {})
                answer = await client.get(call.path, params=call.params, headers=headers(role))
                assert answer.status_code == 200, f"{route.path} as {role}: {answer.text}"
                shown = sorted(d for d in case_data if d in answer.text)
                assert not shown, f"{api.name} {route.path} as {role} shows {shown}"
                read += 1
            assert await access_events(api) == before, f"{route.path} logged an access"
    assert read >= len(NO_CASE_DATA)
