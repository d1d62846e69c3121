"""Development login: choose a role, an organisation and départements; the console mints a
development token (``relais_kit.auth.mint_dev_token``, the public dev secret every service
accepts in development). Only included when ``RELAIS_CONSOLE_DEV_LOGIN`` is on (``make run``
sets it): with the setting off, these routes do not exist.
"""

from __future__ import annotations

import re
from typing import cast

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from relais_kit.auth import Role, mint_dev_token
from relais_kit.auth.principal import TOKEN_ROLES
from starlette.responses import Response

from relais_console.bootstrap import Console
from relais_console.domain import labels
from relais_console.domain.problems import Explanation
from relais_console.entrypoints.forms import text, values_of
from relais_console.entrypoints.pages import home_of
from relais_console.entrypoints.rendering import render
from relais_console.entrypoints.security import CheckedForm
from relais_console.entrypoints.session import open_session

router = APIRouter()
# Every role a person's token may carry but admin, with its French name.
ROLES = {
    str(r): labels.label(labels.ROLES, r)
    for r in sorted((r for r in TOKEN_ROLES if r is not Role.ADMIN), key=str)
}
_FIELDS = {"sub": "sub", "org": "org", "jurisdictions": "departements", "roles": "role"}


@router.get("/connexion/dev")
async def dev_login_page(request: Request) -> Response:
    return render(request, "connexion_dev.html", roles=ROLES, values={"role": "police"})


@router.post("/connexion/dev")
async def dev_login(request: Request, form: CheckedForm) -> Response:
    values = values_of(form)
    settings = cast(Console, request.app.state.console).settings
    departements = [d for d in re.split(r"[\s,;]+", text(values, "departements") or "") if d]
    try:
        token = mint_dev_token(
            settings.auth,
            sub=text(values, "sub") or "",
            roles=[text(values, "role") or ""],
            org=text(values, "org") or "",
            jurisdictions=departements,
        )
    except (ValidationError, ValueError) as error:
        return render(
            request,
            "connexion_dev.html",
            roles=ROLES,
            values=values,
            explanation=_explained(error),
            status=422,
        )
    open_session(request, token)
    return RedirectResponse(home_of(values.get("role", "")), status_code=303)


def _explained(error: Exception) -> Explanation:
    fields: dict[str, list[str]] = {}
    if isinstance(error, ValidationError):
        for item in error.errors():
            name = _FIELDS.get(str(item["loc"][0]) if item["loc"] else "", "role")
            fields.setdefault(name, []).append(
                "Code de département inconnu : 01 à 95, 2A, 2B ou 971 à 976."
                if name == "departements"
                else "Ce champ est obligatoire ou non valide."
            )
    else:
        fields["role"] = ["Rôle inconnu."]
    return Explanation(
        summary="Connexion impossible : corrigez les champs signalés.", fields=fields
    )
