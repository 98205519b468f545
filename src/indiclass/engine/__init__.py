"""The durable batch engine on DBOS Transact: one workflow per chunk of a batch.

from indiclass.bootstrap import open_engine
with open_engine() as engine:
    trace_id = engine.submit(indicators, provider="rules")
    stats = engine.wait(trace_id)
"""

from indiclass.engine.engine import Engine, EngineOptions
from indiclass.engine.events import EventBus, ProgressEvent, Subscriber
from indiclass.engine.ids import chunk_workflow_id
from indiclass.engine.runtime import ProviderFactory
from indiclass.engine.system import APP_VERSION
from indiclass.engine.workflows import SHARED_QUEUE, shared_queue

__all__ = [
    "APP_VERSION",
    "SHARED_QUEUE",
    "Engine",
    "EngineOptions",
    "EventBus",
    "ProgressEvent",
    "ProviderFactory",
    "Subscriber",
    "chunk_workflow_id",
    "shared_queue",
]
