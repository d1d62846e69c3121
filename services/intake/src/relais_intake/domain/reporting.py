"""Who files on which channel (DOMAIN.md "Who uses it" and "Cases", channels of a report)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from relais_events.vocabulary import Channel, Role

from relais_intake.domain.errors import ChannelNotOpenToRole

CHANNELS_BY_ROLE: Final[Mapping[Role, frozenset[Channel]]] = {
    # plainte, main courante; the 24/7 online platform is answered by police officers.
    Role.POLICE: frozenset({Channel.POLICE, Channel.ONLINE_PLATFORM}),
    # 3919 listeners (FNSF), 114 operators, and the "Ne Frappez pas" perpetrator line.
    Role.HOTLINE: frozenset({Channel.HOTLINE_3919, Channel.SMS_114, Channel.PERPETRATOR_LINE}),
    Role.ASSOCIATION: frozenset({Channel.ASSOCIATION, Channel.PERPETRATOR_LINE}),
    # Pharmacies and ephemeral info points in shopping centres file alerts, read nothing back.
    Role.REPORTING_POINT: frozenset({Channel.PHARMACY, Channel.INFO_POINT}),
    # An application reaching the court first (the clerk records it; the prosecutor may apply).
    Role.JUSTICE_CLERK: frozenset({Channel.COURT}),
    Role.PROSECUTOR: frozenset({Channel.COURT}),
}


def check_channel(role: Role, channel: Channel) -> None:
    """Raise ``ChannelNotOpenToRole`` unless ``role`` files reports on ``channel``."""
    if channel not in CHANNELS_BY_ROLE.get(role, frozenset()):
        raise ChannelNotOpenToRole(f"{role} cannot file on {channel}")
