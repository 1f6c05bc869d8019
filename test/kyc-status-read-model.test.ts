/**
 * `GET /users/:id/kyc` from PostgreSQL against `?live=true` (the workflow's query), through the HTTP door over a
 * verification's life on the time-skipping server: wherever the case rests, the two agree on everything the database
 * answers. Uploads are recorded as the intake API records them (the row, then the signal).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KycStatusAnswer } from '../src/contract/kyc-status.ts';
import {
  type DocumentUploaded,
  kycWorkflowId,
  registerChangedSignal,
  requestDocumentsUpdate,
} from '../src/contract/kyc-workflow.ts';
import { upsertIdDocument, upsertSelfie } from '../src/db/documents.ts';
import { startKycWorkflow } from '../src/starters/kyc-client.ts';
import { type KycHarness, SEED_PERSON, startKycHarness, TOKEN } from './support/kyc-harness.ts';

let h: KycHarness;
let people = 0;

function person() {
  people += 1;
  return {
    ...SEED_PERSON,
    regNo: String(6243219 + people),
    email: `status${people}@example.com`,
    passportNumber: String(710000000 + people),
    birthDate: `1984-05-${String(people).padStart(2, '0')}`,
  };
}

async function api(path: string, init: RequestInit & { role?: keyof typeof TOKEN } = {}) {
  const { role = 'intake', headers, ...rest } = init;
  const response = await fetch(`${h.url}${path}`, {
    ...rest,
    headers: { authorization: `Bearer ${TOKEN[role]}`, ...headers },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** The intake API's order: the upload's row first, then the signal. */
/** A user enrolled, both documents uploaded, and the first cycle decided (PASS for the harness's default person). */
async function decidedUser(someone: ReturnType<typeof person>) {
  const user = await h.enrol(someone);
  await startKycWorkflow(h.kyc, user.userId);
  await upload(user.userId, { kind: 'ID_DOCUMENT', key: user.passportKey, docType: 'passport' });
  const { livenessSessionId } = user;
  await upload(user.userId, {
    kind: 'SELFIE',
    key: user.selfieKey,
    ...(livenessSessionId ? { livenessSessionId } : {}),
  });
  await h.waitForStatus(user.userId, (s) => s.stage === 'DECIDED', 'the first decision');
  return user;
}

async function upload(userId: number, document: Omit<DocumentUploaded, 'bucket'>) {
  if (document.kind === 'ID_DOCUMENT') {
    await upsertIdDocument(h.db.sql, { userId, key: document.key, docType: document.docType ?? 'passport' });
  } else {
    const { livenessSessionId } = document;
    await upsertSelfie(h.db.sql, { userId, key: document.key, ...(livenessSessionId ? { livenessSessionId } : {}) });
  }
  await h.upload(userId, document);
}

/** Both answers; the fields the database answers must be the workflow's. */
async function agree(userId: number): Promise<{ recorded: KycStatusAnswer; live: KycStatusAnswer }> {
  const [fromDatabase, fromWorkflow] = await Promise.all([
    api(`/users/${userId}/kyc`),
    api(`/users/${userId}/kyc?live=true`),
  ]);
  expect(fromDatabase.status).toBe(200);
  expect(fromWorkflow.status).toBe(200);
  const recorded = fromDatabase.body as KycStatusAnswer;
  const live = fromWorkflow.body as KycStatusAnswer;
  expect(recorded.source).toBe('database');
  expect(live.source).toBe('workflow');
  const shared = ({
    stage,
    cycle,
    waitingFor,
    documents,
    checks,
    decision,
    automaticDecision,
    attention,
  }: KycStatusAnswer) => ({
    stage,
    cycle,
    waitingFor,
    documents,
    checks,
    decision,
    automaticDecision,
    attention,
  });
  expect(shared(recorded)).toEqual(shared(live));
  if (recorded.source === 'database') {
    expect(recorded.ignoredSignals).toBeNull();
    if (recorded.cycleId !== null) expect(recorded.cycleId).toBe(live.cycleId);
    expect(recorded.notRecorded.includes('cycleId')).toBe(recorded.cycleId === null);
  }
  return { recorded, live };
}

