"""Report bodies for the end-to-end bench: invented but realistic personal data, about 1 KB."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

FIRST = [
    "Zoë", "Camille", "Léa", "Inès", "Manon", "Chloé", "Sarah", "Aïcha", "Fatoumata", "Élodie",
    "Nadia", "Sophie", "Amandine", "Yasmine", "Mélissa", "Julie", "Océane", "Laëtitia", "Hélène",
]  # fmt: skip
LAST = [
    "Lefèvre", "Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Benali", "Nguyen", "Diallo",
    "Girard", "Rousseau", "Fontaine", "Chevalier", "Traoré", "Mercier", "Boyer", "Haddad", "Roux",
]  # fmt: skip
FACTS = [
    "Appel de nuit: menaces de mort répétées par l'ex-conjoint, qui refuse la séparation.",
    "La victime décrit des violences physiques depuis deux ans, la dernière il y a trois jours.",
    "Les enfants étaient présents lors de la dispute; le plus jeune a été bousculé.",
    "Il surveille son téléphone, contrôle ses comptes bancaires et lui interdit de sortir seule.",
    "Elle a quitté le domicile avec ses affaires et dort chez une amie depuis lundi.",
    "Une arme de chasse est détenue au domicile; il a menacé de s'en servir.",
    "Une précédente main courante a été déposée au commissariat l'an dernier.",
    "Des messages insultants et des appels répétés la nuit, jusqu'à quarante par jour.",
    "Elle craint pour sa vie et demande une mise en sécurité rapide avec ses enfants.",
    "Le voisinage a appelé le 17 après des cris; la patrouille a constaté des ecchymoses.",
]
QUESTIONS = [f"q{n}-{topic}" for n, topic in enumerate(
    ["injury", "fear", "isolation", "depression", "separation", "conflict", "stalking",
     "pregnancy", "children", "weapons", "threats", "strangling", "sexual", "escalation"], 1
)]  # fmt: skip


def report(rng: random.Random, departement: str) -> dict[str, Any]:
    """A police complaint opening a new case, with the victim's identity and a narrative."""
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
    return {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": departement,
        "minor_victim": False,
        "children_present": rng.randrange(4),
        "victim": {
            "last_name": f"{rng.choice(LAST)}-{rng.choice(LAST)}",
            "first_name": rng.choice(FIRST),
            "birth_date": born.isoformat(),
        },
        "narrative": " ".join(rng.sample(FACTS, 3)),
        "contact_phone": f"+33 6 {rng.randrange(10**8):08d}",
        "assessment": {
            "questionnaire": "dash-2009",
            "level": rng.choice(["standard", "medium", "high"]),
            "answers": [
                {"question_id": q, "answer": rng.choice(["yes", "no", "unknown"])}
                for q in QUESTIONS[: rng.randrange(6, len(QUESTIONS))]
            ],
        },
    }


def encoded(rng: random.Random, departement: str) -> bytes:
    return json.dumps(report(rng, departement), ensure_ascii=False).encode()
