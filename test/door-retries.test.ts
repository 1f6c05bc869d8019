/**
 * Regressions the chaos run found at the doors, where callers retry and deliveries race:
 *
 * - the S3 bridge can handle an object's event before the API's put() has returned; the API used to record the
 *   selfie's row (with its liveness session) only after storing it, so the bridge signalled the selfie without the
 *   session, and a verification that should pass went to manual review (LIVENESS_NOT_PERFORMED);
 * - a client retrying an upload whose answer it lost (the API was killed) stored the files again under new keys, so
 *   the workflow saw a re-upload and started a second verification cycle;
 * - two copies of one Apify webhook arriving together both passed the replay check and were both handed on.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_TOKEN_HEADER, callbackToken } from '../src/adapters/apify/callback-token.ts';
import { createPassiveLivenessService } from '../src/adapters/rekognition/passive-liveness.ts';
import type { ObjectRef, ObjectStore } from '../src/adapters/s3/index.ts';
import { tokenDigest } from '../src/config.ts';
import type { DocumentUploaded, RegisterResult } from '../src/contract/kyc-workflow.ts';
import { EncryptionCodec } from '../src/data-protection/payload-codec.ts';
import { createAuthenticator } from '../src/identity/index.ts';
import { createLogger } from '../src/logger.ts';
import { buildHttpApp } from '../src/starters/http/app.ts';
import type { KycClient } from '../src/starters/kyc-client.ts';
import { createS3Bridge } from '../src/starters/s3-bridge.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { jpegImage } from './support/images.ts';
import { BUCKET, TOKEN } from './support/scenarios.ts';
import { testPayloadKeys } from './support/temporal.ts';

const logger = createLogger({ level: 'silent' });
const WEBHOOK_SECRET = 'webhook-secret-for-tests-0123456789';

let db: TestDatabase;
let app: FastifyInstance;
let url: string;
/** What the S3 bridge signalled, handling each object's event the instant the API stored the object. */
const signalled: DocumentUploaded[] = [];
const stored: string[] = [];
/** What the webhook receiver handed on, and how the next hand-off behaves. */
const handedOn: RegisterResult[] = [];
const nextHandOff = { fails: false, takesMs: 0 };

/** Signals are captured, not sent: these tests are about what the doors tell the workflow. */
const capturingKyc: KycClient = {
  taskQueue: 'kyc',
  client: {
    workflow: {
      signalWithStart: async (_type: string, options: { signalArgs: [DocumentUploaded] }) => {
        signalled.push(options.signalArgs[0]);
      },
    },
  } as unknown as Client,
};

/** Each user's Face Liveness session, created through the door (single-use: a new upload needs a new one). */
const sessions = new Map<number, string>();

