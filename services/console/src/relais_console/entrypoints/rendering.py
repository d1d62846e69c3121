"""Pages from the Jinja2 templates (autoescaped), with what every page needs: the user, the
CSRF token for its forms, the French labels and the date format."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from relais_console.domain import entries, labels
from relais_console.domain.boards import SITUATIONS
from relais_console.domain.civil_time import shown
from relais_console.domain.problems import Explanation
from relais_console.domain.questionnaire import ANSWERS, QUESTIONS
from relais_console.entrypoints.pages import navigation
from relais_console.entrypoints.security import CSRF_FIELD, csrf_token
from relais_console.entrypoints.session import User

TEMPLATES: Final = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
TEMPLATES.env.globals.update(
    labels=labels,
    label=labels.label,
    situations=SITUATIONS,
    questions=QUESTIONS,
    answers=ANSWERS,
    csrf_field=CSRF_FIELD,
    entry_title=entries.title,
    entry_by=entries.recorded_by,
    entry_details=entries.details,
)
TEMPLATES.env.filters["when"] = shown

Values = dict[str, Any]


def render(
    request: Request,
    template: str,
    *,
    user: User | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    context.setdefault("values", {})
    context.setdefault("explanation", None)
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"user": user, "nav": navigation(user), "csrf_token": csrf_token(request), **context},
        status_code=status,
    )


def refused_form(
    request: Request,
    template: str,
    *,
    user: User,
    values: Values,
    explanation: Explanation,
    status: int,
    **context: Any,
) -> Response:
    """The form again, as it was typed, with each message next to the field it names."""
    return render(
        request,
        template,
        user=user,
        status=status,
        values=values,
        explanation=explanation,
        **context,
    )
