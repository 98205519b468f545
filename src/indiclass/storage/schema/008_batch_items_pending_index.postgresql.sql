-- m008_batch_items_pending_index (released; never edit: add a new step)
CREATE INDEX IF NOT EXISTS idx_batch_items_trace_id_status ON batch_items (trace_id, status);

