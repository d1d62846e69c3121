"""FastAPI dependencies as ``Annotated`` aliases: the services and the acting caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from relais_kit.application import Acting
from relais_kit.http.acting import acting

from relais_referrals.application.services import ReferralServices
from relais_referrals.entrypoints import policy


def referral_services(request: Request) -> ReferralServices:
    services: ReferralServices = request.app.state.referrals
    return services


Services = Annotated[ReferralServices, Depends(referral_services)]
Registrar = Annotated[Acting, Depends(acting(policy.REGISTER_PARTNER))]
DirectoryReader = Annotated[Acting, Depends(acting(policy.READ_PARTNERS))]
ConsentRecorder = Annotated[Acting, Depends(acting(policy.RECORD_CONSENT))]
ConsentReader = Annotated[Acting, Depends(acting(policy.READ_CONSENT))]
Sender = Annotated[Acting, Depends(acting(policy.SEND_REFERRAL))]
Answerer = Annotated[Acting, Depends(acting(policy.ANSWER_REFERRAL))]
Withdrawer = Annotated[Acting, Depends(acting(policy.WITHDRAW_REFERRAL))]
ReferralReader = Annotated[Acting, Depends(acting(policy.READ_REFERRALS))]
InboxReader = Annotated[Acting, Depends(acting(policy.READ_INBOX))]
OutboxReader = Annotated[Acting, Depends(acting(policy.READ_OUTBOX))]
