-- migrate:up
-- The Face Liveness session completed with a selfie, recorded at upload so that whichever door later tells the
-- workflow about the object (the intake API or the S3 bridge) can pass it on.
ALTER TABLE selfies ADD COLUMN liveness_session_id UUID;

-- migrate:down
ALTER TABLE selfies DROP COLUMN liveness_session_id;
