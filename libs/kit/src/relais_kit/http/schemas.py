"""Base class of every request body: unknown fields are refused, not silently dropped."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Request schemas inherit this: a misspelt field is a 422 naming it (DESIGN.md section 3)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
