"""Sharing without consent: for a minor (2nd national trafficking plan, axis 3; DOMAIN.md
"Minors") or grave danger, by an authorised role, with a written justification, recorded."""

from __future__ import annotations

import pytest
from relais_events.catalogue.referrals import (
    ConsentOverridden,
    OverrideGround,
    ReferralSent,
)
from relais_events.vocabulary import ConsentPurpose, RiskLevel, Role
from relais_referrals.domain import errors

from .factories import case, consent, override, run, send, step


def test_a_minor_is_referred_without_consent_and_the_override_is_recorded() -> None:
    _, events = step(None, send(facts=case(minor=True), override=override(OverrideGround.MINOR)))
    assert [type(e) for e in events] == [ConsentOverridden, ReferralSent]
    overridden, sent = events
    assert isinstance(overridden, ConsentOverridden)
    assert isinstance(sent, ReferralSent)
    assert overridden.ground is OverrideGround.MINOR
    assert overridden.authorised_by is Role.PROSECUTOR
    assert overridden.partner_id == sent.partner_id
    assert sent.override_id == overridden.override_id
    assert sent.consent_id is None
    # The justification is free text: it is nowhere in the events' data.
    assert "Mineure" not in str([e.model_dump() for e in events])


def test_grave_danger_is_referred_without_consent_by_a_police_officer() -> None:
    facts = case(risk=RiskLevel.GRAVE_DANGER)
    request = override(OverrideGround.GRAVE_DANGER, role=Role.POLICE)
    _, events = step(None, send(facts=facts, override=request))
    assert [e.TYPE for e in events] == ["consent.overridden", "referral.sent"]


@pytest.mark.parametrize("justification", [None, "", "   ", "urgent"])
def test_an_override_without_a_written_justification_is_refused(
    justification: str | None,
) -> None:
    with pytest.raises(errors.OverrideNeedsJustification) as refused:
        step(None, send(facts=case(minor=True), override=override(justification=justification)))
    assert refused.value.status == 422


def test_only_an_authorised_role_overrides() -> None:
    with pytest.raises(errors.OverrideNotAuthorised) as refused:
        step(None, send(facts=case(minor=True), override=override(role=Role.HOTLINE)))
    assert refused.value.status == 403


def test_the_ground_must_be_one_the_case_shows() -> None:
    with pytest.raises(errors.OverrideGroundNotEstablished):
        step(None, send(facts=case(minor=False), override=override(OverrideGround.MINOR)))
    high = case(risk=RiskLevel.HIGH)
    with pytest.raises(errors.OverrideGroundNotEstablished):
        step(None, send(facts=high, override=override(OverrideGround.GRAVE_DANGER)))


def test_with_a_covering_consent_nothing_is_overridden() -> None:
    state = run(consent())
    _, events = step(state, send(facts=case(minor=True), override=override()))
    assert [e.TYPE for e in events] == ["referral.sent"]
    assert isinstance(events[0], ReferralSent)
    assert events[0].consent_id == "consent-1"
    assert events[0].override_id is None


def test_an_override_covers_one_referral_not_the_next() -> None:
    state, _ = step(None, send(facts=case(minor=True), override=override()))
    with pytest.raises(errors.NoCoveringConsent):
        step(state, send("referral-2", facts=case(minor=True), purpose=ConsentPurpose.LEGAL_AID))
