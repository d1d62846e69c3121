"""A service's refusal in words a clerk understands, next to the field it names."""

from __future__ import annotations

from relais_console.domain.problems import Problem, explain, field_message, form_field
from relais_console.domain.rules import RULE_FIELDS, RULES


def test_a_validation_problem_puts_each_message_next_to_its_field_in_french() -> None:
    problem = Problem.parse(
        422,
        {
            "type": "urn:relais:problem:validation",
            "status": 422,
            "errors": [
                {"field": "departement", "message": "String should match pattern '^(0[1-9])$'"},
                {"field": "victim.last_name", "message": "Field required"},
                {"field": "case_id", "message": "String should match pattern '^[A-Za-z0-9]$'"},
                {"field": "at", "message": "Input should have timezone info"},
            ],
        },
    )
    explained = explain(problem)
    assert explained.for_field("departement") == [
        "Code de département inconnu : 01 à 95, 2A, 2B ou 971 à 976."
    ]
    assert explained.for_field("victim.last_name") == ["Ce champ est obligatoire."]
    assert explained.for_field("case_id")[0].startswith("Identifiant non valide")
    assert explained.for_field("at") == ["Date ou heure non valide."]
    assert explained.summary == "La demande a été refusée : corrigez les champs signalés."
    assert explained.detail == ""  # "See `errors`" means nothing to a clerk


def test_a_business_rule_is_explained_with_its_source_and_placed_on_its_field() -> None:
    problem = Problem.parse(
        422,
        {
            "type": "urn:relais:problem:rule-violation",
            "status": 422,
            "rule": "DurationOverMaximum",
            "detail": "At most 12 months",
        },
    )
    explained = explain(problem)
    assert "12 mois au plus" in explained.summary
    assert explained.for_field("duration_months") == [RULES["DurationOverMaximum"]]
    assert explained.detail == "At most 12 months"


def test_every_rule_placed_on_a_field_has_its_sentence() -> None:
    assert set(RULE_FIELDS) <= set(RULES)


def test_refusals_without_fields_get_one_sentence_by_kind() -> None:
    outside = explain(Problem.parse(403, {"type": "urn:relais:problem:forbidden-jurisdiction"}))
    assert "département pour lequel vous n'agissez pas" in outside.summary
    missing = explain(Problem.parse(404, {"type": "urn:relais:problem:case-not-found"}))
    assert missing.summary.startswith("Dossier introuvable")
    assert explain(Problem.parse(503, "not json")).summary.startswith("Le service n'a pas pu")
    assert explain(Problem.parse(418, None)).summary == "La demande a été refusée."


def test_locations_become_form_field_names() -> None:
    assert form_field("body.victim.first_name") == "victim.first_name"
    assert form_field("query.as_of") == "as_of"
    assert form_field("header.X-Relais-Purpose") == "X-Relais-Purpose"
    assert form_field("measures[0]") == "measures[0]"


def test_messages_with_numbers_keep_them() -> None:
    assert field_message("narrative", "String should have at most 20000 characters") == (
        "Texte trop long (au plus 20000 caractères)."
    )
    assert field_message("children_present", "Input should be less than or equal to 20") == (
        "Au plus 20."
    )
    assert field_message("x", "something new") == "Valeur refusée par le service."
