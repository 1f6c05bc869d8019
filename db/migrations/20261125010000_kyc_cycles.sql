-- migrate:up
-- KycWorkflow: every row a verification cycle writes carries the cycle's id, and a unique key per cycle makes each
-- activity's write idempotent: a retried activity finds its row instead of adding a second one.

ALTER TABLE doc_scans ADD COLUMN cycle_id UUID;
CREATE UNIQUE INDEX doc_scans_cycle_document_key ON doc_scans (cycle_id, id_document_id);

ALTER TABLE face_checks
    ADD COLUMN cycle_id UUID,
    ADD COLUMN selfie_quality VARCHAR(20),
    ADD COLUMN liveness_confidence NUMERIC CHECK (liveness_confidence BETWEEN 0 AND 1),
    ADD COLUMN outcome JSONB;
CREATE UNIQUE INDEX face_checks_cycle_key ON face_checks (cycle_id);

ALTER TABLE reg_checks
    ADD COLUMN cycle_id UUID,
    ADD COLUMN apify_run_id VARCHAR(100),
    ADD COLUMN standing VARCHAR(40),
    ADD COLUMN outcome JSONB;
CREATE UNIQUE INDEX reg_checks_cycle_key ON reg_checks (cycle_id);

-- A CS override is a row of its own beside the automatic decision, which stays as it was.
CREATE TYPE kyc_decision_source_enum AS ENUM ('AUTOMATIC', 'CS');
ALTER TABLE kyc_decisions
    ADD COLUMN cycle_id UUID,
    ADD COLUMN source kyc_decision_source_enum NOT NULL DEFAULT 'AUTOMATIC',
    ADD COLUMN reviewer VARCHAR(100),
    ADD COLUMN note TEXT,
    ADD COLUMN overrides_decision_id BIGINT REFERENCES kyc_decisions (id),
    ADD CONSTRAINT kyc_decisions_cs_has_reviewer CHECK (source = 'AUTOMATIC' OR reviewer IS NOT NULL);
CREATE UNIQUE INDEX kyc_decisions_cycle_source_key ON kyc_decisions (cycle_id, source);

-- The Apify run started for a cycle's register check; one per cycle.
CREATE TABLE register_runs (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    cycle_id    UUID NOT NULL UNIQUE,
    reg_type    reg_type_enum NOT NULL,
    actor_id    VARCHAR(200) NOT NULL,
    run_id      VARCHAR(100) NOT NULL UNIQUE,
    dataset_id  VARCHAR(100) NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The notification outbox: one row per message a decision causes, keyed so a retried activity never sends twice.
CREATE TABLE notifications (
    id               BIGSERIAL PRIMARY KEY,
    idempotency_key  VARCHAR(200) NOT NULL UNIQUE,
    decision_id      BIGINT NOT NULL REFERENCES kyc_decisions (id),
    channel          VARCHAR(40) NOT NULL,
    sent_at          TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX notifications_decision_idx ON notifications (decision_id);

-- migrate:down
DROP TABLE notifications;
DROP TABLE register_runs;
DROP INDEX kyc_decisions_cycle_source_key;
ALTER TABLE kyc_decisions
    DROP CONSTRAINT kyc_decisions_cs_has_reviewer,
    DROP COLUMN overrides_decision_id,
    DROP COLUMN note,
    DROP COLUMN reviewer,
    DROP COLUMN source,
    DROP COLUMN cycle_id;
DROP TYPE kyc_decision_source_enum;
DROP INDEX reg_checks_cycle_key;
ALTER TABLE reg_checks DROP COLUMN outcome, DROP COLUMN standing, DROP COLUMN apify_run_id, DROP COLUMN cycle_id;
DROP INDEX face_checks_cycle_key;
ALTER TABLE face_checks DROP COLUMN outcome, DROP COLUMN liveness_confidence, DROP COLUMN selfie_quality, DROP COLUMN cycle_id;
DROP INDEX doc_scans_cycle_document_key;
ALTER TABLE doc_scans DROP COLUMN cycle_id;
