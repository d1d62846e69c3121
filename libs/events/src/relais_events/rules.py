"""The one base of every domain rule a command may break, in every service.

Here, in the standard-library-only events package, because a domain imports nothing but the
standard library, pydantic and ``relais_events`` (DESIGN.md section 2): each service's domain
subclasses ``RuleViolation`` once per rule, and the kit's HTTP edge answers every subclass as the
same problem body (``rule`` = the class name, ``detail`` = its docstring and the particulars).

``status`` says 404 for what does not exist (for the caller), 403 for who may not, 409 when the
answer depends on a state another request may just have changed (reload, then retry), 422 when
the request cannot succeed whatever the state. ``retry_after_s`` marks a rule that time alone
resolves (a case another service has not told this one about yet): the answer carries it as
``Retry-After``.
"""

from __future__ import annotations

from typing import ClassVar


class RuleViolation(Exception):  # noqa: N818  (named after the rule, not "Error")
    """A command breaks a rule of the domain."""

    status: ClassVar[int] = 422
    retry_after_s: ClassVar[int | None] = None

    def __init__(self, detail: str = "") -> None:
        doc = " ".join((type(self).__doc__ or "").split())
        super().__init__(f"{type(self).__name__}: {doc}" + (f" ({detail})" if detail else ""))
        self.rule = type(self).__name__
        self.detail = doc + (f" ({detail})" if detail else "")
