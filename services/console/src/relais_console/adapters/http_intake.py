"""Intake (port 8101): ``POST /v1/reports`` and ``POST /v1/cases/{id}/risk-assessments``."""

from __future__ import annotations

from relais_console.adapters.http_service import ServiceApi
from relais_console.application.ports import Body
from relais_console.domain.views import Acknowledgement, Filed


class HttpIntake:
    def __init__(self, api: ServiceApi) -> None:
        self.api = api

    async def file_report(self, token: str, body: Body, key: str) -> Filed | Acknowledgement:
        answer = await self.api.command("/v1/reports", token, body, key)
        # A reporting point gets only a reference and an event id (intake's ReportAck).
        if isinstance(answer, dict) and "reference" in answer:
            return Acknowledgement.model_validate(answer)
        return Filed.model_validate(answer)

    async def assess_risk(self, token: str, case_id: str, body: Body, key: str) -> str:
        answer = await self.api.command(f"/v1/cases/{case_id}/risk-assessments", token, body, key)
        return str(answer["min_event"])
