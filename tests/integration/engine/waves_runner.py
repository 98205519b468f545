"""A provider-batch run in a subprocess, for the kill -9 tests:
``python waves_runner.py run|resume TRACE N PROVIDER``.

``run`` submits N indicators in provider-batch mode (strategy llm) under TRACE and waits (with
``INDICLASS_TEST_KILL_AT`` set it SIGKILLs itself at that point); ``resume`` starts the engine
(DBOS recovers this executor's pending workflows), resumes, waits. Prints the closed batch's
counts as JSON.
"""

from __future__ import annotations

import json
import sys

from engine_helpers import indicators

from indiclass.bootstrap import open_engine
from indiclass.settings import Settings


def main(mode: str, trace_id: str, n: int, provider: str) -> None:
    with open_engine(Settings(), poll_interval_s=0.02, stage_retry_interval_s=0.01) as engine:
        if mode == "run":
            config = engine.resolve(provider, None, "llm", mode="provider-batch")
            engine.submit(indicators("k", n), trace_id=trace_id, config=config)
        else:
            engine.resume()
        stats = engine.wait(trace_id, timeout=120)
    print(json.dumps({"ok": stats.successful_indicators, "failed": stats.failed_indicators}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
