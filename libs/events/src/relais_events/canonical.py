"""Canonical JSON: the one byte form of an envelope that hashes and signatures are computed over.

The choice: keys sorted by code point, no insignificant whitespace (``,`` and ``:`` separators),
UTF-8 without ``\\u`` escapes for non-ASCII, ``null`` kept for unset members, and numbers as orjson
writes them (integers as is; floats in their shortest round-trip form, so ``2.5`` stays ``2.5``).
This is RFC 8785 (JCS) for every document without floats; prefer integers (cents, metres) in
events. Non-finite floats are refused: JSON has no NaN, and orjson would write it as ``null``.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import orjson


def canonical_json(document: Any) -> bytes:
    if _has_non_finite(document):
        raise ValueError("canonical JSON holds no NaN or infinity")
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)


def sha256_hex(document: Any) -> str:
    return hashlib.sha256(canonical_json(document)).hexdigest()


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_non_finite(v) for v in value)
    return False
