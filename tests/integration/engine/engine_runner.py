"""A batch in a subprocess, for the kill -9 tests: ``python engine_runner.py run|resume TRACE N``.

``run`` submits N indicators (provider from LLM_PROVIDER, strategy llm) under TRACE and waits;
``resume`` starts the engine (DBOS recovers this executor's pending workflows), resumes, waits.
Prints the closed batch's counts as JSON.
"""

from __future__ import annotations

import json
import sys

from engine_helpers import indicators

from indiclass.bootstrap import open_engine
from indiclass.settings import Settings


def main(mode: str, trace_id: str, n: int) -> None:
    with open_engine(Settings(), poll_interval_s=0.02) as engine:
        if mode == "run":
            engine.submit(indicators("k", n), trace_id=trace_id, strategy="llm")
        else:
            engine.resume()
        stats = engine.wait(trace_id, timeout=120)
    print(json.dumps({"ok": stats.successful_indicators, "failed": stats.failed_indicators}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
