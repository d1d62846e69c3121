"""From a posted form to an API body, keeping every typed value to show it again if refused.

A form carries a hidden idempotency key minted when it was drawn: submitting twice (a double
click, a retry after a timeout) writes once. A form drawn again after a refusal gets a new key,
since the service remembers the refused answer under the old one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Final

from starlette.datastructures import FormData

from relais_console.application.ports import Refused, Unavailable
from relais_console.domain.civil_time import NotADateTime, instant_from_input
from relais_console.domain.problems import Explanation, explain

Values = dict[str, Any]
KEY_FIELD: Final = "idempotency_key"


def values_of(form: FormData, lists: Iterable[str] = ()) -> Values:
    """Every field as typed (lists for multi-valued ones); never the CSRF token."""
    multi = set(lists)
    values: Values = {}
    for name in form:
        if name == "csrf_token":
            continue
        if name in multi:
            values[name] = [str(v) for v in form.getlist(name)]
        else:
            values[name] = str(form.get(name) or "")
    for name in multi:
        values.setdefault(name, [])
    return values


def new_key() -> str:
    return secrets.token_urlsafe(16)


def key_of(values: Values) -> str:
    key = values.get(KEY_FIELD)
    return key if isinstance(key, str) and key else new_key()


def text(values: Values, name: str) -> str | None:
    value = values.get(name)
    if not isinstance(value, str):
        return None
    return value.strip() or None


def checked(values: Values, name: str) -> bool:
    return values.get(name) in ("on", "true", "1", "yes")


class Invalid(Exception):  # noqa: N818
    """The console itself cannot read a field (a date it cannot parse): nothing is sent."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(", ".join(fields))
        self.explanation = Explanation(
            summary="La demande n'a pas été envoyée : corrigez les champs signalés.",
            fields=fields,
        )


def instant(values: Values, name: str, *, required: bool = True) -> str | None:
    """A ``datetime-local`` field read as Paris civil time, as an ISO instant in UTC."""
    typed = text(values, name)
    if typed is None:
        if required:
            raise Invalid({name: ["Ce champ est obligatoire."]})
        return None
    try:
        return instant_from_input(typed).isoformat()
    except NotADateTime as error:
        raise Invalid({name: ["Date ou heure non valide (jj/mm/aaaa hh:mm)."]}) from error


def integer(values: Values, name: str) -> int | str | None:
    """An integer if it reads as one; otherwise the text, for the service to name the field."""
    typed = text(values, name)
    if typed is None:
        return None
    try:
        return int(typed)
    except ValueError:
        return typed


Failure = Invalid | Refused | Unavailable


def failure(
    error: Failure, values: Values, *, not_found: tuple[str, str] | None = None
) -> tuple[int, Explanation, Values]:
    """The status, the explanation and the values to draw the form again with. A refused
    form gets a new idempotency key (the service keeps the refusal under the old one); after
    no answer at all the key is kept, so sending again cannot write twice.

    Every 404 is one body whatever was missing (the kit's uniform not-found: it tells nothing
    of what exists elsewhere), so the form says which of its fields names what was not found:
    ``not_found`` is that field and the sentence to put next to it."""
    if isinstance(error, Unavailable):
        summary = (
            "Le service n'a pas répondu. Vos saisies sont conservées : renvoyez le formulaire "
            "dans un moment (il ne sera pas enregistré deux fois)."
        )
        return 502, Explanation(summary=summary), values
    renewed = values | {KEY_FIELD: new_key()}
    if isinstance(error, Invalid):
        return 422, error.explanation, renewed
    status = error.problem.status if 400 <= error.problem.status < 500 else 502
    explanation = explain(error.problem)
    if not_found is not None and status == 404:
        name, sentence = not_found
        fields = explanation.fields | {name: [*explanation.for_field(name), sentence]}
        explanation = replace(explanation, summary=sentence, fields=fields)
    return status, explanation, renewed
