/**
 * Crypto-shredding (README, Compliance): the payload codec with users' data keys in PostgreSQL. A user's payloads go
 * under their own key, found again from the key id alone; once the key is destroyed they read as erased, while
 * master-key payloads are untouched; a relabelled or moved key does not open anything.
 */
import type { Payload, SerializationContext } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import { EncryptionCodec, KEY_ID_METADATA } from '../src/data-protection/payload-codec.ts';
import { createPostgresUserKeyStore, USER_KEY_CACHE_TTL_MS } from '../src/data-protection/user-keys.ts';
import { destroyUserDataKey } from '../src/db/user-data-keys.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { testPayloadKeys } from './support/temporal.ts';

const plain = (text: string): Payload => ({
  metadata: { encoding: Buffer.from('json/plain') },
  data: Buffer.from(JSON.stringify(text)),
});
const text = (payload: Payload | undefined) => Buffer.from(payload?.data ?? []).toString();
const keyIdOf = (payload: Payload | undefined) => Buffer.from(payload?.metadata?.[KEY_ID_METADATA] ?? []).toString();
const workflow = (workflowId: string): SerializationContext => ({ type: 'workflow', namespace: 'default', workflowId });
const activity = (workflowId: string): SerializationContext => ({
  type: 'activity',
  namespace: 'default',
  workflowId,
  activityId: '1',
  isLocal: false,
});

describe('crypto-shredding', () => {
  let db: TestDatabase;
  /** A process with the database: its worker or client codec, and the codec server's. */
  const codecOf = (options: { showErased?: boolean; now?: () => number } = {}) =>
    new EncryptionCodec(testPayloadKeys, {
      userKeys: createPostgresUserKeyStore(db.sql, testPayloadKeys, options.now ? { now: options.now } : {}),
      ...(options.showErased ? { showErased: true } : {}),
    });

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("encrypts a user's workflow and activity payloads under their own key, which another process finds", async () => {
    const worker = codecOf();
    const [input] = await worker.encode([plain('input')], workflow(kycWorkflowId(7)));
    const [result] = await worker.encode([plain('result')], activity(kycWorkflowId(7)));
    const [erasure] = await worker.encode([plain('erasure')], workflow('kyc-erasure-7'));
    const [bare] = await worker.encode([plain('no context')]);
    expect([input, result, erasure, bare].map(keyIdOf)).toEqual(['user/7', 'user/7', 'local-1', 'local-1']);

    // Kept wrapped under the master key: the row holds no key that opens the payload by itself.
    const rows = await db.sql`select user_id, master_key_id, length(wrapped_key) as length from user_data_keys`;
    expect(rows).toEqual([{ user_id: 7, master_key_id: 'local-1', length: 12 + 32 + 16 }]);

    const other = codecOf();
    expect((await other.decode([input, result, erasure, bare] as Payload[])).map(text)).toEqual([
      '"input"',
      '"result"',
      '"erasure"',
      '"no context"',
    ]);
  });

  it('makes one key when processes first meet a user at once', async () => {
    const codecs = [codecOf(), codecOf(), codecOf()];
    const encoded = await Promise.all(
      codecs.flatMap((codec) => [1, 2].map(() => codec.encode([plain('first')], workflow(kycWorkflowId(8))))),
    );
    expect(await db.sql`select user_id from user_data_keys where user_id = 8`).toHaveLength(1);
    for (const [payload] of encoded) expect(text((await codecOf().decode([payload as Payload]))[0])).toBe('"first"');
  });

  it('reads a destroyed key as erased: a ValueError in workers, "erased" at the codec server', async () => {
    const worker = codecOf();
    const [personal] = await worker.encode([plain('personal')], workflow(kycWorkflowId(9)));
    const [master] = await worker.encode([plain('not personal')], workflow('kyc-erasure-9'));
    const destroyedAt = await destroyUserDataKey(db.sql, 9);
    expect(await destroyUserDataKey(db.sql, 9)).toEqual(destroyedAt);
    const [row] = await db.sql`select master_key_id, wrapped_key from user_data_keys where user_id = 9`;
    expect(row).toEqual({ master_key_id: null, wrapped_key: null });

    await expect(codecOf().decode([personal as Payload])).rejects.toThrow(
      /a payload under user\/9 is erased: the data key was destroyed at erasure/,
    );
    const [shown, untouched] = await codecOf({ showErased: true }).decode([personal, master] as Payload[]);
    expect(JSON.parse(text(shown))).toBe(
      `erased: this person's data key was destroyed at erasure on ${destroyedAt.toISOString()}`,
    );
    expect(text(untouched)).toBe('"not personal"');

    // Nothing more is written under a key for them: a late signal goes under the master key, and no key is made.
    const [late] = await codecOf().encode([plain('late')], workflow(kycWorkflowId(9)));
    expect(keyIdOf(late)).toBe('local-1');
    expect(await db.sql`select destroyed_at from user_data_keys where user_id = 9`).toEqual([
      { destroyed_at: destroyedAt },
    ]);
  });

  it('keeps a destroyed key in another process only until its cache entry expires', async () => {
    let clock = 0;
    const otherProcess = codecOf({ now: () => clock });
    const [payload] = await otherProcess.encode([plain('cached')], workflow(kycWorkflowId(10)));
    await destroyUserDataKey(db.sql, 10);
    clock += USER_KEY_CACHE_TTL_MS - 1;
    expect(text((await otherProcess.decode([payload as Payload]))[0])).toBe('"cached"');
    clock += 1;
    await expect(otherProcess.decode([payload as Payload])).rejects.toThrow(/user\/10 is erased/);
  });

  it('refuses a payload relabelled with another key id, and a wrapped key moved to another user', async () => {
    const worker = codecOf();
    const [eleven] = await worker.encode([plain('eleven')], workflow(kycWorkflowId(11)));
    await worker.encode([plain('twelve')], workflow(kycWorkflowId(12)));
    const relabelled = (keyId: string): Payload => ({
      ...eleven,
      metadata: { ...eleven?.metadata, [KEY_ID_METADATA]: Buffer.from(keyId) },
    });
    await expect(worker.decode([relabelled('user/12')])).rejects.toThrow(/under key user\/12 does not decrypt/);
    await expect(worker.decode([relabelled('local-1')])).rejects.toThrow(/under key local-1 does not decrypt/);
    await expect(worker.decode([relabelled('user/13')])).rejects.toThrow(/there is no data key user\/13/);
    await expect(worker.decode([relabelled('user/011')])).rejects.toThrow(/no payload key user\/011/);

    // User 12's wrapped key copied onto user 11's row does not unwrap there.
    await db.sql`
      update user_data_keys set wrapped_key = (select wrapped_key from user_data_keys where user_id = 12)
      where user_id = 11`;
    await expect(codecOf().decode([eleven as Payload])).rejects.toThrow(/user 11's wrapped data key does not unwrap/);
  });

  it('without the database, writes under the master key and cannot read a user-keyed payload', async () => {
    const [payload] = await codecOf().encode([plain('keyed')], workflow(kycWorkflowId(14)));
    const noDatabase = new EncryptionCodec(testPayloadKeys);
    await expect(noDatabase.decode([payload as Payload])).rejects.toThrow(/needs the users' data keys/);
    const [fallback] = await noDatabase.encode([plain('master')], workflow(kycWorkflowId(14)));
    expect(keyIdOf(fallback)).toBe('local-1');
  });
});
