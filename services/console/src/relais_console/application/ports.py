"""The services as the console calls them: each over HTTP, with the user's own bearer token.

Every read names its purpose (``X-Relais-Purpose``): the service writes it into its access log
before it answers, so every page that shows case data is logged by the service that owns the
data, and the console adds nothing the log would miss. A refusal is ``Refused`` with the
service's problem details; a service that cannot be reached is ``Unavailable``.
"""

from __future__ import annotations

from typing import Any, Protocol

from relais_console.domain.problems import Problem
from relais_console.domain.views import (
    Acknowledgement,
    CasePage,
    DashboardRow,
    Filed,
    Meeting,
    Order,
    Timeline,
)

Body = dict[str, Any]


class Refused(Exception):  # noqa: N818  (named after what happened)
    """The service answered with a problem (4xx/5xx): nothing shown, maybe nothing written."""

    def __init__(self, service: str, problem: Problem) -> None:
        super().__init__(f"{service}: {problem.status} {problem.title}")
        self.service = service
        self.problem = problem


class Unavailable(Exception):  # noqa: N818
    """The service did not answer (refused connection, timeout, not a problem document)."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service
        self.reason = reason


class Intake(Protocol):
    async def file_report(self, token: str, body: Body, key: str) -> Filed | Acknowledgement: ...
    async def assess_risk(self, token: str, case_id: str, body: Body, key: str) -> str:
        """The assessment's last event id (``min_event`` for the timeline)."""


class ProtectionOrders(Protocol):
    async def dashboard(
        self, token: str, purpose: str, departement: str | None = None
    ) -> list[DashboardRow]: ...
    async def order(self, token: str, purpose: str, order_id: str) -> Order: ...
    async def apply(self, token: str, body: Body, key: str) -> Order: ...
    async def record(self, token: str, order_id: str, act: str, body: Body, key: str) -> Order:
        """One judicial act on an order: ``hearing``, ``service``, ``ruling``,
        ``notification`` or ``registrations`` (the route's last path segment)."""


class Timelines(Protocol):
    async def committee_cases(self, token: str, purpose: str, departement: str) -> CasePage: ...
    async def timeline(
        self,
        token: str,
        purpose: str,
        case_id: str,
        *,
        as_of: str | None = None,
        min_event: str | None = None,
    ) -> Timeline: ...
    async def hold_meeting(self, token: str, departement: str, key: str) -> Meeting: ...
    async def case_at_meeting(
        self, token: str, purpose: str, departement: str, meeting_id: str, case_id: str
    ) -> Timeline: ...
