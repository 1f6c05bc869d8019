-- migrate:up
-- Register monitoring: every VERIFIED user and every user in review is re-checked on their register once a day.

-- The monitor's evidence that a check ran: one reg_checks row per user and snapshot date, outside any verification
-- cycle, with the changes that mattered (empty when none). A retried or repeated pass of the same day updates it.
ALTER TABLE reg_checks
    ADD COLUMN monitor_pass_id UUID,
    ADD COLUMN register_changes TEXT[];
CREATE UNIQUE INDEX reg_checks_monitor_key ON reg_checks (user_id, snapshot_date) WHERE cycle_id IS NULL;

-- A decision taken again after a register change rests on the monitor's record rather than on its cycle's check.
ALTER TABLE kyc_decisions ADD COLUMN reg_check_id BIGINT REFERENCES reg_checks (id);
CREATE UNIQUE INDEX kyc_decisions_reg_check_key ON kyc_decisions (reg_check_id) WHERE source = 'AUTOMATIC';

-- The monitor walks each register's population in id order.
CREATE INDEX users_monitored_idx ON users (reg_type, id) WHERE status IN ('VERIFIED', 'MANUAL_REVIEW');

-- Each register's configured source and its health as the last pass found it.
CREATE TABLE register_sources (
    reg_type     reg_type_enum PRIMARY KEY,
    kind         VARCHAR(20) NOT NULL CHECK (kind IN ('APIFY_ACTOR', 'DATA_FILE', 'SNAPSHOT', 'NONE')),
    reference    TEXT,
    health       VARCHAR(20) NOT NULL CHECK (health IN ('OK', 'FAILING', 'NOT_CONFIGURED')),
    last_error   TEXT,
    last_ok_at   TIMESTAMPTZ,
    checked_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every register file a pass read (a data download or a local snapshot), kept so the next pass can diff against it.
CREATE TABLE register_file_reads (
    id             BIGSERIAL PRIMARY KEY,
    pass_id        UUID NOT NULL,
    reg_type       reg_type_enum NOT NULL,
    snapshot_date  DATE NOT NULL,
    sha256         CHAR(64) NOT NULL,
    kept_path      TEXT NOT NULL,
    entries        INTEGER NOT NULL,
    added          INTEGER NOT NULL,
    removed        INTEGER NOT NULL,
    changed        INTEGER NOT NULL,
    read_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT register_file_reads_once UNIQUE (pass_id, reg_type)
);
CREATE INDEX register_file_reads_latest_idx ON register_file_reads (reg_type, read_at DESC);

-- Registration renewal and revalidation reminders, once per renewal date and threshold, like expiry_reminders.
CREATE TABLE register_renewal_reminders (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id),
    renewal_date    DATE NOT NULL,
    threshold_days  SMALLINT NOT NULL CHECK (threshold_days > 0),
    reg_check_id    BIGINT NOT NULL REFERENCES reg_checks (id),
    pass_id         UUID NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT register_renewal_reminders_once UNIQUE (user_id, renewal_date, threshold_days)
);

-- The actor run a monitor batch started, so a retried batch reads that run instead of starting another.
CREATE TABLE monitor_batch_runs (
    pass_id        UUID NOT NULL,
    reg_type       reg_type_enum NOT NULL,
    after_user_id  BIGINT NOT NULL,
    run_id         VARCHAR(100) NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (pass_id, reg_type, after_user_id)
);

-- The daily digest to CS and compliance, sent once per date.
CREATE TABLE monitor_digests (
    digest_date  DATE PRIMARY KEY,
    pass_id      UUID NOT NULL,
    sent_at      TIMESTAMPTZ
);

-- migrate:down
DROP TABLE monitor_digests;
DROP TABLE monitor_batch_runs;
DROP TABLE register_renewal_reminders;
DROP TABLE register_file_reads;
DROP TABLE register_sources;
DROP INDEX users_monitored_idx;
DROP INDEX kyc_decisions_reg_check_key;
ALTER TABLE kyc_decisions DROP COLUMN reg_check_id;
DROP INDEX reg_checks_monitor_key;
ALTER TABLE reg_checks DROP COLUMN register_changes, DROP COLUMN monitor_pass_id;
