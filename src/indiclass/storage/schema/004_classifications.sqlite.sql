-- m004_classifications (released; never edit: add a new step)
CREATE TABLE IF NOT EXISTS classifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  name TEXT NOT NULL,
  family TEXT NOT NULL,
  indicator_type TEXT NOT NULL,
  temporal_aggregation TEXT NOT NULL,
  heat_map_orientation TEXT NOT NULL,
  time_basis TEXT NOT NULL,
  reporting_frequency TEXT NOT NULL,
  scale TEXT NOT NULL,
  scale_multiplier REAL,
  is_currency_denominated INTEGER NOT NULL,
  detected_currency TEXT,
  is_cumulative INTEGER NOT NULL,
  cumulative_pattern_type TEXT NOT NULL,
  parsed_unit_type TEXT NOT NULL,
  review_status TEXT NOT NULL,
  overall_confidence REAL NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  normalization_confidence REAL NOT NULL,
  normalization_reasoning TEXT NOT NULL,
  time_confidence REAL NOT NULL,
  time_reasoning TEXT NOT NULL,
  cumulative_confidence REAL NOT NULL,
  cumulative_reasoning TEXT NOT NULL,
  family_confidence REAL NOT NULL,
  family_reasoning TEXT NOT NULL,
  type_confidence REAL NOT NULL,
  type_reasoning TEXT NOT NULL,
  boolean_review_confidence REAL NOT NULL,
  boolean_review_reasoning TEXT NOT NULL,
  final_review_confidence REAL NOT NULL,
  final_review_reasoning TEXT NOT NULL,
  trace_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id)
);

CREATE INDEX IF NOT EXISTS idx_classifications_trace_id ON classifications (trace_id);

CREATE INDEX IF NOT EXISTS idx_classifications_family ON classifications (family);

