"""Free places of a shelter operator on a night, from the shelter service's events (DOMAIN.md
"Shelter and nights": a site never allocates more places on a night than it declared)."""

from __future__ import annotations

import datetime as dt

from relais_referrals.domain.capacity import Declaration, Stay, free_places

D = dt.date(2026, 3, 10)
T = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def declared(site: str, first: dt.date, last: dt.date, places: int, minute: int) -> Declaration:
    return Declaration(site, first, last, places, T + dt.timedelta(minutes=minute), f"e{minute}")


def test_declared_minus_persons_staying_per_site_never_below_zero() -> None:
    declarations = [
        declared("s1", D, D + dt.timedelta(days=9), 10, 1),
        declared("s2", D, D, 2, 2),
    ]
    stays = [
        Stay("a1", "s1", D - dt.timedelta(days=1), 3, persons=3),  # nights 9, 10, 11
        Stay("a2", "s2", D, 1, persons=4),  # over its declaration: s2 counts zero, not -2
    ]
    assert free_places(["s1", "s2"], declarations, stays, D) == 7
    assert free_places(["s1", "s2"], declarations, stays, D + dt.timedelta(days=2)) == 10
    assert free_places(["s1"], declarations, stays, D + dt.timedelta(days=10)) == 0  # undeclared


def test_a_later_declaration_of_a_night_replaces_the_earlier() -> None:
    declarations = [declared("s1", D, D, 10, 5), declared("s1", D, D, 4, 1)]
    assert free_places(["s1"], declarations, [], D) == 10
    declarations.append(declared("s1", D, D, 6, 9))
    assert free_places(["s1"], declarations, [], D) == 6


def test_a_release_frees_the_nights_after_the_last_one_stayed() -> None:
    stay = Stay("a1", "s1", D, 5, persons=2, released_after=D + dt.timedelta(days=1))
    declarations = [declared("s1", D, D + dt.timedelta(days=9), 3, 1)]
    assert free_places(["s1"], declarations, [stay], D + dt.timedelta(days=1)) == 1
    assert free_places(["s1"], declarations, [stay], D + dt.timedelta(days=2)) == 3
