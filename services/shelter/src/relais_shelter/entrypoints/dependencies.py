"""FastAPI dependencies as ``Annotated`` aliases: the services and the acting caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from relais_kit.application import Acting
from relais_kit.http.acting import acting

from relais_shelter.application.services import ShelterServices
from relais_shelter.entrypoints import policy


def shelter_services(request: Request) -> ShelterServices:
    services: ShelterServices = request.app.state.shelter
    return services


Services = Annotated[ShelterServices, Depends(shelter_services)]
SiteRegistrar = Annotated[Acting, Depends(acting(policy.REGISTER_SITE))]
CapacityDeclarer = Annotated[Acting, Depends(acting(policy.DECLARE_CAPACITY))]
Allocator = Annotated[Acting, Depends(acting(policy.ALLOCATE))]
Releaser = Annotated[Acting, Depends(acting(policy.RELEASE))]
AllocationReader = Annotated[Acting, Depends(acting(policy.READ_ALLOCATION))]
Claimer = Annotated[Acting, Depends(acting(policy.CLAIM_NIGHT))]
EnvelopeOpener = Annotated[Acting, Depends(acting(policy.OPEN_ENVELOPE))]
EnvelopeReader = Annotated[Acting, Depends(acting(policy.READ_ENVELOPE))]
AvailabilityReader = Annotated[Acting, Depends(acting(policy.READ_AVAILABILITY))]
