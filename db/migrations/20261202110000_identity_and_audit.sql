-- migrate:up

-- People who sign in to `npm start` with a password (production signs people in with OIDC instead).
create table local_accounts (
  username text primary key check (username ~ '^[a-z0-9._-]{2,64}$'),
  display_name text not null check (length(display_name) between 1 and 200),
  -- scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>
  password_hash text not null,
  roles text[] not null check (roles <@ array['intake', 'cs', 'cs-lead', 'ops']::text[] and cardinality(roles) > 0),
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);

-- Every authenticated action: who, what, which case, when, from where. Append-only (see the trigger below).
create table audit_events (
  id bigserial primary key,
  occurred_at timestamptz not null default now(),
  actor_subject text not null,
  actor_name text not null,
  actor_via text not null,
  actor_roles text[] not null,
  action text not null,
  user_id bigint,
  status integer,
  source_address text,
  request_id text,
  detail jsonb
);
create index audit_events_user_id on audit_events (user_id, occurred_at) where user_id is not null;
create index audit_events_actor on audit_events (actor_subject, occurred_at);

-- No route updates or deletes audit rows, and the database refuses it too, whoever asks.
create function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_events is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end;
$$;
create trigger audit_events_no_update before update or delete on audit_events
  for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();

-- migrate:down
drop table audit_events;
drop function audit_events_append_only();
drop table local_accounts;
