"""The shelter's refusals in words an operator understands, placed on the field they are about."""

from __future__ import annotations

from relais_console.application.ports import Refused
from relais_console.domain import labels
from relais_console.domain.problems import Problem, explain
from relais_console.domain.rules import RULES
from relais_console.entrypoints.forms import KEY_FIELD, failure
from relais_console.entrypoints.routes_shelter import SITE_NOT_FOUND
from relais_events.catalogue.shelter import NightClaimRejection
from relais_shelter.domain.errors import ShelterRuleViolation


def _every_rule(base: type[ShelterRuleViolation]) -> set[str]:
    found = set()
    for sub in base.__subclasses__():
        found |= {sub.__name__, *_every_rule(sub)}
    return found


def test_every_shelter_rule_has_its_french_sentence() -> None:
    assert _every_rule(ShelterRuleViolation) <= set(RULES)


def test_every_reason_a_night_claim_is_refused_is_said_in_french() -> None:
    assert {str(r) for r in NightClaimRejection} == set(labels.CLAIM_REJECTIONS)
    assert "épuisée" in labels.label(labels.CLAIM_REJECTIONS, "envelope_exhausted")


def test_no_consent_is_said_next_to_the_consent_box() -> None:
    problem = Problem.parse(
        422,
        {
            "type": "urn:relais:problem:rule-violation",
            "status": 422,
            "rule": "ConsentRequired",
            "detail": "An adult victim is sheltered with her consent: record it first.",
        },
    )
    explained = explain(problem)
    assert explained.for_field("consent_given") == [RULES["ConsentRequired"]]
    assert "consentement" in explained.summary


def test_a_full_night_a_foreign_site_and_a_person_sheltered_point_at_their_fields() -> None:
    for rule, status, field in (
        ("NightFull", 409, "first_night"),
        ("NotTheSitesOperator", 403, "site_id"),
        ("PersonAlreadySheltered", 409, "adults"),
    ):
        body = {"type": "urn:relais:problem:rule-violation", "status": status, "rule": rule}
        explained = explain(Problem.parse(status, body))
        assert explained.for_field(field) == [RULES[rule]], rule
        assert explained.summary == RULES[rule]  # not "the case changed, reload" for a 409


def test_a_404_on_a_form_is_said_next_to_the_field_that_names_what_was_not_found() -> None:
    """Every 404 is the kit's one uniform body: the form knows which of its fields it is about."""
    uniform = {"type": "urn:relais:problem:not-found", "status": 404, "title": "Not found"}
    refused = Refused("shelter", Problem.parse(404, uniform))
    typed = {"site_id": "site-9", KEY_FIELD: "old-key"}
    status, explained, values = failure(refused, typed, not_found=SITE_NOT_FOUND)
    assert status == 404
    assert explained.for_field("site_id") == [RULES["SiteNotFound"]]
    assert explained.summary == RULES["SiteNotFound"]
    assert values["site_id"] == "site-9"  # kept as typed
    assert values[KEY_FIELD] != "old-key"  # a new key: the service keeps its refusal
    # Another refusal is left as the service said it.
    conflict = Refused("shelter", Problem.parse(409, {"status": 409, "rule": "NightFull"}))
    _, explained, _ = failure(conflict, typed, not_found=SITE_NOT_FOUND)
    assert explained.for_field("site_id") == []
    assert explained.for_field("first_night") == [RULES["NightFull"]]


def test_a_case_the_shelter_has_not_learnt_yet_is_said_next_to_the_case_number() -> None:
    """Shelter learns cases from intake's events: just after a report it answers 409
    CaseNotKnown (Retry-After); the operator reads that the case is not known yet, next to the
    case number, with everything typed kept, not "the case changed, reload"."""
    body = {"type": "urn:relais:problem:rule-violation", "status": 409, "rule": "CaseNotKnown"}
    refused = Refused("shelter", Problem.parse(409, body))
    typed = {"case_id": "case-1", "adults": "pk-1", KEY_FIELD: "old-key"}
    status, explained, values = failure(refused, typed, not_found=SITE_NOT_FOUND)
    assert status == 409
    assert explained.for_field("case_id") == [RULES["CaseNotKnown"]]
    assert "pas encore" in explained.summary
    assert explained.for_field("site_id") == []  # not a 404: the site was found
    assert values["case_id"] == "case-1"
    assert values["adults"] == "pk-1"
