/**
 * One person, one identity: the probes of issue 16 on the time-skipping server, through the real activities, the
 * real HTTP doors and the Rekognition stand-in (Face Liveness sessions, CompareFaces of the reference image, a face
 * collection searched before accepted selfies are indexed).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRekognitionFaceIndex } from '../src/adapters/face-index/rekognition.ts';
import { jpegImage } from './support/images.ts';
import { type KycHarness, type Person, SEED_PERSON, startKycHarness, TOKEN } from './support/kyc-harness.ts';
import { faceOfPerson } from './support/scenarios.ts';

let h: KycHarness;
let dataDir: string;
let count = 0;

/** A person of their own: registration, email, passport number and birth date all distinct. */
function person(overrides: Partial<Person> = {}): Person {
  count += 1;
  return {
    ...SEED_PERSON,
    regNo: String(7100000 + count),
    email: `fraud-${count}@example.com`,
    passportNumber: String(500000000 + count),
    birthDate: `1979-04-${String(count).padStart(2, '0')}`,
    ...overrides,
  };
}

const settled = (stage: string) => stage === 'DECIDED' || stage === 'AWAITING_REVIEW';

async function verified(someone: Person) {
  const user = await h.enrol(someone);
  await user.uploadBoth();
  const status = await h.waitForStatus(user.userId, (s) => settled(s.stage), 'a decision');
  expect(status.decision).toMatchObject({ decision: 'PASS' });
  return user;
}

/** What the intake API answers, as far as these tests read it. */
interface ApiBody {
  id: number;
  sessionId: string;
  registration?: { status: string; message: string };
  error?: { code: string };
}

