"""Police, hotline, association and reporting-point pages: file a report from any channel
(DOMAIN.md "Cases": every channel), and a danger assessment with its questionnaire.

A reporting point (pharmacy, info point) reads nothing back: after filing it sees only the
acknowledgement intake answers (a reference to quote), never the case.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from relais_events.vocabulary import IDENTIFIER_PATTERN
from starlette.responses import Response

from relais_console.application.ports import Refused, Unavailable
from relais_console.domain.questionnaire import QUESTIONNAIRE_ID, answers_from
from relais_console.domain.views import Acknowledgement
from relais_console.entrypoints.dependencies import ConsoleDep, IdPath
from relais_console.entrypoints.forms import (
    Invalid,
    Values,
    checked,
    failure,
    integer,
    key_of,
    new_key,
    text,
    values_of,
)
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import CheckedForm
from relais_console.entrypoints.session import CurrentUser, User

router = APIRouter()
Ref = Annotated[str | None, Query(pattern=IDENTIFIER_PATTERN)]
# The channel a role usually files on, first in its list (intake decides what is allowed).
USUAL_CHANNEL: Final = {
    "police": "police",
    "hotline": "hotline_3919",
    "association": "association",
    "reporting_point": "pharmacy",
    "justice_clerk": "court",
    "prosecutor": "court",
}
USUAL_KIND: Final = {"police": "complaint", "hotline": "call", "reporting_point": "alert"}


def _role(user: User) -> str:
    return next((r for r in USUAL_CHANNEL if user.has(r)), "police")


@router.get("/signalements/nouveau")
async def report_form(request: Request, user: CurrentUser, dossier: Ref = None) -> Response:
    role = _role(user)
    values = {
        "case_id": dossier or "",
        "channel": USUAL_CHANNEL[role],
        "report_kind": USUAL_KIND.get(
            role, "application" if role in ("justice_clerk",) else "call"
        ),
        "case_kind": "conjugal_violence",
        "departement": user.departements[0] if user.departements else "",
        "minor_victim": "no",
        "children_present": "0",
        "trafficking_forms": [],
        "idempotency_key": new_key(),
    }
    return render(request, "signalement.html", user=user, values=values)


@router.post("/signalements/nouveau")
async def file_report(
    request: Request, user: CurrentUser, console: ConsoleDep, form: CheckedForm
) -> Response:
    values = values_of(form, lists=("trafficking_forms",))
    try:
        filed = await console.intake.file_report(user.token, _report_body(values), key_of(values))
    except (Invalid, Refused, Unavailable) as error:
        status, explanation, values = failure(error, values)
        return render(
            request,
            "signalement.html",
            user=user,
            values=values,
            explanation=explanation,
            status=status,
        )
    if isinstance(filed, Acknowledgement):
        return RedirectResponse(f"/signalements/accuse/{filed.reference}", status_code=303)
    opened = "1" if filed.opened else "0"
    url = f"/signalements/enregistre/{filed.case_id}?evenement={filed.min_event}&nouveau={opened}"
    return RedirectResponse(url, status_code=303)


def _report_body(values: Values) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": text(values, "channel"),
        "report_kind": text(values, "report_kind"),
        "case_kind": text(values, "case_kind"),
        "trafficking_forms": values.get("trafficking_forms", []),
        "departement": text(values, "departement"),
        "minor_victim": values.get("minor_victim") == "yes",
        "children_present": integer(values, "children_present") or 0,
    }
    if text(values, "case_id"):
        body["case_id"] = text(values, "case_id")
    victim = {k: text(values, f"victim.{k}") for k in ("last_name", "first_name", "birth_date")}
    if any(victim.values()):
        body["victim"] = {k: v for k, v in victim.items() if v is not None}
    for name in ("narrative", "contact_phone"):
        if text(values, name):
            body[name] = text(values, name)
    if checked(values, "with_assessment"):
        body["assessment"] = _assessment(values)
    return body


def _assessment(values: Values) -> dict[str, Any]:
    return {
        "questionnaire": QUESTIONNAIRE_ID,
        "level": text(values, "level"),
        "answers": answers_from({k: v for k, v in values.items() if isinstance(v, str)}),
        "raised_by_judgement": checked(values, "raised_by_judgement"),
    }


@router.get("/signalements/enregistre/{case_id}")
async def report_filed(
    request: Request, case_id: IdPath, user: CurrentUser, evenement: Ref = None, nouveau: str = "0"
) -> Response:
    """What the filer gets back: the case id intake answered (no read of the case)."""
    return render(
        request,
        "signalement_enregistre.html",
        user=user,
        case_id=case_id,
        event_id=evenement,
        opened=nouveau == "1",
    )


@router.get("/signalements/accuse/{reference}")
async def acknowledgement(request: Request, reference: IdPath, user: CurrentUser) -> Response:
    return render(request, "accuse.html", user=user, reference=reference)


@router.get("/dossiers/{case_id}/evaluation")
async def assessment_form(request: Request, case_id: IdPath, user: CurrentUser) -> Response:
    values = {"level": "standard", "idempotency_key": new_key()}
    return render(request, "evaluation.html", user=user, case_id=case_id, values=values)


@router.post("/dossiers/{case_id}/evaluation")
async def assess(
    request: Request, case_id: IdPath, user: CurrentUser, console: ConsoleDep, form: CheckedForm
) -> Response:
    values = values_of(form)
    body = _assessment(values)
    for name in ("lowering_reason", "written_reason"):
        if text(values, name):
            body[name] = text(values, name)
    try:
        event = await console.intake.assess_risk(user.token, case_id, body, key_of(values))
    except (Refused, Unavailable) as error:
        status, explanation, values = failure(error, values)
        return render(
            request,
            "evaluation.html",
            user=user,
            case_id=case_id,
            values=values,
            explanation=explanation,
            status=status,
        )
    if user.has("committee_member"):
        return RedirectResponse(f"/dossiers/{case_id}?min_event={event}", status_code=303)
    return RedirectResponse(
        f"/signalements/enregistre/{case_id}?evenement={event}&evaluation=1", status_code=303
    )
