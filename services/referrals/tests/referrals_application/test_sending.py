"""Sending and answering through the kit's write path (memory adapters): consent at that moment,
free text sealed in ``pii``, causal order after intake, outcomes back in the referrer's outbox."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events.catalogue.referrals import OverrideGround, ReferralOutcomeReason
from relais_events.catalogue.timeline import AccessPurpose
from relais_events.pii import open_pii
from relais_events.vocabulary import ConsentPurpose
from relais_referrals.application.consents import give_consent, read_consents, withdraw_consent
from relais_referrals.application.reads import partner_inbox, referrer_outbox
from relais_referrals.application.referrals import (
    OverrideClaim,
    Sending,
    answer_referral,
    send_referral,
)
from relais_referrals.domain import errors
from relais_referrals.domain.commands import AcceptReferral, DeclineReferral
from relais_referrals.domain.referral import OPEN, ReferralStatus

from .harness import (
    CIDFF_WORKER,
    OFFICER,
    SCOPE,
    STRANGER,
    Harness,
    opened,
)

CASE = "case-1"
CATEGORIES = tuple(sorted(SCOPE.data_categories))
WHY = AccessPurpose.REFERRAL


async def ready(h: Harness, *, minor: bool = False) -> str:
    first = opened(CASE, minor=minor)
    await h.handlers.on_event(first)
    return await h.partner()


async def test_a_referral_depends_on_the_last_intake_event_and_is_scheduled(h: Harness) -> None:
    partner = await ready(h)
    await give_consent(CASE, SCOPE, services=h.services, acting=OFFICER)
    sending = Sending(partner, ConsentPurpose.SUPPORT, CATEGORIES)
    referral_id, written = await send_referral(CASE, sending, services=h.services, acting=OFFICER)
    facts = await h.cases.get(CASE)
    assert facts is not None
    sent = written.envelopes[0]
    assert sent.type == "referral.sent"
    assert facts.last_event_id in sent.dependson
    assert sent.subject == CASE
    assert sent.jurisdiction == "93"
    [entry] = h.schedule.entries()
    assert (entry.referral_id, entry.due_at) == (
        referral_id,
        h.clock.now() + dt.timedelta(hours=48),
    )


async def test_nothing_is_sent_for_a_case_intake_has_not_told_us_of(h: Harness) -> None:
    partner = await h.partner()
    sending = Sending(partner, ConsentPurpose.SUPPORT, CATEGORIES)
    with pytest.raises(errors.CaseNotKnown):
        await send_referral(CASE, sending, services=h.services, acting=OFFICER)


async def test_the_justification_is_sealed_in_pii_never_in_data(h: Harness) -> None:
    partner = await ready(h, minor=True)
    words = "Mineure en danger, hébergement urgent nécessaire ce soir."
    sending = Sending(
        partner, ConsentPurpose.SUPPORT, CATEGORIES, OverrideClaim(OverrideGround.MINOR, words)
    )
    _, written = await send_referral(CASE, sending, services=h.services, acting=OFFICER)
    overridden, sent = written.envelopes
    assert overridden.type == "consent.overridden"
    assert words not in overridden.model_dump_json()
    assert (await open_pii(overridden, h.keys)).data == {"justification": words}
    assert sent.pii is None


async def test_a_decline_reaches_the_outbox_with_its_text_sealed(h: Harness) -> None:
    partner = await ready(h)
    await give_consent(CASE, SCOPE, services=h.services, acting=OFFICER)
    sending = Sending(partner, ConsentPurpose.SUPPORT, CATEGORIES)
    referral_id, _ = await send_referral(CASE, sending, services=h.services, acting=OFFICER)
    await h.deliver_published()
    inbox = await partner_inbox(
        partner, OPEN, services=h.services, reader=CIDFF_WORKER, purpose=WHY
    )
    assert [v.referral.referral_id for v in inbox] == [referral_id]
    decline = DeclineReferral(
        referral_id, CIDFF_WORKER.org_ref, ReferralOutcomeReason.OTHER, "hors de nos missions"
    )
    written = await answer_referral(CASE, decline, services=h.services, acting=CIDFF_WORKER)
    assert "hors de nos missions" not in written.envelopes[0].model_dump_json()
    assert (await open_pii(written.envelopes[0], h.keys)).data == {"text": "hors de nos missions"}
    # Not yet projected, the inbox already hides it: reads show the stream, not the index.
    assert (
        await partner_inbox(partner, OPEN, services=h.services, reader=CIDFF_WORKER, purpose=WHY)
        == []
    )
    await h.deliver_published()
    [out] = await referrer_outbox(services=h.services, reader=OFFICER, purpose=WHY)
    assert out.referral.status is ReferralStatus.DECLINED
    assert out.referral.reason is ReferralOutcomeReason.OTHER


async def test_a_partner_of_another_departement_sees_and_answers_nothing(h: Harness) -> None:
    partner = await ready(h)
    await give_consent(CASE, SCOPE, services=h.services, acting=OFFICER)
    sending = Sending(partner, ConsentPurpose.SUPPORT, CATEGORIES)
    referral_id, _ = await send_referral(CASE, sending, services=h.services, acting=OFFICER)
    await h.deliver_published()
    with pytest.raises(errors.PartnerNotFound):  # another organisation's inbox does not exist
        await partner_inbox(partner, OPEN, services=h.services, reader=STRANGER, purpose=WHY)
    accept = AcceptReferral(referral_id, STRANGER.org_ref)
    with pytest.raises(errors.CaseNotKnown):  # not in their départements: it does not exist
        await answer_referral(CASE, accept, services=h.services, acting=STRANGER)
    with pytest.raises(errors.CaseNotFound):
        await read_consents(CASE, services=h.services, reader=STRANGER, purpose=WHY)


async def test_withdrawn_consent_refuses_the_next_referral_at_once(h: Harness) -> None:
    partner = await ready(h)
    consent_id, _ = await give_consent(CASE, SCOPE, services=h.services, acting=OFFICER)
    sending = Sending(partner, ConsentPurpose.SUPPORT, CATEGORIES)
    await send_referral(CASE, sending, services=h.services, acting=OFFICER)
    await withdraw_consent(CASE, consent_id, services=h.services, acting=OFFICER)
    await h.deliver_published()
    view = await read_consents(CASE, services=h.services, reader=OFFICER, purpose=WHY)
    assert view.active == ()
    [out] = await referrer_outbox(services=h.services, reader=OFFICER, purpose=WHY)
    assert out.referral.consent_withdrawn
    second = await h.partner(org="cidff-93-bis")  # a CIDFF too: the consent covered its kind
    other = Sending(second, ConsentPurpose.SUPPORT, CATEGORIES)
    with pytest.raises(errors.NoCoveringConsent):
        await send_referral(CASE, other, services=h.services, acting=OFFICER)
