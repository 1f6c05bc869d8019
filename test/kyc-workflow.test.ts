/**
 * KycWorkflow scenarios on the time-skipping server, with the real activities against PostgreSQL and the AWS/Apify
 * stand-ins reached through the real SDK clients.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import {
  csReviewSignal,
  documentUploadedSignal,
  kycWorkflowId,
  registerResultSignal,
  retryStepUpdate,
  submitCsReviewUpdate,
} from '../src/contract/kyc-workflow.ts';
import { KycStage } from '../src/contract/search-attributes.ts';
import { submitCsReview } from '../src/starters/kyc-client.ts';
import { keepHistory } from './support/history-fixtures.ts';
import { type KycHarness, SEED_PERSON, startKycHarness, TOKEN } from './support/kyc-harness.ts';

let h: KycHarness;
let personCount = 0;

/**
 * A fresh registration number, passport number and birth date per scenario, so each user is a distinct person: the
 * same passport or name and birth date under two users is DUPLICATE_IDENTITY (test/fraud-controls.test.ts).
 */
function person(overrides: Partial<typeof SEED_PERSON> = {}) {
  personCount += 1;
  return {
    ...SEED_PERSON,
    regNo: String(6143219 + personCount),
    email: `doctor${personCount}@example.com`,
    passportNumber: String(700000000 + personCount),
    birthDate: `1985-03-${String(personCount).padStart(2, '0')}`,
    ...overrides,
  };
}

const decided = (stage: string) => stage === 'DECIDED';

/** Every run a scenario finished, replayed by the last test; recorded as a fixture when KYC_RECORD_HISTORIES is set. */
const finishedRuns: Array<{ workflowId: string; runId: string }> = [];

async function keep(name: string, path: string, userId: number, runId?: string): Promise<void> {
  const workflowId = kycWorkflowId(userId);
  const run = runId ?? (await h.runId(userId));
  finishedRuns.push({ workflowId, runId: run });
  await keepHistory(h.env.client, { name, path, workflowId, runId: run });
}

async function rowCounts(userId: number) {
  const [counts] = await h.db.sql<Record<string, number>[]>`
    select
      (select count(*)::int from doc_scans s join id_documents d on d.id = s.id_document_id where d.user_id = ${userId}) as "docScans",
      (select count(*)::int from selfies where user_id = ${userId}) as selfies,
      (select count(*)::int from face_checks where user_id = ${userId}) as "faceChecks",
      (select count(*)::int from reg_checks where user_id = ${userId}) as "regChecks",
      (select count(*)::int from kyc_decisions where user_id = ${userId}) as decisions`;
  return counts;
}

function productEventsFor(userId: number) {
  return h.product.accepted.filter((delivery) => delivery.body.userId === userId).map((delivery) => delivery.body);
}

