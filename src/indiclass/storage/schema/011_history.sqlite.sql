-- m011_history (released; never edit: add a new step)
-- Provenance of every answer, classification history per run, LLM text retention,
-- webhook deliveries (an outbox written in the transaction that closes a batch).
ALTER TABLE normalization_results ADD COLUMN rules_version TEXT;

ALTER TABLE normalization_results ADD COLUMN prompt_hash TEXT;

ALTER TABLE normalization_results ADD COLUMN request_hash TEXT;

ALTER TABLE normalization_results ADD COLUMN temperature REAL;

ALTER TABLE normalization_results ADD COLUMN strategy TEXT;

ALTER TABLE normalization_results ADD COLUMN run_id TEXT;

ALTER TABLE time_inference_results ADD COLUMN rules_version TEXT;

ALTER TABLE time_inference_results ADD COLUMN prompt_hash TEXT;

ALTER TABLE time_inference_results ADD COLUMN request_hash TEXT;

ALTER TABLE time_inference_results ADD COLUMN temperature REAL;

ALTER TABLE time_inference_results ADD COLUMN strategy TEXT;

ALTER TABLE time_inference_results ADD COLUMN run_id TEXT;

ALTER TABLE cumulative_detection_results ADD COLUMN rules_version TEXT;

ALTER TABLE cumulative_detection_results ADD COLUMN prompt_hash TEXT;

ALTER TABLE cumulative_detection_results ADD COLUMN request_hash TEXT;

ALTER TABLE cumulative_detection_results ADD COLUMN temperature REAL;

ALTER TABLE cumulative_detection_results ADD COLUMN strategy TEXT;

ALTER TABLE cumulative_detection_results ADD COLUMN run_id TEXT;

ALTER TABLE family_assignment_results ADD COLUMN rules_version TEXT;

ALTER TABLE family_assignment_results ADD COLUMN prompt_hash TEXT;

ALTER TABLE family_assignment_results ADD COLUMN request_hash TEXT;

ALTER TABLE family_assignment_results ADD COLUMN temperature REAL;

ALTER TABLE family_assignment_results ADD COLUMN strategy TEXT;

ALTER TABLE family_assignment_results ADD COLUMN run_id TEXT;

ALTER TABLE type_classification_results ADD COLUMN rules_version TEXT;

ALTER TABLE type_classification_results ADD COLUMN prompt_hash TEXT;

ALTER TABLE type_classification_results ADD COLUMN request_hash TEXT;

ALTER TABLE type_classification_results ADD COLUMN temperature REAL;

ALTER TABLE type_classification_results ADD COLUMN strategy TEXT;

ALTER TABLE type_classification_results ADD COLUMN run_id TEXT;

ALTER TABLE boolean_review_results ADD COLUMN rules_version TEXT;

ALTER TABLE boolean_review_results ADD COLUMN prompt_hash TEXT;

ALTER TABLE boolean_review_results ADD COLUMN request_hash TEXT;

ALTER TABLE boolean_review_results ADD COLUMN temperature REAL;

ALTER TABLE boolean_review_results ADD COLUMN strategy TEXT;

ALTER TABLE boolean_review_results ADD COLUMN run_id TEXT;

ALTER TABLE final_review_results ADD COLUMN rules_version TEXT;

ALTER TABLE final_review_results ADD COLUMN prompt_hash TEXT;

ALTER TABLE final_review_results ADD COLUMN request_hash TEXT;

ALTER TABLE final_review_results ADD COLUMN temperature REAL;

ALTER TABLE final_review_results ADD COLUMN strategy TEXT;

ALTER TABLE final_review_results ADD COLUMN run_id TEXT;

ALTER TABLE classifications ADD COLUMN rules_version TEXT;

ALTER TABLE classifications ADD COLUMN prompt_hash TEXT;

ALTER TABLE classifications ADD COLUMN request_hash TEXT;

ALTER TABLE classifications ADD COLUMN temperature REAL;

ALTER TABLE classifications ADD COLUMN strategy TEXT;

ALTER TABLE classifications ADD COLUMN run_id TEXT;

ALTER TABLE llm_calls ADD COLUMN text_purged_at TEXT;

CREATE INDEX IF NOT EXISTS idx_llm_calls_created_at ON llm_calls (created_at);

CREATE INDEX IF NOT EXISTS idx_run_items_trace_id ON run_items (trace_id);

CREATE TABLE IF NOT EXISTS classification_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_key TEXT NOT NULL,
  indicator_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  run_id TEXT,
  family TEXT NOT NULL,
  indicator_type TEXT NOT NULL,
  review_status TEXT NOT NULL,
  overall_confidence REAL NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  strategy TEXT,
  rules_version TEXT,
  prompt_hash TEXT,
  request_hash TEXT,
  temperature REAL,
  classification TEXT NOT NULL,
  stages TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (run_key, indicator_id)
);

CREATE INDEX IF NOT EXISTS idx_classification_history_indicator_id ON classification_history (indicator_id);

CREATE INDEX IF NOT EXISTS idx_classification_history_trace_id ON classification_history (trace_id);

CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  url TEXT NOT NULL,
  event TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  http_status INTEGER,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  delivered_at TEXT,
  UNIQUE (delivery_id)
);

CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_status ON webhook_deliveries (status);
