"""The committed JSON Schemas are current, cover every model, and changes stay compatible."""

from __future__ import annotations

import json

from pydantic import BaseModel
from relais_events.catalogue import catalogue
from relais_events.schemas import (
    SCHEMA_DIR,
    compatibility_problems,
    expected_files,
    model_schema,
    schema_filename,
    stale,
)
from relais_events.vocabulary import Departement, RiskLevel

WRITE = "uv run python -m relais_events.schemas"


def test_committed_schemas_are_current() -> None:
    assert stale() == [], f"event schemas are stale: run `{WRITE}` and commit libs/events/schemas"


def test_every_registered_model_has_a_committed_schema() -> None:
    missing = [
        schema_filename(m.TYPE, m.VERSION)
        for m in catalogue.models()
        if not (SCHEMA_DIR / schema_filename(m.TYPE, m.VERSION)).is_file()
    ]
    assert missing == [], f"no committed schema for {missing}: run `{WRITE}`"


def test_every_committed_schema_is_still_readable_by_its_model() -> None:
    problems = {}
    for path in sorted(SCHEMA_DIR.glob("*.v*.json")):
        type_, _, version = path.name.removesuffix(".json").rpartition(".v")
        model = catalogue.model(type_, int(version))  # a committed version is never unregistered
        found = compatibility_problems(json.loads(path.read_text()), model_schema(model))
        if found:
            problems[path.name] = found
    assert problems == {}, "breaking change without a version bump (add vN+1 and an upcaster)"


def test_generation_is_stable() -> None:
    assert expected_files() == expected_files()


class Before(BaseModel):
    case_id: str
    level: RiskLevel
    departement: Departement
    children: int = 0


class AddsOptional(Before):
    note_code: str | None = None


class AddsRequired(Before):
    reviewer: str


class Removes(BaseModel):
    case_id: str
    level: RiskLevel
    departement: Departement


class Retypes(BaseModel):
    case_id: int
    level: RiskLevel
    departement: Departement
    children: int = 0


class Narrows(BaseModel):
    case_id: str
    level: RiskLevel
    departement: str
    children: int = 0


def problems(after: type[BaseModel]) -> list[str]:
    return compatibility_problems(Before.model_json_schema(), after.model_json_schema())


def test_adding_an_optional_field_is_compatible() -> None:
    assert problems(AddsOptional) == []


def test_adding_a_required_field_removing_or_retyping_one_is_not() -> None:
    assert any("reviewer" in p for p in problems(AddsRequired))
    assert any("children: removed" in p for p in problems(Removes))
    assert any("case_id" in p for p in problems(Retypes))
    assert any("departement" in p for p in problems(Narrows))


def test_adding_an_enum_value_is_compatible_removing_one_is_not() -> None:
    old = {"properties": {"x": {"enum": ["a", "b"], "type": "string"}}}
    assert (
        compatibility_problems(
            old, {"properties": {"x": {"enum": ["a", "b", "c"], "type": "string"}}}
        )
        == []
    )
    assert (
        compatibility_problems(old, {"properties": {"x": {"enum": ["a"], "type": "string"}}}) != []
    )
