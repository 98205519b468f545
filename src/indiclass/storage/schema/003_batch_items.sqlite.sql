-- m003_batch_items (released; never edit: add a new step)
CREATE TABLE IF NOT EXISTS batch_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  trace_id TEXT NOT NULL,
  indicator_id TEXT NOT NULL,
  status TEXT NOT NULL,
  stage TEXT,
  error TEXT,
  started_at TEXT,
  finished_at TEXT,
  confidence REAL,
  duration_ms REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (trace_id, indicator_id)
);

CREATE INDEX IF NOT EXISTS idx_batch_items_indicator_id ON batch_items (indicator_id);

CREATE INDEX IF NOT EXISTS idx_batch_items_status ON batch_items (status);

