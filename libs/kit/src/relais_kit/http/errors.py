"""Errors the application layer raises and the HTTP edge turns into problem details.

No framework import here on purpose: handlers may raise these without depending on FastAPI.
"""

from __future__ import annotations

from relais_events.rules import RuleViolation


class DomainRuleViolation(RuleViolation):
    """A rule the application layer names itself (``rule``), answered like a domain's rules.

    422 by default because the request is well-formed but the rule forbids it whatever the
    current state. A subclass whose violation depends on state another request may have just
    changed (e.g. "order already ruled") sets `status = 409`, telling the client to reload first.
    """

    def __init__(self, rule: str, detail: str) -> None:
        Exception.__init__(self, f"{rule}: {detail}")
        self.rule = rule
        self.detail = detail