async function newSession(userId: number): Promise<string> {
  const response = await fetch(`${url}/users/${userId}/liveness-session`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN.intake}` },
  });
  const { sessionId } = (await response.json()) as { sessionId: string };
  sessions.set(userId, sessionId);
  return sessionId;
}

async function upload(userId: number, headers: Record<string, string> = {}) {
  const form = new FormData();
  form.append('doc_type', 'passport');
  form.append('liveness_session_id', sessions.get(userId) ?? (await newSession(userId)));
  form.append('id_document', new Blob([jpegImage()], { type: 'image/jpeg' }), 'passport.jpg');
  form.append('selfie', new Blob([jpegImage(48, 64)], { type: 'image/jpeg' }), 'selfie.jpg');
  const response = await fetch(`${url}/users/${userId}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN.intake}`, ...headers },
    body: form,
  });
  return { status: response.status, body: (await response.json()) as { uploads: { key: string }[] } };
}

async function newUser(): Promise<number> {
  const regNo = String(7_300_000 + Math.floor(Math.random() * 99_999));
  const [row] = await db.sql<{ id: number }[]>`
    insert into users (email, reg_no, reg_type) values (${`${regNo}@example.com`}, ${regNo}, 'GMC') returning id`;
  return (row as { id: number }).id;
}

describe('doors under retries and races', () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    const bridge = createS3Bridge({ sql: db.sql, kyc: capturingKyc, bucket: BUCKET, prefix: 'kyc-raw/', logger });
    const store: ObjectStore = {
      // S3 puts the event on the queue before it answers the PUT; the bridge may act on it at once.
      async put(ref: ObjectRef) {
        stored.push(ref.key);
        await bridge.bridgeObject(ref);
      },
      get: async () => new Uint8Array(),
      delete: async () => {},
    };
    app = await buildHttpApp({
      sql: db.sql,
      kyc: capturingKyc,
      store,
      liveness: createPassiveLivenessService(),
      logger,
      authenticator: createAuthenticator({
        serviceTokens: [{ name: 'test-product-backend', role: 'intake', digest: tokenDigest(TOKEN.intake) }],
      }),
      settings: {
        bucket: BUCKET,
        keyPrefix: 'kyc-raw/',
        maxUploadBytes: 1024 * 1024,
        maxUploadPixels: 40_000_000,
        intakeSignal: 's3-event',
        webhookSecret: WEBHOOK_SECRET,
        webhookMaxAgeMs: 48 * 3_600_000,
        codecCorsOrigins: [],
      },
      codec: new EncryptionCodec(testPayloadKeys),
      handOffRegisterResult: async (result) => {
        const { fails, takesMs } = nextHandOff;
        Object.assign(nextHandOff, { fails: false, takesMs: 0 });
        await new Promise((resolve) => setTimeout(resolve, takesMs));
        if (fails) throw new Error('the reg-check-ingest queue is unavailable');
        handedOn.push(result);
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("records each upload before storing it, so an S3 event handled at once carries the selfie's liveness session", async () => {
    const userId = await newUser();
    expect((await upload(userId)).status).toBe(202);
    const mine = signalled.filter((signal) => signal.key.startsWith(`kyc-raw/${userId}/`));
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'ID_DOCUMENT', docType: 'passport' }),
      expect.objectContaining({ kind: 'SELFIE', livenessSessionId: sessions.get(userId) }),
    ]);
  });

  it('stores a retried upload with the same Idempotency-Key under the same keys, with no second row', async () => {
    const userId = await newUser();
    const idempotencyKey = randomUUID();
    const first = await upload(userId, { 'idempotency-key': idempotencyKey });
    const retry = await upload(userId, { 'idempotency-key': idempotencyKey });
    expect(first.status).toBe(202);
    expect(retry).toEqual(first);
    const [rows] = await db.sql<{ documents: number; selfies: number }[]>`
      select (select count(*)::int from id_documents where user_id = ${userId}) as documents,
             (select count(*)::int from selfies where user_id = ${userId}) as selfies`;
    expect(rows).toEqual({ documents: 1, selfies: 1 });
    // Without a key, every upload is a new one, with a new liveness session: the retry could reuse its own.
    await newSession(userId);
    const fresh = await upload(userId);
    expect(fresh.body.uploads[0]?.key).not.toBe(first.body.uploads[0]?.key);
  });

  it('refuses a malformed Idempotency-Key before storing anything', async () => {
    const userId = await newUser();
    const before = stored.length;
    const answer = await upload(userId, { 'idempotency-key': '../../other-user' });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'BAD_IDEMPOTENCY_KEY' } } });
    expect(stored.length).toBe(before);
  });

  describe('the Apify webhook receiver', () => {
    const cycleId = 'c3a1f0de-5b7e-4c1a-8f2d-9e6b7a5c4d3e';
    const deliver = async (runId: string) => {
      const body = {
        userId: 'apify-user',
        createdAt: new Date().toISOString(),
        eventType: 'ACTOR.RUN.SUCCEEDED',
        eventData: { actorId: 'kyc~gmc-register', actorRunId: runId },
        resource: { id: runId, status: 'SUCCEEDED', defaultDatasetId: 'dataset-1' },
        kyc: { userId: 1, cycleId },
      };
      const response = await fetch(`${url}/webhooks/apify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [CALLBACK_TOKEN_HEADER]: callbackToken(WEBHOOK_SECRET, 1, cycleId),
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const handOffsOf = (runId: string) => handedOn.filter((result) => result.eventData.actorRunId === runId).length;

    it('hands on one of two copies arriving together, and tells the other to retry', async () => {
      nextHandOff.takesMs = 300;
      const answers = await Promise.all([deliver('run-together'), deliver('run-together')]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
      expect(answers.find((answer) => answer.status === 409)?.body).toMatchObject({
        error: { code: 'DELIVERY_IN_PROGRESS' },
      });
      // Apify's retry of the refused copy is a replay now.
      expect(await deliver('run-together')).toEqual({ status: 200, body: { accepted: true, duplicate: true } });
      expect(handOffsOf('run-together')).toBe(1);
    });

    it('takes a retry after a failed hand-off for a new delivery, not a replay', async () => {
      nextHandOff.fails = true;
      expect((await deliver('run-retried')).status).toBe(500);
      expect((await deliver('run-retried')).status).toBe(202);
      expect(handOffsOf('run-retried')).toBe(1);
    });

    it('lets a retry take over the claim of a request that died before handing on', async () => {
      await db.sql`
        insert into webhook_receipts (delivery_key, claimed_at)
        values ('apify:run-orphaned:ACTOR.RUN.SUCCEEDED', now() - interval '2 minutes')`;
      expect((await deliver('run-orphaned')).status).toBe(202);
      expect(handOffsOf('run-orphaned')).toBe(1);
    });
  });
});
