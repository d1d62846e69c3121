"""The pseudonymous person key: normalised identity fields under the service's secret."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_intake.domain.person_key import (
    Identity,
    anonymous_person_key,
    normalise_name,
    person_key,
)

SECRET = b"k" * 32


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("  Hélène   DUPONT ", "helene dupont"),
        ("Zoë\tLefèvre", "zoe lefevre"),
        ("Ÿsé Çağlar", "yse caglar"),
        ("Jean-Marie", "jean-marie"),
        ("STRAßE", "strasse"),
    ],
)
def test_names_are_lowercased_stripped_of_accents_and_collapsed(raw: str, normal: str) -> None:
    assert normalise_name(raw) == normal


def test_same_person_written_differently_has_one_key() -> None:
    a = Identity(last_name="Dupont", first_name="Hélène", birth_date=dt.date(1990, 5, 4))
    b = Identity(last_name=" DUPONT", first_name="helene ", birth_date=dt.date(1990, 5, 4))
    assert person_key(SECRET, a) == person_key(SECRET, b)


def test_key_depends_on_every_field_and_on_the_secret() -> None:
    base = Identity(last_name="Dupont", first_name="Helene", birth_date=dt.date(1990, 5, 4))
    keys = {
        person_key(SECRET, base),
        person_key(SECRET, base.model_copy(update={"birth_date": dt.date(1990, 5, 5)})),
        person_key(SECRET, base.model_copy(update={"birth_date": None})),
        person_key(SECRET, base.model_copy(update={"first_name": "Hélèna"})),
        person_key(b"other-secret", base),
    }
    assert len(keys) == 5


def test_field_boundaries_matter() -> None:
    assert person_key(SECRET, Identity(last_name="ab", first_name="c")) != person_key(
        SECRET, Identity(last_name="a", first_name="bc")
    )


def test_key_never_contains_the_fields() -> None:
    key = person_key(SECRET, Identity(last_name="Dupont", first_name="Helene"))
    assert len(key) == 64
    assert "dupont" not in key


def test_anonymous_keys_are_unique_per_case() -> None:
    assert anonymous_person_key(SECRET, "case-1") != anonymous_person_key(SECRET, "case-2")
