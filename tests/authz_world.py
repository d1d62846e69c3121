"""The data the authorization matrix and the access-log census read: one of everything, twice.

For each of two départements (93, the callers' own, and 75, another) the world holds a case
filed at intake, a protection order on it, a partner, a consent and a referral, a committee
meeting, a shelter site with places, an allocation for the case, a funding envelope and a night
claimed against it, all made through the services' own HTTP APIs and carried between them by
the real broker. ``params`` answers the value of each path parameter for a département;
``secrets`` the identifiers (and the planted victim name) of a département's case data, which no
caller of another département may ever be shown.

A service that lands with a path parameter of its own adds its seed here: the matrix fails on a
route whose parameter the world has no value for, rather than skipping it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import httpx
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, Phase, find, settings
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings

from .harness import until
from .service_apis import ServiceApi, Stack

T = TypeVar("T")
Json = dict[str, Any]
OWN: Final = "93"
OTHER: Final = "75"
PURPOSE: Final = "case_follow_up"
# The organisation a role's token names: partners answer for the partner registered here.
PARTNER_ORG: Final = {"93": "cidff-93", "75": "cidff-75"}


def org_of(role: str, departement: str) -> str:
    if role in ("association", "shelter_operator"):
        return PARTNER_ORG[departement]
    return f"{role}-{departement}"


def headers(role: str, departement: str = OWN) -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(),
        sub=f"{role}-{departement}-someone",
        roles=[role],
        org=org_of(role, departement),
        jurisdictions=[departement],
    )
    return {"Authorization": f"Bearer {token}", "X-Relais-Purpose": PURPOSE}


def victim_name(departement: str) -> str:
    return f"Zéphyrine-Planted{departement}"


@dataclass
class World:
    params: dict[str, dict[str, str]] = field(default_factory=dict)
    secrets: dict[str, set[str]] = field(default_factory=dict)

    def put(self, name: str, departement: str, value: str, secret: bool = True) -> None:
        self.params.setdefault(name, {})[departement] = value
        if secret:
            self.secrets.setdefault(departement, set()).add(value)

    def value(self, name: str, departement: str) -> str:
        return self.params[name][departement]

    def leaked(self, departement: str, text: str, sent: str = "") -> list[str]:
        """The identifiers of ``departement``'s case data found in ``text`` that the caller did
        not send itself (a problem's ``instance`` echoes the path it asked for)."""
        return sorted(s for s in self.secrets.get(departement, ()) if s in text and s not in sent)


async def created(answer: httpx.Response) -> Json:
    assert answer.status_code in (200, 201), answer.text
    found: Json = answer.json()
    return found


async def seed(stack: Stack) -> World:
    """Both départements' data, in the order the services learn of each other."""
    world = World()
    intake = stack.client("relais_intake")
    orders = stack.client("relais_protection_orders")
    referrals = stack.client("relais_referrals")
    timeline = stack.client("relais_timeline")
    today = dt.datetime.now(dt.UTC).date()
    world.put("night", OWN, today.isoformat(), secret=False)
    world.put("night", OTHER, today.isoformat(), secret=False)
    world.put("month", OWN, today.strftime("%Y-%m"), secret=False)
    world.put("month", OTHER, today.strftime("%Y-%m"), secret=False)
    world.put("first_night", OWN, today.isoformat(), secret=False)
    world.put("first_night", OTHER, today.isoformat(), secret=False)
    for dep in (OWN, OTHER):
        world.put("departement", dep, dep, secret=False)
        world.secrets.setdefault(dep, set()).add(victim_name(dep))
        report = {
            "channel": "police",
            "report_kind": "complaint",
            "case_kind": "conjugal_violence",
            "departement": dep,
            "minor_victim": False,
            "victim": {"last_name": victim_name(dep), "first_name": "Inès"},
            "narrative": f"Violences au domicile ({victim_name(dep)}).",
        }
        filed = await created(
            await intake.post("/v1/reports", json=report, headers=headers("police", dep))
        )
        case_id = filed["case_id"]
        world.put("case_id", dep, case_id)
        order = {
            "case_id": case_id,
            "departement": dep,
            "applicant": "victim",
            "at": dt.datetime.now(dt.UTC).isoformat(),
        }
        applied = await created(
            await orders.post(
                "/v1/protection-orders", json=order, headers=headers("justice_clerk", dep)
            )
        )
        world.put("order_id", dep, applied["order_id"])
        # No device is assigned before a ruling: the id names none, in the order of that dep.
        world.put("device_id", dep, f"bracelet-{dep}")
        partner = await created(
            await referrals.post(
                "/v1/partners",
                json={"kind": "cidff", "org": PARTNER_ORG[dep], "departements": [dep]},
                headers=headers("committee_member", dep),
            )
        )
        world.put("partner_id", dep, partner["partner_id"], secret=False)
        valid_until = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
        consent_body = {
            "partner_ids": [partner["partner_id"]],
            "purposes": ["support"],
            "data_categories": ["identity"],
            "valid_until": valid_until,
        }

        async def consented(
            body: Json = consent_body, dep: str = dep, case_id: str = case_id
        ) -> Json | None:
            answer = await referrals.post(
                f"/v1/cases/{case_id}/consents", json=body, headers=headers("police", dep)
            )
            if answer.status_code == 404:  # CaseNotKnown until the worker learnt case.opened
                return None
            return await created(answer)

        consent = await until(consented, f"referrals learning the case of {dep}")
        world.put("consent_id", dep, consent["consent_id"])
        sent = await created(
            await referrals.post(
                f"/v1/cases/{case_id}/referrals",
                json={
                    "partner_id": partner["partner_id"],
                    "purpose": "support",
                    "data_categories": ["identity"],
                },
                headers=headers("police", dep),
            )
        )
        world.put("referral_id", dep, sent["referral_id"])

        async def on_timeline(
            dep: str = dep, case_id: str = case_id, last: str = sent["min_event"]
        ) -> Json | None:
            answer = await timeline.get(
                f"/v1/cases/{case_id}/timeline",
                params={"min_event": last},
                headers=headers("committee_member", dep),
            )
            return answer.json() if answer.status_code == 200 else None

        await until(on_timeline, f"the timeline of the case of {dep}")
        meeting = await created(
            await timeline.post(
                f"/v1/committees/{dep}/meetings", headers=headers("committee_member", dep)
            )
        )
        world.put("meeting_id", dep, meeting["meeting_id"])
        await seed_shelter(stack, world, dep, case_id, today)
    return world


async def seed_shelter(stack: Stack, world: World, dep: str, case_id: str, today: dt.date) -> None:
    """A site of the département's operator with places, an allocation for the case once the
    shelter worker learnt it from intake, an envelope of the département's funder, a claim."""
    shelter = stack.client("relais_shelter")
    operator, funder = headers("shelter_operator", dep), headers("admin", dep)
    site = await created(
        await shelter.post(
            "/v1/sites",
            json={"departement": dep, "name": f"Site {dep}", "address": f"1 rue {dep}"},
            headers=operator,
        )
    )
    world.put("site_id", dep, site["site_id"])
    capacity = {
        "first_night": (today - dt.timedelta(days=2)).isoformat(),
        "last_night": (today + dt.timedelta(days=30)).isoformat(),
        "places": 10,
    }
    await created(
        await shelter.post(f"/v1/sites/{site['site_id']}/capacity", json=capacity, headers=operator)
    )
    person = f"pk-planted-{dep}"
    world.put("person_key", dep, person)
    body = {
        "case_id": case_id,
        "site_id": site["site_id"],
        "first_night": (today - dt.timedelta(days=1)).isoformat(),
        "nights": 3,
        "adults": [person],
        "consent_given": True,
    }

    async def allocated() -> Json | None:
        answer = await shelter.post("/v1/allocations", json=body, headers=operator)
        if answer.status_code == 409 and answer.json().get("rule") == "CaseNotKnown":
            return None  # until the shelter worker learnt the case from intake
        return await created(answer)

    allocation = await until(allocated, f"shelter learning the case of {dep}")
    world.put("allocation_id", dep, allocation["allocation_id"])
    envelope = await created(
        await shelter.post(
            "/v1/envelopes",
            json={
                "departement": dep,
                "period_start": (today - dt.timedelta(days=30)).isoformat(),
                "period_end": (today + dt.timedelta(days=30)).isoformat(),
                "nights": 100,
                "amount_cents": 100_000,
            },
            headers=funder,
        )
    )
    world.put("envelope_id", dep, envelope["envelope_id"])
    claimed = await created(
        await shelter.post(
            "/v1/claims",
            json={
                "allocation_id": allocation["allocation_id"],
                "envelope_id": envelope["envelope_id"],
                "night": (today - dt.timedelta(days=1)).isoformat(),
            },
            headers=operator,
        )
    )
    world.put("claim_id", dep, claimed["claim_id"])


# Body fields that name where the request acts: filled with the world's values.
BODY_FIELDS: Final = {
    "case_id": "case_id",
    "partner_id": "partner_id",
    "departement": "departement",
    "site_id": "site_id",
    "allocation_id": "allocation_id",
    "envelope_id": "envelope_id",
}
# Body fields filled with a value both départements share (a night the seeds hold places for).
SHARED_FIELDS: Final = {"night": "night", "first_night": "night"}
BODY_LISTS: Final = {"departements": "departement", "partner_ids": "partner_id"}


def minimal_bodies(api: ServiceApi) -> dict[tuple[str, str], Json]:
    """A small body valid for its schema, per (METHOD, path) of the service's OpenAPI."""
    # From the document itself: loading it over ASGI would run the app in a loop of its own.
    schema = schemathesis.openapi.from_dict(api.app.openapi())
    bodies: dict[tuple[str, str], Json] = {}
    quick = settings(
        database=None,
        max_examples=1,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an Err fails the test here
        if operation.body:
            case = find(operation.as_strategy(), lambda _: True, settings=quick)
            bodies[(operation.method.upper(), operation.path)] = case.body
    return bodies


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: Mapping[str, str]
    body: Json | None
    # Whether anything in the request names a département's data (else own = other).
    scoped: bool

    def sent(self) -> str:
        return f"{self.path} {self.params} {self.body}"


def call_for(
    route: APIRoute,
    method: str,
    departement: str,
    world: World,
    bodies: Mapping[tuple[str, str], Json],
) -> Call:
    path, scoped = route.path, False
    for param in route.dependant.path_params:
        assert param.name in world.params, (
            f"{route.path}: no seeded value for path parameter {param.name!r}; "
            "add one to tests/authz_world.py"
        )
        path = path.replace(f"{{{param.name}}}", world.value(param.name, departement))
        scoped = True
    query: dict[str, str] = {}
    for param in route.dependant.query_params:
        if param.name in world.params:
            query[param.name] = world.value(param.name, departement)
            # A value both départements share (a night) names neither of them.
            scoped |= world.value(param.name, OWN) != world.value(param.name, OTHER)
        else:
            assert not param.field_info.is_required(), (
                f"{route.path}: no value for query parameter {param.name}"
            )
    body = bodies.get((method, route.path))
    if body is not None:
        body = dict(body)
        for key, name in BODY_FIELDS.items():
            if key in body:
                body[key] = world.value(name, departement)
                scoped = True
        for key, name in SHARED_FIELDS.items():
            if key in body:
                body[key] = world.value(name, departement)
        for key, name in BODY_LISTS.items():
            if key in body:
                body[key] = [world.value(name, departement)]
                scoped = True
    return Call(method, path, query, body, scoped)
