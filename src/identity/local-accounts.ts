/**
 * Local accounts for `npm start`: people sign in with a user name and password (HTTP Basic over loopback). Passwords
 * are hashed with scrypt (N = 2^15, r = 8, p = 1, a 16-byte salt), and verified in constant time. Production does not
 * use these: people sign in with the organisation's OIDC provider.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Sql } from '../db/pool.ts';
import type { Identity, Role } from './identity.ts';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  length: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const LOG2_N = 15;
const R = 8;
const P = 1;
const HASH_BYTES = 32;
const maxmem = (log2N: number, r: number) => 256 * 2 ** log2N * r;
export const MIN_PASSWORD_LENGTH = 12;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, HASH_BYTES, { N: 2 ** LOG2_N, r: R, p: P, maxmem: maxmem(LOG2_N, R) });
  return ['scrypt', LOG2_N, R, P, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, log2N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: 2 ** Number(log2N),
    r: Number(r),
    p: Number(p),
    maxmem: maxmem(Number(log2N), Number(r)),
  });
  return timingSafeEqual(actual, expected);
}

/** A stored hash that no password matches, so an unknown user name costs as much as a wrong password. */
const DUMMY_HASH = await hashPassword(randomBytes(16).toString('hex'));

export interface LocalAccount {
  username: string;
  displayName: string;
  roles: Role[];
  disabled: boolean;
}

export async function addLocalAccount(
  sql: Sql,
  account: { username: string; displayName: string; password: string; roles: Role[] },
): Promise<void> {
  if (account.password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const passwordHash = await hashPassword(account.password);
  await sql`
    insert into local_accounts (username, display_name, password_hash, roles)
    values (${account.username}, ${account.displayName}, ${passwordHash}, ${account.roles})
    on conflict (username) do update
      set display_name = excluded.display_name, password_hash = excluded.password_hash, roles = excluded.roles,
          disabled_at = null`;
}

export async function disableLocalAccount(sql: Sql, username: string): Promise<boolean> {
  const rows = await sql`update local_accounts set disabled_at = now() where username = ${username} returning 1`;
  return rows.length > 0;
}

export async function listLocalAccounts(sql: Sql): Promise<LocalAccount[]> {
  return await sql<LocalAccount[]>`
    select username, display_name as "displayName", roles, disabled_at is not null as disabled
    from local_accounts order by username`;
}

/** The account's identity when the password matches and the account is enabled, else null. */
export async function signInLocalAccount(sql: Sql, username: string, password: string): Promise<Identity | null> {
  const [account] = await sql<{ displayName: string; passwordHash: string; roles: Role[]; disabled: boolean }[]>`
    select display_name as "displayName", password_hash as "passwordHash", roles, disabled_at is not null as disabled
    from local_accounts where username = ${username}`;
  const matches = await verifyPassword(password, account?.passwordHash ?? DUMMY_HASH);
  if (!account || !matches || account.disabled) return null;
  return { subject: username, displayName: account.displayName, roles: account.roles, via: 'local-account' };
}

/** The identity of an enabled account, for a session that signed in earlier; null once it is disabled or removed. */
export async function localAccountIdentity(sql: Sql, username: string): Promise<Identity | null> {
  const [account] = await sql<{ displayName: string; roles: Role[] }[]>`
    select display_name as "displayName", roles from local_accounts
    where username = ${username} and disabled_at is null`;
  return account ? { subject: username, displayName: account.displayName, roles: account.roles, via: 'session' } : null;
}
