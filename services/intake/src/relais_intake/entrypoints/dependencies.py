"""FastAPI dependencies as ``Annotated`` aliases: the services and the acting caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from relais_kit.application import Acting
from relais_kit.http.acting import acting

from relais_intake.application.services import IntakeServices
from relais_intake.entrypoints.policy import (
    ASSESS_RISK,
    CLOSE_CASE,
    ERASE_CASE,
    FILE_REPORT,
    LINK_CASE,
    READ_CASE,
)


def intake_services(request: Request) -> IntakeServices:
    services: IntakeServices = request.app.state.intake
    return services


Services = Annotated[IntakeServices, Depends(intake_services)]
Filer = Annotated[Acting, Depends(acting(FILE_REPORT))]
Assessor = Annotated[Acting, Depends(acting(ASSESS_RISK))]
Closer = Annotated[Acting, Depends(acting(CLOSE_CASE))]
Linker = Annotated[Acting, Depends(acting(LINK_CASE))]
Reader = Annotated[Acting, Depends(acting(READ_CASE))]
Eraser = Annotated[Acting, Depends(acting(ERASE_CASE))]
