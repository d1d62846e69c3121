"""The ids of the reservation documents that decide the shelter's races (DESIGN.md "Store
rules": concurrency is decided by inserts under unique ids, never by a conditional update).

- ``place_key``: one place of a site on a night (``adult`` or ``child`` pool, slot 0..n-1): a
  site never allocates more places on a night than it declared, because there are only that
  many slots.
- ``person_key``: a person on a night, whatever the site: counted once per night.
- ``claimed_key``: an allocation's night claimed (or given back by a release): claimed once.
- ``unit_key``: one nuitée of a funding envelope (0..N-1): claims never exceed the envelope.

The night comes right after the kind, so ``night_of`` reads it back from any of them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class Pool(StrEnum):
    ADULT = "adult"
    CHILD = "child"


def place_key(site_id: str, night: dt.date, pool: Pool, slot: int) -> str:
    return f"place:{night.isoformat()}:{site_id}:{pool}:{slot}"


def person_key(person: str, night: dt.date) -> str:
    return f"person:{night.isoformat()}:{person}"


def claimed_key(allocation_id: str, night: dt.date) -> str:
    return f"claimed:{night.isoformat()}:{allocation_id}"


def unit_key(envelope_id: str, unit: int) -> str:
    return f"nuitee:-:{envelope_id}:{unit}"


def night_of(key: str) -> dt.date | None:
    """The night a place, person or claimed key is about (None for an envelope's unit)."""
    kind, night, _ = key.split(":", 2)
    return None if kind == "nuitee" else dt.date.fromisoformat(night)


def is_person(key: str) -> bool:
    return key.startswith("person:")


def place_of(key: str) -> tuple[str, dt.date, Pool, int] | None:
    """(site, night, pool, slot) of a place key; None for any other key."""
    if not key.startswith("place:"):
        return None
    head, pool, slot = key.rsplit(":", 2)
    _, night, site = head.split(":", 2)
    return site, dt.date.fromisoformat(night), Pool(pool), int(slot)
