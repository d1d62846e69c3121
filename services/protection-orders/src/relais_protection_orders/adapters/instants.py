"""How instants are stored: the kit's fixed-width UTC text (``relais_kit.instants``), exact to
the microsecond and sortable, as in the kit's deadline schedule.

BSON dates keep milliseconds only, and a deadline's ``due_at`` (24 hours after a request's
timestamp) may carry microseconds: it must come back equal, or the dashboard would not show the
deadline the manager watches. Text of one width also sorts like the instants it encodes.
"""

from __future__ import annotations

from relais_kit.instants import from_text, to_text

LAST = "~"  # sorts after every instant: "no deadline" goes last

__all__ = ["LAST", "from_text", "to_text"]
