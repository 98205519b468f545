-- m002_pipeline_stats (released; never edit: add a new step)
CREATE TABLE IF NOT EXISTS pipeline_stats (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  model TEXT NOT NULL,
  provider TEXT NOT NULL,
  total_indicators INTEGER NOT NULL,
  successful_indicators INTEGER,
  failed_indicators INTEGER,
  batch_start_time TEXT NOT NULL,
  batch_end_time TEXT,
  total_duration_ms INTEGER,
  avg_time_per_indicator_ms INTEGER,
  avg_confidence REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  strategy TEXT,
  llm_calls INTEGER,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cached_tokens INTEGER,
  cost_usd REAL,
  UNIQUE (batch_id)
);

CREATE INDEX IF NOT EXISTS idx_pipeline_stats_batch_start_time ON pipeline_stats (batch_start_time);

