"""What routes share: the console's clients, and path parameters in the services' alphabets."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Path, Request
from relais_events.vocabulary import DEPARTEMENT_PATTERN, IDENTIFIER_PATTERN

from relais_console.bootstrap import Console


def console(request: Request) -> Console:
    return cast(Console, request.app.state.console)


ConsoleDep = Annotated[Console, Depends(console)]
# Ids go into the services' paths: the safe alphabet only (no '/', no leading '.').
DepartementPath = Annotated[str, Path(pattern=DEPARTEMENT_PATTERN)]
IdPath = Annotated[str, Path(pattern=IDENTIFIER_PATTERN)]
