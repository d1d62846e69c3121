"""The log as an outside auditor receives it (``relais-audit export``): no personal data, and
nothing that links an erased person's cases.

Per event, from the record's JSON:
- dropped: ``pii`` (the sealed personal data: only ``"pii_sealed": true`` says there was some),
  ``sig`` (useless without the content it signs), ``traceparent`` (a key into the tracing
  back-end), and, at any depth of ``data``, the fields the timeline already keeps from
  committees (``summary.PERSONAL_FIELDS``): ``person_key``, which finds the same person across
  cases (pseudonymous data is still personal data, GDPR recital 26), and ``site_id``, a shelter's
  location;
- pseudonymised: ``subject`` and ``aggregateid`` (the case id, or an order's, report's, access
  entry's id, each a key under which a service keeps the case), and at any depth of ``data``
  every value under a key ending in ``_id``, ``_ids`` or ``_ref`` (case ids, linked cases, the
  reader's ``subject_ref`` in the access log). A pseudonym is ``p-`` and 32 hex of
  HMAC-SHA256(export key, id), with a random key per export that is not kept (unless the
  operator asks for it, to answer a legal request). Why keyed and per export: within one export
  the same case keeps the same pseudonym, so the auditor can follow a case, its orders and its
  readers; across exports, and against any service's database or an earlier export, the
  pseudonyms match nothing, so no export becomes a handle on a person, and one erased from the
  services cannot be found again through an auditor's copy. A plain hash of the id would not do:
  anyone holding a case id could hash it and find the case in every export;
- kept: the event id, type, source, times, versions, actor (role, organisation, département:
  never a person), causal links (event ids) and ``hash``/``prevhash``, so the auditor can cite an
  event exactly and the operator can check a claim against the original log. They point into the
  log, which only the operator holds, and identify an event, never a person.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, Final

from relais_events.envelope import Envelope

from relais_timeline.domain.summary import PERSONAL_FIELDS

DROPPED: Final = frozenset({"pii", "sig", "traceparent"})
PSEUDONYMISED: Final = frozenset({"subject", "aggregateid"})
_ID_SUFFIXES: Final = ("_id", "_ids", "_ref")
# Only the envelope's own members: nothing else a record may carry is copied out.
ENVELOPE_MEMBERS: Final = frozenset(Envelope.model_fields)


def pseudonym(key: bytes, identifier: str) -> str:
    return "p-" + hmac.new(key, identifier.encode(), hashlib.sha256).hexdigest()[:32]


def exported_event(document: Mapping[str, Any], key: bytes) -> dict[str, Any]:
    """The auditor's copy of one record's envelope (see the module docstring)."""
    kept: dict[str, Any] = {}
    for name, value in document.items():
        if name in DROPPED or name not in ENVELOPE_MEMBERS:
            continue
        if name in PSEUDONYMISED:
            kept[name] = _pseudonymised(value, key)
        elif name == "data":
            kept[name] = _data(value, key)
        else:
            kept[name] = value
    kept["pii_sealed"] = document.get("pii") is not None
    return kept


def _data(value: Any, key: bytes) -> Any:
    if isinstance(value, Mapping):
        return {
            k: _pseudonymised(v, key) if k.endswith(_ID_SUFFIXES) else _data(v, key)
            for k, v in value.items()
            if k not in PERSONAL_FIELDS
        }
    if isinstance(value, list):
        return [_data(v, key) for v in value]
    return value


def _pseudonymised(value: Any, key: bytes) -> Any:
    if isinstance(value, str):
        return pseudonym(key, value)
    if isinstance(value, list):
        return [_pseudonymised(v, key) for v in value]
    return None if value is None else pseudonym(key, str(value))
