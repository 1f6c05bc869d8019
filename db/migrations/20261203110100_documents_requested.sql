-- migrate:up

-- The documents a review asked for instead of deciding, on the automatic decision it reviewed: the status read model
-- (GET /users/:id/kyc) says which ones the user is waiting to upload. Null when the review asked for none.
alter table kyc_decisions add column documents_requested text[];

-- migrate:down
alter table kyc_decisions drop column if exists documents_requested;
