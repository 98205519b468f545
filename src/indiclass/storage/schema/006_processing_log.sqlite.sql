-- m006_processing_log (released; never edit: add a new step)
CREATE TABLE IF NOT EXISTS processing_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  trace_id TEXT NOT NULL,
  indicator_id TEXT NOT NULL,
  stage TEXT NOT NULL,
  status TEXT NOT NULL,
  duration_ms REAL,
  error_message TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (trace_id, indicator_id, stage, status)
);

CREATE INDEX IF NOT EXISTS idx_processing_log_indicator_id ON processing_log (indicator_id);

CREATE INDEX IF NOT EXISTS idx_processing_log_status ON processing_log (status);

