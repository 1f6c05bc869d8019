-- migrate:up
-- Erasure and retention (README, Compliance). An erased user keeps their row, decisions and audit, without the
-- personal data: the email goes (so the column may be empty), erased_at says when, and the doors refuse the user.
-- Each image records when it was deleted, by erasure or by the retention pass, so neither deletes it twice and
-- the evidence pack and subject-access export can say so.
-- ERASED leaves the user out of the expiry pass and the register monitor, which pick users by status.
ALTER TYPE user_status_enum ADD VALUE IF NOT EXISTS 'ERASED';
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ADD COLUMN erased_at TIMESTAMPTZ;
ALTER TABLE id_documents ADD COLUMN image_deleted_at TIMESTAMPTZ;
ALTER TABLE selfies ADD COLUMN image_deleted_at TIMESTAMPTZ;
-- The retention pass looks for images still held.
CREATE INDEX id_documents_images_held_idx ON id_documents (user_id) WHERE image_deleted_at IS NULL;
CREATE INDEX selfies_images_held_idx ON selfies (user_id) WHERE image_deleted_at IS NULL;

-- migrate:down
DROP INDEX IF EXISTS selfies_images_held_idx;
DROP INDEX IF EXISTS id_documents_images_held_idx;
ALTER TABLE selfies DROP COLUMN IF EXISTS image_deleted_at;
ALTER TABLE id_documents DROP COLUMN IF EXISTS image_deleted_at;
ALTER TABLE users DROP COLUMN IF EXISTS erased_at;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
-- PostgreSQL cannot drop an enum value; ERASED stays in user_status_enum.
