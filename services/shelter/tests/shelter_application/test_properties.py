"""Random sequences of allocate / release / claim keep every invariant (hypothesis).

DOMAIN.md "Shelter and nights": a site never allocates more places on a night than it declared
(adult and child places apart); one person is counted once per night across all sites; accepted
claims never exceed the envelope; every claim points at an allocation for a case, on a night it
held. The application runs on memory adapters with two "processes" (own hints and caches) and
commands sent in concurrent batches, so lost races and compensations happen; the oracle below
checks the committed events only, written apart from the code under test. No reservation may
leak either: what is held is exactly what the committed, unreleased nights need.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from relais_events.catalogue.shelter import ReleaseReason
from relais_shelter.application import claims, releases
from relais_shelter.application.streams import ALLOCATION
from relais_shelter.domain.errors import ShelterRuleViolation
from relais_shelter.domain.keys import claimed_key

from .harness import NIGHT, OPERATOR, Harness

PLACES = {0: (2, 1), 1: (1, 1)}  # site -> (places, of which child places)
ENVELOPE_NIGHTS = 2
PEOPLE = [f"pk-{i}" for i in range(5)]

allocate = st.tuples(
    st.just("allocate"),
    st.sampled_from(sorted(PLACES)),
    st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=2, unique=True),
    st.integers(0, 3),  # first night, days after NIGHT
    st.integers(1, 3),  # nights
    st.booleans(),  # the second person is a child
)
release = st.tuples(st.just("release"), st.integers(0, 9), st.integers(-1, 3))
claim = st.tuples(st.just("claim"), st.integers(0, 9), st.integers(0, 2))  # days into the stay
actions = st.one_of(allocate, allocate, release, claim, claim, claim)
batches = st.lists(st.lists(actions, min_size=1, max_size=5), min_size=1, max_size=6)


async def run(batches: list[list[tuple[Any, ...]]]) -> Harness:
    h = Harness()
    processes = [h.services, h.process()]
    sites = [await h.site(places=p, child_places=c, nights=10) for p, c in PLACES.values()]
    envelope = await h.envelope(nights=ENVELOPE_NIGHTS)
    made: list[str] = []

    async def one(n: int, action: tuple[Any, ...]) -> None:
        services = processes[n % 2]
        match action:
            case ("allocate", site, persons, start, nights, child):
                adults, children = (persons[:1], persons[1:]) if child else (persons, [])
                made.append(
                    await h.allocate(
                        sites[site],
                        tuple(adults),
                        tuple(children),
                        first_night=NIGHT + dt.timedelta(days=start),
                        nights=nights,
                        case_id=f"case-{len(made)}",
                        services=services,
                    )
                )
            case ("release", index, last) if made:
                last_night = NIGHT + dt.timedelta(days=last)
                reason = ReleaseReason.STAY_ENDED
                target = made[index % len(made)]
                await releases.release(services, target, last_night, reason, OPERATOR)
            case ("claim", index, day) if made:
                target = made[index % len(made)]
                loaded = await services.write_path.load(ALLOCATION, target)
                assert loaded.state is not None
                night = loaded.state.first_night + dt.timedelta(days=day)
                await claims.claim_night(services, target, envelope, night, OPERATOR)
            case _:
                pass

    for batch in batches:
        results = await asyncio.gather(
            *(one(n, a) for n, a in enumerate(batch)), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, ShelterRuleViolation):
                raise result
    return h


def check(h: Harness) -> None:
    allocated: dict[str, dict[str, Any]] = {}
    released: dict[str, dt.date] = {}
    accepted: list[dict[str, Any]] = []
    for envelope in h.published:
        data = envelope.data
        if envelope.type == "shelter.allocated":
            allocated[data["allocation_id"]] = data
        elif envelope.type == "shelter.allocation_released":
            released[data["allocation_id"]] = dt.date.fromisoformat(data["last_night"])
        elif envelope.type == "shelter.night_claimed":
            accepted.append(data)

    def nights(allocation_id: str) -> list[dt.date]:
        data = allocated[allocation_id]
        first = dt.date.fromisoformat(data["first_night"])
        held = [first + dt.timedelta(days=i) for i in range(data["nights"])]
        last = released.get(allocation_id)
        return [n for n in held if last is None or n <= last]

    adults: Counter[tuple[str, dt.date]] = Counter()
    children: Counter[tuple[str, dt.date]] = Counter()
    for allocation_id, data in allocated.items():
        for night in nights(allocation_id):
            adults[(data["site_id"], night)] += data["adults"]
            children[(data["site_id"], night)] += data["children"]
    declared = {s: PLACES[i] for i, s in enumerate(registered_sites(h))}
    for (site, _), count in adults.items():
        assert count <= declared[site][0] - declared[site][1], "adult places overbooked"
    for (site, _), count in children.items():
        assert count <= declared[site][1], "child places overbooked"
    people = [k for k in h.reservations.held if k.startswith("person:")]
    assert len(people) == len(set(people))  # trivially: one key per person and night
    assert len(people) == sum(adults.values()) + sum(children.values()), "a reservation leaked"
    places = [k for k in h.reservations.held if k.startswith("place:")]
    assert len(places) == len(people), "a place leaked"
    assert sum(c["persons"] for c in accepted) <= ENVELOPE_NIGHTS, "the envelope was exceeded"
    units = [k for k in h.reservations.held if k.startswith("nuitee:")]
    assert len(units) == sum(c["persons"] for c in accepted), "a unit leaked"
    for c in accepted:
        assert c["allocation_id"] in allocated, "a claim without its allocation"
        assert c["case_id"] == allocated[c["allocation_id"]]["case_id"]
        night = dt.date.fromisoformat(c["night"])
        assert night in nights(c["allocation_id"]), "a claim for a night not held"
        assert claimed_key(c["allocation_id"], night) in h.reservations.held
    assert len({(c["allocation_id"], c["night"]) for c in accepted}) == len(accepted)
    assert not h.operations.running, "an operation was left in flight"


def registered_sites(h: Harness) -> list[str]:
    """The sites in the order they were registered: the order of ``PLACES``."""
    return [e.data["site_id"] for e in h.published if e.type == "shelter.site_registered"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches)
def test_random_allocations_releases_and_claims_keep_every_invariant(
    batches: list[list[tuple[Any, ...]]],
) -> None:
    check(asyncio.run(run(batches)))
