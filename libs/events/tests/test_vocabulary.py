"""Shared value types: département codes and identifiers reject what they must."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError
from relais_events.vocabulary import Departement, Identifier, RiskLevel

DEPARTEMENT = TypeAdapter(Departement)
IDENTIFIER = TypeAdapter(Identifier)


@pytest.mark.parametrize("code", ["01", "19", "21", "2A", "2B", "75", "95", "971", "976"])
def test_valid_departements(code: str) -> None:
    assert DEPARTEMENT.validate_python(code) == code


@pytest.mark.parametrize("code", ["00", "20", "96", "970", "977", "2C", "1", "750", "2a", " 75"])
def test_invalid_departements(code: str) -> None:
    with pytest.raises(ValidationError):
        DEPARTEMENT.validate_python(code)


@pytest.mark.parametrize("text", ["Camille Martin", "06 12 34 56 78", "", "x" * 81, "-lead"])
def test_an_identifier_cannot_carry_a_name_or_a_sentence(text: str) -> None:
    with pytest.raises(ValidationError):
        IDENTIFIER.validate_python(text)


def test_risk_levels_are_ordered() -> None:
    assert [level.rank for level in RiskLevel] == [0, 1, 2, 3]
    assert RiskLevel.GRAVE_DANGER.rank > RiskLevel.HIGH.rank
