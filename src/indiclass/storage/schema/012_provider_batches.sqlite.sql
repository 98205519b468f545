-- m012_provider_batches (released; never edit: add a new step)
CREATE TABLE IF NOT EXISTS provider_batches (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  wave_key TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  wave INTEGER NOT NULL,
  part INTEGER NOT NULL,
  stage TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  status TEXT NOT NULL,
  requests INTEGER NOT NULL,
  first_custom_id TEXT NOT NULL,
  provider_batch_id TEXT,
  input_file_id TEXT,
  provider_status TEXT,
  succeeded INTEGER NOT NULL,
  errored INTEGER NOT NULL,
  expired INTEGER NOT NULL,
  canceled INTEGER NOT NULL,
  missing INTEGER NOT NULL,
  polls INTEGER NOT NULL,
  estimated_cost_usd REAL,
  cost_usd REAL,
  error TEXT,
  created_at TEXT NOT NULL,
  submitted_at TEXT,
  ended_at TEXT,
  fetched_at TEXT,
  updated_at TEXT NOT NULL,
  UNIQUE (wave_key)
);

CREATE INDEX IF NOT EXISTS idx_provider_batches_trace_id_wave ON provider_batches (trace_id, wave, part);

CREATE INDEX IF NOT EXISTS idx_provider_batches_provider_batch_id ON provider_batches (provider_batch_id);

CREATE TABLE IF NOT EXISTS provider_batch_requests (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  wave_key TEXT NOT NULL,
  custom_id TEXT NOT NULL,
  call_key TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  indicator_id TEXT NOT NULL,
  body TEXT,
  outcome TEXT,
  error TEXT,
  UNIQUE (wave_key, custom_id)
);

CREATE INDEX IF NOT EXISTS idx_provider_batch_requests_trace_id_call_key ON provider_batch_requests (trace_id, call_key);
