/** The users' wrapped data keys (README, Compliance, "Crypto-shredding"); wrapping is src/data-protection/user-keys.ts. */
import type { Sql } from './pool.ts';

export type UserDataKeyRow =
  | { state: 'held'; masterKeyId: string; wrappedKey: Buffer }
  | { state: 'destroyed'; destroyedAt: Date };

interface Row {
  master_key_id: string | null;
  wrapped_key: Buffer | null;
  destroyed_at: Date | null;
}

const fromRow = (row: Row | undefined): UserDataKeyRow | null => {
  if (!row) return null;
  if (row.destroyed_at) return { state: 'destroyed', destroyedAt: row.destroyed_at };
  return { state: 'held', masterKeyId: row.master_key_id as string, wrappedKey: row.wrapped_key as Buffer };
};

export async function findUserDataKey(sql: Sql, userId: number): Promise<UserDataKeyRow | null> {
  const [row] = await sql<Row[]>`
    select master_key_id, wrapped_key, destroyed_at from user_data_keys where user_id = ${userId}`;
  return fromRow(row);
}

/** Stores the user's first key; when another process stored one first (or it was destroyed), returns that instead. */
export async function insertUserDataKey(
  sql: Sql,
  userId: number,
  key: { masterKeyId: string; wrappedKey: Buffer },
): Promise<UserDataKeyRow> {
  const [inserted] = await sql<Row[]>`
    insert into user_data_keys (user_id, master_key_id, wrapped_key)
    values (${userId}, ${key.masterKeyId}, ${key.wrappedKey})
    on conflict (user_id) do nothing
    returning master_key_id, wrapped_key, destroyed_at`;
  return fromRow(inserted) ?? ((await findUserDataKey(sql, userId)) as UserDataKeyRow);
}

/**
 * Destroys the user's data key, for good and idempotently: a retry keeps the first destruction time, and a user who
 * never had a key gets the destroyed row too, so none is made for them later.
 */
export async function destroyUserDataKey(sql: Sql, userId: number): Promise<Date> {
  const [row] = await sql<{ destroyed_at: Date }[]>`
    insert into user_data_keys (user_id, destroyed_at) values (${userId}, now())
    on conflict (user_id) do update
      set master_key_id = null, wrapped_key = null,
          destroyed_at = coalesce(user_data_keys.destroyed_at, excluded.destroyed_at)
    returning destroyed_at`;
  return (row as { destroyed_at: Date }).destroyed_at;
}
