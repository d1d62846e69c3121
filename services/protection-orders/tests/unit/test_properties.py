"""Properties: no command sequence reaches an illegal state; deadlines count as the law says.

Illegal states checked after every step: two rulings (two active orders) for one application; an
OPPI alive after the ruling or the lapse; an order enforceable before notification or after its
expiry or revocation; a deadline firing twice with effect; a state that replaying differs from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from relais_events.catalogue.protection_orders import (
    ApplicantKind,
    DeviceKind,
    ExtensionGround,
    Measure,
    NationalFile,
    ProtectionOrderIssued,
    ProtectionOrderRejected,
)
from relais_events.vocabulary import Role
from relais_protection_orders.domain import commands as c
from relais_protection_orders.domain.deadlines import (
    PARIS,
)
from relais_protection_orders.domain.errors import ProtectionOrderRuleViolated
from relais_protection_orders.domain.events import ProtectionOrderEvent
from relais_protection_orders.domain.protection_order import (
    ProtectionOrder,
    decide,
    enforceable_at,
    fold,
    open_deadlines,
)
from relais_protection_orders.domain.state import PENDING, Stage

ROLES = st.sampled_from([Role.PROSECUTOR, Role.JUSTICE_CLERK, Role.POLICE])
CLERK, PROSECUTOR = Role.JUSTICE_CLERK, Role.PROSECUTOR
# Always with no_contact, so that bracelets get assigned (other rules are tested one by one).
MEASURES = st.lists(st.sampled_from(Measure), min_size=1, max_size=4, unique=True).map(
    lambda ms: ms if Measure.NO_CONTACT in ms else [Measure.NO_CONTACT, *ms]
)
START = datetime(2024, 6, 10, 9, tzinfo=PARIS)  # crosses 15 June 2024 and both DST changes


def recorder(kind: DeviceKind) -> Role:
    return PROSECUTOR if kind is DeviceKind.SERIOUS_DANGER_PHONE else CLERK


class ProtectionOrderMachine(RuleBasedStateMachine):
    """Commands by their proper recorder, plus anyone trying anything; time jumps in between."""

    def __init__(self) -> None:
        super().__init__()
        self.now = START.astimezone(UTC)
        self.state = ProtectionOrder()
        self.history: list[ProtectionOrderEvent] = []

    def attempt(self, command: c.Command) -> None:
        try:
            events = decide(self.state, command, self.now)
        except ProtectionOrderRuleViolated:
            return
        self.history.extend(events)
        self.state = fold(events, self.state)

    @initialize(scheduled=st.booleans())
    def application_filed(self, scheduled: bool) -> None:
        # Most runs start from a filed application, to spend their steps on what follows.
        self.request(by_prosecutor=False, agreement=False)
        if scheduled:
            self.schedule_hearing()

    # Small steps: long jumps come from firing deadlines (expiry is a year away).
    @rule(hours=st.integers(0, 30))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule(by_prosecutor=st.booleans(), agreement=st.booleans())
    def request(self, by_prosecutor: bool, agreement: bool) -> None:
        applicant = (
            ApplicantKind.PROSECUTOR_WITH_AGREEMENT if by_prosecutor else ApplicantKind.VICTIM
        )
        self.attempt(
            c.RequestProtectionOrder(
                order_id="op",
                case_id="case",
                actor=PROSECUTOR if by_prosecutor else CLERK,
                applicant=applicant,
                victim_agreement=agreement,
                at=self.now,
            )
        )

    @rule()
    def schedule_hearing(self) -> None:
        hearing = self.now + timedelta(days=3)
        self.attempt(c.ScheduleHearing(actor=CLERK, at=self.now, hearing_at=hearing))

    @rule()
    def serve(self) -> None:
        self.attempt(c.ServeSummons(actor=CLERK, at=self.now))

    @rule(measures=MEASURES, months=st.integers(1, 13), grant=st.integers(0, 3))
    def rule_on_application(self, measures: list[Measure], months: int, grant: int) -> None:
        if grant:  # mostly granted, so that issued orders get explored
            command = c.IssueOrder(
                actor=CLERK, at=self.now, measures=measures, duration_months=months
            )
            self.attempt(command)
        else:
            self.attempt(c.RejectApplication(actor=CLERK, at=self.now))

    @rule()
    def notify(self) -> None:
        self.attempt(c.NotifyOrder(actor=CLERK, at=self.now))

    @rule(file=st.sampled_from(NationalFile))
    def register(self, file: NationalFile) -> None:
        self.attempt(c.RegisterInNationalFile(actor=PROSECUTOR, at=self.now, file=file))

    @rule(days=st.integers(30, 400))
    def extend(self, days: int) -> None:
        self.attempt(
            c.ExtendOrder(
                actor=CLERK,
                at=self.now,
                ground=ExtensionGround.DIVORCE,
                proceedings_filed_at=self.now,
                expires_at=self.now + timedelta(days=days),
            )
        )

    @rule(measures=MEASURES)
    def modify(self, measures: list[Measure]) -> None:
        self.attempt(c.ModifyOrder(actor=CLERK, at=self.now, measures=measures))

    @rule()
    def revoke(self) -> None:
        self.attempt(c.RevokeOrder(actor=CLERK, at=self.now))

    @rule(agreement=st.booleans())
    def request_oppi(self, agreement: bool) -> None:
        command = c.RequestProvisionalOrder(
            actor=PROSECUTOR, at=self.now, victim_agreement=agreement
        )
        self.attempt(command)

    @rule(measures=MEASURES, grant=st.booleans())
    def decide_oppi(self, measures: list[Measure], grant: bool) -> None:
        if grant:
            self.attempt(c.IssueProvisionalOrder(actor=CLERK, at=self.now, measures=measures))
        else:
            self.attempt(c.RejectProvisionalOrder(actor=CLERK, at=self.now))

    @rule(kind=st.sampled_from(DeviceKind), km=st.floats(0, 12), n=st.integers(0, 2))
    def assign_device(self, kind: DeviceKind, km: float, n: int) -> None:
        self.attempt(
            c.AssignDevice(
                actor=recorder(kind),
                at=self.now,
                device_id=f"{kind}-{n}",
                device=kind,
                alert_distance_km=km,
                victim_consents=True,
                defendant_consents=True,
            )
        )

    @rule(kind=st.sampled_from(DeviceKind), n=st.integers(0, 2), renew=st.booleans())
    def renew_or_withdraw_device(self, kind: DeviceKind, n: int, renew: bool) -> None:
        device_id, actor = f"{kind}-{n}", recorder(kind)
        if renew:
            self.attempt(c.RenewDevice(actor=actor, at=self.now, device_id=device_id))
        else:
            self.attempt(c.WithdrawDevice(actor=actor, at=self.now, device_id=device_id))

    @rule(hours_ago=st.integers(1, 24 * 5), kind=st.integers(0, 4), data=st.data())
    def record_an_act_done_earlier(self, hours_ago: int, kind: int, data: st.DataObject) -> None:
        # The clerk records days later what happened before (maybe before a deadline fired).
        at = self.now - timedelta(hours=hours_ago)
        acts: list[c.Command] = [
            c.ServeSummons(actor=CLERK, at=at),
            c.IssueOrder(actor=CLERK, at=at, measures=data.draw(MEASURES), duration_months=6),
            c.RejectApplication(actor=CLERK, at=at),
            c.NotifyOrder(actor=CLERK, at=at),
            c.IssueProvisionalOrder(actor=CLERK, at=at, measures=[Measure.NO_CONTACT]),
        ]
        self.attempt(acts[kind])

    @rule(hours_ago=st.integers(0, 24 * 400))
    def report_breach(self, hours_ago: int) -> None:
        occurred = self.now - timedelta(hours=hours_ago)
        command = c.ReportBreach(actor="police", at=self.now, breach_id="b", occurred_at=occurred)
        self.attempt(command)

    @rule(actor=ROLES, data=st.data())
    def anyone_tries_anything(self, actor: Role, data: st.DataObject) -> None:
        # Any role, any step: what is refused must leave no trace (checked by the invariants).
        steps: list[c.Command] = [
            c.ScheduleHearing(actor=actor, at=self.now, hearing_at=self.now),
            c.IssueOrder(
                actor=actor, at=self.now, measures=[Measure.NO_CONTACT], duration_months=6
            ),
            c.RejectApplication(actor=actor, at=self.now),
            c.NotifyOrder(actor=actor, at=self.now),
            c.RevokeOrder(actor=actor, at=self.now),
            c.RequestProvisionalOrder(actor=actor, at=self.now, victim_agreement=True),
            c.RegisterInNationalFile(actor=actor, at=self.now, file=NationalFile.FPR),
        ]
        self.attempt(data.draw(st.sampled_from(steps)))

    @rule(data=st.data())
    def fire_a_deadline_twice(self, data: st.DataObject) -> None:
        deadlines = open_deadlines(self.state)
        if not deadlines:
            return
        deadline = data.draw(st.sampled_from(deadlines))
        command = c.FireDeadline(kind=deadline.kind, due_at=deadline.due_at)
        assert decide(self.state, command, deadline.due_at - timedelta(microseconds=1)) == []
        self.now = max(self.now, deadline.due_at)
        self.attempt(command)
        assert decide(self.state, command, self.now) == [], "a deadline fired twice"

    @invariant()
    def replaying_the_history_gives_the_state(self) -> None:
        assert fold(self.history) == self.state

    @invariant()
    def one_ruling_per_application(self) -> None:
        rulings = [
            e
            for e in self.history
            if isinstance(e, ProtectionOrderIssued | ProtectionOrderRejected)
        ]
        assert len(rulings) <= 1

    @invariant()
    def no_provisional_order_alive_after_ruling_or_lapse(self) -> None:
        # A lapse annulled (a service in time recorded late) gives the OPPI back: the stage
        # says whether the application lapsed, the history whether it was ruled.
        ruled = any(
            isinstance(e, ProtectionOrderIssued | ProtectionOrderRejected) for e in self.history
        )
        provisional = self.state.provisional
        if ruled or self.state.stage not in PENDING:
            assert provisional is None or not provisional.alive

    @invariant()
    def a_lapsed_order_was_not_served_in_time(self) -> None:
        state = self.state
        if state.stage is Stage.LAPSED:
            assert state.served_at is None
            assert state.ruled_at is None

    @invariant()
    def enforceable_only_between_notification_and_end(self) -> None:
        state = self.state
        if enforceable_at(state, self.now):
            assert state.notified_at is not None
            assert state.notified_at <= self.now
            assert state.expires_at is not None
            assert self.now < state.expires_at
            assert state.revoked_at is None or self.now < state.revoked_at
            assert state.stage in (Stage.ISSUED, Stage.REVOKED, Stage.EXPIRED)
        if state.notified_at is not None:
            assert not enforceable_at(state, state.notified_at - timedelta(microseconds=1))
        if state.expires_at is not None:
            assert not enforceable_at(state, state.expires_at)
        if state.revoked_at is not None:
            assert not enforceable_at(state, state.revoked_at)

    @invariant()
    def bracelets_only_on_a_live_order_with_no_contact(self) -> None:
        if any(
            d.active and d.kind is DeviceKind.ANTI_APPROACH_BRACELET for d in self.state.devices
        ):
            assert self.state.stage is Stage.ISSUED
            assert Measure.NO_CONTACT in self.state.measures


TestProtectionOrderMachine = ProtectionOrderMachine.TestCase
TestProtectionOrderMachine.settings = settings(
    max_examples=200, stateful_step_count=60, deadline=None
)
