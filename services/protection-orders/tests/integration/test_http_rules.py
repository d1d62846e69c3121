"""Bad input through the HTTP API: a problem (RFC 9457) naming the field or the rule, and no
commit written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from .harness import PURPOSE, Api, paris
from .test_http_paths import ORDERS, file_application, step

pytestmark = pytest.mark.servers


async def refused(
    api: Api, order: str, path: str, body: Mapping[str, Any], *roles: str
) -> dict[str, Any]:
    before = await api.commits(order)
    api.clock.set(paris(3, 20))
    answer = await api.post(path, body, *roles)
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert await api.commits(order) == before  # nothing written
    problem: dict[str, Any] = answer.json()
    return problem


async def test_measure_outside_the_list_names_the_field(api: Api) -> None:
    await file_application(api, "op-bad-measure")
    body = {
        "at": paris(3, 7).isoformat(),
        "decision": "issued",
        "measures": ["no_contact", "house_arrest"],
        "duration_months": 6,
    }
    problem = await refused(api, "op-bad-measure", f"{ORDERS}/op-bad-measure/ruling", body)
    assert problem["status"] == 422
    assert problem["errors"][0]["field"] == "issued.measures[1]"


async def test_ruling_before_application(api: Api) -> None:
    await file_application(api, "op-early")
    body = {"at": paris(3, 1).isoformat(), "decision": "rejected"}
    problem = await refused(api, "op-early", f"{ORDERS}/op-early/ruling", body)
    assert problem["rule"] == "RulingBeforeApplication"
    assert problem["status"] == 422


async def test_service_after_ruling(api: Api) -> None:
    order = "op-served-late"
    await file_application(api, order)
    await step(
        api,
        f"{ORDERS}/{order}/ruling",
        {
            "at": paris(3, 4).isoformat(),
            "decision": "issued",
            "measures": ["no_contact"],
            "duration_months": 6,
        },
    )
    problem = await refused(
        api, order, f"{ORDERS}/{order}/service", {"at": paris(3, 5).isoformat()}
    )
    assert problem["rule"] == "ServiceAfterRuling"


async def test_oppi_without_agreement_or_from_a_non_prosecutor(api: Api) -> None:
    order = "op-oppi-bad"
    await file_application(api, order)
    path = f"{ORDERS}/{order}/provisional-order"
    body: dict[str, Any] = {"at": paris(3, 4).isoformat(), "victim_agreement": False}
    problem = await refused(api, order, path, body, "prosecutor")
    assert problem["rule"] == "ProvisionalOrderNeedsAgreement"
    body["victim_agreement"] = True
    for role in ("justice_clerk", "police"):
        problem = await refused(api, order, path, body, role)
        assert problem["status"] == 403
        assert problem["action"] == "provisional_order.request"


async def test_action_on_a_lapsed_order(api: Api) -> None:
    order = "op-gone"
    await file_application(api, order)
    api.clock.set(paris(3, 6, 0))
    await api.service.manager.tick()
    ruling = {
        "at": paris(3, 7).isoformat(),
        "decision": "issued",
        "measures": ["no_contact"],
        "duration_months": 6,
    }
    problem = await refused(api, order, f"{ORDERS}/{order}/ruling", ruling)
    assert problem["rule"] == "OrderLapsed"


async def test_outside_the_jurisdiction_nothing_is_seen_nor_written(api: Api) -> None:
    order = "op-lyon"
    await file_application(api, order)
    headers = api.token("justice_clerk", departements=("75",))
    answer = await api.client.get(f"{ORDERS}/{order}", headers=headers | PURPOSE)
    assert answer.status_code == 404
    before = await api.commits(order)
    answer = await api.client.post(
        f"{ORDERS}/{order}/service", json={"at": paris(3, 4).isoformat()}, headers=headers
    )
    assert answer.status_code == 404
    assert await api.commits(order) == before
    # Issue 13: the same bytes (the id aside) as an order that does not exist, read or written.
    for path, body in (("", None), ("/service", {"at": paris(3, 4).isoformat()})):
        method = "GET" if body is None else "POST"
        hidden = await api.client.request(
            method, f"{ORDERS}/{order}{path}", json=body, headers=headers | PURPOSE
        )
        absent = await api.client.request(
            method, f"{ORDERS}/op-never{path}", json=body, headers=headers | PURPOSE
        )
        assert hidden.status_code == absent.status_code == 404
        assert hidden.content.replace(order.encode(), b"<id>") == absent.content.replace(
            b"op-never", b"<id>"
        )
    assert (await api.client.get(ORDERS, headers=headers | PURPOSE)).json() == []


async def test_unknown_field_is_refused(api: Api) -> None:
    order = "op-extra"
    await file_application(api, order)
    body = {"at": paris(3, 4).isoformat(), "note": "free text"}
    problem = await refused(api, order, f"{ORDERS}/{order}/service", body)
    assert problem["errors"][0]["field"] == "note"
