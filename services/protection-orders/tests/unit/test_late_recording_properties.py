"""Property (issue 16): recording the same acts in any order and at any delay ends in the same
order as recording each act at once, when it happens.

A story is the dated acts of one application: the application, the hearing date, maybe a
service (in time or not), maybe a ruling, a notification and registrations, maybe an OPPI. Each
act is recorded some delay after it happened, so the recording order is any order. Before each
recording the deadline manager may have run (drawn), firing every deadline then due at its due
instant. An act refused when it is recorded (its previous step is not recorded yet) is recorded
again after the next accepted one, in the order the acts happened, as a clerk would after the
answer. At the end the manager catches up. The stories cross both DST changes and holidays.

Scope: an OPPI ends with the ruling (C. civ. art. 515-13-1), so an OPPI act recorded after the
ruling is refused whatever its date: a rule of its own, not a deadline's. Stories with an OPPI
therefore have a service in time, recorded with the OPPI's acts before the ruling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from relais_events.catalogue.protection_orders import ApplicantKind, Measure, NationalFile
from relais_events.vocabulary import Role
from relais_protection_orders.domain import commands as c
from relais_protection_orders.domain.deadlines import PARIS, DeadlinePolicy
from relais_protection_orders.domain.errors import ProtectionOrderRuleViolated
from relais_protection_orders.domain.protection_order import (
    ProtectionOrder,
    decide,
    fold,
    open_deadlines,
)

CLERK, PROSECUTOR = Role.JUSTICE_CLERK, Role.PROSECUTOR
POLICY = DeadlinePolicy()
STARTS = [
    datetime(2026, 3, 26, 9, tzinfo=PARIS),  # clocks go forward on Sun 29 March
    datetime(2026, 3, 27, 9, tzinfo=PARIS),
    datetime(2026, 10, 23, 9, tzinfo=PARIS),  # clocks go back on Sun 25 October
    datetime(2025, 12, 23, 9, tzinfo=PARIS),  # Christmas
    datetime(2026, 4, 30, 9, tzinfo=PARIS),  # 1 May, 8 May, Ascension
]
HOURS = st.integers(0, 24 * 5).map(lambda h: timedelta(hours=h, minutes=7))


@dataclass(frozen=True)
class Recorded:
    command: c.Act
    recorded_at: datetime


@st.composite
def stories(draw: st.DrawFn) -> tuple[list[Recorded], list[bool]]:
    fixed = draw(st.sampled_from(STARTS)) + timedelta(hours=draw(st.integers(0, 10)))
    acts: list[c.Act] = [
        c.RequestProtectionOrder(
            order_id="op",
            case_id="case",
            actor=CLERK,
            applicant=ApplicantKind.VICTIM,
            at=fixed - timedelta(minutes=30),
        ),
        c.ScheduleHearing(actor=CLERK, at=fixed, hearing_at=fixed + timedelta(days=4)),
    ]
    due = POLICY.service_due_at(fixed)
    served = fixed + draw(HOURS) if draw(st.booleans()) else None
    if served is not None:
        acts.append(c.ServeSummons(actor=CLERK, at=served))
    ruled = (served or fixed) + timedelta(minutes=1) + draw(HOURS) + draw(HOURS)
    decision = draw(st.sampled_from(["none", "issued", "issued", "rejected"]))
    weapons = draw(st.booleans())
    if decision == "rejected":
        acts.append(c.RejectApplication(actor=CLERK, at=ruled))
    elif decision == "issued":
        measures = [Measure.NO_CONTACT, *([Measure.WEAPON_BAN] if weapons else [])]
        months = draw(st.integers(1, 12))
        acts.append(c.IssueOrder(actor=CLERK, at=ruled, measures=measures, duration_months=months))
        if draw(st.booleans()):
            acts.append(c.NotifyOrder(actor=CLERK, at=ruled + draw(HOURS)))
        files = [NationalFile.FPR, *([NationalFile.FINIADA] if weapons else [])]
        for file in draw(st.lists(st.sampled_from(files), unique=True)):
            acts.append(
                c.RegisterInNationalFile(actor=PROSECUTOR, at=ruled + draw(HOURS), file=file)
            )
    oppi: list[c.Act] = []
    if served is not None and served < due and draw(st.booleans()):
        asked = fixed + timedelta(hours=draw(st.integers(0, 60)))
        oppi.append(c.RequestProvisionalOrder(actor=PROSECUTOR, victim_agreement=True, at=asked))
        if draw(st.booleans()):
            at = asked + timedelta(hours=draw(st.integers(1, 40)))
            oppi.append(c.IssueProvisionalOrder(actor=CLERK, at=at, measures=[Measure.NO_CONTACT]))
        if decision != "none":  # both happened before the ruling (else refused even at once)
            oppi = [a for a in oppi if a.at < ruled]
    recorded = [Recorded(a, a.at + draw(HOURS) + draw(HOURS)) for a in [*acts, *oppi]]
    recorded = _ruling_recorded_after_its_oppi(recorded, decision != "none" and bool(oppi))
    return recorded, draw(st.lists(st.booleans(), min_size=len(recorded), max_size=len(recorded)))


def _ruling_recorded_after_its_oppi(acts: list[Recorded], oppi: bool) -> list[Recorded]:
    if not oppi:
        return acts
    rulings = (c.IssueOrder, c.RejectApplication)
    before = [a.recorded_at for a in acts if not isinstance(a.command, rulings)]
    latest = max(before) + timedelta(minutes=1)
    return [
        Recorded(a.command, max(a.recorded_at, latest)) if isinstance(a.command, rulings) else a
        for a in acts
    ]


def manager(state: ProtectionOrder, until: datetime) -> ProtectionOrder:
    """Every deadline due by ``until``, fired at its due instant, earliest first."""
    while due := [d for d in open_deadlines(state) if d.due_at <= until]:
        first = min(due, key=lambda d: d.due_at)
        fire = c.FireDeadline(kind=first.kind, due_at=first.due_at)
        state = fold(decide(state, fire, first.due_at), state)
    return state


def recorded(state: ProtectionOrder, command: c.Act, now: datetime) -> ProtectionOrder | None:
    try:
        return fold(decide(state, command, now), state)
    except ProtectionOrderRuleViolated:
        return None


def at_once(acts: list[Recorded], end: datetime) -> ProtectionOrder:
    state = ProtectionOrder()
    for act in sorted(acts, key=lambda a: a.command.at):
        state = manager(state, act.command.at)
        state = recorded(state, act.command, act.command.at) or state
    return manager(state, end)


def late(acts: list[Recorded], manager_ran: list[bool], end: datetime) -> ProtectionOrder:
    state, waiting = ProtectionOrder(), list[c.Act]()
    for act, ran in zip(sorted(acts, key=lambda a: a.recorded_at), manager_ran, strict=True):
        now = act.recorded_at
        state = manager(state, now) if ran else state
        waiting.append(act.command)
        while accepted := next(
            (
                (command, after)
                for command in sorted(waiting, key=lambda w: w.at)
                if (after := recorded(state, command, now)) is not None
            ),
            None,
        ):
            waiting.remove(accepted[0])
            state = accepted[1]
    return manager(state, end)


@settings(max_examples=400, deadline=None)
@given(stories())
def test_any_order_and_any_delay_end_in_the_order_recorded_at_once(
    story: tuple[list[Recorded], list[bool]],
) -> None:
    acts, manager_ran = story
    end = max(a.recorded_at for a in acts) + timedelta(days=20)
    assert late(acts, manager_ran, end) == at_once(acts, end)
