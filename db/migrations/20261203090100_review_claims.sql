-- migrate:up

-- Who holds each pending CS review (the CS console's claim). The workflow is the authority (its claimReview update
-- refuses a second reviewer); this row mirrors it so the queue can filter and count by assignee.
create table review_claims (
  user_id bigint primary key references users (id),
  reviewer varchar(100) not null,
  claimed_at timestamptz not null default now()
);
create index review_claims_reviewer_idx on review_claims (reviewer);

-- The queue: pending reviews oldest first, each by its latest automatic decision.
create index kyc_decisions_user_automatic_latest_idx on kyc_decisions (user_id, decided_at desc, id desc)
  where source = 'AUTOMATIC';

-- migrate:down
drop index if exists kyc_decisions_user_automatic_latest_idx;
drop table if exists review_claims;
