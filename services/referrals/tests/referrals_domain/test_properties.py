"""No sequence of commands reaches a transition the state machine forbids (hypothesis).

Random sequences of every command (consents given and withdrawn, referrals sent with or without
an override, answered by the right or a wrong organisation, withdrawn, escalated) at random
instants go through ``decide`` and ``evolve``. An oracle written apart from the domain replays
each emitted event and checks it against DOMAIN.md's table:
``sent -> accepted | declined; accepted -> completed; sent / accepted -> withdrawn``, an
escalation only of a ``sent`` referral and at most once, a referral sent only under a consent
active at that instant or with its override in the same commit; a refused command raises a
rule violation and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from relais_events.catalogue import Event
from relais_events.catalogue.referrals import (
    ConsentGiven,
    ConsentOverridden,
    ConsentWithdrawn,
    OverrideGround,
    ReferralEscalated,
    ReferralOutcomeReason,
    ReferralSent,
)
from relais_events.vocabulary import PartnerKind, Role
from relais_referrals.domain.commands import (
    AcceptReferral,
    CaseCommand,
    CompleteReferral,
    DeclineReferral,
    EscalateReferral,
    WithdrawConsent,
    WithdrawReferral,
)
from relais_referrals.domain.consent import PARIS, expiry_instant
from relais_referrals.domain.errors import ReferralRuleViolation
from relais_referrals.domain.override import OverrideRequest
from relais_referrals.domain.partner import Partner
from relais_referrals.domain.state import CaseReferrals

from .factories import CIDFF, REFERRER, SHELTER, T0, case, consent, send, step

# The oracle's table, typed out again on purpose (not imported from the domain).
MOVES = {
    "referral.accepted": ({"sent"}, "accepted"),
    "referral.declined": ({"sent"}, "declined"),
    "referral.completed": ({"accepted"}, "completed"),
    "referral.withdrawn": ({"sent", "accepted"}, "withdrawn"),
}
REASONS = st.sampled_from(list(ReferralOutcomeReason))
PARTNERS = (CIDFF, SHELTER)
PICK = st.integers(0, 12)
ANSWERS = st.sampled_from(["accept", "decline", "complete", "withdraw", "escalate"])
RIGHTFUL = st.integers(0, 3)  # 0: a party that may not act


@dataclass
class Oracle:
    status: dict[str, str] = field(default_factory=dict)
    escalated: set[str] = field(default_factory=set)
    consents: dict[str, tuple[dt.datetime, bool]] = field(default_factory=dict)  # expiry, withdrawn

    def check(self, events: list[Event], now: dt.datetime) -> None:
        overridden = {e.override_id for e in events if isinstance(e, ConsentOverridden)}
        for event in events:
            match event:
                case ConsentGiven():
                    self.consents[event.consent_id] = (expiry_instant(event.valid_until), False)
                case ConsentWithdrawn():
                    self.consents[event.consent_id] = (self.consents[event.consent_id][0], True)
                case ReferralSent():
                    assert event.referral_id not in self.status, "sent twice"
                    if event.consent_id is not None:
                        expiry, withdrawn = self.consents[event.consent_id]
                        assert not withdrawn, "sent under a withdrawn consent"
                        assert now < expiry, "sent under an expired consent"
                    else:
                        assert event.override_id in overridden, "sent without consent"
                    self.status[event.referral_id] = "sent"
                case ReferralEscalated():
                    assert self.status.get(event.referral_id) == "sent", "escalated, not sent"
                    assert event.referral_id not in self.escalated, "escalated twice"
                    assert now >= event.answer_was_due_by, "escalated early"
                    self.escalated.add(event.referral_id)
                case _ if event.TYPE in MOVES:
                    referral_id = str(getattr(event, "referral_id", ""))
                    allowed_from, to = MOVES[event.TYPE]
                    before = self.status.get(referral_id)
                    assert before in allowed_from, f"{event.TYPE} from {before}"
                    self.status[referral_id] = to


def _text(reason: ReferralOutcomeReason, talk: bool) -> str | None:
    return "autre motif écrit" if talk else None


class Commands(RuleBasedStateMachine):
    """Any command at any time; the domain decides, the oracle checks what it emitted."""

    def __init__(self) -> None:
        super().__init__()
        self.state: CaseReferrals | None = None
        self.oracle = Oracle()
        self.now = T0
        self.sent: list[tuple[str, Partner]] = []
        self.consents = 0

    def run(self, command: CaseCommand) -> None:
        try:
            self.state, events = step(self.state, command, self.now)
        except ReferralRuleViolation:
            return  # refused: nothing emitted, the state unchanged
        self.oracle.check(events, self.now)

    def referral(self, pick: int) -> tuple[str, Partner]:
        """One of the referrals sent (by position, modulo), or one never sent (pick 0)."""
        if not self.sent or pick == 0:
            return "referral-never-sent", CIDFF
        return self.sent[pick % len(self.sent)]

    @rule(hours=st.integers(0, 60))
    def time_passes(self, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)

    @rule(
        kinds=st.sets(
            st.sampled_from([PartnerKind.CIDFF, PartnerKind.SHELTER_OPERATOR]), min_size=1
        ),
        days=st.integers(-1, 10),
    )
    def give_consent(self, kinds: set[PartnerKind], days: int) -> None:
        self.consents += 1
        until = self.now.astimezone(PARIS).date() + dt.timedelta(days=days)
        self.run(consent(f"consent-{self.consents}", kinds=kinds, valid_until=until))

    @rule(pick=st.integers(0, 4))
    def withdraw_consent(self, pick: int) -> None:
        self.run(WithdrawConsent(f"consent-{pick}"))

    @rule(partner=st.sampled_from(PARTNERS), minor=st.booleans(), override=st.booleans())
    def send_referral(self, partner: Partner, minor: bool, override: bool) -> None:
        referral_id = f"referral-{len(self.sent)}"
        request = (
            OverrideRequest(f"override-{referral_id}", OverrideGround.MINOR, "x" * 20, Role.POLICE)
            if override
            else None
        )
        before = self.state
        self.run(send(referral_id, partner=partner, facts=case(minor=minor), override=request))
        if self.state is not before:
            self.sent.append((referral_id, partner))

    @rule(pick=PICK, answer=ANSWERS, rightful=RIGHTFUL, reason=REASONS, talk=st.booleans())
    def answer(
        self, pick: int, answer: str, rightful: int, reason: ReferralOutcomeReason, talk: bool
    ) -> None:
        referral_id, partner = self.referral(pick)
        partner_org = partner.org if rightful else "someone-else"
        referrer = REFERRER if rightful else partner.org
        text = _text(reason, talk)
        commands: dict[str, CaseCommand] = {
            "accept": AcceptReferral(referral_id, partner_org),
            "decline": DeclineReferral(referral_id, partner_org, reason, text),
            "complete": CompleteReferral(referral_id, partner_org),
            "withdraw": WithdrawReferral(referral_id, referrer, reason, text),
            "escalate": EscalateReferral(referral_id),
        }
        self.run(commands[answer])

    # Answers weigh more than the other rules: the deep states are where the transitions are.
    @rule(pick=PICK, answer=ANSWERS, rightful=RIGHTFUL, reason=REASONS, talk=st.booleans())
    def answer_again(
        self, pick: int, answer: str, rightful: int, reason: ReferralOutcomeReason, talk: bool
    ) -> None:
        self.answer(pick, answer, rightful, reason, talk)

    @invariant()
    def the_fold_agrees_with_the_oracle(self) -> None:
        if self.state is None:
            return
        assert {r.referral_id: r.status.value for r in self.state.referrals} == self.oracle.status
        assert {r.referral_id for r in self.state.referrals if r.escalated} == self.oracle.escalated


Commands.TestCase.settings = settings(max_examples=300, stateful_step_count=40, deadline=None)
test_no_sequence_of_commands_reaches_a_forbidden_transition = Commands.TestCase
