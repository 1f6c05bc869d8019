-- migrate:up

-- Each verification cycle as beginCycle starts it, before any scan: the read model (GET /users/:id/kyc) knows the
-- current cycle's id and when it began while the cycle waits for its documents. Ids only, no personal data.
create table kyc_cycles (
  cycle_id uuid primary key,
  user_id bigint not null references users (id),
  started_at timestamptz not null default now()
);
create index kyc_cycles_user_idx on kyc_cycles (user_id, started_at);

-- migrate:down
drop table if exists kyc_cycles;
