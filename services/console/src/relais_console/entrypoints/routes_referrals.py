"""Partner pages (issue 12): the referral inbox (accept, or decline with a reason from the
closed list) and the referrer's outbox with every outcome.

The referrals service is not on main yet: these pages call its API as its branch defines it.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from relais_events.vocabulary import IDENTIFIER_PATTERN
from starlette.responses import Response

from relais_console.application.ports import Refused, Unavailable
from relais_console.entrypoints.dependencies import ConsoleDep, IdPath
from relais_console.entrypoints.forms import failure, key_of, new_key, text, values_of
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import CheckedForm
from relais_console.entrypoints.session import CurrentUser

router = APIRouter(prefix="/orientations")
PURPOSE: Final = "referral"
Partner = Annotated[str | None, Query(pattern=IDENTIFIER_PATTERN)]


@router.get("/recues")
async def inbox(
    request: Request, user: CurrentUser, console: ConsoleDep, partenaire: Partner = None
) -> Response:
    referrals = await console.referrals.inbox(user.token, PURPOSE, partenaire) if partenaire else []
    return render(
        request,
        "orientations_recues.html",
        user=user,
        partner_id=partenaire,
        referrals=referrals,
        key=new_key(),
    )


@router.post("/{case_id}/{referral_id}/{verb}")
async def answer(  # noqa: PLR0917  (the path's parts and the form)
    request: Request,
    case_id: IdPath,
    referral_id: IdPath,
    verb: str,
    user: CurrentUser,
    console: ConsoleDep,
    form: CheckedForm,
) -> Response:
    values = values_of(form)
    partner = text(values, "partner_id") or ""
    body = {"reason": text(values, "reason"), "text": text(values, "text")}
    action = {"accepter": "accept", "refuser": "decline"}.get(verb)
    if action is None:
        return render(request, "introuvable.html", user=user, status=404)
    try:
        await console.referrals.answer(
            user.token, case_id, referral_id, verb=action, body=body, key=key_of(values)
        )
    except (Refused, Unavailable) as error:
        status, explanation, values = failure(error, values)
        referrals = await console.referrals.inbox(user.token, PURPOSE, partner) if partner else []
        return render(
            request,
            "orientations_recues.html",
            user=user,
            partner_id=partner,
            referrals=referrals,
            key=new_key(),
            values=values,
            explanation=explanation,
            status=status,
        )
    return RedirectResponse(f"/orientations/recues?partenaire={partner}", status_code=303)


@router.get("/envoyees")
async def outbox(request: Request, user: CurrentUser, console: ConsoleDep) -> Response:
    referrals = await console.referrals.outbox(user.token, PURPOSE)
    return render(request, "orientations_envoyees.html", user=user, referrals=referrals)
