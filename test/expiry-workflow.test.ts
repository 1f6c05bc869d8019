/**
 * ExpiryReminderWorkflow on the time-skipping server, driven week by week as the Schedule would (the test server has
 * no Schedules), with the real activities against PostgreSQL, a real SMTP server and the signed product webhook.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  EXPIRY_PASS_WORKFLOW_ID_PREFIX,
  EXPIRY_REMINDER_WORKFLOW_TYPE,
  type ExpiryPassProgress,
  expiryProgressQuery,
} from '../src/contract/expiry-workflow.ts';
import { kycWorkflowId } from '../src/contract/kyc-workflow.ts';
import { KycExpiryBadData, KycExpiryExpired, KycExpiryReminders } from '../src/contract/search-attributes.ts';
import type { ExpiryReminderWorkflow } from '../src/workflows/expiry.ts';
import { keepHistory } from './support/history-fixtures.ts';
import { type KycHarness, SEED_PERSON, startKycHarness } from './support/kyc-harness.ts';

const TIME_ZONE = 'Europe/London';
const BATCH_SIZE = 2;

let h: KycHarness;
let passClient: Client;
let people = 0;

/** The calendar date in London of a workflow-clock instant, as the workflow computes its `asOf`. */
function londonDate(epochMs: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(new Date(epochMs));
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

async function today(): Promise<string> {
  return londonDate(await h.env.currentTimeMs());
}

/**
 * Runs one pass to its end, through a plain client rather than the environment's: the time-skipping client unlocks
 * time while it waits for a result, and the test server then skips ahead (by years, in practice) while the pass's
 * activities run. Time here moves only through env.sleep.
 */
async function runPass(options: { batchesPerRun?: number } = {}) {
  const handle = await passClient.workflow.start<typeof ExpiryReminderWorkflow>(EXPIRY_REMINDER_WORKFLOW_TYPE, {
    taskQueue: h.kyc.taskQueue,
    workflowId: `${EXPIRY_PASS_WORKFLOW_ID_PREFIX}-${randomUUID()}`,
    args: [{ timeZone: TIME_ZONE, ...options }],
  });
  return { handle, result: await handle.result() };
}

interface SeededDocument {
  userId: number;
  idDocumentId: number;
  email: string;
}

/** A user and their current document written straight to the database, as a verification long ago left them. */
async function seedDocument(options: {
  expiresInDays: number | null;
  userStatus?: string;
  documentStatus?: string;
  email?: string;
  withDecision?: boolean;
}): Promise<SeededDocument> {
  people += 1;
  const email = options.email ?? `nurse${people}@example.com`;
  const expiryDate = options.expiresInDays === null ? null : addDays(await today(), options.expiresInDays);
  const [user] = await h.db.sql<{ id: number }[]>`
    insert into users (email, reg_no, reg_type, status)
    values (${email}, ${`99${String(people).padStart(5, '0')}`}, 'NMC', ${options.userStatus ?? 'VERIFIED'})
    returning id`;
  const userId = (user as { id: number }).id;
  const [document] = await h.db.sql<{ id: number }[]>`
    insert into id_documents (user_id, s3_key_original, doc_type, status, expiry_date)
    values (${userId}, ${`kyc-raw/${userId}/passport.jpg`}, 'passport', ${options.documentStatus ?? 'OCR_DONE'},
            ${expiryDate})
    returning id`;
  if (options.withDecision ?? true) {
    await h.db.sql`insert into kyc_decisions (user_id, decision, policy_version) values (${userId}, 'PASS', 'v1')`;
  }
  return { userId, idDocumentId: (document as { id: number }).id, email };
}

async function thresholdsRecorded(idDocumentId: number): Promise<number[]> {
  const rows = await h.db.sql<{ thresholdDays: number }[]>`
    select threshold_days as "thresholdDays" from expiry_reminders
    where id_document_id = ${idDocumentId} order by recorded_at, threshold_days desc`;
  return rows.map((row) => row.thresholdDays);
}

function subjectsTo(email: string): (string | null)[] {
  return h.smtp.messages.filter((message) => message.to.includes(email)).map((message) => message.subject);
}

/** The expiry events the product accepted for a user, in order (the receiver keeps one per idempotency key). */
function expiryEventsFor(userId: number) {
  return h.product.accepted
    .filter((delivery) => delivery.body.userId === userId && String(delivery.body.type).startsWith('kyc.document-'))
    .map((delivery) => delivery.body);
}

/** Expiry events that reached the product more than once. */
function resentExpiryEvents(): string[] {
  const delivered = h.product.requests
    .filter((request) => request.status === 204 && request.idempotencyKey?.startsWith('expiry-'))
    .map((request) => request.idempotencyKey as string);
  return delivered.filter((key, index) => delivered.indexOf(key) !== index);
}

const expiringSubject = (expiryDate: string) => `Action needed: your ID document expires on ${expiryDate}`;
const EXPIRED_SUBJECT = 'Action needed: your ID document has expired';

describe('ExpiryReminderWorkflow', () => {
  beforeAll(async () => {
    h = await startKycHarness({ settings: { KYC_EXPIRY_BATCH_SIZE: String(BATCH_SIZE) } });
    const { namespace, dataConverter } = h.env.client.options;
    passClient = new Client({ connection: h.env.connection, namespace, dataConverter });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reminds a document expiring in 100 days at 90, 30 and 7 days over 15 weekly passes, then expires it and forces a re-upload', async () => {
    const expiryDate = addDays(await today(), 100);
    const person = { ...SEED_PERSON, regNo: '7100001', email: 'dr.expiring@example.com', expiryDate };
    const user = await h.enrol(person);
    await user.uploadBoth();
    await h.waitForStatus(user.userId, (s) => s.stage === 'DECIDED' && s.decision?.decision === 'PASS', 'a PASS');
    const [document] = await h.db.sql<{ id: number }[]>`select id from id_documents where user_id = ${user.userId}`;
    const idDocumentId = (document as { id: number }).id;

    const actedOn: Array<{ week: number; thresholds: number[] }> = [];
    for (let week = 1; week <= 15; week += 1) {
      await h.env.sleep('7 days');
      const { handle, result } = await runPass();
      if (week === 15) {
        await keepHistory(passClient, {
          name: 'expiry-pass',
          path: 'an ExpiryReminderWorkflow pass that expires a document and tells its KycWorkflow',
          workflowId: handle.workflowId,
        });
      }
      const rows = await h.db.sql<{ thresholdDays: number }[]>`
        select threshold_days as "thresholdDays" from expiry_reminders
        where id_document_id = ${idDocumentId} and pass_id = ${result.passId}`;
      if (rows.length > 0) actedOn.push({ week, thresholds: rows.map((row) => row.thresholdDays) });
    }
    // 86 days left in week 2, 30 in week 10, 2 in week 14, expired 5 days before week 15.
    expect(actedOn).toEqual([
      { week: 2, thresholds: [90] },
      { week: 10, thresholds: [30] },
      { week: 14, thresholds: [7] },
      { week: 15, thresholds: [0] },
    ]);
    expect(subjectsTo(person.email)).toEqual([
      expiringSubject(expiryDate),
      expiringSubject(expiryDate),
      expiringSubject(expiryDate),
      EXPIRED_SUBJECT,
    ]);
    const reminderEmail = h.smtp.messages.find((message) => message.to.includes(person.email));
    for (const pii of ['JANE', 'DOE', SEED_PERSON.birthDate, SEED_PERSON.passportNumber]) {
      expect(reminderEmail?.raw).not.toContain(pii);
    }
    expect(expiryEventsFor(user.userId)).toEqual([
      expect.objectContaining({ type: 'kyc.document-expiring', idDocumentId, daysBefore: 90 }),
      expect.objectContaining({ type: 'kyc.document-expiring', idDocumentId, daysBefore: 30 }),
      expect.objectContaining({ type: 'kyc.document-expiring', idDocumentId, daysBefore: 7 }),
      expect.objectContaining({ type: 'kyc.document-expired', idDocumentId }),
    ]);
    const [statuses] = await h.db.sql`
      select d.status as document, u.status as user from id_documents d join users u on u.id = d.user_id
      where d.id = ${idDocumentId}`;
    expect(statuses).toEqual({ document: 'EXPIRED', user: 'EXPIRED' });
    const expired = await h.waitForStatus(user.userId, (s) => s.stage === 'EXPIRED', 'the EXPIRED stage');
    expect(expired.waitingFor).toEqual(['REUPLOAD']);

    // The same week again: nothing is sent twice and the KycWorkflow hears of the expiry once.
    const emailsBefore = h.smtp.messages.length;
    await runPass();
    expect(h.smtp.messages.length).toBe(emailsBefore);
    expect(await thresholdsRecorded(idDocumentId)).toEqual([90, 30, 7, 0]);
    const history = await h.env.client.workflow.getHandle(kycWorkflowId(user.userId)).fetchHistory();
    const expirySignals = (history.events ?? []).filter(
      (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'documentExpired',
    );
    expect(expirySignals).toHaveLength(1);

    // The forced re-upload: a renewed passport starts a new cycle that verifies the user again.
    const renewedKey = `kyc-raw/${user.userId}/passport-renewed.jpg`;
    h.programPassport({ ...person, expiryDate: addDays(await today(), 3650) }, renewedKey);
    const expiredRun = await h.runId(user.userId);
    await h.upload(user.userId, { kind: 'ID_DOCUMENT', key: renewedKey, docType: 'passport' });
    await h.waitForNextRun(user.userId, expiredRun);
    await keepHistory(h.env.client, {
      name: 'kyc-document-expired-reupload',
      path: 'PASS, the document expires (documentExpired), then the forced re-upload continues as new',
      workflowId: kycWorkflowId(user.userId),
      runId: expiredRun,
    });
    await h.waitForStatus(user.userId, (s) => s.cycle === 2 && s.stage === 'AWAITING_DOCUMENTS', 'the second cycle');
    await h.env.sleep('3 minutes');
    const renewed = await h.waitForStatus(user.userId, (s) => s.cycle === 2 && s.stage === 'DECIDED', 'a decision');
    expect(renewed.decision).toMatchObject({ decision: 'PASS' });
    const documents = await h.db.sql`
      select status from id_documents where user_id = ${user.userId} order by id`;
    expect(documents).toEqual([{ status: 'SUPERSEDED' }, { status: 'OCR_DONE' }]);
    const [userRow] = await h.db.sql`select status from users where id = ${user.userId}`;
    expect(userRow).toEqual({ status: 'VERIFIED' });
  });

  it('sends only the most urgent reminder of those crossed at once, and never a less urgent one after it', async () => {
    const firstSeenAt20 = await seedDocument({ expiresInDays: 20 });
    const firstSeenAt5 = await seedDocument({ expiresInDays: 5 });
    const firstSeenAt60 = await seedDocument({ expiresInDays: 60 });
    await runPass();
    await h.env.sleep('14 days');
    const { result } = await runPass();

    expect(await thresholdsRecorded(firstSeenAt20.idDocumentId)).toEqual([30, 7]);
    expect(await thresholdsRecorded(firstSeenAt5.idDocumentId)).toEqual([7, 0]);
    expect(await thresholdsRecorded(firstSeenAt60.idDocumentId)).toEqual([90]);
    expect(subjectsTo(firstSeenAt20.email)).toHaveLength(2);
    expect(subjectsTo(firstSeenAt5.email).at(-1)).toBe(EXPIRED_SUBJECT);
    expect(expiryEventsFor(firstSeenAt20.userId).map((event) => event.daysBefore)).toEqual([30, 7]);
    // The expired document's user has no KycWorkflow: counted, and the pass carries on.
    expect(result.expiredWithoutWorkflow).toBeGreaterThanOrEqual(1);
    const [statuses] = await h.db.sql`
      select d.status as document, u.status as user from id_documents d join users u on u.id = d.user_id
      where d.id = ${firstSeenAt5.idDocumentId}`;
    expect(statuses).toEqual({ document: 'EXPIRED', user: 'EXPIRED' });
  });

  it('leaves alone users who are not VERIFIED and documents that are SUPERSEDED', async () => {
    const pending = await seedDocument({ expiresInDays: 5, userStatus: 'PENDING', withDecision: false });
    const rejected = await seedDocument({ expiresInDays: -3, userStatus: 'REJECTED' });
    const superseded = await seedDocument({ expiresInDays: 5, documentStatus: 'SUPERSEDED' });
    const [current] = await h.db.sql<{ id: number }[]>`
      insert into id_documents (user_id, s3_key_original, doc_type, status, expiry_date)
      values (${superseded.userId}, 'renewed.jpg', 'passport', 'OCR_DONE', ${addDays(await today(), 400)})
      returning id`;
    await runPass();

    for (const seeded of [pending, rejected, superseded]) {
      expect(await thresholdsRecorded(seeded.idDocumentId)).toEqual([]);
      expect(subjectsTo(seeded.email)).toEqual([]);
    }
    expect(await thresholdsRecorded((current as { id: number }).id)).toEqual([]);
    const statuses = await h.db.sql`
      select status from users where id in ${h.db.sql([pending.userId, rejected.userId, superseded.userId])}
      order by id`;
    expect(statuses).toEqual([{ status: 'PENDING' }, { status: 'REJECTED' }, { status: 'VERIFIED' }]);
  });

  it('sends each reminder once when passes overlap or the same week runs again', async () => {
    const due = [await seedDocument({ expiresInDays: 25 }), await seedDocument({ expiresInDays: -2 })];
    const overlapping = await Promise.all([runPass(), runPass()]);
    const again = await runPass();

    for (const seeded of due) {
      expect(await thresholdsRecorded(seeded.idDocumentId)).toHaveLength(1);
      expect(subjectsTo(seeded.email)).toHaveLength(1);
      expect(expiryEventsFor(seeded.userId)).toHaveLength(1);
    }
    const passIds = [...overlapping, again].map(({ result }) => result.passId);
    const [recorded] = await h.db.sql<{ count: number }[]>`
      select count(*)::int as count from expiry_reminders
      where id_document_id in ${h.db.sql(due.map((seeded) => seeded.idDocumentId))}
        and pass_id in ${h.db.sql(passIds)}`;
    expect(recorded?.count).toBe(2);
    expect(again.result.documentsDue).toBe(0);
    expect(resentExpiryEvents()).toEqual([]);
  });

  it('starts afresh when a renewed document arrives under the same object key', async () => {
    const seeded = await seedDocument({ expiresInDays: -1 });
    await runPass();
    // A re-upload to the same key updates the same id_documents row, as recordScan does after the new cycle's scan.
    const renewedExpiry = addDays(await today(), 20);
    await h.db
      .sql`update id_documents set status = 'OCR_DONE', expiry_date = ${renewedExpiry} where id = ${seeded.idDocumentId}`;
    await h.db.sql`update users set status = 'VERIFIED' where id = ${seeded.userId}`;
    await runPass();

    expect(await thresholdsRecorded(seeded.idDocumentId)).toEqual([0, 30]);
    expect(subjectsTo(seeded.email)).toEqual([EXPIRED_SUBJECT, expiringSubject(renewedExpiry)]);
  });

  it('finishes a batch that failed half-way on its retry without sending anything twice', async () => {
    const due = [await seedDocument({ expiresInDays: 25 }), await seedDocument({ expiresInDays: 25 })];
    const requestsBefore = h.product.requests.length;
    h.product.failNext(1, 503);
    const { result } = await runPass();

    expect(h.product.requests.slice(requestsBefore)[0]?.status).toBe(503);
    expect(result.reminders[30]).toBeGreaterThanOrEqual(due.length);
    for (const seeded of due) {
      expect(await thresholdsRecorded(seeded.idDocumentId)).toEqual([30]);
      expect(subjectsTo(seeded.email)).toHaveLength(1);
      expect(expiryEventsFor(seeded.userId)).toHaveLength(1);
    }
    expect(resentExpiryEvents()).toEqual([]);
  });

  it('counts bad data and carries on with the rest', async () => {
    const noEmail = await seedDocument({ expiresInDays: 20, email: ' ' });
    const noExpiry = await seedDocument({ expiresInDays: null });
    const noDecision = await seedDocument({ expiresInDays: 20, withDecision: false });
    const healthy = await seedDocument({ expiresInDays: 20 });
    const { result } = await runPass();

    expect(result.done).toBe(true);
    expect(result.badData.missingEmail.idDocumentIds).toContain(noEmail.idDocumentId);
    expect(result.badData.missingExpiryDate.idDocumentIds).toContain(noExpiry.idDocumentId);
    expect(result.badData.missingDecision.idDocumentIds).toContain(noDecision.idDocumentId);
    expect(result.badData.missingEmail.count).toBeGreaterThanOrEqual(1);
    // No email without an address, but the product still hears of it; nothing at all without a decision.
    expect(await thresholdsRecorded(noEmail.idDocumentId)).toEqual([30]);
    expect(expiryEventsFor(noEmail.userId).map((event) => event.daysBefore)).toEqual([30]);
    expect(expiryEventsFor(noDecision.userId)).toEqual([]);
    expect(subjectsTo(noDecision.email)).toEqual([]);
    expect(subjectsTo(healthy.email)).toEqual([expiringSubject(addDays(await today(), 20))]);
  });

  it('walks the due documents in batches, continues as new, and shows its progress in a query and search attributes', async () => {
    const seeded = [];
    for (let i = 0; i < 7; i += 1) seeded.push(await seedDocument({ expiresInDays: 25 }));
    const { handle, result } = await runPass({ batchesPerRun: 2 });

    expect(result.done).toBe(true);
    expect(result.run).toBeGreaterThanOrEqual(2);
    expect(result.batches).toBeGreaterThanOrEqual(Math.ceil(seeded.length / BATCH_SIZE));
    expect(result.reminders[30]).toBeGreaterThanOrEqual(seeded.length);
    for (const document of seeded) expect(await thresholdsRecorded(document.idDocumentId)).toEqual([30]);
    const [recorded] = await h.db.sql<{ count: number }[]>`
      select count(*)::int as count from expiry_reminders where pass_id = ${result.passId}`;
    expect(recorded?.count).toBe(result.documentsDue);

    // The pass has finished, so no continue-as-new can race these.
    const description = await handle.describe();
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: h.env.client.options.dataConverter },
      await handle.fetchHistory(),
      handle.workflowId,
    );
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    expect(await handle.query(expiryProgressQuery)).toEqual(result);
    const attributes = description.typedSearchAttributes;
    expect({
      reminders: attributes.get(KycExpiryReminders),
      expired: attributes.get(KycExpiryExpired),
      badData: attributes.get(KycExpiryBadData),
    }).toEqual({
      reminders: result.reminders[90] + result.reminders[30] + result.reminders[7],
      expired: result.expired,
      badData: totalBadData(result) > 0,
    });
  });

  it('refuses an unknown time zone without retrying', async () => {
    const handle = await passClient.workflow.start(EXPIRY_REMINDER_WORKFLOW_TYPE, {
      taskQueue: h.kyc.taskQueue,
      workflowId: `${EXPIRY_PASS_WORKFLOW_ID_PREFIX}-${randomUUID()}`,
      args: [{ timeZone: 'Mars/Olympus_Mons' }],
    });
    await expect(handle.result()).rejects.toMatchObject({ cause: { message: expect.stringMatching(/time zone/) } });
  });
});

function totalBadData(progress: ExpiryPassProgress): number {
  const { missingExpiryDate, missingEmail, missingDecision } = progress.badData;
  return missingExpiryDate.count + missingEmail.count + missingDecision.count;
}
