/**
 * Bad input aimed at the workflow itself — signals and updates with wrong payloads — and at the pure code that
 * reads outside data: hostile register records and Textract answers, and the CS command line.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { kycStatusQuery, kycWorkflowId } from '../../src/contract/kyc-workflow.ts';
import { parseDocumentText, parseIdentityFields, toDocumentOutcome } from '../../src/domain/identity-document.ts';
import { registerRecordFromItems } from '../../src/domain/register-records.ts';
import { parseCsCommand } from '../../src/starters/cs-cli.ts';
import type { BadInputCase, CorpusContext, Observed } from './corpus.ts';

/** Sends a signal and reports whether the workflow counted it as ignored (it never fails on one). */
async function signal(context: CorpusContext, name: string, payload: unknown): Promise<Observed> {
  const handle = context.h.env.client.workflow.getHandle(kycWorkflowId(context.decidedUserId));
  const before = (await handle.query(kycStatusQuery)).ignoredSignals;
  // By name, as any producer could: the payload is whatever arrives on the wire.
  await handle.signal(name, payload);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const status = await handle.query(kycStatusQuery);
    if (status.ignoredSignals > before) return { kind: 'signal-ignored' };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { status } = await handle.describe();
  return { kind: 'accepted', detail: `workflow ${status.name}, signal not counted as ignored` };
}

const signalCase = (name: string, signalName: string, payload: (context: CorpusContext) => unknown): BadInputCase => ({
  door: `signal ${signalName}`,
  name,
  expect: { kind: 'signal-ignored' },
  run: (context) => signal(context, signalName, payload(context)),
});

async function update(context: CorpusContext, updateName: string, userId: number, payload: unknown): Promise<Observed> {
  try {
    // By name, as any client could: the payload is whatever arrives on the wire.
    await context.h.env.client.workflow.getHandle(kycWorkflowId(userId)).executeUpdate(updateName, { args: [payload] });
    return { kind: 'accepted', detail: 'update accepted' };
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError)
      return { kind: 'update-rejected', message: error.cause?.message ?? '' };
    throw error;
  }
}

const updateCase = (
  name: string,
  userId: (context: CorpusContext) => number,
  payload: unknown,
  message: string,
  updateName = 'submitCsReview',
): BadInputCase => ({
  door: `update ${updateName}`,
  name,
  expect: { kind: 'update-rejected', message },
  run: (context) => update(context, updateName, userId(context), payload),
});

const cliCase = (name: string, argv: string[], message: string): BadInputCase => ({
  door: 'npm run cs',
  name,
  expect: { kind: 'usage-error', message },
  async run() {
    try {
      parseCsCommand(argv);
      return { kind: 'accepted', detail: 'command parsed' };
    } catch (error) {
      return { kind: 'usage-error', message: (error as Error).message };
    }
  },
});

const HOSTILE = [
  '\u202eDOE\u202c',
  'JANE\u0000ANN',
  'A'.repeat(100_000),
  '\u0007\u001b[31mDOE',
  '<script>alert(1)</script>',
  '𝕵𝖆𝖓𝖊',
];

/** Pure readers of outside data: they must never throw, and never read hostile text as a clean result. */
const readerCase = (name: string, read: () => string): BadInputCase => ({
  door: 'register record / Textract answer',
  name,
  expect: { kind: 'handled-safely', detail: '' },
  async run() {
    return { kind: 'handled-safely', detail: read() };
  },
});

