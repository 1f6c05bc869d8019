-- migrate:up
-- One person, one identity (README, Fraud controls).

-- Face Liveness sessions this service created, each for one user. A selfie uses a session once, within
-- Rekognition's validity window (3 minutes from creation); used_by_selfie_id records which selfie did.
CREATE TABLE liveness_sessions (
    session_id UUID PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    used_by_selfie_id BIGINT REFERENCES selfies (id),
    used_at TIMESTAMPTZ
);
CREATE INDEX liveness_sessions_user_idx ON liveness_sessions (user_id);

-- Keyed hashes (HMAC-SHA256 under KYC_IDENTITY_HASH_KEY) of each scanned document's issuing state and number, and
-- of its holder's normalised name and date of birth: the duplicate look-up compares these, never the plain values.
CREATE TABLE identity_fingerprints (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind VARCHAR(10) NOT NULL CHECK (kind IN ('DOCUMENT', 'IDENTITY')),
    fingerprint BYTEA NOT NULL,
    id_document_id BIGINT REFERENCES id_documents (id),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX identity_fingerprints_user_key ON identity_fingerprints (kind, fingerprint, user_id);

-- Two users that look like one person (or one registration claimed by two people), for CS: the CS email and the
-- case page show both. One row per pair and reason, pointing at the later user's cycle that found it.
CREATE TABLE account_links (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    other_user_id BIGINT NOT NULL REFERENCES users (id),
    reason VARCHAR(40) NOT NULL,
    cycle_id UUID,
    detail JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (user_id <> other_user_id)
);
CREATE UNIQUE INDEX account_links_pair_key ON account_links (user_id, other_user_id, reason);
CREATE INDEX account_links_other_idx ON account_links (other_user_id);

-- Accepted selfies in the face index: Rekognition's FaceId in AWS mode, the face engine's descriptor locally (the
-- on-disk ANN index is rebuilt from these rows when it is missing or behind).
CREATE TABLE face_index_entries (
    selfie_id BIGINT PRIMARY KEY REFERENCES selfies (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    face_id VARCHAR(64),
    embedding REAL[],
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX face_index_entries_user_idx ON face_index_entries (user_id);

-- A second sign-up with a registration number someone already holds is a claim for CS, not a refusal, so the
-- number alone is no longer unique; the same email with the same number still is (a client's retry).
DROP INDEX users_registration_key;
CREATE UNIQUE INDEX users_registration_email_key ON users (reg_type, reg_no, email);

-- migrate:down
DROP INDEX users_registration_email_key;
CREATE UNIQUE INDEX users_registration_key ON users (reg_type, reg_no);
DROP TABLE face_index_entries;
DROP TABLE account_links;
DROP TABLE identity_fingerprints;
DROP TABLE liveness_sessions;
