-- m005_stage_tables (released; never edit: add a new step)
CREATE TABLE IF NOT EXISTS normalization_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  parsed_unit_type TEXT,
  scale TEXT,
  scale_multiplier REAL,
  is_currency_denominated INTEGER,
  detected_currency TEXT,
  unit_label TEXT,
  confidence REAL NOT NULL,
  reasoning TEXT NOT NULL,
  result_json TEXT NOT NULL,
  source TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id, trace_id)
);

CREATE INDEX IF NOT EXISTS idx_normalization_results_trace_id ON normalization_results (trace_id);

CREATE TABLE IF NOT EXISTS time_inference_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  reporting_frequency TEXT,
  time_basis TEXT,
  confidence REAL NOT NULL,
  reasoning TEXT NOT NULL,
  result_json TEXT NOT NULL,
  source TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id, trace_id)
);

CREATE INDEX IF NOT EXISTS idx_time_inference_results_trace_id ON time_inference_results (trace_id);

CREATE TABLE IF NOT EXISTS cumulative_detection_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  is_cumulative INTEGER,
  cumulative_pattern_type TEXT,
  evidence_years INTEGER,
  confidence REAL NOT NULL,
  reasoning TEXT NOT NULL,
  result_json TEXT NOT NULL,
  source TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id, trace_id)
);

CREATE INDEX IF NOT EXISTS idx_cumulative_detection_results_trace_id ON cumulative_detection_results (trace_id);

CREATE TABLE IF NOT EXISTS family_assignment_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  family TEXT,
  confidence REAL NOT NULL,
  reasoning TEXT NOT NULL,
  result_json TEXT NOT NULL,
  source TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id, trace_id)
);

CREATE INDEX IF NOT EXISTS idx_family_assignment_results_trace_id ON family_assignment_results (trace_id);

CREATE TABLE IF NOT EXISTS type_classification_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  indicator_type TEXT,
  temporal_aggregation TEXT,
  heat_map_orientation TEXT,
  confidence REAL NOT NULL,
  reasoning TEXT NOT NULL,
  result_json TEXT NOT NULL,
  source TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id, trace_id)
);

CREATE INDEX IF NOT EXISTS idx_type_classification_results_trace_id ON type_classification_results (trace_id);

CREATE TABLE IF NOT EXISTS boolean_review_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  passed INTEGER,
  issues TEXT,
  confidence REAL NOT NULL,
  reasoning TEXT NOT NULL,
  result_json TEXT NOT NULL,
  source TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id, trace_id)
);

CREATE INDEX IF NOT EXISTS idx_boolean_review_results_trace_id ON boolean_review_results (trace_id);

CREATE TABLE IF NOT EXISTS final_review_results (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  status TEXT,
  corrections TEXT,
  confidence REAL NOT NULL,
  reasoning TEXT NOT NULL,
  result_json TEXT NOT NULL,
  source TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  error TEXT,
  input_tokens INTEGER NOT NULL,
  output_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id, trace_id)
);

CREATE INDEX IF NOT EXISTS idx_final_review_results_trace_id ON final_review_results (trace_id);

