"""Errors the application layer raises and the HTTP edge turns into problem details.

No framework import here on purpose: handlers may raise these without depending on FastAPI.
"""

from __future__ import annotations

from typing import ClassVar


class DomainRuleViolation(Exception):  # noqa: N818  (named after what happened, not "Error")
    """A command breaks a business rule: answered 422 with the rule's name in `rule`.

    422 by default because the request is well-formed but the rule forbids it whatever the
    current state. A subclass whose violation depends on state another request may have just
    changed (e.g. "order already ruled") sets `status = 409`, telling the client to reload first.
    """

    status: ClassVar[int] = 422

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(f"{rule}: {detail}")
        self.rule = rule
        self.detail = detail
