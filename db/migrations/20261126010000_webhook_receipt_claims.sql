-- migrate:up
-- An Apify webhook delivery is now claimed before it is handed on, and marked once it has been: of two deliveries
-- arriving at once only the claimant hands it on (the other is told to retry, then finds it handed on), and a claim
-- whose request died before handing on (the process was killed) is taken over by Apify's next retry.
ALTER TABLE webhook_receipts RENAME COLUMN received_at TO claimed_at;
ALTER TABLE webhook_receipts ADD COLUMN handed_off_at TIMESTAMPTZ;
-- Until now a receipt was written only after its hand-off.
UPDATE webhook_receipts SET handed_off_at = claimed_at;

-- migrate:down
DELETE FROM webhook_receipts WHERE handed_off_at IS NULL;
ALTER TABLE webhook_receipts DROP COLUMN handed_off_at;
ALTER TABLE webhook_receipts RENAME COLUMN claimed_at TO received_at;
