-- migrate:up
-- The seed's ER diagram: seven tables and four enums, with the keys and indexes the flow's queries need.

CREATE TYPE reg_type_enum AS ENUM ('GDC', 'NMC', 'GMC', 'GPC');
CREATE TYPE user_status_enum AS ENUM ('PENDING', 'MANUAL_REVIEW', 'VERIFIED', 'REJECTED', 'EXPIRED');
CREATE TYPE id_doc_status_enum AS ENUM ('NEW', 'OCR_DONE', 'OCR_FAILED', 'EXPIRED', 'SUPERSEDED');
CREATE TYPE kyc_decision_enum AS ENUM ('PASS', 'FAIL', 'MANUAL_REVIEW');

CREATE TABLE users (
    id          BIGSERIAL PRIMARY KEY,
    email       VARCHAR(254) NOT NULL,
    reg_no      VARCHAR(50) NOT NULL,
    reg_type    reg_type_enum NOT NULL,
    status      user_status_enum NOT NULL DEFAULT 'PENDING',
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One account per professional registration.
CREATE UNIQUE INDEX users_registration_key ON users (reg_type, reg_no);
CREATE INDEX users_status_idx ON users (status);

CREATE TABLE id_documents (
    id               BIGSERIAL PRIMARY KEY,
    user_id          BIGINT NOT NULL REFERENCES users (id),
    s3_key_original  TEXT NOT NULL,
    doc_type         VARCHAR(40) NOT NULL,
    status           id_doc_status_enum NOT NULL DEFAULT 'NEW',
    expiry_date      DATE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The S3 bridge classifies an object by looking its key up here; one row per uploaded object and user.
CREATE UNIQUE INDEX id_documents_user_key ON id_documents (user_id, s3_key_original);
CREATE INDEX id_documents_s3_key_idx ON id_documents (s3_key_original);
-- The expiry scan walks current documents by expiry date.
CREATE INDEX id_documents_expiry_idx ON id_documents (expiry_date, id)
    WHERE status <> 'SUPERSEDED' AND expiry_date IS NOT NULL;

CREATE TABLE selfies (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    s3_key      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX selfies_user_key ON selfies (user_id, s3_key);

CREATE TABLE doc_scans (
    id              BIGSERIAL PRIMARY KEY,
    id_document_id  BIGINT NOT NULL REFERENCES id_documents (id),
    textract_json   JSONB NOT NULL,
    parsed_name     TEXT,
    parsed_dob      DATE,
    parsed_expiry   DATE,
    parser_version  VARCHAR(40) NOT NULL,
    completed_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX doc_scans_document_idx ON doc_scans (id_document_id, completed_at DESC);

CREATE TABLE face_checks (
    id                  BIGSERIAL PRIMARY KEY,
    user_id             BIGINT NOT NULL REFERENCES users (id),
    selfie_id           BIGINT NOT NULL REFERENCES selfies (id),
    id_document_id      BIGINT NOT NULL REFERENCES id_documents (id),
    match_score         NUMERIC CHECK (match_score BETWEEN 0 AND 1),
    liveness_pass       BOOLEAN,
    rekognition_job_id  VARCHAR(100),
    completed_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- "Latest check per user" for the decision and the status endpoints.
CREATE INDEX face_checks_user_latest_idx ON face_checks (user_id, completed_at DESC);
CREATE INDEX face_checks_selfie_idx ON face_checks (selfie_id);
CREATE INDEX face_checks_document_idx ON face_checks (id_document_id);

CREATE TABLE reg_checks (
    id                 BIGSERIAL PRIMARY KEY,
    user_id            BIGINT NOT NULL REFERENCES users (id),
    snapshot_date      DATE NOT NULL,
    matched_name       BOOLEAN NOT NULL,
    matched_status     BOOLEAN NOT NULL,
    raw_response_json  JSONB NOT NULL,
    checked_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX reg_checks_user_latest_idx ON reg_checks (user_id, checked_at DESC);

CREATE TABLE kyc_decisions (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    decision    kyc_decision_enum NOT NULL,
    reasons     TEXT[] NOT NULL DEFAULT '{}',
    decided_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX kyc_decisions_user_latest_idx ON kyc_decisions (user_id, decided_at DESC);

-- migrate:down
DROP TABLE kyc_decisions;
DROP TABLE reg_checks;
DROP TABLE face_checks;
DROP TABLE doc_scans;
DROP TABLE selfies;
DROP TABLE id_documents;
DROP TABLE users;
DROP TYPE kyc_decision_enum;
DROP TYPE id_doc_status_enum;
DROP TYPE user_status_enum;
DROP TYPE reg_type_enum;
