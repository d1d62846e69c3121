"""System-test fixtures: a read ledger shared by the helpers of each module."""

from __future__ import annotations

from collections import Counter

import pytest


@pytest.fixture(scope="module")
def reads() -> Counter[str]:
    """Successful timeline reads of the module, per reader ``sub`` (each must be access-logged)."""
    return Counter()
