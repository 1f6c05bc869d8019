-- migrate:up
-- A case whose step gave up (stage NEEDS_ATTENTION) alerts ops once per incident; the row is the outbox for that
-- alert and the record ops read back: which step, why, and when it was resolved by a retry.
CREATE TABLE ops_alerts (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    cycle_id    UUID NOT NULL,
    step        VARCHAR(40) NOT NULL,
    incident    INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    raised_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at     TIMESTAMPTZ,
    UNIQUE (cycle_id, incident)
);
CREATE INDEX ops_alerts_user_idx ON ops_alerts (user_id);

-- Written before an Apify run is started, so an attempt that crashed between starting the run and recording it finds
-- that run (by the cycle id it put into the run's input) instead of starting a second scrape.
CREATE TABLE register_run_intents (
    cycle_id      UUID PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    reg_type      reg_type_enum NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE register_run_intents;
DROP TABLE ops_alerts;
