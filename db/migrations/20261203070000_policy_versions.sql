-- migrate:up
-- Policy as versioned data (README, Compliance). Each decision records the policy version it was taken under and,
-- for the automatic ones, the check outcomes the policy was applied to, so a new policy can be dry-run against past
-- cycles without OCR or scraping again. Decisions from before this migration have neither: their rule table was
-- code and their thresholds settings, which the database never saw. NOT VALID enforces the version on every new
-- row without claiming it for the old ones.
ALTER TABLE kyc_decisions ADD COLUMN policy_version VARCHAR(20);
ALTER TABLE kyc_decisions ADD COLUMN policy_input JSONB;
ALTER TABLE kyc_decisions ADD CONSTRAINT kyc_decisions_policy_version_recorded CHECK (policy_version IS NOT NULL) NOT VALID;
-- The dry-run reads automatic verification decisions by time.
CREATE INDEX kyc_decisions_dry_run_idx ON kyc_decisions (decided_at) WHERE policy_input IS NOT NULL;

-- migrate:down
DROP INDEX IF EXISTS kyc_decisions_dry_run_idx;
ALTER TABLE kyc_decisions DROP CONSTRAINT IF EXISTS kyc_decisions_policy_version_recorded;
ALTER TABLE kyc_decisions DROP COLUMN IF EXISTS policy_input;
ALTER TABLE kyc_decisions DROP COLUMN IF EXISTS policy_version;
