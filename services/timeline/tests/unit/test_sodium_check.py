"""The worker's record gate checks signatures with libsodium: it agrees with OpenSSL's check."""

from __future__ import annotations

import base64
import datetime as dt

from relais_events.keyregistry import new_key_pair
from relais_events.seal_checks import check_signature
from relais_timeline.adapters.signatures import sodium_check


def test_libsodium_accepts_what_the_key_signed_and_nothing_else() -> None:
    private, entry = new_key_pair("k", valid_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    _, other = new_key_pair("k", valid_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    digest = "ab" * 32
    sig = base64.b64encode(private.sign(digest.encode("ascii"))).decode()
    for check in (sodium_check, check_signature):
        assert check(entry, digest, sig)
        assert not check(entry, "cd" * 32, sig)
        assert not check(other, digest, sig)
    assert not sodium_check(entry, digest, "not base64!")