export const workflowCases: BadInputCase[] = [
  signalCase('documentUploaded with an unknown kind', 'documentUploaded', () => ({
    kind: 'PASSPORT',
    bucket: 'kyc-raw',
    key: 'kyc-raw/1/p.jpg',
  })),
  signalCase('documentUploaded without a key', 'documentUploaded', () => ({ kind: 'SELFIE', bucket: 'kyc-raw' })),
  signalCase('documentUploaded with a 5,000-character key', 'documentUploaded', () => ({
    kind: 'SELFIE',
    bucket: 'kyc-raw',
    key: 'k'.repeat(5_000),
  })),
  signalCase('documentUploaded with a liveness session that is not a UUID', 'documentUploaded', () => ({
    kind: 'SELFIE',
    bucket: 'kyc-raw',
    key: 'kyc-raw/1/s.jpg',
    livenessSessionId: 'nope',
  })),
  signalCase('documentUploaded as a string', 'documentUploaded', () => 'kyc-raw/1/passport.jpg'),
  signalCase('registerResult for a stale run', 'registerResult', (c) => ({
    userId: 'apify',
    createdAt: '2026-11-25T10:00:00Z',
    eventType: 'ACTOR.RUN.SUCCEEDED',
    eventData: { actorId: 'a', actorRunId: 'an-old-run' },
    resource: { id: 'an-old-run', status: 'SUCCEEDED' },
    kyc: { userId: c.decidedUserId, cycleId: '4d8f1b8e-1f7a-4c55-9b3c-2f0e6f1a7c10' },
  })),
  signalCase('registerResult without eventData', 'registerResult', () => ({ eventType: 'ACTOR.RUN.SUCCEEDED' })),
  signalCase('csReview without a reviewer', 'csReview', () => ({ decision: 'PASS' })),
  signalCase('csReview when no review is pending', 'csReview', () => ({ decision: 'FAIL', reviewer: 'cs-z' })),
  signalCase('documentExpired with a document id that is a word', 'documentExpired', () => ({
    idDocumentId: 'seventeen',
  })),
  signalCase('documentExpired for another document', 'documentExpired', () => ({ idDocumentId: 987654 })),
  signalCase('registerChanged with a change the monitor does not know', 'registerChanged', () => ({
    regCheckId: 5,
    snapshotDate: '2026-12-03',
    changes: ['ADDRESS_CHANGED'],
  })),
  signalCase('registerChanged with no changes', 'registerChanged', () => ({
    regCheckId: 5,
    snapshotDate: '2026-12-03',
    changes: [],
  })),
  signalCase('registerChanged with a date that is not one', 'registerChanged', () => ({
    regCheckId: 5,
    snapshotDate: '3rd December',
    changes: ['SUSPENDED'],
  })),
  signalCase('stepRequested for a step that does not exist', 'stepRequested', () => ({
    step: 'OCR',
    requestId: 'r-1',
  })),
  updateCase(
    'a review with an unknown decision',
    (c) => c.reviewUserId,
    { decision: 'MAYBE', reviewer: 'cs-x' },
    'invalid review',
  ),
  updateCase('a review without a reviewer', (c) => c.reviewUserId, { decision: 'PASS' }, 'invalid review'),
  updateCase('a review that is an array', (c) => c.reviewUserId, ['PASS', 'cs-x'], 'invalid review'),
  updateCase(
    'a review with a 3,000-character note',
    (c) => c.reviewUserId,
    { decision: 'PASS', reviewer: 'cs-x', note: 'n'.repeat(3_000) },
    'invalid review',
  ),
  updateCase(
    'a review of a case already decided',
    (c) => c.decidedUserId,
    { decision: 'PASS', reviewer: 'cs-x' },
    'no review is pending',
  ),
  updateCase(
    'a review with a reason code that is not one',
    (c) => c.reviewUserId,
    { decision: 'PASS', reviewer: 'cs-x', reasonCode: 'LOOKS_FINE' },
    'invalid review',
  ),
  updateCase('a claim without a reviewer', (c) => c.reviewUserId, { reassign: true }, 'invalid claim', 'claimReview'),
  updateCase(
    'a claim of a case already decided',
    (c) => c.decidedUserId,
    { reviewer: 'cs-x' },
    'no review is pending',
    'claimReview',
  ),
  updateCase(
    'a request for no document',
    (c) => c.reviewUserId,
    { reviewer: 'cs-x', documents: [], message: 'please' },
    'invalid request',
    'requestDocuments',
  ),
  updateCase(
    'a request for the same document twice',
    (c) => c.reviewUserId,
    { reviewer: 'cs-x', documents: ['SELFIE', 'SELFIE'], message: 'please' },
    'invalid request',
    'requestDocuments',
  ),
  updateCase(
    'a request without a message',
    (c) => c.reviewUserId,
    { reviewer: 'cs-x', documents: ['SELFIE'], message: '   ' },
    'invalid request',
    'requestDocuments',
  ),
  updateCase(
    'an override without a reason',
    (c) => c.decidedUserId,
    { decision: 'FAIL', reviewer: 'lead-x', reasonCode: 'FACE_MISMATCH', note: '' },
    'invalid override',
    'overrideDecision',
  ),
  updateCase(
    'an override of a case still waiting for review',
    (c) => c.reviewUserId,
    { decision: 'FAIL', reviewer: 'lead-x', reasonCode: 'FACE_MISMATCH', note: 'no' },
    'only a decided case can be overridden',
    'overrideDecision',
  ),
  cliCase('no command', [], 'no command given'),
  cliCase('an unknown command', ['approve', '42'], 'unknown command approve'),
  cliCase('review without a user id', ['review'], 'numeric <userId>'),
  cliCase('review of a user id that is a word', ['review', 'jane', 'pass', '--reviewer', 'x'], 'numeric <userId>'),
  cliCase('review with a decision of maybe', ['review', '42', 'maybe', '--reviewer', 'x'], 'pass or fail'),
  cliCase('review without a reviewer', ['review', '42', 'pass'], '--reviewer'),
  cliCase('an option the command does not have', ['list', '--force'], "Unknown option '--force'"),
  cliCase('list with a status that does not exist', ['list', '--status', 'APPROVED'], '--status'),
  cliCase('list with a limit of zero', ['list', '--limit', '0'], '--limit'),
  cliCase(
    'review with a request id that would not fit an update id',
    ['review', '42', 'pass', '--reviewer', 'cs-erin', '--request-id', 'a b'],
    '--request-id',
  ),
  ...HOSTILE.map((text, index) =>
    readerCase(`a register entry whose name and status are hostile text #${index + 1}`, () => {
      const record = registerRecordFromItems('GMC', '6143219', [{ name: text, status: text, reg_no: '6143219' }]);
      if (record.standing === 'REGISTERED') throw new Error('hostile status read as REGISTERED');
      return record.standing;
    }),
  ),
  readerCase(
    'register items that are not objects',
    () => registerRecordFromItems('NMC', '01A2345N', [null, 7, 'x', [], { pin: {} }]).standing,
  ),
  ...HOSTILE.map((text, index) =>
    readerCase(`Textract fields of hostile text #${index + 1}`, () => {
      const parsed = parseIdentityFields({
        FIRST_NAME: { text, confidence: 99 },
        LAST_NAME: { text, confidence: 99 },
        DATE_OF_BIRTH: { text, confidence: 99 },
        EXPIRATION_DATE: { text, confidence: 99 },
        MRZ_CODE: { text, confidence: 99 },
      });
      const outcome = toDocumentOutcome(parsed, '2026-11-25');
      if (outcome.status === 'READ' && outcome.fieldsComplete && outcome.checkDigitsValid) {
        throw new Error('hostile fields read as a complete, valid document');
      }
      return outcome.status;
    }),
  ),
  readerCase('a detected-text answer of 50,000 lines of MRZ filler', () =>
    String(parseDocumentText(Array(50_000).fill('<'.repeat(44)))?.source ?? 'none'),
  ),
];
