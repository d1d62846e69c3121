"""Handlers and the deadline manager on memory adapters, with a clock the tests drive."""

from __future__ import annotations

import pytest

from .steps import Harness


@pytest.fixture
def harness() -> Harness:
    return Harness()