describe('KycWorkflow', () => {
  beforeAll(async () => {
    h = await startKycHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("passes the seed's example and writes every row of the seed's flow", async () => {
    const jane = person({
      regNo: '6143219',
      email: 'dr.jane@example.com',
      passportNumber: SEED_PERSON.passportNumber,
      birthDate: SEED_PERSON.birthDate,
    });
    const user = await h.enrol(jane);
    await user.uploadBoth();
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');

    expect(status.decision).toMatchObject({ decision: 'PASS', reasons: [], source: 'AUTOMATIC' });
    expect(status.checks.document).toEqual({
      status: 'READ',
      expired: false,
      checkDigitsValid: true,
      fieldsComplete: true,
      duplicates: [],
    });
    expect(status.checks.face).toEqual({
      status: 'COMPARED',
      similarity: 0.93,
      liveness: 'PASSED',
      selfieQuality: 'OK',
      livenessReference: { selfie: 0.992, document: 0.992 },
      sameFaceAs: [],
    });
    expect(status.checks.register).toEqual({ status: 'CHECKED', standing: 'REGISTERED', nameMatch: 'EXACT' });

    const [userRow] = await h.db.sql`select status from users where id = ${user.userId}`;
    expect(userRow).toEqual({ status: 'VERIFIED' });
    const [document] = await h.db.sql`
      select status, doc_type, to_char(expiry_date, 'YYYY-MM-DD') as expiry from id_documents where user_id = ${user.userId}`;
    expect(document).toEqual({ status: 'OCR_DONE', doc_type: 'passport', expiry: '2032-05-01' });
    const [scan] = await h.db.sql`
      select s.parsed_name, to_char(s.parsed_dob, 'YYYY-MM-DD') as dob, to_char(s.parsed_expiry, 'YYYY-MM-DD') as expiry,
             s.parser_version, s.textract_json ? 'analyzeId' as has_textract
      from doc_scans s join id_documents d on d.id = s.id_document_id where d.user_id = ${user.userId}`;
    expect(scan).toEqual({
      parsed_name: 'JANE ANN DOE',
      dob: '1985-02-14',
      expiry: '2032-05-01',
      parser_version: '1.0.0',
      has_textract: true,
    });
    const [face] = await h.db.sql`
      select match_score::float as score, liveness_pass, rekognition_job_id from face_checks where user_id = ${user.userId}`;
    expect(face).toEqual({ score: 0.93, liveness_pass: true, rekognition_job_id: user.livenessSessionId });
    const [register] = await h.db.sql`
      select matched_name, matched_status, raw_response_json -> 'items' -> 0 ->> 'status' as status,
             snapshot_date = current_date as today
      from reg_checks where user_id = ${user.userId}`;
    expect(register).toEqual({ matched_name: true, matched_status: true, status: 'Licensed', today: true });
    const [decision] = await h.db.sql`select decision, reasons from kyc_decisions where user_id = ${user.userId}`;
    expect(decision).toEqual({ decision: 'PASS', reasons: [] });

    // A decision is visible once recorded; its notification follows.
    await expect
      .poll(() => productEventsFor(user.userId))
      .toEqual([expect.objectContaining({ type: 'kyc.decision', decision: 'PASS', reasons: [], source: 'AUTOMATIC' })]);
    expect(await rowCounts(user.userId)).toEqual({
      docScans: 1,
      selfies: 1,
      faceChecks: 1,
      regChecks: 1,
      decisions: 1,
    });
    await keep('kyc-seed-pass', "automatic PASS (the seed's example)", user.userId);
  });

  it('sends MANUAL_REVIEW to CS, and a CS PASS through the update overrides it while the automatic decision stays', async () => {
    const user = await h.enrol(person(), { liveness: null });
    await user.uploadBoth();
    const review = await h.waitForStatus(user.userId, (s) => s.stage === 'AWAITING_REVIEW', 'manual review');
    expect(review.decision).toMatchObject({ decision: 'MANUAL_REVIEW', reasons: ['LIVENESS_NOT_PERFORMED'] });
    expect(review.waitingFor).toEqual(['CS_REVIEW']);

    // The case awaits review from the moment it is recorded; the mail to CS follows.
    const email = await vi.waitFor(() => {
      const sent = h.smtp.messages.find((message) => message.subject?.includes(`case ${user.userId} `));
      if (!sent) throw new Error(`no mail to CS yet for case ${user.userId}`);
      return sent;
    });
    expect(email.raw).toContain('LIVENESS_NOT_PERFORMED');
    expect(email.raw).toContain(`/cs/cases/${user.userId}`);
    for (const pii of ['JANE', 'DOE', '1985', SEED_PERSON.passportNumber, SEED_PERSON.email])
      expect(email.raw).not.toContain(pii);

    const accepted = await submitCsReview(h.kyc, user.userId, {
      decision: 'PASS',
      reviewer: 'cs-alice',
      note: 'liveness seen on video call',
    });
    expect(accepted).toMatchObject({ accepted: true, decision: 'PASS' });
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'the CS decision');
    expect(status.decision).toMatchObject({ decision: 'PASS', source: 'CS', reviewer: 'cs-alice' });
    expect(status.automaticDecision).toMatchObject({ decision: 'MANUAL_REVIEW', source: 'AUTOMATIC' });

    const rows = await h.db.sql`
      select decision, source, reviewer, note, reasons, overrides_decision_id is not null as overrides
      from kyc_decisions where user_id = ${user.userId} order by id`;
    expect(rows).toEqual([
      {
        decision: 'MANUAL_REVIEW',
        source: 'AUTOMATIC',
        reviewer: null,
        note: null,
        reasons: ['LIVENESS_NOT_PERFORMED'],
        overrides: false,
      },
      {
        decision: 'PASS',
        source: 'CS',
        reviewer: 'cs-alice',
        note: 'liveness seen on video call',
        reasons: ['CS_APPROVED'],
        overrides: true,
      },
    ]);
    const [userRow] = await h.db.sql`select status from users where id = ${user.userId}`;
    expect(userRow).toEqual({ status: 'VERIFIED' });
    // A decision is visible once recorded; its notification follows.
    await expect
      .poll(() => productEventsFor(user.userId))
      .toEqual([expect.objectContaining({ decision: 'PASS', source: 'CS', reviewer: 'cs-alice' })]);

    const again = await submitCsReview(h.kyc, user.userId, { decision: 'FAIL', reviewer: 'cs-bob' });
    expect(again).toEqual({ accepted: false, reason: 'no review is pending (stage DECIDED)' });
    await keep(
      'kyc-review-update-pass',
      'MANUAL_REVIEW, then a CS PASS through the submitCsReview update',
      user.userId,
    );
  });

  it('reminds CS after the review target, then takes a CS FAIL sent as a signal', async () => {
    const user = await h.enrol(person(), { similarity: 75 });
    await user.uploadBoth();
    const review = await h.waitForStatus(user.userId, (s) => s.stage === 'AWAITING_REVIEW', 'manual review');
    expect(review.decision?.reasons).toEqual(['FACE_MATCH_BORDERLINE']);

    await h.env.sleep('25 hours');
    await expect
      .poll(() => h.smtp.messages.filter((message) => message.subject?.startsWith('Reminder 1: KYC case')).length)
      .toBeGreaterThanOrEqual(1);

    await h.env.client.workflow
      .getHandle(kycWorkflowId(user.userId))
      .signal(csReviewSignal, { decision: 'FAIL', reviewer: 'cs-carol' });
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'the CS decision');
    expect(status.decision).toMatchObject({ decision: 'FAIL', source: 'CS', reasons: ['CS_REJECTED'] });
    const [userRow] = await h.db.sql`select status from users where id = ${user.userId}`;
    expect(userRow).toEqual({ status: 'REJECTED' });
    await keep(
      'kyc-review-signal-fail',
      'MANUAL_REVIEW, a CS reminder, then a CS FAIL through the signal',
      user.userId,
    );
  });

  it('fails a face that is not the document holder', async () => {
    const user = await h.enrol(person(), { similarity: 30 });
    await user.uploadBoth();
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
    expect(status.decision).toMatchObject({ decision: 'FAIL', reasons: ['FACE_MISMATCH'] });
    await keep('kyc-fail-face', 'FAIL: FACE_MISMATCH', user.userId);
  });

  it('fails an expired passport, and a re-upload after the FAIL runs a new cycle that passes', async () => {
    const expired = person({ expiryDate: '2024-03-01' });
    const user = await h.enrol(expired);
    await user.uploadBoth();
    const failed = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
    expect(failed.decision).toMatchObject({ decision: 'FAIL', reasons: ['DOCUMENT_EXPIRED'] });
    const [document] = await h.db.sql`select status from id_documents where user_id = ${user.userId}`;
    expect(document).toEqual({ status: 'EXPIRED' });

    // The renewed passport arrives alone; after the settle window the earlier selfie is reused.
    const renewedKey = `kyc-raw/${user.userId}/passport-renewed.jpg`;
    h.programPassport({ ...expired, expiryDate: '2034-06-30' }, renewedKey);
    const firstRun = await h.runId(user.userId);
    await h.upload(user.userId, { kind: 'ID_DOCUMENT', key: renewedKey, docType: 'passport' });
    await h.waitForNextRun(user.userId, firstRun);
    await keep(
      'kyc-fail-document-then-reupload',
      'FAIL: DOCUMENT_EXPIRED, then a re-upload continues as new',
      user.userId,
      firstRun,
    );
    await h.waitForStatus(user.userId, (s) => s.cycle === 2 && s.stage === 'AWAITING_DOCUMENTS', 'the second cycle');
    await h.env.sleep('3 minutes');
    const passed = await h.waitForStatus(user.userId, (s) => s.cycle === 2 && decided(s.stage), 'the second decision');
    expect(passed.decision).toMatchObject({ decision: 'PASS', reasons: [] });
    expect(passed.documents.selfie?.key).toBe(user.selfieKey);

    const documents = await h.db.sql`
      select s3_key_original as key, status from id_documents where user_id = ${user.userId} order by id`;
    expect(documents).toEqual([
      { key: user.passportKey, status: 'SUPERSEDED' },
      { key: renewedKey, status: 'OCR_DONE' },
    ]);
    const decisions = await h.db.sql`select decision from kyc_decisions where user_id = ${user.userId} order by id`;
    expect(decisions.map((row) => row.decision)).toEqual(['FAIL', 'PASS']);
    await keep('kyc-reupload-second-cycle', 'the second cycle after a re-upload, reusing the selfie', user.userId);
  });

  it('fails a suspended registration', async () => {
    const user = await h.enrol(person(), { registerStatus: 'Suspended' });
    await user.uploadBoth();
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
    expect(status.decision).toMatchObject({ decision: 'FAIL', reasons: ['REGISTER_SUSPENDED'] });
    // A decision is visible once recorded; its notification follows.
    await expect
      .poll(() => productEventsFor(user.userId))
      .toEqual([expect.objectContaining({ decision: 'FAIL', reasons: ['REGISTER_SUSPENDED'] })]);
    await keep('kyc-fail-register', 'FAIL: REGISTER_SUSPENDED', user.userId);
  });

  it('falls back to polling Apify when the webhook is lost', async () => {
    h.apify.webhookMode = 'drop';
    try {
      const user = await h.enrol(person());
      await user.uploadBoth();
      await h.waitForStatus(user.userId, (s) => s.waitingFor.includes('REGISTER_CALLBACK'), 'the register run');
      await h.env.sleep('31 minutes');
      const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
      expect(status.decision).toMatchObject({ decision: 'PASS' });
      expect(status.checks.register).toEqual({ status: 'CHECKED', standing: 'REGISTERED', nameMatch: 'EXACT' });
      const delivered = h.apify.deliveries.filter(
        (delivery) => delivery.body && JSON.stringify(delivery.body).includes(`"userId":${user.userId}`),
      );
      expect(delivered).toEqual([]);
      await keep('kyc-lost-webhook-poll', 'the register webhook lost, then the poll', user.userId);
    } finally {
      h.apify.webhookMode = 'deliver';
    }
  });

  it('keeps a register webhook that arrives before the run id is known', async () => {
    h.apify.startAnswerDelayMs = 1500;
    try {
      const user = await h.enrol(person());
      await user.uploadBoth();
      const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
      expect(status.decision).toMatchObject({ decision: 'PASS' });
      // Decided at once on the early webhook: no 30-minute wait for a callback that had already come.
      const started = (await h.env.client.workflow.getHandle(kycWorkflowId(user.userId)).describe()).startTime;
      expect(Date.now() - started.getTime()).toBeLessThan(20 * 60_000);
      await keep('kyc-early-callback', 'the register webhook before requestRegisterCheck returned', user.userId);
    } finally {
      h.apify.startAnswerDelayMs = 0;
    }
  });

  it('parks a step that gives up in NEEDS_ATTENTION, alerts ops once, and resumes it on retryStep', async () => {
    const user = await h.enrol(person());
    h.product.failNext(1, 401);
    await user.uploadBoth();
    const parked = await h.waitForStatus(user.userId, (s) => s.stage === 'NEEDS_ATTENTION', 'the attention stage');
    expect(parked.attention).toMatchObject({ step: 'notifyDecision', resumeStage: 'DECIDED' });
    expect(parked.attention?.reason).toMatch(/^PermanentAdapterError: product webhook refused the event: HTTP 401/);
    expect(parked.waitingFor).toEqual(['OPS_RETRY']);
    expect(parked.decision).toMatchObject({ decision: 'PASS' });
    const handle = h.env.client.workflow.getHandle(kycWorkflowId(user.userId));
    await expect
      .poll(async () => (await handle.describe()).typedSearchAttributes.get(KycStage))
      .toBe('NEEDS_ATTENTION');
    // A 401 is not retried: one request, then the alert.
    expect(h.product.requests.filter((request) => request.status === 401)).toHaveLength(1);
    await expect
      .poll(() =>
        h.smtp.messages.filter((message) => message.subject?.includes(`kyc-user-${user.userId} needs attention`)),
      )
      .toHaveLength(1);
    // The row is marked sent just after the mail goes out.
    const alerts = () =>
      h.db.sql`select step, incident, sent_at is not null as sent from ops_alerts where user_id = ${user.userId}`;
    await expect.poll(alerts).toEqual([{ step: 'notifyDecision', incident: 1, sent: true }]);

    const notNow = handle.executeUpdate(retryStepUpdate, { args: [{ operator: '' }] });
    await expect(notNow).rejects.toMatchObject({ cause: { message: expect.stringMatching(/^invalid retry: /) } });
    const retry = (userId: number, token: string) =>
      fetch(`${h.url}/ops/cases/${userId}/retry`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'webhook key fixed' }),
      });
    expect((await retry(user.userId, TOKEN.cs)).status).toBe(403);
    expect((await retry(987_654_321, TOKEN.ops)).status).toBe(404);
    const accepted = await retry(user.userId, TOKEN.ops);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ userId: user.userId, accepted: true, step: 'notifyDecision' });
    const audited = await h.db.sql`
      select actor_subject, status, detail ->> 'retriedStep' as step from audit_events
      where user_id = ${user.userId} and action like '%/retry' and status = 200`;
    expect(audited).toEqual([{ actor_subject: 'ops-olly', status: 200, step: 'notifyDecision' }]);
    const resumed = await h.waitForStatus(user.userId, (s) => decided(s.stage) && s.attention === null, 'the retry');
    expect(resumed.decision).toMatchObject({ decision: 'PASS' });
    await expect
      .poll(() => productEventsFor(user.userId))
      .toEqual([expect.objectContaining({ type: 'kyc.decision', decision: 'PASS' })]);
    const again = await retry(user.userId, TOKEN.ops);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { message: 'no step needs attention (stage DECIDED)' } });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await keep(
      'kyc-needs-attention-retry',
      'a step gives up (webhook 401), NEEDS_ATTENTION, then retryStep',
      user.userId,
    );
  });

  it('retries Textract throttling and writes no duplicate rows', async () => {
    const user = await h.enrol(person());
    h.aws.failNext('Textract.AnalyzeID', 2, 'throttle');
    await user.uploadBoth();
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
    expect(status.decision).toMatchObject({ decision: 'PASS' });
    expect(h.aws.callCount('Textract.AnalyzeID', user.passportKey)).toBe(3);
    expect(await rowCounts(user.userId)).toEqual({
      docScans: 1,
      selfies: 1,
      faceChecks: 1,
      regChecks: 1,
      decisions: 1,
    });
  });

  it('ignores duplicate and late signals', async () => {
    h.apify.webhookMode = 'duplicate';
    try {
      const user = await h.enrol(person());
      await user.uploadBoth();
      await user.uploadBoth();
      const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
      expect(status.decision).toMatchObject({ decision: 'PASS' });
      await h.apify.webhooksSettled();

      const [run] = await h.db.sql`select run_id, cycle_id from register_runs where user_id = ${user.userId}`;
      await h.env.client.workflow.getHandle(kycWorkflowId(user.userId)).signal(registerResultSignal, {
        userId: 'apify-user',
        createdAt: new Date().toISOString(),
        eventType: 'ACTOR.RUN.SUCCEEDED',
        eventData: { actorId: 'kyc~gmc-register', actorRunId: run?.run_id },
        resource: { id: run?.run_id, status: 'SUCCEEDED' },
        kyc: { userId: user.userId, cycleId: run?.cycle_id },
      });
      const after = await h.waitForStatus(user.userId, (s) => s.ignoredSignals >= 3, 'the ignored signals');
      // Two duplicate uploads and the late webhook. The webhook Apify sent twice was handed on once: the receiver
      // told the second copy to retry (409) and then acknowledged it as a replay (200) without signalling.
      expect(after.ignoredSignals).toBe(3);
      const answers = h.apify.deliveries
        .filter((delivery) => delivery.runId === run?.run_id && delivery.eventType === 'ACTOR.RUN.SUCCEEDED')
        .map((delivery) => delivery.status);
      expect(answers.filter((status) => status === 202)).toHaveLength(1);
      expect(answers).toContain(200);
      expect(await rowCounts(user.userId)).toEqual({
        docScans: 1,
        selfies: 1,
        faceChecks: 1,
        regChecks: 1,
        decisions: 1,
      });
      expect(productEventsFor(user.userId)).toHaveLength(1);
    } finally {
      h.apify.webhookMode = 'deliver';
    }
  });

  it("takes the same object signalled without and then with its ETag as one upload, and ignores other users' objects", async () => {
    const user = await h.enrol(person());
    const selfie = { kind: 'SELFIE' as const, key: user.selfieKey, livenessSessionId: user.livenessSessionId };
    await h.upload(user.userId, selfie);
    await h.upload(user.userId, { ...selfie, etag: '"d41d8cd98f00b204e9800998ecf8427e"' });
    await h.upload(user.userId, { kind: 'ID_DOCUMENT', key: `kyc-raw/${user.userId + 1}/passport.jpg` });
    const waiting = await h.waitForStatus(user.userId, (s) => s.ignoredSignals >= 2, 'the ignored signals');
    expect(waiting.waitingFor).toEqual(['ID_DOCUMENT']);
    await h.upload(user.userId, { kind: 'ID_DOCUMENT', key: user.passportKey, docType: 'passport' });
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
    expect(status).toMatchObject({ cycle: 1, ignoredSignals: 2, decision: { decision: 'PASS' } });
    expect(status.documents.idDocument?.key).toBe(user.passportKey);
  });

  it('rejects invalid signal payloads and updates without failing the workflow', async () => {
    const user = await h.enrol(person());
    const handle = h.env.client.workflow.getHandle(kycWorkflowId(user.userId));
    await user.uploadBoth();
    await handle.signal(documentUploadedSignal, { kind: 'PASSPORT', bucket: 'kyc-raw', key: '' } as never);
    await handle.signal(csReviewSignal, { decision: 'PASS', reviewer: '' });
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage) && s.ignoredSignals >= 2, 'a decision');
    expect(status.ignoredSignals).toBe(2);
    expect(status.decision).toMatchObject({ decision: 'PASS' });

    const refused = handle.executeUpdate(submitCsReviewUpdate, {
      args: [{ decision: 'MAYBE', reviewer: 'x' } as never],
    });
    await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    await expect(refused).rejects.toMatchObject({ cause: { message: expect.stringMatching(/^invalid review: /) } });
    const notPending = handle.executeUpdate(submitCsReviewUpdate, { args: [{ decision: 'FAIL', reviewer: 'cs-dan' }] });
    await expect(notPending).rejects.toMatchObject({ cause: { message: 'no review is pending (stage DECIDED)' } });
    expect((await handle.describe()).status.name).toBe('RUNNING');
  });

  it('fails with DOCUMENTS_NOT_RECEIVED when the documents never arrive', async () => {
    const user = await h.enrol(person());
    await h.upload(user.userId, { kind: 'SELFIE', key: user.selfieKey });
    await h.waitForStatus(user.userId, (s) => s.waitingFor.join() === 'ID_DOCUMENT', 'the missing document');
    await h.env.sleep('15 days');
    const status = await h.waitForStatus(user.userId, (s) => decided(s.stage), 'a decision');
    expect(status.decision).toMatchObject({ decision: 'FAIL', reasons: ['DOCUMENTS_NOT_RECEIVED'] });
    await keep('kyc-documents-timeout', 'FAIL: DOCUMENTS_NOT_RECEIVED after the documents timeout', user.userId);
  });

  it('replays every run the scenarios above finished', async () => {
    const histories = await Promise.all(
      finishedRuns.map(async ({ workflowId, runId }) => ({
        workflowId,
        history: await h.env.client.workflow.getHandle(workflowId, runId).fetchHistory(),
      })),
    );
    const replay = {
      workflowBundle: { codePath: inject('workflowBundlePath') },
      dataConverter: h.env.client.options.dataConverter,
    };
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories(replay, histories)) {
      if (result.error) failures.push(`${result.workflowId}/${result.runId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(histories.length).toBeGreaterThanOrEqual(10);
  });
});
