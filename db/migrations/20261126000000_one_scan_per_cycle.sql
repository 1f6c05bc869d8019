-- migrate:up
-- A verification cycle scans one ID document, once. The (cycle, document) key allowed a second scan of another
-- document in the same cycle; reading the cycle's scan (scannedName) and counting duplicates assume there is one.
DROP INDEX doc_scans_cycle_document_key;
CREATE UNIQUE INDEX doc_scans_cycle_key ON doc_scans (cycle_id);

-- migrate:down
DROP INDEX doc_scans_cycle_key;
CREATE UNIQUE INDEX doc_scans_cycle_document_key ON doc_scans (cycle_id, id_document_id);
