"""Baseline (b) of the end-to-end bench: a bare FastAPI POST that validates a report-sized body.

    uvicorn bench.bare_app:app --app-dir <repo>

No auth, no store, no Kafka: what uvicorn + FastAPI + pydantic cost alone for the same body as
``POST /v1/reports``, so the intake's p99 can be read as a ratio against it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import FastAPI, status
from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Victim(Strict):
    last_name: str = Field(min_length=1, max_length=200)
    first_name: str = Field(min_length=1, max_length=200)
    birth_date: dt.date | None = None


class Answer(Strict):
    question_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$")
    answer: str


class Questionnaire(Strict):
    questionnaire: str
    level: str
    answers: list[Answer] = Field(default_factory=list, max_length=200)
    raised_by_judgement: bool = False


class Report(Strict):
    channel: str
    report_kind: str
    case_kind: str
    trafficking_forms: list[str] = Field(default_factory=list, max_length=4)
    departement: str = Field(pattern=r"^(0[1-9]|1[0-9]|2[1-9]|2A|2B|[3-8][0-9]|9[0-5]|97[1-6])$")
    minor_victim: bool
    children_present: int = Field(default=0, ge=0, le=20)
    victim: Victim | None = None
    narrative: str | None = Field(default=None, max_length=20_000)
    contact_phone: str | None = Field(default=None, pattern=r"^\+?[0-9 .-]{4,20}$")
    assessment: Questionnaire | None = None


class Accepted(BaseModel):
    case_id: str
    event_ids: list[str]
    min_event: str


app = FastAPI()


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ready"}


@app.post("/v1/reports", status_code=status.HTTP_201_CREATED)
async def file_report(body: Report) -> Accepted:
    event = secrets.token_hex(8)
    return Accepted(case_id=f"case-{event}", event_ids=[event], min_event=event)
