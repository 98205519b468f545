-- m010_overrides (released; never edit: add a new step)
-- overrides: people's corrections (storage/overrides.py); indexes for the console's queries
CREATE TABLE IF NOT EXISTS overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  indicator_id TEXT NOT NULL,
  field TEXT NOT NULL,
  value TEXT NOT NULL,
  replaced TEXT,
  reason TEXT NOT NULL,
  who TEXT NOT NULL,
  created_at TEXT NOT NULL,
  deleted_at TEXT,
  deleted_by TEXT
);

CREATE UNIQUE INDEX IF NOT EXISTS idx_overrides_active ON overrides (indicator_id, field) WHERE deleted_at IS NULL;

CREATE INDEX IF NOT EXISTS idx_overrides_indicator_id ON overrides (indicator_id);

CREATE INDEX IF NOT EXISTS idx_classifications_overall_confidence ON classifications (overall_confidence);

