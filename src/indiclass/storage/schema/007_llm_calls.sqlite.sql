-- m007_llm_calls (released; never edit: add a new step)
CREATE TABLE IF NOT EXISTS llm_calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_key TEXT NOT NULL,
  trace_id TEXT,
  indicator_id TEXT,
  stage TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_system TEXT NOT NULL,
  prompt_user TEXT NOT NULL,
  response TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  duration_ms REAL NOT NULL,
  error TEXT,
  cache_hit INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (call_key)
);

CREATE INDEX IF NOT EXISTS idx_llm_calls_trace_id ON llm_calls (trace_id);

CREATE INDEX IF NOT EXISTS idx_llm_calls_indicator_id ON llm_calls (indicator_id);

