-- m001_source_indicators (released; never edit: add a new step)
CREATE TABLE IF NOT EXISTS source_indicators (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  name TEXT NOT NULL,
  units TEXT,
  description TEXT,
  periodicity TEXT,
  sample_values TEXT,
  source_name TEXT,
  source_url TEXT,
  long_name TEXT,
  category_group TEXT,
  dataset TEXT,
  aggregation_method TEXT,
  scale TEXT,
  topic TEXT,
  currency_code TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (indicator_id)
);

