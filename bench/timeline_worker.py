"""The timeline worker as the bench runs it: ``python -m bench.timeline_worker``.

The service's own worker (``python -m relais_timeline.entrypoints.worker``), with the bench's
Mongo command statistics installed first.
"""

from __future__ import annotations

import runpy

from bench import mongo_stats

if __name__ == "__main__":
    mongo_stats.install()
    runpy.run_module("relais_timeline.entrypoints.worker", run_name="__main__", alter_sys=True)
