/**
 * The doors end to end, through the real SDK clients against moto_server (S3, SQS): a user created over HTTP, files
 * uploaded to S3, the S3 event through SQS to the bridge, the Apify webhook through the receiver and the
 * reg-check-ingest queue, a decision row and the notifications; then the seed's queues and the CS endpoints.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { createS3Bridge } from '../src/starters/s3-bridge.ts';
import { type LocalAws, startLocalAws } from './support/aws-local.ts';
import { jpegImage } from './support/images.ts';
import { BUCKET, type KycHarness, SEED_PERSON, startKycHarness, TOKEN } from './support/kyc-harness.ts';
import { PEOPLE, personToken } from './support/oidc-issuer.ts';

let aws: LocalAws;
let h: KycHarness;

const bearer = (role: keyof typeof TOKEN) => ({ authorization: `Bearer ${TOKEN[role]}` });

async function api(path: string, init: RequestInit & { role?: keyof typeof TOKEN } = {}) {
  const { role = 'intake', headers, ...rest } = init;
  const response = await fetch(`${h.url}${path}`, { ...rest, headers: { ...bearer(role), ...headers } });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function documentsForm(parts: { docType?: string; idDocument?: Buffer; selfie?: Buffer; livenessSessionId?: string }) {
  const form = new FormData();
  if (parts.docType) form.append('doc_type', parts.docType);
  if (parts.livenessSessionId) form.append('liveness_session_id', parts.livenessSessionId);
  if (parts.idDocument)
    form.append('id_document', new Blob([parts.idDocument], { type: 'image/jpeg' }), 'passport.jpg');
  if (parts.selfie) form.append('selfie', new Blob([parts.selfie], { type: 'image/jpeg' }), 'selfie.jpg');
  return form;
}

let regNo = 7100000;
const nextPerson = () => {
  regNo += 1;
  // A person of their own (passport, birth date), or the fraud controls would see one person behind many accounts.
  return {
    ...SEED_PERSON,
    regNo: String(regNo),
    email: `gp${regNo}@example.com`,
    passportNumber: String(300_000_000 + regNo),
    birthDate: `1986-01-${String((regNo % 28) + 1).padStart(2, '0')}`,
  };
};

describe('doors', () => {
  beforeAll(async () => {
    aws = await startLocalAws();
    h = await startKycHarness({
      settings: {
        KYC_INTAKE_SIGNAL: 's3-event',
        ...aws.queueSettings,
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    await aws?.moto.stop();
  });

  it('takes a user from HTTP sign-up through S3, SQS and the Apify webhook to a decision and its notifications', async () => {
    const person = nextPerson();
    const created = await api('/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: person.email, reg_type: 'GMC', reg_no: ` ${person.regNo} ` }),
    });
    expect(created).toEqual({
      status: 201,
      body: { id: expect.any(Number), status: 'PENDING', workflowId: `kyc-user-${created.body.id}` },
    });
    const userId: number = created.body.id;
    const { livenessSessionId } = await h.program(userId, person);

    const uploaded = await api(`/users/${userId}/documents`, {
      method: 'POST',
      body: documentsForm({
        docType: 'passport',
        idDocument: jpegImage(),
        selfie: jpegImage(48, 64),
        livenessSessionId,
      }),
    });
    expect(uploaded.status).toBe(202);
    expect(uploaded.body.uploads).toEqual([
      {
        kind: 'ID_DOCUMENT',
        key: expect.stringMatching(new RegExp(`^kyc-raw/${userId}/[0-9a-f-]{36}-passport\\.jpg$`)),
        idDocumentId: expect.any(Number),
      },
      { kind: 'SELFIE', key: expect.stringMatching(new RegExp(`^kyc-raw/${userId}/[0-9a-f-]{36}-selfie\\.jpg$`)) },
    ]);

    const status = await h.waitForStatus(userId, (s) => s.stage === 'DECIDED', 'a decision');
    // The intake API stored the files; the bridge, not the API, told the workflow (KYC_INTAKE_SIGNAL=s3-event).
    expect(status.documents.idDocument?.key).toBe(uploaded.body.uploads[0].key);
    expect(status.decision).toMatchObject({ decision: 'PASS', reasons: [] });
    const [decision] = await h.db.sql`select decision from kyc_decisions where user_id = ${userId}`;
    expect(decision).toEqual({ decision: 'PASS' });
    // The webhook went through the reg-check-ingest queue: its consumer signalled the workflow.
    expect(
      h.apify.deliveries.some(
        (delivery) => delivery.status === 202 && JSON.stringify(delivery.body).includes(`"userId":${userId}`),
      ),
    ).toBe(true);
    await expect.poll(() => h.product.accepted.filter((event) => event.body.userId === userId)).toHaveLength(1);

    const kyc = await api(`/users/${userId}/kyc`);
    expect(kyc).toMatchObject({ status: 200, body: { stage: 'DECIDED', decision: { decision: 'PASS' } } });
  });

  it('lists MANUAL_REVIEW cases for CS and takes their decision over HTTP', async () => {
    const person = nextPerson();
    const user = await h.enrol(person, { liveness: null });
    await user.uploadBoth();
    await h.waitForStatus(user.userId, (s) => s.stage === 'AWAITING_REVIEW', 'manual review');

    const cases = await api('/cs/cases?status=MANUAL_REVIEW', { role: 'cs' });
    expect(cases.status).toBe(200);
    expect(cases.body.cases).toContainEqual(
      expect.objectContaining({ userId: user.userId, status: 'MANUAL_REVIEW', reasons: ['LIVENESS_NOT_PERFORMED'] }),
    );
    const review = (body: object, headers: Record<string, string> = {}) =>
      api(`/cs/cases/${user.userId}/decision`, {
        role: 'cs',
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    // The reviewer is whoever signed in (Erin, through the test issuer), never a name in the body.
    expect(await review({ decision: 'PASS', reviewer: 'someone-else' })).toMatchObject({
      status: 400,
      body: { error: { code: 'INVALID_BODY' } },
    });
    const retryable = { 'idempotency-key': `review-${user.userId}-first` };
    const accepted = await review({ decision: 'PASS' }, retryable);
    expect(accepted).toMatchObject({
      status: 200,
      body: { userId: user.userId, accepted: true, decision: 'PASS', decisionId: expect.any(Number) },
    });
    // The workflow recorded the signed-in person as the reviewer, and the audit trail says who did what, from where.
    const decisionId = (accepted.body as { decisionId: number }).decisionId;
    const [decisionRow] = await h.db.sql`select reviewer, source from kyc_decisions where id = ${decisionId}`;
    expect(decisionRow).toEqual({ reviewer: 'cs-erin', source: 'CS' });
    const [auditRow] = await h.db.sql`
      select actor_subject, actor_name, actor_via, action, status, source_address, detail
      from audit_events where user_id = ${user.userId} and action = 'POST /cs/cases/:userId/decision' and status = 200`;
    expect(auditRow).toEqual({
      actor_subject: 'cs-erin',
      actor_name: 'Erin Case (CS)',
      actor_via: 'oidc',
      action: 'POST /cs/cases/:userId/decision',
      status: 200,
      source_address: '127.0.0.1',
      detail: { decision: 'PASS', reviewer: 'cs-erin', decisionId },
    });
    // A CS lead reads the case's audit trail; Erin (CS) may not.
    const trail = await fetch(`${h.url}/cs/cases/${user.userId}/audit`, {
      headers: { authorization: `Bearer ${personToken(PEOPLE.csLead)}` },
    });
    expect(((await trail.json()) as { events: { actorSubject: string; status: number }[] }).events).toContainEqual(
      expect.objectContaining({ actorSubject: 'cs-erin', status: 200 }),
    );
    expect((await api(`/cs/cases/${user.userId}/audit`, { role: 'cs' })).status).toBe(403);
    // A client that lost the answer (the API was killed) and retries with the same key gets the same answer.
    expect(await review({ decision: 'PASS' }, retryable)).toEqual(accepted);
    expect(await review({ decision: 'FAIL' })).toEqual({
      status: 409,
      body: { error: { code: 'REVIEW_REFUSED', message: 'no review is pending (stage DECIDED)' } },
    });
  });

  it("turns the seed's face-match, reg-request and decision messages into step requests, harmlessly repeated", async () => {
    const person = nextPerson();
    const user = await h.enrol(person);
    await user.uploadBoth();
    await h.waitForStatus(user.userId, (s) => s.stage === 'DECIDED', 'a decision');
    const firstRun = await h.runId(user.userId);

    const send = (queue: 'face-match' | 'reg-request' | 'decision', body: object) =>
      aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrls[queue], MessageBody: JSON.stringify(body) }));
    await send('decision', { user_id: user.userId });
    await send('reg-request', { user_id: String(user.userId), reg_type: 'GMC', reg_no: person.regNo });
    // A register re-check request on a decided case starts a re-check cycle with the same documents.
    await h.waitForNextRun(user.userId, firstRun);
    const rechecked = await h.waitForStatus(user.userId, (s) => s.cycle === 2 && s.stage === 'DECIDED', 'the re-check');
    expect(rechecked.decision).toMatchObject({ decision: 'PASS' });
    expect(rechecked.documents.selfie?.key).toBe(user.selfieKey);
  });

  it('answers an SQS batch with one bad record by failing only that record', async () => {
    const person = nextPerson();
    const user = await h.enrol(person);
    const bridge = createS3Bridge({
      sql: h.db.sql,
      kyc: h.kyc,
      bucket: BUCKET,
      prefix: 'kyc-raw/',
      logger: createLogger({ level: 'silent' }),
    });
    const record = (bucket: string, key: string) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-2',
      eventTime: new Date().toISOString(),
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key, size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e' },
      },
    });
    const message = (messageId: string, records: object[]) => ({
      messageId,
      receiptHandle: `handle-${messageId}`,
      body: JSON.stringify({ Records: records }),
      attributes: {},
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-2:000000000000:s3-events',
      awsRegion: 'eu-west-2',
    });
    const response = await bridge.handle({
      Records: [
        message('good', [record(BUCKET, `kyc-raw/${user.userId}/my+passport%281%29.jpg`)]),
        message('bad', [record('someone-elses-bucket', `kyc-raw/${user.userId}/selfie.jpg`)]),
      ],
    });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    const status = await h.waitForStatus(user.userId, (s) => s.documents.idDocument !== null, 'the upload');
    expect(status.documents.idDocument?.key).toBe(`kyc-raw/${user.userId}/my passport(1).jpg`);
  });
});
