-- migrate:up
-- Which provider performed each check (Textract or tesseract.js, Rekognition or the local face engine, Apify or a
-- register snapshot), as the evidence pack states it (README, Compliance). Checks from before this migration do
-- not say; the monitor's register checks name their source in raw_response_json.source instead.
ALTER TABLE doc_scans ADD COLUMN provider VARCHAR(60);
ALTER TABLE face_checks ADD COLUMN provider VARCHAR(60);
ALTER TABLE reg_checks ADD COLUMN provider VARCHAR(60);

-- migrate:down
ALTER TABLE reg_checks DROP COLUMN IF EXISTS provider;
ALTER TABLE face_checks DROP COLUMN IF EXISTS provider;
ALTER TABLE doc_scans DROP COLUMN IF EXISTS provider;
