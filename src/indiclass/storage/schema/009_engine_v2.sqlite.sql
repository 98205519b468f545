-- m009_engine_v2 (released; never edit: add a new step)
ALTER TABLE batch_items ADD COLUMN chunk INTEGER;

CREATE INDEX IF NOT EXISTS idx_batch_items_trace_id_chunk ON batch_items (trace_id, chunk);

ALTER TABLE pipeline_stats ADD COLUMN status TEXT;

ALTER TABLE pipeline_stats ADD COLUMN reason TEXT;

ALTER TABLE pipeline_stats ADD COLUMN run_id TEXT;

ALTER TABLE pipeline_stats ADD COLUMN run_config TEXT;

ALTER TABLE pipeline_stats ADD COLUMN body_hash TEXT;

ALTER TABLE pipeline_stats ADD COLUMN dispatch TEXT;

ALTER TABLE pipeline_stats ADD COLUMN chunks INTEGER;

ALTER TABLE pipeline_stats ADD COLUMN pending_indicators INTEGER;

ALTER TABLE pipeline_stats ADD COLUMN cancelled_indicators INTEGER;

ALTER TABLE pipeline_stats ADD COLUMN fallback_indicators INTEGER;

ALTER TABLE pipeline_stats ADD COLUMN sum_confidence REAL;

ALTER TABLE pipeline_stats ADD COLUMN sum_duration_ms REAL;

ALTER TABLE pipeline_stats ADD COLUMN unknown_cost_calls INTEGER;

CREATE INDEX IF NOT EXISTS idx_pipeline_stats_run_id ON pipeline_stats (run_id);

UPDATE pipeline_stats SET
  pending_indicators = total_indicators - COALESCE(successful_indicators, 0) - COALESCE(failed_indicators, 0),
  cancelled_indicators = 0,
  fallback_indicators = 0,
  sum_confidence = COALESCE(avg_confidence, 0) * COALESCE(successful_indicators, 0),
  sum_duration_ms = COALESCE(avg_time_per_indicator_ms, 0) * (COALESCE(successful_indicators, 0) + COALESCE(failed_indicators, 0)),
  unknown_cost_calls = 0,
  chunks = 0,
  status = CASE
    WHEN total_indicators - COALESCE(successful_indicators, 0) - COALESCE(failed_indicators, 0) > 0 THEN 'running'
    WHEN COALESCE(failed_indicators, 0) > 0 AND COALESCE(successful_indicators, 0) = 0 THEN 'failed'
    WHEN COALESCE(failed_indicators, 0) > 0 THEN 'degraded'
    ELSE 'completed' END;

ALTER TABLE classifications ADD COLUMN needs_review INTEGER;

ALTER TABLE classifications ADD COLUMN fallback_stages TEXT;

ALTER TABLE classifications ADD COLUMN field_confidence TEXT;

ALTER TABLE llm_calls ADD COLUMN status TEXT;

ALTER TABLE llm_calls ADD COLUMN attempt INTEGER;

ALTER TABLE llm_calls ADD COLUMN request_hash TEXT;

ALTER TABLE llm_calls ADD COLUMN finished_at TEXT;

UPDATE llm_calls SET status = CASE WHEN error IS NULL THEN 'ok' ELSE 'error' END, attempt = 1;

CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  config TEXT NOT NULL,
  options TEXT NOT NULL,
  total_indicators INTEGER NOT NULL,
  batches INTEGER NOT NULL,
  reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (run_id)
);

CREATE TABLE IF NOT EXISTS run_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  indicator_id TEXT NOT NULL,
  batch_no INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  UNIQUE (run_id, seq)
);

CREATE INDEX IF NOT EXISTS idx_run_items_run_id_batch_no ON run_items (run_id, batch_no);

CREATE TABLE IF NOT EXISTS executors (
  executor_id TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL,
  pid INTEGER,
  host TEXT,
  queues TEXT,
  providers TEXT,
  started_at TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);

DROP INDEX IF EXISTS idx_processing_log_status;
