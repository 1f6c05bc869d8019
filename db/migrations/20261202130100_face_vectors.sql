-- migrate:up
-- Where PostgreSQL has pgvector (RDS and most managed PostgreSQL do; Debian ships none for PostgreSQL 15 on this
-- machine), accepted faces' descriptors get a vector column with an HNSW index, and the local face index searches
-- them in SQL (src/adapters/face-index/pgvector.ts). Without the extension nothing changes and the index lives in a
-- usearch file instead (src/adapters/face-index/usearch.ts).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    CREATE EXTENSION IF NOT EXISTS vector;
    ALTER TABLE face_index_entries ADD COLUMN face vector(1024);
    CREATE INDEX face_index_entries_face_hnsw ON face_index_entries USING hnsw (face vector_l2_ops);
  END IF;
END
$$;

-- migrate:down
DROP INDEX IF EXISTS face_index_entries_face_hnsw;
ALTER TABLE face_index_entries DROP COLUMN IF EXISTS face;
