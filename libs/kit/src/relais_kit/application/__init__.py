"""The application layer every service runs its commands and reads through (DESIGN.md section 3).

A service gives it its aggregate (``evolve``, the state type) and, per command, its ``decide``
and what of each event is personal data; the layer does the rest, once for every service:

    load (snapshot + tail, or the in-process cache) -> fold with ``evolve`` -> check that the
    caller acts for the aggregate's département -> ``decide(state, now)`` -> seal the personal
    data with the case's data key -> build and sign the envelopes, chained to the stream ->
    append ONE commit -> hand it to the outbox relay -> write the snapshot behind.

A version another writer took first is a ``ConcurrencyConflict``: the stream is reloaded and the
command decided again, a bounded number of times, then ``AggregateBusy`` (409: nothing written).

What the envelope's links mean, in DESIGN.md section 4's words, the same in every service:
- ``correlationid``: the conversation an event belongs to. A command from a person starts one:
  it is the id of the first event of its commit. A process manager reacting to an event carries
  that event's ``correlationid`` on, so one search finds everything a report set in motion.
- ``causationid``: the event that caused this commit, when an event did (a process manager's
  reaction names the event it reacted to). A person's command is caused by a request, not by
  an event: None. Events of one commit are decided together; none causes another.
- ``dependson``: the causal order the timeline sorts by. Each event depends on the one before it
  in its aggregate's stream; the first event of a commit may also depend on events of other
  aggregates the command was decided on (what a reader saw, the report an order answers).
- ``traceparent``: taken here, once, from the current OpenTelemetry span, for every envelope
  and commit of the command.
"""

from relais_kit.application.acting import Acting, NotVisible, OutsideJurisdiction, pseudonym
from relais_kit.application.aggregate import Aggregate, Loaded
from relais_kit.application.clock import Clock, ManualClock, SystemClock
from relais_kit.application.write_path import AggregateBusy, Committed, WritePath
from relais_kit.store.ports import EventStore

__all__ = [
    "Acting",
    "Aggregate",
    "AggregateBusy",
    "Clock",
    "Committed",
    "EventStore",
    "Loaded",
    "ManualClock",
    "NotVisible",
    "OutsideJurisdiction",
    "SystemClock",
    "WritePath",
    "pseudonym",
]
