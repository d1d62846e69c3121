"""libsodium answers as OpenSSL does on our signatures, and the cache of verified signatures
only ever saves work: a changed hash, signature or key misses it, and so does a tag made with
another auditor's secret."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from relais_events.keyregistry import new_key_pair
from relais_events.seal_checks import check_signature
from relais_timeline.adapters.signatures import TAG_BYTES, SignatureCache, SodiumSignatures

FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DIGEST = "ab" * 32


def test_libsodium_agrees_with_openssl() -> None:
    private, entry = new_key_pair("k-1", valid_from=FROM)
    good = base64.b64encode(private.sign(DIGEST.encode())).decode()
    raw = base64.b64decode(good)
    flipped = base64.b64encode(bytes([raw[0] ^ 1]) + raw[1:]).decode()
    _, other = new_key_pair("k-2", valid_from=FROM)
    cases = [
        (entry, DIGEST, good),
        (entry, "cd" * 32, good),
        (entry, DIGEST, flipped),
        (other, DIGEST, good),
        (entry, DIGEST, "not base64!"),
        (entry, DIGEST, ""),
    ]
    check = SodiumSignatures(b"s" * 32)
    assert [check(*c) for c in cases] == [check_signature(*c) for c in cases]
    assert [check(*c) for c in cases] == [True, False, False, False, False, False]


def test_a_verified_signature_is_known_next_time_and_nothing_else_is(tmp_path: Path) -> None:
    private, entry = new_key_pair("k-1", valid_from=FROM)
    good = base64.b64encode(private.sign(DIGEST.encode())).decode()
    cache = SignatureCache(tmp_path / "cache")
    first = SodiumSignatures(cache.secret(), cache.known())
    assert first(entry, DIGEST, good)
    assert not first(entry, "cd" * 32, good)
    cache.add(first.verified)
    again = SodiumSignatures(cache.secret(), cache.known())
    assert again(entry, DIGEST, good)
    assert again.hits == 1
    assert not again(entry, "cd" * 32, good)  # a failure is never remembered
    stranger = SodiumSignatures(b"x" * 32, cache.known())  # another secret: no tag matches
    assert stranger(entry, DIGEST, good)
    assert stranger.hits == 0
    assert oct((tmp_path / "cache" / "secret").stat().st_mode & 0o777) == "0o600"


def test_a_torn_tail_of_the_cache_file_is_ignored(tmp_path: Path) -> None:
    cache = SignatureCache(tmp_path)
    cache.add([b"a" * TAG_BYTES, b"b" * TAG_BYTES])
    with (tmp_path / "verified.bin").open("ab") as file:
        file.write(b"c" * (TAG_BYTES - 3))  # a crash in the middle of a write
    assert cache.known() == {b"a" * TAG_BYTES, b"b" * TAG_BYTES}
    cache.add([b"d" * TAG_BYTES])  # written where the torn tag began, not after it
    assert cache.known() == {b"a" * TAG_BYTES, b"b" * TAG_BYTES, b"d" * TAG_BYTES}
