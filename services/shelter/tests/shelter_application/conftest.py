"""The application on memory adapters, with a clock the tests drive."""

from __future__ import annotations

import pytest

from .harness import Harness


@pytest.fixture
def h() -> Harness:
    return Harness()
