"""Every test session shares one set of real servers (see relais_infra.testing).

Development signing keys and secrets go to a folder of the session's own, never into the
checkout's ``.relais/keys``: set before any test module builds its settings.
"""

import os
import tempfile
from pathlib import Path

_KEYS = Path(tempfile.mkdtemp(prefix="relais-test-keys-"))
os.environ.setdefault("RELAIS_KEYS_DIR", str(_KEYS))
os.environ.setdefault("RELAIS_KEY_REGISTRY", str(_KEYS / "registry.json"))

pytest_plugins = ("relais_infra.testing",)
