-- migrate:up
-- Apify webhooks already handed on to a workflow, so that a replayed delivery is acknowledged without acting twice.
CREATE TABLE webhook_receipts (
    id            BIGSERIAL PRIMARY KEY,
    delivery_key  VARCHAR(200) NOT NULL UNIQUE,
    received_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE webhook_receipts;
