-- migrate:up

-- Crypto-shredding (README, Compliance): each user's workflow payloads are encrypted under their own data key, kept
-- here wrapped (AES-256-GCM) under a master payload key. Erasure destroys it: the wrapped key and its master key id
-- are nulled and destroyed_at says when, so the user's old histories can no longer be read, and no new key is made
-- for them. No foreign key to users: the key follows the `kyc-user-<id>` workflow id, which a client may start for
-- an id with no row yet.
create table user_data_keys (
  user_id bigint primary key,
  master_key_id text,
  wrapped_key bytea,
  created_at timestamptz not null default now(),
  destroyed_at timestamptz,
  constraint user_data_keys_held_or_destroyed check (
    (destroyed_at is null and master_key_id is not null and wrapped_key is not null)
    or (destroyed_at is not null and master_key_id is null and wrapped_key is null)
  )
);

-- migrate:down
drop table if exists user_data_keys;
