"""A service's refusal (RFC 9457 problem details) explained in words a clerk understands.

Services answer ``application/problem+json`` with ``errors[].field`` naming the field a
validation error is about and ``rule`` naming the business rule a command broke. The console
puts each message next to the field it names, in French, and says in one sentence what the
refusal means; what it cannot place goes above the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from relais_console.domain.rules import RULE_FIELDS, RULES


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass(frozen=True)
class Problem:
    """The parts of a problem document the console reads (anything else is ignored)."""

    status: int
    title: str = ""
    detail: str = ""
    slug: str = ""
    rule: str = ""
    errors: tuple[FieldError, ...] = ()

    @classmethod
    def parse(cls, status: int, body: Any) -> Problem:
        """From a decoded JSON body; anything that is not a problem document gives a bare one."""
        if not isinstance(body, dict):
            return cls(status=status)
        kind = str(body.get("type", ""))
        errors = tuple(
            FieldError(str(e.get("field", "")), str(e.get("message", "")))
            for e in body.get("errors") or ()
            if isinstance(e, dict)
        )
        return cls(
            status=int(body.get("status") or status),
            title=str(body.get("title", "")),
            detail=str(body.get("detail", "") or ""),
            slug=kind.removeprefix("urn:relais:problem:") if kind.startswith("urn:") else "",
            rule=str(body.get("rule", "") or ""),
            errors=errors,
        )


@dataclass(frozen=True)
class Explanation:
    """What the page shows: one sentence, and the messages per form field."""

    summary: str
    fields: dict[str, list[str]] = field(default_factory=dict)
    detail: str = ""  # the service's own words, shown small for support (never personal data)

    def for_field(self, name: str) -> list[str]:
        return self.fields.get(name, [])


_BY_STATUS: Final = {
    400: "La demande est incomplète.",
    401: "Votre session n'est plus reconnue : reconnectez-vous.",
    403: "Votre rôle ne permet pas cette action.",
    404: "Introuvable, ou hors de votre compétence.",
    409: "Le dossier a changé entre-temps : rechargez la page et réessayez.",
    422: "La demande a été refusée : corrigez les champs signalés.",
}
_BY_SLUG: Final = {
    "forbidden-jurisdiction": "Ce dossier relève d'un département pour lequel vous n'agissez pas.",
    "forbidden-action": "Votre rôle ne permet pas cette action.",
    "event-not-applied": "La chronologie n'a pas encore reçu cet événement : réessayez "
    "dans un instant.",
    "purpose-required": "Toute consultation doit indiquer son motif.",
    "case-not-found": "Dossier introuvable, ou hors de votre compétence.",
    "not-found": "Introuvable, ou hors de votre compétence.",
    "meeting-not-found": "Réunion introuvable pour ce comité.",
    "forbidden-attach": "Un point de signalement ne peut pas compléter un dossier existant.",
    "unauthorized": "Votre session n'est plus reconnue : reconnectez-vous.",
}


def explain(problem: Problem) -> Explanation:
    fields: dict[str, list[str]] = {}
    for error in problem.errors:
        name = form_field(error.field)
        fields.setdefault(name, []).append(field_message(name, error.message))
    if problem.rule in RULE_FIELDS:
        fields.setdefault(RULE_FIELDS[problem.rule], []).append(RULES[problem.rule])
    if problem.rule in RULES:
        summary = RULES[problem.rule]
    elif problem.slug in _BY_SLUG:
        summary = _BY_SLUG[problem.slug]
    elif problem.status >= 500:
        summary = "Le service n'a pas pu traiter la demande. Réessayez dans un moment."
    else:
        summary = _BY_STATUS.get(problem.status, "La demande a été refusée.")
    # A validation problem's detail only points at ``errors``: already shown field by field.
    detail = "" if problem.slug == "validation" else problem.detail
    return Explanation(summary=summary, fields=fields, detail=detail)


def form_field(api_field: str) -> str:
    """``body.victim.last_name`` or ``victim.last_name`` -> ``victim.last_name``; a query or
    header location keeps its last part (``query.as_of`` -> ``as_of``)."""
    name = api_field.removeprefix("body.")
    for prefix in ("query.", "path.", "header."):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


_PATTERN_BY_FIELD: Final = {
    "departement": "Code de département inconnu : 01 à 95, 2A, 2B ou 971 à 976.",
    "contact_phone": "Numéro de téléphone non valide (chiffres, espaces, points ou tirets).",
}
ID_MESSAGE: Final = (
    "Identifiant non valide : lettres, chiffres et « . _ : - » seulement, sans espace."
)
_MESSAGES: Final = (
    (re.compile(r"^Field required"), "Ce champ est obligatoire."),
    (re.compile(r"^String should have at least 1 character"), "Ce champ ne peut pas être vide."),
    (re.compile(r"^String should have at most (\d+)"), "Texte trop long (au plus {0} caractères)."),
    (re.compile(r"^List should have at least 1 item"), "Choisissez au moins un élément."),
    (re.compile(r"^List should have at most (\d+)"), "Trop d'éléments (au plus {0})."),
    (re.compile(r"timezone|datetime|date"), "Date ou heure non valide."),
    (re.compile(r"^Input should be a valid integer"), "Un nombre entier est attendu."),
    (re.compile(r"^Input should be a valid number"), "Un nombre est attendu."),
    (re.compile(r"^Input should be greater than or equal to (\S+)"), "Au moins {0}."),
    (re.compile(r"^Input should be greater than (\S+)"), "Une valeur supérieure à {0}."),
    (re.compile(r"^Input should be less than or equal to (\S+)"), "Au plus {0}."),
    (re.compile(r"^Input should be a valid boolean"), "Répondez par oui ou non."),
    (re.compile(r"^Input should be '"), "Choisissez une valeur de la liste."),
    (re.compile(r"^Extra inputs are not permitted"), "Ce champ n'est pas attendu ici."),
)


def field_message(name: str, message: str) -> str:
    """A pydantic message from a service, in French (the field is shown beside it)."""
    if message.startswith("String should match pattern"):
        leaf = name.rsplit(".", 1)[-1]
        if leaf in _PATTERN_BY_FIELD:
            return _PATTERN_BY_FIELD[leaf]
        return (
            ID_MESSAGE if leaf.endswith("_id") or leaf == "questionnaire" else "Format non valide."
        )
    for pattern, french in _MESSAGES:
        found = pattern.search(message)
        if found:
            return french.format(*found.groups())
    return "Valeur refusée par le service."
