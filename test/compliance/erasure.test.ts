/**
 * Erasure, retention and subject access (README, Compliance), end to end: three workers verified through the real
 * workflow, their images in a folder standing in for S3, their faces in the Rekognition stand-in's collection.
 * One is erased through `POST /ops/users/:userId/erasure`; then every table, the object store, the face collection,
 * the logs and every history (decoded through the codec server, as the Web UI sees it) is searched for their personal
 * data, and the audit is checked still there. Their workflow's payloads were under their own data key, destroyed at
 * erasure: the codec server shows them as "erased" (crypto-shredding). Another's images pass the retention period; the third, still in review, keeps everything.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Payload } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderObjectStore } from '../../src/adapters/s3/folder.ts';
import {
  type ErasureSummary,
  erasureWorkflowId,
  IMAGE_RETENTION_WORKFLOW_TYPE,
} from '../../src/contract/erasure-workflow.ts';
import { kycWorkflowId } from '../../src/contract/kyc-workflow.ts';
import { KEY_ID_METADATA } from '../../src/data-protection/payload-codec.ts';
import { keepHistory } from '../support/history-fixtures.ts';
import { jpegImage } from '../support/images.ts';
import { BUCKET, type KycHarness, type Person, SEED_PERSON, startKycHarness, TOKEN } from '../support/kyc-harness.ts';
import { runtimeLog } from '../support/runtime-log.ts';

const ERIN: Person = {
  ...SEED_PERSON,
  givenNames: 'ERIN MAE',
  surname: 'QUILLFEATHER',
  birthDate: '1979-08-23',
  passportNumber: '548812367',
  regNo: '6150001',
  email: 'erin.quillfeather@example.com',
};
const OWEN: Person = {
  ...SEED_PERSON,
  givenNames: 'OWEN',
  surname: 'BRACKENRIDGE',
  birthDate: '1981-04-02',
  passportNumber: '548812368',
  regNo: '6150002',
  email: 'owen.brackenridge@example.com',
};
const RUTH: Person = {
  ...SEED_PERSON,
  givenNames: 'RUTH',
  surname: 'ELLINGSWORTH',
  birthDate: '1990-11-30',
  passportNumber: '548812369',
  regNo: '6150003',
  email: 'ruth.ellingsworth@example.com',
};

async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'erased-pack-'));
  await writeFile(join(dir, 'pack.pdf'), pdf);
  const { stdout } = await promisify(execFile)('pdftotext', ['-enc', 'UTF-8', join(dir, 'pack.pdf'), '-']);
  return stdout.replace(/\s+/g, ' ');
}

/** The ways a person's data can be written down: names as read and in the MRZ, birth date formats, numbers, email. */
function needles(person: Person): string[] {
  const [year, month, day] = person.birthDate.split('-') as [string, string, string];
  return [
    person.surname,
    person.surname.toLowerCase(),
    `${person.surname}<<${person.givenNames.replace(' ', '<')}`,
    person.birthDate,
    `${day}.${month}.${year}`,
    `${year.slice(2)}${month}${day}`,
    person.passportNumber,
    person.email,
  ];
}

