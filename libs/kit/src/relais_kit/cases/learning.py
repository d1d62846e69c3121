"""One intake record applied to a service's copy of the case (``facts.learn`` around I/O).

A worker calls ``learn_case`` for every record of ``relais.intake.v1``, one record at a time per
partition: the case's one writer (DESIGN.md store rule 2). It is idempotent on its own (a
redelivered event of the case's stream carries a version already learnt), so the consumer needs
no processed-event claim per record (``relais_kit.consuming.HandlersAreTheClaim``).
"""

from __future__ import annotations

from relais_events import topics
from relais_events.envelope import Envelope, payload

from relais_kit.cases.facts import CaseFacts, learn
from relais_kit.cases.ports import CaseDirectory


async def learn_case(cases: CaseDirectory, envelope: Envelope) -> CaseFacts | None:
    """The case's facts once ``envelope`` is learnt (None: nothing known of it yet). A record of
    another topic changes nothing; the directory is written only when the facts changed."""
    event = payload(envelope)
    if event.TOPIC != topics.INTAKE:
        return None
    case_id = envelope.subject
    known = await cases.get(case_id)
    learnt = learn(
        known,
        event,
        case_id=case_id,
        event_id=envelope.id,
        version=envelope.aggregateversion,
        from_case_stream=envelope.aggregateid == case_id,
    )
    if learnt is not None and learnt != known:
        await cases.put(learnt)
    return learnt
