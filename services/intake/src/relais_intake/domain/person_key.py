"""The pseudonymous person key: how one victim's cases are found again, without a name search.

HMAC-SHA256 over the NORMALISED identity fields under a secret only the intake service holds, so
the key cannot be recomputed from a guessed name by anyone else (a plain hash could be: names and
birth dates are a small space). The fields themselves never leave the sealed ``pii``. Finding a
person needs this key within the caller's own département (DOMAIN.md "No name search across
départements"): link suggestions are looked up by ``(departement, person_key)`` only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import unicodedata

from pydantic import BaseModel, ConfigDict, Field

# Tags keep the two kinds of key apart: an identity can never collide with an anonymous case.
_IDENTITY_TAG = b"relais:person:v1\x00"
_ANONYMOUS_TAG = b"relais:anonymous:v1\x00"


class Identity(BaseModel):
    """What identifies a victim for linking. Personal data: it is sealed, never in ``data``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    last_name: str = Field(min_length=1, max_length=200)
    first_name: str = Field(min_length=1, max_length=200)
    birth_date: dt.date | None = None


def normalise_name(name: str) -> str:
    """Lowercase, accents stripped, whitespace collapsed: "  Hélène  DUPONT " -> "helene dupont".

    NFKD splits "é" into "e" and a combining accent, which is then dropped; ``casefold`` also
    maps "ß" to "ss". Hyphens and apostrophes are kept: "Jean-Marie" is not "Jean Marie".
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


def person_key(secret: bytes, identity: Identity) -> str:
    """The hex HMAC-SHA256 of the normalised fields (birth date in ISO 8601, or empty)."""
    fields = (
        normalise_name(identity.last_name),
        normalise_name(identity.first_name),
        identity.birth_date.isoformat() if identity.birth_date else "",
    )
    # A separator that normalised text never holds, so ("ab", "c") and ("a", "bc") differ.
    message = _IDENTITY_TAG + "\x1f".join(fields).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def anonymous_person_key(secret: bytes, case_id: str) -> str:
    """The key of a case whose victim gave no identity (an SMS, a pharmacy alert): unique to the
    case, so it never suggests a link."""
    return hmac.new(secret, _ANONYMOUS_TAG + case_id.encode(), hashlib.sha256).hexdigest()
