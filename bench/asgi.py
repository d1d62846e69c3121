"""The intake and timeline apps as the bench serves them (``uvicorn --factory bench.asgi:intake``).

The services' own factories, with the bench's Mongo command statistics installed first.
"""

from __future__ import annotations

from fastapi import FastAPI

from bench import mongo_stats


def intake() -> FastAPI:
    mongo_stats.install()
    from relais_intake.entrypoints.api import create_app

    return create_app()


def timeline() -> FastAPI:
    mongo_stats.install()
    from relais_timeline.entrypoints.api import create_app

    return create_app()
