"""The write path shared by every command (DESIGN.md section 3): load, decide, append, retry.

A duplicate commit id means another writer appended the same version first: the stream is
reloaded and the command decided again on the new state, at most ``MAX_ATTEMPTS`` times; then the
caller gets ``CaseBusy`` (a 409: nothing was written, try again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from relais_events.envelope import Envelope
from relais_events.vocabulary import Actor, Role
from relais_kit.store import ConcurrencyConflict

from relais_intake.application.ports import Clock
from relais_intake.application.streams import CaseStreams, LoadedCase, Pending
from relais_intake.domain.case import CaseState, evolve

MAX_ATTEMPTS: Final = 5

Authorize = Callable[[str], None]
"""Raises unless the caller acts for this département (the entrypoint's jurisdiction check)."""


class CaseBusy(Exception):  # noqa: N818  (named after what happened)
    """The case changed under every attempt; nothing was written. Reload and retry."""

    rule = "CaseBusy"


@dataclass(frozen=True)
class Acting:
    """Who runs a command or a read: the token's subject, the role acting, the organisation."""

    sub: str
    role: Role
    org: str

    def actor(self, departement: str) -> Actor:
        return Actor(role=self.role, org=self.org, jurisdiction=departement)


@dataclass(frozen=True)
class Written:
    """What a command appended: the case's new state and the new events (their ids answer)."""

    state: CaseState
    envelopes: tuple[Envelope, ...]

    @property
    def event_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.envelopes)


Decision = Callable[[LoadedCase, dt.datetime], Sequence[Pending]]


async def decide_and_append(
    streams: CaseStreams,
    case_id: str,
    decision: Decision,
    *,
    acting: Acting,
    clock: Clock,
    authorize: Authorize,
) -> Written:
    """Run ``decision`` on the case's current stream and append its events as one commit."""
    for _ in range(MAX_ATTEMPTS):
        loaded = await streams.load_case(case_id)
        if loaded.state is not None:
            # Before deciding, so a caller from elsewhere learns nothing of the case's state.
            authorize(loaded.state.departement)
        now = clock()
        pending = decision(loaded, now)
        state = loaded.state
        for item in pending:
            state = evolve(state, item.event)
        assert state is not None, "a decision on a case yields or keeps a case"
        try:
            envelopes = await streams.append(
                loaded,
                pending,
                case_id=case_id,
                actor=acting.actor(state.departement),
                jurisdiction=state.departement,
                now=now,
            )
        except ConcurrencyConflict:
            continue
        return Written(state, tuple(envelopes))
    raise CaseBusy(case_id)
