-- migrate:up
-- ExpiryReminderWorkflow: one row per reminder a current ID document has been given (90, 30 and 7 days before its
-- expiry date) and one for its expiry itself (threshold 0). The unique key makes each happen once, however often a
-- weekly pass is retried, re-run or overlaps another; the messages themselves go through the notifications outbox,
-- keyed by the row's id.
CREATE TABLE expiry_reminders (
    id              BIGSERIAL PRIMARY KEY,
    id_document_id  BIGINT NOT NULL REFERENCES id_documents (id),
    -- The date reminded about: a renewed document uploaded to the same object key (the same row) starts afresh.
    expiry_date     DATE NOT NULL,
    threshold_days  SMALLINT NOT NULL CHECK (threshold_days >= 0),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    -- The pass that recorded it: a retried batch of the same pass finishes what an earlier attempt started.
    pass_id         UUID NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT expiry_reminders_once UNIQUE (id_document_id, expiry_date, threshold_days)
);

-- Each pass counts the current, scanned documents that have no expiry date (bad data) without reading the table.
CREATE INDEX id_documents_missing_expiry_idx ON id_documents (user_id)
    WHERE expiry_date IS NULL AND status NOT IN ('NEW', 'SUPERSEDED');

-- migrate:down
DROP INDEX id_documents_missing_expiry_idx;
DROP TABLE expiry_reminders;
