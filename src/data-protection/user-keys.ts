/**
 * Per-user data keys for crypto-shredding (README, Compliance): the payloads of a user's workflows are encrypted under
 * a random 32-byte key of their own, stored wrapped under the current master payload key. Erasure destroys it, and
 * the user's old histories become unreadable without being rewritten.
 *
 * Each process caches keys for a short time (USER_KEY_CACHE_TTL_MS), so after a destruction another process may still
 * use the key for up to that long: the erasure workflow closes the user's KycWorkflow before it destroys the key, so
 * nothing of theirs is being written by then.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import type { Sql } from '../db/pool.ts';
import { findUserDataKey, insertUserDataKey, type UserDataKeyRow } from '../db/user-data-keys.ts';
import type { PayloadKeys } from './payload-codec.ts';

export type UserDataKey = { state: 'held'; key: KeyObject } | { state: 'destroyed'; destroyedAt: Date };

/** Where the codec finds users' data keys. */
export interface UserKeyStore {
  /** The user's key, or that it was destroyed; with `create`, a user without one gets one; without, null. */
  get(userId: number, options: { create: boolean }): Promise<UserDataKey | null>;
}

export const USER_KEY_CACHE_TTL_MS = 30_000;
const USER_KEY_CACHE_ENTRIES = 10_000;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Binds a wrapped key to its user and master key: a wrapped key copied to another user's row does not unwrap. */
const wrapAad = (userId: number, masterKeyId: string) => Buffer.from(`kyc-user-data-key\n${userId}\n${masterKeyId}`);

export function wrapUserKey(
  master: PayloadKeys,
  userId: number,
  key: Buffer,
): { masterKeyId: string; wrappedKey: Buffer } {
  const masterKeyId = master.currentKeyId;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master.keys.get(masterKeyId) as Uint8Array, iv, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(wrapAad(userId, masterKeyId));
  const sealed = Buffer.concat([cipher.update(key), cipher.final()]);
  return { masterKeyId, wrappedKey: Buffer.concat([iv, sealed, cipher.getAuthTag()]) };
}

export function unwrapUserKey(master: PayloadKeys, userId: number, row: { masterKeyId: string; wrappedKey: Buffer }) {
  const masterKey = master.keys.get(row.masterKeyId);
  if (!masterKey)
    throw new Error(`user ${userId}'s data key is wrapped under master key ${row.masterKeyId}, not loaded`);
  const bytes = row.wrappedKey;
  const decipher = createDecipheriv('aes-256-gcm', masterKey, bytes.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(wrapAad(userId, row.masterKeyId));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new Error(`user ${userId}'s wrapped data key does not unwrap: altered, or not this user's`);
  }
}

/**
 * The PostgreSQL store (table user_data_keys), for every process that has the database. Concurrent look-ups of one
 * user share one query; held keys are cached USER_KEY_CACHE_TTL_MS, destructions for as long as the cache keeps them
 * (they are final), and "no key yet" not at all (another process may make it any moment).
 */
export function createPostgresUserKeyStore(
  sql: Sql,
  master: PayloadKeys,
  options: { ttlMs?: number; now?: () => number } = {},
): UserKeyStore {
  const ttlMs = options.ttlMs ?? USER_KEY_CACHE_TTL_MS;
  const now = options.now ?? Date.now;
  const cache = new Map<number, { expiresAt: number; value: Promise<UserDataKey | null> }>();

  const toKey = (userId: number, row: UserDataKeyRow | null): UserDataKey | null => {
    if (!row) return null;
    if (row.state === 'destroyed') return row;
    return { state: 'held', key: createSecretKey(unwrapUserKey(master, userId, row)) };
  };

  async function load(userId: number, create: boolean): Promise<UserDataKey | null> {
    const found = await findUserDataKey(sql, userId);
    if (found || !create) return toKey(userId, found);
    return toKey(userId, await insertUserDataKey(sql, userId, wrapUserKey(master, userId, randomBytes(32))));
  }

  return {
    async get(userId, { create }) {
      const cached = cache.get(userId);
      if (cached && cached.expiresAt > now()) {
        const value = await cached.value;
        if (value || !create) return value;
      }
      const value = load(userId, create);
      cache.delete(userId);
      cache.set(userId, { expiresAt: now() + ttlMs, value });
      // Bounded: the oldest entry goes first (a Map iterates in insertion order).
      if (cache.size > USER_KEY_CACHE_ENTRIES) cache.delete(cache.keys().next().value as number);
      try {
        const loaded = await value;
        if (!loaded || loaded.state === 'destroyed') {
          const entry = cache.get(userId);
          if (entry?.value === value) {
            if (loaded) entry.expiresAt = Number.POSITIVE_INFINITY;
            else cache.delete(userId);
          }
        }
        return loaded;
      } catch (error) {
        if (cache.get(userId)?.value === value) cache.delete(userId);
        throw error;
      }
    },
  };
}
