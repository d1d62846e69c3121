"""Who may call what (role x action), and the glue the routes share.

The policy refuses a role outright (403: a reporting point, a police officer); the domain's
``view_for`` then decides, per case, what a permitted role sees (404 outside the département,
so that a case's existence does not leak).
"""

from __future__ import annotations

from typing import Annotated, Final, cast

from fastapi import Depends, Path, Request
from relais_events.vocabulary import DEPARTEMENT_PATTERN
from relais_kit.application import Acting
from relais_kit.auth import Policy, Role
from relais_kit.http.acting import acting
from relais_kit.http.problems import ProblemError

from relais_timeline.application.errors import (
    CaseNotVisible,
    EventNotYetApplied,
    MeetingNotFound,
    NotThisCommittee,
)
from relais_timeline.bootstrap import Serving

COMMITTEE: Final = Role.COMMITTEE_MEMBER
POLICY = Policy(
    {
        "timeline.read": {COMMITTEE, Role.AUDITOR},  # DESIGN.md 1: committees and auditors
        "committee_case.list": {COMMITTEE},
        "committee_meeting.hold": {COMMITTEE},
        "committee_meeting.read": {COMMITTEE},
    }
)

TimelineReader = Annotated[Acting, Depends(acting("timeline.read"))]
CaseLister = Annotated[Acting, Depends(acting("committee_case.list"))]
MeetingHolder = Annotated[Acting, Depends(acting("committee_meeting.hold"))]
MeetingReader = Annotated[Acting, Depends(acting("committee_meeting.read"))]
DepartementCode = Annotated[str, Path(pattern=DEPARTEMENT_PATTERN)]


def serving(request: Request) -> Serving:
    return cast(Serving, request.app.state.serving)


ServingDep = Annotated[Serving, Depends(serving)]


def problem(error: Exception) -> ProblemError:
    """The problem a use-case error is answered with (never its text: ids only)."""
    if isinstance(error, CaseNotVisible):
        return ProblemError(404, "Case not found", "No such case for you.", slug="case-not-found")
    if isinstance(error, MeetingNotFound):
        return ProblemError(404, "Meeting not found", None, slug="meeting-not-found")
    if isinstance(error, NotThisCommittee):
        return ProblemError(
            403,
            "Outside your jurisdiction",
            "Only this département's committee members may do this.",
            slug="forbidden-jurisdiction",
        )
    if isinstance(error, EventNotYetApplied):
        return ProblemError(
            409,
            "Event not applied yet",
            "The timeline does not hold that event yet; retry shortly.",
            slug="event-not-applied",
            headers={"Retry-After": str(error.retry_after_s)},
            event_id=error.event_id,
        )
    raise error
