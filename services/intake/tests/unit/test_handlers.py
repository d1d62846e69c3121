"""Handlers with memory adapters: commits, sealed pii, signatures, retries, the access log."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events.catalogue.intake import CaseLinkKind, ClosureReason, LoweringReason, ReportKind
from relais_events.envelope import Envelope
from relais_events.integrity import verify_log
from relais_events.pii import open_pii
from relais_events.vocabulary import CaseKind, Channel, RiskLevel, Role
from relais_intake.application.cases import handle_assess_risk, handle_close_case, handle_link_case
from relais_intake.application.reports import (
    AssessmentForm,
    ReportOutcome,
    ReportSubmission,
    handle_file_report,
)
from relais_intake.domain import errors
from relais_intake.domain.person_key import Identity
from relais_kit.application import Acting, AggregateBusy, NotVisible
from relais_kit.store import ConcurrencyConflict, NewCommit, StoredCommit
from relais_kit.store.delegating import DelegatingEventStore

from .conftest import World

MAX_ATTEMPTS = 5  # the write path's default
HOTLINE = Acting(
    sub="listener-7", role=Role.HOTLINE, org="fnsf", jurisdictions=frozenset({"93", "75"})
)
HOTLINE_93 = Acting(
    sub="listener-7", role=Role.HOTLINE, org="fnsf", jurisdictions=frozenset({"93"})
)
PROSECUTOR = Acting(
    sub="proc-1", role=Role.PROSECUTOR, org="parquet-bobigny", jurisdictions=frozenset({"93"})
)
# The kit picks the prosecutor role for the action; the token also grants the reviewer role.
REVIEWING_PROSECUTOR = Acting(
    sub="proc.martin@justice.fr",
    role=Role.PROSECUTOR,
    org="parquet-bobigny",
    jurisdictions=frozenset({"93"}),
    roles=frozenset({Role.PROSECUTOR, Role.RISK_REVIEWER}),
)
VICTIM = Identity(last_name="Dupont", first_name="Hélène", birth_date=dt.date(1990, 5, 4))


def submission(**changes: object) -> ReportSubmission:
    fields: dict[str, object] = {
        "channel": Channel.HOTLINE_3919,
        "report_kind": ReportKind.CALL,
        "case_kind": CaseKind.CONJUGAL_VIOLENCE,
        "departement": "93",
        "minor_victim": False,
        "identity": VICTIM,
        "narrative": "Il m'a menacée hier soir.",
    }
    return ReportSubmission(**(fields | changes))  # type: ignore[arg-type]


async def file(world: World, **changes: object) -> ReportOutcome:
    return await handle_file_report(submission(**changes), services=world.services, acting=HOTLINE)


async def test_report_opens_a_case_in_one_signed_commit_with_sealed_pii(world: World) -> None:
    outcome = await file(world)
    [commit] = await world.commits()
    assert (commit.aggregate_id, commit.version) == (outcome.case_id, 1)
    envelopes = [Envelope.model_validate(e) for e in commit.events]
    assert [e.type for e in envelopes] == ["case.opened", "report.filed"]
    assert verify_log(envelopes, world.registry) == []
    assert envelopes[1].dependson == (envelopes[0].id,)
    assert "Dupont" not in envelopes[1].model_dump_json()
    opened = await open_pii(envelopes[1], world.keystore)
    assert opened.data is not None
    assert opened.data["identity"]["last_name"] == "Dupont"
    assert outcome.report_event_id == envelopes[1].id


async def test_second_report_attaches_and_suggestions_stay_in_the_departement(
    world: World,
) -> None:
    first = await file(world)
    second = await file(world, existing_case_id=first.case_id, channel=Channel.SMS_114)
    assert not second.opened
    assert second.case_id == first.case_id
    assert [e.type for e in second.written.envelopes] == ["report.filed"]
    other = await file(world)  # same person, new case, same département: suggested
    assert other.suggested_links == (first.case_id,)
    elsewhere = await file(world, departement="75")
    assert elsewhere.suggested_links == ()


async def test_closed_case_is_no_longer_suggested(world: World) -> None:
    first = await file(world)
    await handle_close_case(
        first.case_id,
        ClosureReason.VICTIM_SAFE,
        services=world.services,
        acting=HOTLINE,
    )
    assert (await file(world)).suggested_links == ()


async def test_lowering_records_the_written_reason_sealed(world: World) -> None:
    case = await file(world, assessment=AssessmentForm(RiskLevel.HIGH, "dash"))
    written = await handle_assess_risk(
        case.case_id,
        AssessmentForm(RiskLevel.MEDIUM, "dash"),
        lowering_reason=LoweringReason.PERPETRATOR_DETAINED,
        written_reason="Placé en détention provisoire le 3 mars.",
        services=world.services,
        acting=REVIEWING_PROSECUTOR,
    )
    assessed, lowered = written.envelopes
    assert (assessed.type, lowered.type) == ("risk.assessed", "risk.lowered")
    # The review is made, and named, in the reviewer role; the assessor by pseudonym only.
    assert {e.actor.role for e in written.envelopes} == {Role.RISK_REVIEWER}
    assert lowered.data["reviewer_role"] == "risk_reviewer"
    assert assessed.data["assessor_ref"] == REVIEWING_PROSECUTOR.subject_ref
    assert assessed.data["assessor_ref"].startswith("sha256-")
    assert "martin" not in str(assessed.data)
    assert assessed.pii is None
    opened = await open_pii(lowered, world.keystore)
    assert opened.data == {"written_reason": "Placé en détention provisoire le 3 mars."}
    assert written.state is not None
    assert written.state.risk_level is RiskLevel.MEDIUM


async def test_the_filer_of_a_questionnaire_is_its_assessor_and_may_not_lower_it(
    world: World,
) -> None:
    listener = Acting(
        sub="listener-7",
        role=Role.HOTLINE,
        org="fnsf",
        jurisdictions=frozenset({"93"}),
        roles=frozenset({Role.HOTLINE, Role.RISK_REVIEWER}),
    )
    case = await file(world, assessment=AssessmentForm(RiskLevel.HIGH, "dash"))
    assert case.written.envelopes[-1].data["assessor_ref"] == "listener-7"
    with pytest.raises(errors.ReviewerAssessedTheCase):
        await handle_assess_risk(
            case.case_id,
            AssessmentForm(RiskLevel.MEDIUM, "dash"),
            lowering_reason=LoweringReason.REVIEW_OF_ASSESSMENT,
            written_reason="Revu.",
            services=world.services,
            acting=listener,
        )
    with pytest.raises(errors.LoweringNeedsReviewer):
        await handle_assess_risk(
            case.case_id,
            AssessmentForm(RiskLevel.MEDIUM, "dash"),
            lowering_reason=LoweringReason.REVIEW_OF_ASSESSMENT,
            written_reason="Revu.",
            services=world.services,
            acting=PROSECUTOR,
        )


async def test_link_confirmed_by_a_user(world: World) -> None:
    first, second = await file(world), await file(world)
    written = await handle_link_case(
        second.case_id,
        first.case_id,
        CaseLinkKind.SAME_VICTIM,
        confirmed=True,
        services=world.services,
        acting=HOTLINE,
    )
    assert written.state is not None
    assert written.state.links == ((first.case_id, CaseLinkKind.SAME_VICTIM),)
    elsewhere = await file(world, departement="75")
    with pytest.raises(errors.LinkAcrossDepartements):
        await handle_link_case(
            first.case_id,
            elsewhere.case_id,
            CaseLinkKind.SAME_VICTIM,
            confirmed=True,
            services=world.services,
            acting=HOTLINE,
        )


async def test_a_case_of_another_departement_is_linked_to_as_a_missing_one(
    world: World,
) -> None:
    """Issue 13: "across départements" would tell a 93 caller that the 75 case exists."""
    mine, theirs = await file(world), await file(world, departement="75")
    for other in (theirs.case_id, "case-never-filed"):
        with pytest.raises(errors.LinkedCaseNotFound):
            await handle_link_case(
                mine.case_id,
                other,
                CaseLinkKind.SAME_VICTIM,
                confirmed=True,
                services=world.services,
                acting=HOTLINE_93,
            )


async def test_jurisdiction_is_checked_before_any_rule(world: World) -> None:
    case = await file(world, departement="75")
    with pytest.raises(NotVisible):  # answered as a missing case
        await handle_close_case(
            case.case_id,
            ClosureReason.DUPLICATE,
            services=world.services,
            acting=HOTLINE_93,
        )
    assert len(await world.commits()) == 1


class RacingStore(DelegatingEventStore):
    """Loses the first ``losses`` appends to a concurrent writer, as a duplicate key would."""

    def __init__(self, world: World, losses: int) -> None:
        super().__init__(world.store)
        self.losses, self.attempts = losses, 0

    async def append(self, commit: NewCommit) -> StoredCommit:
        self.attempts += 1
        if self.attempts <= self.losses:
            raise ConcurrencyConflict(commit.aggregate_id, commit.version)
        return await super().append(commit)


@pytest.mark.parametrize(("losses", "succeeds"), [(MAX_ATTEMPTS - 1, True), (MAX_ATTEMPTS, False)])
async def test_conflicts_are_retried_a_bounded_number_of_times(
    world: World, losses: int, succeeds: bool
) -> None:
    case = await file(world)
    racing = RacingStore(world, losses)
    close = handle_close_case(
        case.case_id, ClosureReason.DUPLICATE, services=world.over(racing), acting=HOTLINE
    )
    if succeeds:
        await close
    else:
        with pytest.raises(AggregateBusy):
            await close
    assert len(await world.commits()) == (2 if succeeds else 1)
