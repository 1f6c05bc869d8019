/**
 * Users' data keys in tests (README, Compliance, "Crypto-shredding"). Harness workers and clients encrypt a user's
 * payloads under the user's key, as production does, kept in the harness's throwaway database. A recorded fixture
 * must replay long after that database is gone, so every key a test process was served is also remembered here, and
 * `keepHistory` re-encrypts the fixture's user-keyed payloads under the public test master key (the events, and so
 * the commands to replay, are untouched). Production keeps no such copy: a destroyed key is gone.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { DataConverter, Payload } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/encoding.js';
import { createDataConverter } from '../../src/data-protection/data-converter.ts';
import { EncryptionCodec, KEY_ID_METADATA } from '../../src/data-protection/payload-codec.ts';
import { createPostgresUserKeyStore, type UserKeyStore } from '../../src/data-protection/user-keys.ts';
import type { Sql } from '../../src/db/pool.ts';
import { testPayloadKeys } from './temporal.ts';

/** User id → every key served for it in this process (each harness database numbers its users from 1). */
const served = new Map<number, KeyObject[]>();

function remembering(store: UserKeyStore): UserKeyStore {
  return {
    async get(userId, options) {
      const key = await store.get(userId, options);
      if (key?.state === 'held') {
        const keys = served.get(userId) ?? [];
        const bytes = key.key.export();
        if (!keys.some((known) => known.export().equals(bytes))) served.set(userId, [...keys, createSecretKey(bytes)]);
      }
      return key;
    },
  };
}

/** The users' key store a harness's worker, client and doors share: PostgreSQL, as production. */
export function testUserKeyStore(sql: Sql): UserKeyStore {
  return remembering(createPostgresUserKeyStore(sql, testPayloadKeys));
}

export function userKeyedDataConverter(userKeys: UserKeyStore): DataConverter {
  return createDataConverter(testPayloadKeys, { userKeys });
}

const masterOnly = new EncryptionCodec(testPayloadKeys);

/** Re-encrypts, in place, every payload under a user's data key in `history` under the test master key. */
export async function reencryptUnderMasterKey(history: unknown): Promise<void> {
  const userKeyed: Payload[] = [];
  const walk = (value: unknown) => {
    if (!value || typeof value !== 'object') return;
    const candidate = value as Payload;
    const keyId = candidate.metadata?.[KEY_ID_METADATA];
    if (candidate.data instanceof Uint8Array && keyId) {
      if (decode(keyId).startsWith('user/')) userKeyed.push(candidate);
    } else for (const child of Object.values(value)) walk(child);
  };
  walk(history);
  for (const payload of userKeyed) {
    const userId = Number(decode(payload.metadata?.[KEY_ID_METADATA] as Uint8Array).slice('user/'.length));
    const [plain] = await decryptWithServedKeys(userId, payload);
    const [reencrypted] = await masterOnly.encode([plain as Payload]);
    Object.assign(payload, reencrypted);
  }
}

async function decryptWithServedKeys(userId: number, payload: Payload): Promise<Payload[]> {
  for (const key of served.get(userId) ?? []) {
    const codec = new EncryptionCodec(testPayloadKeys, {
      userKeys: { get: async () => ({ state: 'held', key }) },
    });
    const decoded = await codec.decode([payload]).catch(() => null);
    if (decoded) return decoded;
  }
  throw new Error(`no data key served in this process decrypts a payload of user ${userId}; cannot keep the history`);
}