describe('GET /users/:id/kyc from PostgreSQL', () => {
  beforeAll(async () => {
    h = await startKycHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('agrees with the workflow while it awaits documents, checks, and once it has decided PASS', async () => {
    const user = await h.enrol(person());
    await startKycWorkflow(h.kyc, user.userId);
    await h.waitForStatus(user.userId, (s) => s.stage === 'AWAITING_DOCUMENTS', 'the first cycle');
    const awaiting = await agree(user.userId);
    // beginCycle recorded the cycle: its id is known before any upload.
    expect(awaiting.recorded).toMatchObject({ stage: 'AWAITING_DOCUMENTS', cycle: 1, notRecorded: ['ignoredSignals'] });
    expect(awaiting.recorded.cycleId).toBe(awaiting.live.cycleId);

    await upload(user.userId, { kind: 'ID_DOCUMENT', key: user.passportKey, docType: 'passport' });
    await h.waitForStatus(user.userId, (s) => s.documents.idDocument !== null, 'the passport');
    expect((await agree(user.userId)).recorded.waitingFor).toEqual(['SELFIE']);

    h.apify.webhookMode = 'drop';
    try {
      const { livenessSessionId } = user;
      await upload(user.userId, {
        kind: 'SELFIE',
        key: user.selfieKey,
        ...(livenessSessionId ? { livenessSessionId } : {}),
      });
      await h.waitForStatus(
        user.userId,
        (s) => s.waitingFor.includes('REGISTER_CALLBACK') && s.checks.face !== null,
        'the face checked and the register run waiting',
      );
      const checking = await agree(user.userId);
      expect(checking.recorded).toMatchObject({
        stage: 'CHECKING',
        cycle: 1,
        checks: { document: { status: 'READ' }, register: { status: 'PENDING' } },
        decision: null,
      });
      expect(checking.recorded.cycleId).toEqual(expect.any(String));

      await h.env.sleep('31 minutes');
      await h.waitForStatus(user.userId, (s) => s.stage === 'DECIDED', 'a decision');
    } finally {
      h.apify.webhookMode = 'deliver';
    }
    const passed = await agree(user.userId);
    expect(passed.recorded).toMatchObject({
      stage: 'DECIDED',
      decision: { decision: 'PASS', source: 'AUTOMATIC' },
      checks: { register: { status: 'CHECKED', standing: 'REGISTERED' } },
    });
  });

  it('agrees with the workflow through a one-document re-upload: the new cycle known by its id, in its settle window', async () => {
    const someone = person();
    const user = await decidedUser(someone);

    const renewedKey = `kyc-raw/${user.userId}/passport-renewed.jpg`;
    h.programPassport(someone, renewedKey);
    const firstRun = await h.runId(user.userId);
    await upload(user.userId, { kind: 'ID_DOCUMENT', key: renewedKey, docType: 'passport' });
    await h.waitForNextRun(user.userId, firstRun);
    await h.waitForStatus(user.userId, (s) => s.cycle === 2 && s.stage === 'AWAITING_DOCUMENTS', 'the second cycle');
    const settling = await agree(user.userId);
    expect(settling.recorded).toMatchObject({
      cycle: 2,
      stage: 'AWAITING_DOCUMENTS',
      waitingFor: ['SELFIE'],
      documents: { idDocument: { key: renewedKey }, selfie: null },
      notRecorded: ['ignoredSignals'],
    });
    expect(settling.recorded.cycleId).toBe(settling.live.cycleId);

    await h.env.sleep('3 minutes');
    await h.waitForStatus(user.userId, (s) => s.cycle === 2 && s.stage === 'DECIDED', 'the second decision');
    const reused = await agree(user.userId);
    expect(reused.recorded).toMatchObject({ cycle: 2, documents: { selfie: { key: user.selfieKey } } });
  });

  it('agrees with the workflow while a review is pending and once CS decided it', async () => {
    const user = await h.enrol(person(), { liveness: null });
    await upload(user.userId, { kind: 'ID_DOCUMENT', key: user.passportKey, docType: 'passport' });
    await upload(user.userId, { kind: 'SELFIE', key: user.selfieKey });
    await h.waitForStatus(user.userId, (s) => s.stage === 'AWAITING_REVIEW', 'manual review');
    const review = await agree(user.userId);
    expect(review.recorded).toMatchObject({
      stage: 'AWAITING_REVIEW',
      waitingFor: ['CS_REVIEW'],
      decision: { decision: 'MANUAL_REVIEW', reasons: ['LIVENESS_NOT_PERFORMED'] },
      claimedBy: null,
    });

    const decided = await api(`/cs/cases/${user.userId}/decision`, {
      role: 'cs',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'PASS', note: 'liveness seen on a call' }),
    });
    expect(decided.status).toBe(200);
    await h.waitForStatus(user.userId, (s) => s.stage === 'DECIDED', 'the CS decision');
    const byCs = await agree(user.userId);
    expect(byCs.recorded).toMatchObject({
      stage: 'DECIDED',
      decision: { decision: 'PASS', source: 'CS', reviewer: expect.any(String) },
      automaticDecision: { decision: 'MANUAL_REVIEW' },
    });
  });

  it('agrees with the workflow once a review asked for a new selfie: waiting for it, the ID document kept', async () => {
    const user = await h.enrol(person(), { liveness: null });
    await upload(user.userId, { kind: 'ID_DOCUMENT', key: user.passportKey, docType: 'passport' });
    await upload(user.userId, { kind: 'SELFIE', key: user.selfieKey });
    await h.waitForStatus(user.userId, (s) => s.stage === 'AWAITING_REVIEW', 'manual review');
    // As the CS console's request-documents form does.
    await h.kyc.client.workflow.getHandle(kycWorkflowId(user.userId)).executeUpdate(requestDocumentsUpdate, {
      args: [{ reviewer: 'cs-ann', documents: ['SELFIE'], message: 'Please take a new selfie in good light.' }],
    });
    await h.waitForStatus(user.userId, (s) => s.stage === 'AWAITING_DOCUMENTS', 'the new selfie');
    const asked = await agree(user.userId);
    expect(asked.recorded).toMatchObject({
      stage: 'AWAITING_DOCUMENTS',
      waitingFor: ['SELFIE'],
      documents: { idDocument: { key: user.passportKey, idDocumentId: expect.any(Number) }, selfie: null },
      notRecorded: ['ignoredSignals'],
    });
  });

  it('agrees with the workflow once it decided again on a register change: the fresh register outcome', async () => {
    const someone = person();
    const user = await decidedUser(someone);

    // As the register monitor records a change and signals it.
    const record = { fullName: `${someone.givenNames} ${someone.surname}`, standing: 'SUSPENDED' };
    const [check] = await h.db.sql<{ id: number }[]>`
      insert into reg_checks (user_id, snapshot_date, matched_name, matched_status, raw_response_json, standing,
                              register_changes)
      values (${user.userId}, '2026-12-02', true, false, ${h.db.sql.json({ record } as never)}, 'SUSPENDED',
              ${['SUSPENDED']})
      returning id`;
    await h.kyc.client.workflow.getHandle(kycWorkflowId(user.userId)).signal(registerChangedSignal, {
      regCheckId: Number((check as { id: number }).id),
      snapshotDate: '2026-12-02',
      changes: ['SUSPENDED'],
    });
    await h.waitForStatus(user.userId, (s) => s.cycle === 2 && s.decision?.decision === 'FAIL', 'the decision again');
    const again = await agree(user.userId);
    expect(again.recorded).toMatchObject({
      cycle: 2,
      checks: { register: { status: 'CHECKED', standing: 'SUSPENDED' } },
      decision: { decision: 'FAIL', reasons: ['REGISTER_SUSPENDED'] },
      notRecorded: ['ignoredSignals'],
    });
  });

  it('refuses a live value other than true or false, and any other option', async () => {
    const user = await h.enrol(person());
    for (const query of ['live=banana', 'live=TRUE', 'live=true&live=false', 'fresh=true']) {
      expect(await api(`/users/${user.userId}/kyc?${query}`)).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_QUERY' } },
      });
    }
    // No workflow started for this user: the database answers what it holds, the query says there is none.
    expect((await api(`/users/${user.userId}/kyc`)).body).toMatchObject({ stage: 'AWAITING_DOCUMENTS', cycle: 1 });
    expect(await api(`/users/${user.userId}/kyc?live=true`)).toMatchObject({
      status: 404,
      body: { error: { code: 'NO_WORKFLOW' } },
    });
  });
});