describe('erasure, retention and subject access', () => {
  let h: KycHarness;
  let dataDir: string;
  const ids: Record<'erin' | 'owen' | 'ruth', number> = { erin: 0, owen: 0, ruth: 0 };
  const keys: Record<number, string[]> = {};

  const authorised = (token: string, init: RequestInit = {}) => ({
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'erasure-objects-'));
    h = await startKycHarness({
      captureLogs: true,
      settings: { KYC_OBJECT_STORE: 'folder', KYC_DATA_DIR: dataDir, KYC_IMAGE_RETENTION: '30d' },
    });
    const store = createFolderObjectStore(join(dataDir, 'objects'));
    const enrolled = {
      erin: await h.enrol(ERIN),
      owen: await h.enrol(OWEN, { liveness: null }),
      ruth: await h.enrol(RUTH),
    };
    for (const [name, user] of Object.entries(enrolled)) {
      ids[name as keyof typeof ids] = user.userId;
      keys[user.userId] = [user.passportKey, user.selfieKey];
      await store.put({ bucket: BUCKET, key: user.passportKey }, jpegImage(320, 220), 'image/jpeg');
      await store.put({ bucket: BUCKET, key: user.selfieKey }, jpegImage(240, 320), 'image/jpeg');
      await user.uploadBoth();
    }
    await h.waitForStatus(ids.erin, (s) => s.stage === 'DECIDED', 'Erin PASS');
    await h.waitForStatus(ids.ruth, (s) => s.stage === 'DECIDED', 'Ruth PASS');
    await h.waitForStatus(ids.owen, (s) => s.stage === 'AWAITING_REVIEW', 'Owen in review');
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  /** The object keys of a user still in the folder store. */
  async function storedKeys(userId: number): Promise<string[]> {
    const files = await readdir(join(dataDir, 'objects', BUCKET, 'kyc-raw', String(userId))).catch(() => []);
    return files.map((file) => `kyc-raw/${userId}/${file}`).sort();
  }

  /** Every row of every table, as text. */
  async function everyRow(): Promise<string> {
    const tables = await h.db.sql<{ name: string }[]>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE'`;
    const text: string[] = [];
    for (const { name } of tables) {
      const rows = await h.db.sql<{ row: string }[]>`select t::text as row from ${h.db.sql(name)} t`;
      text.push(...rows.map((row) => row.row));
    }
    return text.join('\n');
  }

  it('exports everything held about a person, to ops only', async () => {
    const refused = await fetch(`${h.url}/users/${ids.erin}/export`, authorised(TOKEN.cs));
    expect(refused.status).toBe(403);
    const response = await fetch(`${h.url}/users/${ids.erin}/export`, authorised(TOKEN.ops));
    expect(response.status).toBe(200);
    const exported = (await response.json()) as {
      database: Record<string, Record<string, unknown>[]>;
      objectStore: { heldImages: string[] };
      kycWorkflow: { stage: string };
    };
    expect(exported.database.users?.[0]).toMatchObject({ id: ids.erin, email: ERIN.email, reg_no: ERIN.regNo });
    expect(exported.database.doc_scans?.[0]).toMatchObject({
      parsed_name: `${ERIN.givenNames} ${ERIN.surname}`,
      parsed_dob: expect.stringContaining(ERIN.birthDate),
    });
    expect(JSON.stringify(exported.database.doc_scans)).toContain(ERIN.passportNumber);
    expect(exported.database.kyc_decisions).toEqual([
      expect.objectContaining({ decision: 'PASS', policy_version: 'v1' }),
    ]);
    expect(exported.database.identity_fingerprints?.length).toBeGreaterThan(0);
    expect(exported.database.face_index_entries).toHaveLength(1);
    expect(exported.objectStore.heldImages.sort()).toEqual(keys[ids.erin]?.sort());
    expect(exported.kycWorkflow.stage).toBe('DECIDED');
    const [audited] = await h.db.sql`
      select actor_subject from audit_events where action = 'GET /users/:userId/export' and status = 200`;
    expect(audited).toEqual({ actor_subject: 'ops-olly' });
  });

  it('deletes images once a final decision is older than the retention period, from the daily pass', async () => {
    // Time passes: the decisions, and the uploads before them, are a month old.
    const aged = h.db.sql([ids.ruth, ids.owen]);
    await h.db.sql`update kyc_decisions set decided_at = now() - interval '31 days' where user_id in ${aged}`;
    await h.db.sql`update id_documents set created_at = now() - interval '32 days' where user_id in ${aged}`;
    await h.db.sql`update selfies set created_at = now() - interval '32 days' where user_id in ${aged}`;
    const summary = await h.env.client.workflow.execute(IMAGE_RETENTION_WORKFLOW_TYPE, {
      taskQueue: h.kyc.taskQueue,
      workflowId: `kyc-image-retention-pass-test-${randomUUID()}`,
      args: [],
    });
    expect(summary).toEqual({ imagesDeleted: 2, batches: 1 });
    expect(await storedKeys(ids.ruth)).toEqual([]);
    // Owen is still in review (no final decision); Erin's PASS is recent.
    expect(await storedKeys(ids.owen)).toEqual(keys[ids.owen]?.sort());
    expect(await storedKeys(ids.erin)).toEqual(keys[ids.erin]?.sort());
    const rows = await h.db.sql`
      select user_id, image_deleted_at is not null as deleted from id_documents
      where user_id in ${h.db.sql([ids.ruth, ids.owen])} order by user_id`;
    expect(rows).toEqual([
      { user_id: ids.owen, deleted: false },
      { user_id: ids.ruth, deleted: true },
    ]);
  });

  it('erases a person: images, face and personal data gone everywhere, the workflow closed, the audit kept', async () => {
    const userId = ids.erin;
    const before = await h.db.sql`
      select k.id, k.decision, k.reasons, k.decided_at, k.policy_version, k.source, f.match_score, r.snapshot_date,
             r.standing
      from kyc_decisions k join face_checks f on f.cycle_id = k.cycle_id join reg_checks r on r.cycle_id = k.cycle_id
      where k.user_id = ${userId}`;
    expect(before).toHaveLength(1);
    expect(h.aws.rekognition.collection(h.config.KYC_FACE_COLLECTION_ID).map((face) => face.externalImageId)).toContain(
      `user-${userId}`,
    );
    const kycRunBefore = await h.runId(userId);

    expect((await fetch(`${h.url}/ops/users/${userId}/erasure`, authorised(TOKEN.cs, { method: 'POST' }))).status).toBe(
      403,
    );
    const requested = await fetch(`${h.url}/ops/users/${userId}/erasure`, authorised(TOKEN.ops, { method: 'POST' }));
    expect(requested.status).toBe(202);
    expect(await requested.json()).toMatchObject({ userId, workflowId: erasureWorkflowId(userId) });
    const erasure = h.env.client.workflow.getHandle(erasureWorkflowId(userId));
    expect((await erasure.result()) as ErasureSummary).toEqual({
      userId,
      kycWorkflowClosed: true,
      imagesDeleted: 2,
      scansRedacted: 1,
      registerChecksRedacted: 1,
      dataKeyDestroyedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const [key] = await h.db.sql`
      select master_key_id, wrapped_key, destroyed_at is not null as destroyed from user_data_keys where user_id = ${userId}`;
    expect(key).toEqual({ master_key_id: null, wrapped_key: null, destroyed: true });

    // The KycWorkflow stopped where it waited and closed, ERASED, for good.
    const kyc = h.env.client.workflow.getHandle(kycWorkflowId(userId));
    const description = await kyc.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.runId).toBe(kycRunBefore);
    expect(description.searchAttributes.KycStage).toEqual(['ERASED']);
    await keepHistory(h.env.client, {
      name: 'kyc-closed-for-erasure',
      path: 'automatic PASS, idle, then closed by closeForErasure',
      workflowId: kycWorkflowId(userId),
    });
    await keepHistory(h.env.client, {
      name: 'erasure',
      path: 'erasure of a verified user: close the KycWorkflow, images, face, personal data, then destroy the data key',
      workflowId: erasureWorkflowId(userId),
    });

    // Nothing of the person is left: not in any table, the object store, the face collection, the logs or a history.
    const rows = await everyRow();
    const logs = [...h.logs, ...runtimeLog].join('\n');
    const kycHistory = await decodedHistories([kycWorkflowId(userId)]);
    const erasureHistory = await decodedHistories([erasureWorkflowId(userId)]);
    const histories = `${kycHistory.text}\n${erasureHistory.text}`;
    const found = needles(ERIN).filter(
      (needle) => rows.includes(needle) || logs.includes(needle) || histories.includes(needle),
    );
    expect(found).toEqual([]);
    // The person's workflow wrote every payload under their data key, and now each reads "erased"; the erasure
    // workflow's own payloads are under the master key and still read (its signal to the person's workflow does not).
    expect(new Set(kycHistory.keyIds)).toEqual(new Set([`user/${userId}`]));
    expect(kycHistory.erased).toBe(kycHistory.keyIds.length);
    expect(erasureHistory.erased).toBe(1);
    expect(erasureHistory.text).toContain('"kycWorkflowClosed":true');
    // A person not erased: their workflow's payloads are under their own key, and read.
    const ruthHistory = await decodedHistories([kycWorkflowId(ids.ruth)]);
    expect(new Set(ruthHistory.keyIds)).toEqual(new Set([`user/${ids.ruth}`]));
    expect(ruthHistory.erased).toBe(0);
    expect(ruthHistory.text).toContain(`"userId":${ids.ruth}`);
    // The search finds what is there: the people not erased are still in the tables.
    for (const value of [OWEN.surname, OWEN.birthDate, OWEN.passportNumber, OWEN.email]) expect(rows).toContain(value);
    expect(await storedKeys(userId)).toEqual([]);
    expect(await storedKeys(ids.owen)).toHaveLength(2);
    expect(
      h.aws.rekognition.collection(h.config.KYC_FACE_COLLECTION_ID).map((face) => face.externalImageId),
    ).not.toContain(`user-${userId}`);

    // The audit stays: decision, reasons, time, policy version, score, register snapshot date and standing.
    const after = await h.db.sql`
      select k.id, k.decision, k.reasons, k.decided_at, k.policy_version, k.source, f.match_score, r.snapshot_date,
             r.standing
      from kyc_decisions k join face_checks f on f.cycle_id = k.cycle_id join reg_checks r on r.cycle_id = k.cycle_id
      where k.user_id = ${userId}`;
    expect(after).toEqual(before);
    const [user] = await h.db
      .sql`select email, status, erased_at is not null as erased from users where id = ${userId}`;
    expect(user).toEqual({ email: null, status: 'ERASED', erased: true });
    const [audited] = await h.db.sql`
      select actor_subject, status from audit_events where user_id = ${userId} and action = 'POST /ops/users/:userId/erasure'
      order by id desc limit 1`;
    expect(audited).toEqual({ actor_subject: 'ops-olly', status: 202 });

    // An erased user cannot be brought back by an upload.
    const form = new FormData();
    form.set('selfie', new Blob([jpegImage(240, 320)], { type: 'image/jpeg' }), 'selfie.jpg');
    const upload = await fetch(
      `${h.url}/users/${userId}/documents`,
      authorised(TOKEN.intake, { method: 'POST', body: form }),
    );
    expect(upload.status).toBe(410);

    // The evidence pack still tells the story, without the person: no name, no images, when they went.
    const pack = await fetch(`${h.url}/compliance/users/${userId}/evidence?images=true`, authorised(TOKEN.ops));
    expect(pack.status).toBe(200);
    const packText = await pdfText(Buffer.from(await pack.arrayBuffer()));
    expect(packText).toMatch(/name read none, expiry \S+; uploaded .* UTC; image deleted/);
    expect(packText).toContain('PASS (automatic) under policy v1');
    expect(packText).not.toContain('Images (redacted thumbnails)');
    expect(needles(ERIN).filter((needle) => packText.includes(needle))).toEqual([]);

    // The export says what is left: the audit, no personal data.
    const exported = await (await fetch(`${h.url}/users/${userId}/export`, authorised(TOKEN.ops))).text();
    expect(needles(ERIN).filter((needle) => exported.includes(needle))).toEqual([]);
    expect(exported).toContain('"policy_version":"v1"');
  });

  it('closes a case waiting for CS review too: its timers and waits are cancelled, and nothing of the person is left', async () => {
    const userId = ids.owen;
    expect((await h.status(userId)).stage).toBe('AWAITING_REVIEW');
    const requested = await fetch(`${h.url}/ops/users/${userId}/erasure`, authorised(TOKEN.ops, { method: 'POST' }));
    expect(requested.status).toBe(202);
    expect(await h.env.client.workflow.getHandle(erasureWorkflowId(userId)).result()).toMatchObject({
      kycWorkflowClosed: true,
      imagesDeleted: 2,
    });
    const description = await h.env.client.workflow.getHandle(kycWorkflowId(userId)).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.KycStage).toEqual(['ERASED']);
    await keepHistory(h.env.client, {
      name: 'kyc-review-closed-for-erasure',
      path: 'MANUAL_REVIEW awaiting CS (reminder timer pending), then closed by closeForErasure',
      workflowId: kycWorkflowId(userId),
    });
    expect(await storedKeys(userId)).toEqual([]);
    const rows = await everyRow();
    expect(needles(OWEN).filter((needle) => rows.includes(needle))).toEqual([]);
    const [decision] = await h.db.sql`select decision, policy_version from kyc_decisions where user_id = ${userId}`;
    expect(decision).toEqual({ decision: 'MANUAL_REVIEW', policy_version: 'v1' });
  });

  /**
   * Every payload of every run of these workflows, decoded through the codec server as the Web UI asks it, with the
   * raw history around it; the key ids the payloads were under, and how many decoded to "erased".
   */
  async function decodedHistories(workflowIds: string[]): Promise<{ text: string; keyIds: string[]; erased: number }> {
    // Search attributes are stored unencoded (Temporal indexes them); everything else goes through the codec.
    const text: string[] = [];
    const keyIds: string[] = [];
    let erased = 0;
    for (const workflowId of workflowIds) {
      // Every run, from the latest back along continue-as-new (the time-skipping server lists no workflows).
      let runId: string | undefined = (await h.env.client.workflow.getHandle(workflowId).describe()).runId;
      while (runId) {
        const history = await h.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
        runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
        const payloads: Payload[] = [];
        const walk = (value: unknown) => {
          if (!value || typeof value !== 'object') return;
          const candidate = value as Payload;
          if (candidate.data instanceof Uint8Array && candidate.metadata) payloads.push(candidate);
          else for (const child of Object.values(value)) walk(child);
        };
        walk(history);
        const base64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
        const response = await fetch(`${h.url}/codec/decode`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN.ops}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            payloads: payloads.map(({ metadata, data }) => ({
              metadata: Object.fromEntries(
                Object.entries(metadata ?? {}).map(([name, value]) => [name, base64(value)]),
              ),
              data: base64(data),
            })),
          }),
        });
        expect(response.status).toBe(200);
        const decoded = ((await response.json()) as { payloads: { data: string }[] }).payloads;
        expect(decoded).toHaveLength(payloads.length);
        for (const payload of decoded) {
          const plain = Buffer.from(payload.data, 'base64').toString();
          if (/^"erased: this person's data key was destroyed at erasure on \d{4}-/.test(plain)) erased += 1;
          text.push(plain);
        }
        for (const payload of payloads) {
          const keyId = payload.metadata?.[KEY_ID_METADATA];
          if (keyId) keyIds.push(Buffer.from(keyId).toString());
        }
        text.push(JSON.stringify(history));
      }
    }
    expect(text.length).toBeGreaterThan(3);
    return { text: text.join('\n'), keyIds, erased };
  }
});
