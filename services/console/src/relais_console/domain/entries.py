"""A timeline entry in words: what happened, who recorded it, and its details.

Entries carry the events' ``data`` (never personal data: the timeline strips it). Each detail
is shown with a French label; closed vocabularies are translated, instants shown in Paris
civil time, yes/no as Oui/Non. A field unknown here is shown under its own name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from relais_console.domain import labels
from relais_console.domain.civil_time import shown
from relais_console.domain.views import TimelineEntry

FIELD_LABELS: Final = {
    "kind": "Nature",
    "channel": "Canal",
    "opened_via": "Ouvert par",
    "departement": "Département",
    "minor_victim": "Victime mineure",
    "children_present": "Enfants présents",
    "trafficking_forms": "Formes d'exploitation",
    "report_id": "Signalement",
    "level": "Niveau de danger",
    "from_level": "Ancien niveau",
    "to_level": "Nouveau niveau",
    "reason": "Motif",
    "questionnaire": "Questionnaire",
    "answers": "Réponses",
    "raised_by_judgement": "Relevé par jugement professionnel",
    "order_id": "Ordonnance",
    "applicant": "Requérant",
    "requested_at": "Requête du",
    "scheduled_at": "Fixée le",
    "hearing_at": "Audience le",
    "service_due_at": "Signifier avant le",
    "ruling_due_at": "Décision attendue avant le",
    "served_at": "Signifiée le",
    "issued_at": "Délivrée le",
    "measures": "Mesures",
    "duration_months": "Durée (mois)",
    "notification_due_at": "Notifier avant le",
    "registration_due_at": "Inscrire avant le",
    "notified_at": "Notifiée le",
    "expires_at": "Fin le",
    "file": "Fichier",
    "registered_at": "Inscrite le",
    "rejected_at": "Rejetée le",
    "linked_case_id": "Dossier lié",
    "link": "Lien",
}
HIDDEN: Final = frozenset({"case_id", "assessment_id", "person_key", "site_id"})
_VOCABULARY_BY_FIELD: Final = {
    "channel": labels.CHANNELS,
    "opened_via": labels.CHANNELS,
    "level": labels.RISK_LEVELS,
    "from_level": labels.RISK_LEVELS,
    "to_level": labels.RISK_LEVELS,
    "reason": labels.LOWERING_REASONS,
    "applicant": labels.APPLICANTS,
    "file": labels.NATIONAL_FILES,
    "measures": labels.MEASURES,
    "trafficking_forms": labels.TRAFFICKING_FORMS,
}


def title(entry: TimelineEntry) -> str:
    return labels.EVENT_TYPES.get(entry.type, entry.type)


def recorded_by(entry: TimelineEntry) -> str:
    return f"{labels.label(labels.ROLES, entry.actor_role)} · {entry.actor_org}"


def details(entry: TimelineEntry) -> list[tuple[str, str]]:
    data = entry.data or {}
    return [
        (FIELD_LABELS.get(name, name), _value(entry.type, name, value))
        for name, value in data.items()
        if name not in HIDDEN
    ]


def _value(event_type: str, name: str, value: Any) -> str:
    if name == "kind":
        vocabulary = labels.REPORT_KINDS if event_type == "report.filed" else labels.CASE_KINDS
        return labels.label(vocabulary, value)
    if name == "answers" and isinstance(value, list):
        yes = sum(1 for a in value if isinstance(a, dict) and a.get("answer") == "yes")
        return f"{len(value)} questions, {yes} « oui »"
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, list):
        vocabulary = _VOCABULARY_BY_FIELD.get(name, {})
        return ", ".join(labels.label(vocabulary, v) for v in value) or "—"
    if isinstance(value, str) and name.endswith("_at"):
        try:
            return shown(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    known = _VOCABULARY_BY_FIELD.get(name)
    return labels.label(known, value) if known else str(value)
