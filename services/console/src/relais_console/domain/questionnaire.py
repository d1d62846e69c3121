"""The danger-evaluation questionnaire the console's assessment form asks (DOMAIN.md "Risk
levels": an assessment keeps the answers of the structured questionnaire it came from, like the
French police's grille d'évaluation du danger or the UK's DASH checklist, with the assessor's
professional judgement). Answers are entered once and reused by whoever reads them next.

Intake keeps the questionnaire's id with each answer (``risk.assessed`` v2), so a new version of
the questions is a new ``QUESTIONNAIRE_ID``: old answers keep meaning what they meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Question:
    question_id: str
    text: str


QUESTIONNAIRE_ID: Final = "grille-danger-v1"
QUESTIONS: Final = (
    Question(
        "violence_increasing", "Les violences sont-elles de plus en plus fréquentes ou graves ?"
    ),
    Question("threats_to_kill", "L'auteur a-t-il menacé de tuer la victime ou ses proches ?"),
    Question("strangulation", "Y a-t-il eu des tentatives d'étranglement ou d'étouffement ?"),
    Question("weapon_access", "L'auteur détient-il une arme ou y a-t-il accès ?"),
    Question("separation_recent", "Une séparation est-elle récente ou envisagée ?"),
    Question(
        "pregnancy_or_young_child", "La victime est-elle enceinte ou a-t-elle un jeune enfant ?"
    ),
    Question("children_threatened", "Les enfants sont-ils menacés ou témoins des violences ?"),
    Question("stalking", "L'auteur surveille-t-il, suit-il ou harcèle-t-il la victime ?"),
    Question("isolation", "La victime est-elle isolée (famille, amis, ressources) ?"),
    Question("previous_breach", "L'auteur a-t-il déjà enfreint une interdiction ou une mesure ?"),
    Question("victim_fears", "La victime a-t-elle peur pour sa vie ?"),
)
ANSWERS: Final = {"yes": "Oui", "no": "Non", "unknown": "Ne sait pas"}


def answers_from(form: dict[str, str]) -> list[dict[str, str]]:
    """The form's ``answer.<question_id>`` fields as the API's answers, in question order;
    a question left unanswered is recorded as ``unknown`` (asked, not known)."""
    return [
        {
            "question_id": q.question_id,
            "answer": form.get(f"answer.{q.question_id}", "unknown") or "unknown",
        }
        for q in QUESTIONS
    ]
