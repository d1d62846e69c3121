"""Justice clerk pages: the deadline dashboard, an order with its deadlines, and the forms to
record an application, a hearing date, service, a ruling, notification and registration.

Reads state the purpose ``case_follow_up``. Every form keeps what was typed when the service
refuses it, with the service's messages next to the fields they name.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from relais_events.vocabulary import DEPARTEMENT_PATTERN
from starlette.responses import Response

from relais_console.application.ports import Refused, Unavailable
from relais_console.domain.boards import counts, dashboard
from relais_console.domain.civil_time import input_value
from relais_console.entrypoints.dependencies import ConsoleDep, IdPath
from relais_console.entrypoints.forms import (
    Invalid,
    Values,
    checked,
    failure,
    instant,
    integer,
    key_of,
    new_key,
    text,
    values_of,
)
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import CheckedForm
from relais_console.entrypoints.session import CurrentUser

router = APIRouter(prefix="/greffe")
PURPOSE: Final = "case_follow_up"
# The French path segment of each act, and the protection-orders route it posts to.
ACTS: Final = {
    "audience": "hearing",
    "signification": "service",
    "decision": "ruling",
    "notification": "notification",
    "inscription": "registrations",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.get("")
async def deadline_dashboard(
    request: Request,
    user: CurrentUser,
    console: ConsoleDep,
    departement: Annotated[str | None, Query(pattern=DEPARTEMENT_PATTERN)] = None,
) -> Response:
    rows = await console.orders.dashboard(user.token, PURPOSE, departement)
    lines = dashboard(rows, _now())
    return render(
        request,
        "greffe.html",
        user=user,
        lines=lines,
        counts=counts(lines),
        departement=departement,
    )


@router.get("/requete")
async def application_form(
    request: Request,
    user: CurrentUser,
    dossier: Annotated[str | None, Query(max_length=80)] = None,
) -> Response:
    values = {
        "case_id": dossier or "",
        "departement": user.departements[0] if user.departements else "",
        "applicant": "victim",
        "at": input_value(_now()),
        "idempotency_key": new_key(),
    }
    return render(request, "requete.html", user=user, values=values)


@router.post("/requete")
async def file_application(
    request: Request, user: CurrentUser, console: ConsoleDep, form: CheckedForm
) -> Response:
    values = values_of(form)
    try:
        body = {
            "case_id": text(values, "case_id"),
            "departement": text(values, "departement"),
            "applicant": text(values, "applicant"),
            "victim_agreement": checked(values, "victim_agreement"),
            "at": instant(values, "at"),
        }
        order = await console.orders.apply(user.token, body, key_of(values))
    except (Invalid, Refused, Unavailable) as error:
        status, explanation, values = failure(error, values)
        return render(
            request,
            "requete.html",
            user=user,
            values=values,
            explanation=explanation,
            status=status,
        )
    return RedirectResponse(f"/greffe/ordonnances/{order.order_id}", status_code=303)


@router.get("/ordonnances/{order_id}")
async def order_page(
    request: Request, order_id: IdPath, user: CurrentUser, console: ConsoleDep
) -> Response:
    order = await console.orders.order(user.token, PURPOSE, order_id)
    return render(request, "ordonnance.html", user=user, order=order, **_fresh_forms())


@router.post("/ordonnances/{order_id}/{act}")
async def record_act(
    *,
    request: Request,
    order_id: IdPath,
    act: str,
    user: CurrentUser,
    console: ConsoleDep,
    form: CheckedForm,
) -> Response:
    if act not in ACTS:
        return render(request, "introuvable.html", user=user, status=404)
    values = values_of(form, lists=("measures",))
    try:
        body = _act_body(act, values)
        await console.orders.record(user.token, order_id, ACTS[act], body, key_of(values))
    except (Invalid, Refused, Unavailable) as error:
        status, explanation, values = failure(error, values)
        order = await console.orders.order(user.token, PURPOSE, order_id)
        forms = _fresh_forms() | {"act": act, "values": values}
        return render(
            request,
            "ordonnance.html",
            user=user,
            order=order,
            status=status,
            explanation=explanation,
            **forms,
        )
    return RedirectResponse(f"/greffe/ordonnances/{order_id}#echeances", status_code=303)


def _act_body(act: str, values: Values) -> dict[str, Any]:
    body: dict[str, Any] = {"at": instant(values, "at")}
    if act == "audience":
        body["hearing_at"] = instant(values, "hearing_at")
    elif act == "decision":
        body["decision"] = text(values, "decision")
        if body["decision"] == "issued":
            body["measures"] = values.get("measures", [])
            body["duration_months"] = integer(values, "duration_months")
    elif act == "inscription":
        body["file"] = text(values, "file")
    return body


def _fresh_forms() -> dict[str, Any]:
    """Every act's form, empty but for the instant of the act (now), each with its key."""
    now = input_value(_now())
    return {
        "act": None,
        "fresh": {
            "at": now,
            "hearing_at": "",
            "decision": "issued",
            "duration_months": "12",
            "measures": [],
            "file": "FPR",
        },
        # One key per form: each act posted from this page is its own command.
        "keys": {act: new_key() for act in ACTS},
    }