function api(path: string, init: { method?: string; json?: unknown; body?: FormData } = {}) {
  return fetch(`${h.url}${path}`, {
    method: init.method ?? 'POST',
    headers: {
      authorization: `Bearer ${TOKEN.intake}`,
      ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.json === undefined ? init.body : JSON.stringify(init.json),
  }).then(async (response) => ({ status: response.status, body: (await response.json()) as ApiBody }));
}

function selfieForm(sessionId: string): FormData {
  const form = new FormData();
  form.append('liveness_session_id', sessionId);
  form.append('selfie', new Blob([jpegImage()], { type: 'image/jpeg' }), 'selfie.jpg');
  return form;
}

/** The mail's text with quoted-printable soft line breaks joined (the text is ASCII). */
function quotedPrintableText(raw: string): string {
  return raw.replace(/=\r?\n/g, '');
}

async function linksOf(userId: number) {
  return await h.db.sql`
    select user_id as "userId", other_user_id as "otherUserId", reason, detail
    from account_links where user_id = ${userId} order by id`;
}

describe('fraud controls', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kyc-fraud-'));
    // Uploads through the door land in a folder; the stand-ins answer by key, whatever the bytes.
    h = await startKycHarness({ settings: { KYC_OBJECT_STORE: 'folder', KYC_DATA_DIR: dataDir } });
  });
  afterAll(async () => {
    await h?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('liveness sessions are bound to one user and used once', () => {
    it("refuses at the door user B's upload naming user A's session, a used session and an expired one", async () => {
      const a = await h.enrol(person(), { liveness: null });
      const b = await h.enrol(person(), { liveness: null });
      const created = await api(`/users/${a.userId}/liveness-session`);
      expect(created.status).toBe(201);
      const sessionId = created.body.sessionId as string;
      const [row] = await h.db.sql`select user_id as "userId" from liveness_sessions where session_id = ${sessionId}`;
      expect(row).toEqual({ userId: a.userId });

      const replayed = await api(`/users/${b.userId}/documents`, { body: selfieForm(sessionId) });
      expect(replayed).toMatchObject({ status: 403, body: { error: { code: 'LIVENESS_SESSION_OTHER_USER' } } });
      // Nothing of B's upload was kept.
      expect(await h.db.sql`select id from selfies where user_id = ${b.userId}`).toEqual([]);

      expect((await api(`/users/${a.userId}/documents`, { body: selfieForm(sessionId) })).status).toBe(202);
      const again = await api(`/users/${a.userId}/documents`, { body: selfieForm(sessionId) });
      expect(again).toMatchObject({ status: 409, body: { error: { code: 'LIVENESS_SESSION_USED' } } });

      const stale = (await api(`/users/${a.userId}/liveness-session`)).body.sessionId as string;
      await h.db
        .sql`update liveness_sessions set created_at = now() - interval '181 seconds' where session_id = ${stale}`;
      const late = await api(`/users/${a.userId}/documents`, { body: selfieForm(stale) });
      expect(late).toMatchObject({ status: 410, body: { error: { code: 'LIVENESS_SESSION_EXPIRED' } } });

      const unknown = await api(`/users/${a.userId}/documents`, { body: selfieForm(randomUUID()) });
      expect(unknown).toMatchObject({ status: 422, body: { error: { code: 'LIVENESS_SESSION_UNKNOWN' } } });
    });

    it("FAILs with LIVENESS_MISMATCH when B's selfie reaches the workflow with A's session another way", async () => {
      const a = await verified(person());
      const b = await h.enrol(person(), { liveness: null });
      // The S3 bridge path: the signal names the session, the door never saw it.
      await h.upload(b.userId, { kind: 'ID_DOCUMENT', key: b.passportKey, docType: 'passport' });
      await h.upload(b.userId, { kind: 'SELFIE', key: b.selfieKey, livenessSessionId: a.livenessSessionId as string });
      const status = await h.waitForStatus(b.userId, (s) => settled(s.stage), 'a decision');
      expect(status.decision).toMatchObject({
        decision: 'FAIL',
        reasons: ['LIVENESS_MISMATCH', 'LIVENESS_NOT_PERFORMED'],
      });
      expect(status.checks.face).toMatchObject({ liveness: 'NOT_PERFORMED', livenessSessionRefused: 'OTHER_USER' });
      // A's session result was never fetched for B, and B's face check does not carry A's session.
      const rows = await h.db.sql`
        select user_id as "userId", rekognition_job_id as session, liveness_pass as pass from face_checks
        where user_id in (${a.userId}, ${b.userId}) order by user_id`;
      expect(rows).toEqual([
        { userId: a.userId, session: a.livenessSessionId, pass: true },
        { userId: b.userId, session: a.livenessSessionId, pass: null },
      ]);
      expect(h.aws.callCount('RekognitionService.GetFaceLivenessSessionResults', a.livenessSessionId)).toBe(1);
    });

    it('FAILs a second selfie of the same user presenting a session another selfie used', async () => {
      const a = await verified(person());
      const previousRun = await h.runId(a.userId);
      await h.upload(a.userId, {
        kind: 'ID_DOCUMENT',
        key: `kyc-raw/${a.userId}/again-passport.jpg`,
        docType: 'passport',
      });
      await h.upload(a.userId, {
        kind: 'SELFIE',
        key: `kyc-raw/${a.userId}/second-selfie.jpg`,
        livenessSessionId: a.livenessSessionId as string,
      });
      await h.waitForNextRun(a.userId, previousRun);
      const status = await h.waitForStatus(
        a.userId,
        (s) => s.cycle === 2 && settled(s.stage),
        'the second cycle decided',
      );
      expect(status.checks.face).toMatchObject({ livenessSessionRefused: 'ALREADY_USED' });
      expect(status.decision).toMatchObject({ decision: 'FAIL' });
      expect(status.decision?.reasons).toContain('LIVENESS_MISMATCH');
    });

    it("FAILs with LIVENESS_MISMATCH when the session's reference image is someone else's face", async () => {
      const impostor = person();
      const user = await h.enrol(impostor, { livenessFace: 'someone-else-entirely' });
      await user.uploadBoth();
      const status = await h.waitForStatus(user.userId, (s) => settled(s.stage), 'a decision');
      expect(status.decision).toMatchObject({ decision: 'FAIL', reasons: ['LIVENESS_MISMATCH'] });
      expect(status.checks.face).toMatchObject({
        liveness: 'PASSED',
        livenessReference: { selfie: 0.041, document: 0.041 },
      });
    });

    it('PASSes when the reference image shows the selfie and document face', async () => {
      const user = await verified(person());
      const status = await h.status(user.userId);
      expect(status.checks.face).toMatchObject({
        livenessReference: { selfie: 0.992, document: 0.992 },
        sameFaceAs: [],
      });
    });
  });

  it('sends the same passport under a second user to review with DUPLICATE_IDENTITY, linking both', async () => {
    const holder = person();
    const first = await verified(holder);
    // Another account, another email and registration, the same passport (and the same face: the same person).
    const second = await h.enrol({ ...holder, regNo: '7199999', email: 'copy@example.com' });
    await second.uploadBoth();
    const status = await h.waitForStatus(second.userId, (s) => settled(s.stage), 'a decision');
    expect(status.decision).toMatchObject({
      decision: 'MANUAL_REVIEW',
      reasons: ['DUPLICATE_IDENTITY', 'DUPLICATE_FACE'],
    });
    expect(status.checks.document).toMatchObject({
      duplicates: [
        { userId: first.userId, on: 'DOCUMENT' },
        { userId: first.userId, on: 'IDENTITY' },
      ],
    });
    expect(await linksOf(second.userId)).toEqual([
      {
        userId: second.userId,
        otherUserId: first.userId,
        reason: 'DUPLICATE_IDENTITY',
        detail: { on: 'DOCUMENT+IDENTITY' },
      },
      { userId: second.userId, otherUserId: first.userId, reason: 'DUPLICATE_FACE', detail: { similarity: 0.992 } },
    ]);
    // Keyed hashes only: neither the number nor the birth date is stored for the look-up.
    const stored = await h.db.sql<{ fingerprint: Buffer }[]>`
      select fingerprint from identity_fingerprints where user_id = ${second.userId}`;
    expect(stored).toHaveLength(2);
    for (const { fingerprint } of stored) {
      expect(fingerprint).toHaveLength(32);
      expect(fingerprint.toString('latin1')).not.toContain(holder.passportNumber);
    }
    // CS's email names both users.
    const email = await vi.waitFor(() => {
      const sent = h.smtp.messages.find((message) => message.subject?.includes(`case ${second.userId} `));
      if (!sent) throw new Error('no CS email yet');
      return sent;
    });
    const text = quotedPrintableText(email.raw);
    expect(text).toContain(`user ${first.userId} (DUPLICATE_IDENTITY)`);
    expect(text).toContain('already used by another user');
    expect(text).not.toContain(holder.passportNumber);
  });

  it('a name and birth date seen before on another document is DUPLICATE_IDENTITY too', async () => {
    const holder = person();
    const first = await verified(holder);
    const second = await h.enrol({
      ...holder,
      regNo: '7199998',
      email: 'twin@example.com',
      passportNumber: '599999998',
    });
    await second.uploadBoth();
    const status = await h.waitForStatus(second.userId, (s) => settled(s.stage), 'a decision');
    expect(status.checks.document).toMatchObject({ duplicates: [{ userId: first.userId, on: 'IDENTITY' }] });
    expect(status.decision?.reasons).toContain('DUPLICATE_IDENTITY');
  });

  it("sends the same face under another name to review with DUPLICATE_FACE, once the first user's selfie is accepted", async () => {
    const original = person();
    const first = await verified(original);
    expect(h.aws.rekognition.collection(h.config.KYC_FACE_COLLECTION_ID)).toContainEqual(
      expect.objectContaining({ externalImageId: `user-${first.userId}` }),
    );
    // Someone else on paper (another passport, name, birth date), with the first user's face in the selfie.
    const other = person({ givenNames: 'JOHN', surname: 'ROE' });
    const second = await h.enrol(other, { selfieFace: faceOfPerson(original), livenessFace: faceOfPerson(original) });
    await second.uploadBoth();
    const status = await h.waitForStatus(second.userId, (s) => settled(s.stage), 'a decision');
    expect(status.checks.face).toMatchObject({ sameFaceAs: [{ userId: first.userId, similarity: 0.992 }] });
    expect(status.decision?.reasons).toContain('DUPLICATE_FACE');
    expect(await linksOf(second.userId)).toContainEqual({
      userId: second.userId,
      otherUserId: first.userId,
      reason: 'DUPLICATE_FACE',
      detail: { similarity: 0.992 },
    });
    // Not accepted, so not indexed.
    expect(
      h.aws.rekognition
        .collection(h.config.KYC_FACE_COLLECTION_ID)
        .filter((face) => face.externalImageId === `user-${second.userId}`),
    ).toEqual([]);
  });

  it("erasure removes a user's faces from the collection and its rows", async () => {
    const user = await verified(person());
    const faceIndex = createRekognitionFaceIndex(
      new RekognitionClient({ region: 'eu-west-2' }),
      h.db.sql,
      h.config.KYC_FACE_COLLECTION_ID,
    );
    const mine = () =>
      h.aws.rekognition
        .collection(h.config.KYC_FACE_COLLECTION_ID)
        .filter((face) => face.externalImageId === `user-${user.userId}`);
    expect(mine()).toHaveLength(1);
    await faceIndex.removeUser(user.userId);
    expect(mine()).toEqual([]);
    expect(await h.db.sql`select 1 from face_index_entries where user_id = ${user.userId}`).toEqual([]);
  });

  it('accepts a squatted registration number as a claim: the second user is told, and CS reviews both', async () => {
    const holder = person();
    const first = await api('/users', { json: { email: holder.email, reg_type: 'GMC', reg_no: holder.regNo } });
    expect(first.status).toBe(201);
    expect(first.body.registration).toBeUndefined();

    const claimant = person({ regNo: holder.regNo });
    const claim = await api('/users', { json: { email: claimant.email, reg_type: 'GMC', reg_no: holder.regNo } });
    expect(claim).toMatchObject({
      status: 201,
      body: { status: 'PENDING', registration: { status: 'UNDER_REVIEW' } },
    });
    expect(claim.body.registration?.message).toMatch(/under review/);
    const retried = await api('/users', { json: { email: claimant.email, reg_type: 'GMC', reg_no: holder.regNo } });
    expect(retried).toMatchObject({
      status: 200,
      body: { id: claim.body.id, registration: { status: 'UNDER_REVIEW' } },
    });
    expect(await linksOf(claim.body.id)).toEqual([
      { userId: claim.body.id, otherUserId: first.body.id, reason: 'REGISTRATION_CLAIMED_TWICE', detail: {} },
    ]);

    // The claimant's own documents are fine; the claim alone sends the case to CS.
    await h.program(claim.body.id, claimant);
    const [session] = await h.db.sql<{ sessionId: string }[]>`
      select session_id as "sessionId" from liveness_sessions where user_id = ${claim.body.id}`;
    await h.upload(claim.body.id, {
      kind: 'ID_DOCUMENT',
      key: `kyc-raw/${claim.body.id}/passport.jpg`,
      docType: 'passport',
    });
    await h.upload(claim.body.id, {
      kind: 'SELFIE',
      key: `kyc-raw/${claim.body.id}/selfie.jpg`,
      livenessSessionId: session?.sessionId as string,
    });
    const status = await h.waitForStatus(claim.body.id, (s) => settled(s.stage), 'a decision');
    expect(status.decision).toMatchObject({ decision: 'MANUAL_REVIEW', reasons: ['REGISTRATION_CLAIMED_TWICE'] });
    const email = await vi.waitFor(() => {
      const sent = h.smtp.messages.find((message) => message.subject?.includes(`case ${claim.body.id} `));
      if (!sent) throw new Error('no CS email yet');
      return sent;
    });
    expect(quotedPrintableText(email.raw)).toContain(`user ${first.body.id} (REGISTRATION_CLAIMED_TWICE)`);
  });
});
