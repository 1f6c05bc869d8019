/**
 * KycWorkflow: one long-running workflow per user (`kyc-user-<id>`). Each run is one verification cycle — wait for
 * an ID document and a selfie, OCR the document, check the face and the professional register in parallel, decide,
 * notify, and wait for customer service when the decision is MANUAL_REVIEW. It then stays open, idle, until a
 * re-upload, an expiry or a re-check request, and starts the next cycle with continue-as-new.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import type { CycleSettings, KycActivities } from '../contract/activities.ts';
import {
  type CsReview,
  type CsReviewAccepted,
  csReviewSchema,
  csReviewSignal,
  type DecisionView,
  type DocumentUploaded,
  documentExpiredSchema,
  documentExpiredSignal,
  documentUploadedSchema,
  documentUploadedSignal,
  type KycStage,
  type KycStatusView,
  type KycWorkflowInput,
  kycStatusQuery,
  kycWorkflowId,
  kycWorkflowInputSchema,
  type RegisterResult,
  registerResultSchema,
  registerResultSignal,
  stepRequestedSchema,
  stepRequestedSignal,
  submitCsReviewUpdate,
  type WaitingFor,
} from '../contract/kyc-workflow.ts';
import { KycRegType, KycStage as KycStageAttribute, KycStatus, KycUserId } from '../contract/search-attributes.ts';
import {
  type CheckOutcomes,
  type DocumentOutcome,
  type FaceOutcome,
  type RegisterOutcome,
  USER_STATUS_FOR_DECISION,
} from '../domain/outcomes.ts';

// Every call to PostgreSQL or an outside service retries until it succeeds; the summaries label them in the Web UI.
const database = { startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '1m' } } as const;
const awsAi = { startToCloseTimeout: '2m', retry: { initialInterval: '2s', maximumInterval: '2m' } } as const;
const notification = { startToCloseTimeout: '1m', retry: { initialInterval: '5s', maximumInterval: '10m' } } as const;

const { beginCycle } = proxyActivities<KycActivities>({ ...database, summary: 'Begin a verification cycle' });
const { closeWithoutDocuments } = proxyActivities<KycActivities>({
  ...database,
  summary: 'Close: documents not received',
});
const { decide } = proxyActivities<KycActivities>({ ...database, summary: 'Decide and record the decision' });
const { recordReview } = proxyActivities<KycActivities>({ ...database, summary: 'Record the CS review' });
const { scanDocument } = proxyActivities<KycActivities>({ ...awsAi, summary: 'Textract: read the ID document' });
const { checkFace } = proxyActivities<KycActivities>({
  ...awsAi,
  summary: 'Rekognition: compare faces, check liveness',
});
const { requestRegisterCheck } = proxyActivities<KycActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '5s', maximumInterval: '5m' },
  summary: 'Apify: start the register scraper',
});
const { notifyDecision } = proxyActivities<KycActivities>({ ...notification, summary: 'Notify the decision' });
const { remindCs } = proxyActivities<KycActivities>({ ...notification, summary: 'Remind CS of the pending review' });

const MAX_REMEMBERED_REQUESTS = 200;
/**
 * The stages a run can rest in for long, which ops search for. The passing ones (SCANNING, DECIDING) show in the
 * query and the run's details only: every upsert is a history event and a visibility write, and upserting at every
 * stage cost about a fifth of the throughput (see the README's benchmarks).
 */
const SEARCHABLE_STAGES: ReadonlySet<KycStage> = new Set<KycStage>([
  'AWAITING_DOCUMENTS',
  'CHECKING',
  'AWAITING_REVIEW',
  'DECIDED',
  'EXPIRED',
]);
const EARLY_REGISTER_CALLBACK_PATCH = 'keep-register-callback-before-run-id';

interface State {
  userId: number;
  cycle: number;
  cycleId: string;
  stage: KycStage;
  waitingFor: WaitingFor[];
  idDocument: DocumentUploaded | null;
  selfie: DocumentUploaded | null;
  idDocumentId: number | null;
  /** Set once scanning starts; uploads after that belong to the next cycle. */
  documentsLocked: boolean;
  outcomes: { document: DocumentOutcome | null; face: FaceOutcome | null; register: RegisterOutcome | null };
  registerRunId: string | null;
  registerCallback: RegisterResult | null;
  /**
   * A callback for this cycle that came before the workflow learnt which run it started: a run that finishes at once
   * calls back while the activity's result is still on its way. It is matched with the run once that is known.
   */
  earlyRegisterCallback: RegisterResult | null;
  decision: DecisionView | null;
  automaticDecision: DecisionView | null;
  pendingReview: CsReview | null;
  acceptedReview: CsReviewAccepted | null;
  nextUploads: DocumentUploaded[];
  idDocumentExpired: boolean;
  /** The previous cycle's documents, reused when only one of them is re-uploaded. */
  carried: { idDocument: DocumentUploaded | null; idDocumentId: number | null; selfie: DocumentUploaded | null };
  recheckRequested: boolean;
  handledRequestIds: string[];
  ignoredSignals: number;
  /** The KycStage search attribute as last upserted, and attribute changes waiting to go with the next one. */
  publishedStage: KycStage | null;
  unpublished: SearchAttributeUpdatePair[];
}

export async function KycWorkflow(rawInput: KycWorkflowInput): Promise<void> {
  const input = parseInput(rawInput);
  const carryOver = input.carryOver;
  const state: State = {
    userId: input.userId,
    cycle: carryOver?.cycle ?? 1,
    cycleId: carryOver?.idle?.cycleId ?? uuid4(),
    stage: carryOver?.idle?.stage ?? 'AWAITING_DOCUMENTS',
    waitingFor: [],
    idDocument: carryOver?.idle ? carryOver.previousIdDocument : null,
    selfie: carryOver?.idle ? carryOver.previousSelfie : null,
    idDocumentId: carryOver?.idle?.idDocumentId ?? null,
    documentsLocked: Boolean(carryOver?.idle),
    outcomes: carryOver?.idle?.outcomes ?? { document: null, face: null, register: null },
    registerRunId: null,
    registerCallback: null,
    earlyRegisterCallback: null,
    decision: carryOver?.idle?.decision ?? null,
    automaticDecision: carryOver?.idle?.automaticDecision ?? null,
    pendingReview: null,
    acceptedReview: null,
    nextUploads: [],
    idDocumentExpired: carryOver?.idle?.stage === 'EXPIRED',
    carried: {
      idDocument: carryOver?.previousIdDocument ?? null,
      idDocumentId: carryOver?.previousIdDocumentId ?? null,
      selfie: carryOver?.previousSelfie ?? null,
    },
    recheckRequested: false,
    handledRequestIds: carryOver?.handledRequestIds ?? [],
    ignoredSignals: 0,
    publishedStage: null,
    unpublished: [],
  };
  registerHandlers(state);

  if (!carryOver?.idle) await runCycle(state, carryOver);

  enterIdle(state);
  await condition(
    () => state.nextUploads.length > 0 || state.recheckRequested || workflowInfo().continueAsNewSuggested,
  );
  await condition(allHandlersFinished);
  const startsNewCycle = state.nextUploads.length > 0 || state.recheckRequested;
  await continueAsNew<typeof KycWorkflow>({
    userId: state.userId,
    carryOver: {
      cycle: startsNewCycle ? state.cycle + 1 : state.cycle,
      uploads: state.nextUploads,
      // An expired document is never carried into a new cycle; the user must upload a new one.
      previousIdDocument: state.idDocumentExpired ? null : state.idDocument,
      previousIdDocumentId: state.idDocumentExpired ? null : state.idDocumentId,
      previousSelfie: state.selfie,
      idle: startsNewCycle
        ? null
        : {
            cycleId: state.cycleId,
            idDocumentId: state.idDocumentId,
            stage: state.stage === 'EXPIRED' ? 'EXPIRED' : 'DECIDED',
            decision: state.decision,
            automaticDecision: state.automaticDecision,
            outcomes: completeOutcomes(state),
          },
      handledRequestIds: state.handledRequestIds.slice(-MAX_REMEMBERED_REQUESTS),
    },
  });
}

function parseInput(rawInput: KycWorkflowInput): KycWorkflowInput {
  const parsed = kycWorkflowInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid KycWorkflow input: ${parsed.error.issues[0]?.message}`, 'BadInput');
  }
  const expectedId = kycWorkflowId(parsed.data.userId);
  if (workflowInfo().workflowId !== expectedId) {
    throw ApplicationFailure.nonRetryable(`KycWorkflow for user ${parsed.data.userId} must run as ${expectedId}`);
  }
  return parsed.data;
}

// ─── One verification cycle ─────────────────────────────────────────────────────────────────────────────────────

async function runCycle(state: State, carryOver: KycWorkflowInput['carryOver']): Promise<void> {
  for (const upload of carryOver?.uploads ?? []) acceptUpload(state, upload);
  const begun = await beginCycle({ userId: state.userId, cycleId: state.cycleId });
  const settings = begun.settings;
  setStage(state, 'AWAITING_DOCUMENTS', [
    { key: KycUserId, value: state.userId },
    { key: KycRegType, value: begun.regType },
    { key: KycStatus, value: begun.userStatus },
  ]);

  const isReupload = (carryOver?.uploads.length ?? 0) > 0;
  if (!(await collectDocuments(state, settings, isReupload))) {
    // What arrives from now on starts the next cycle.
    state.documentsLocked = true;
    setStage(state, 'DECIDING');
    const closed = await closeWithoutDocuments({ userId: state.userId, cycleId: state.cycleId });
    settle(state, { ...closed, source: 'AUTOMATIC' });
    await notifyDecision({ decisionId: closed.decisionId });
    return;
  }
  const idDocument = state.idDocument as DocumentUploaded;
  const selfie = state.selfie as DocumentUploaded;
  state.documentsLocked = true;

  setStage(state, 'SCANNING');
  const asOf = today();
  const scan = await scanDocument({
    userId: state.userId,
    cycleId: state.cycleId,
    asOf,
    idDocument: { bucket: idDocument.bucket, key: idDocument.key, docType: idDocument.docType },
    selfie: { bucket: selfie.bucket, key: selfie.key },
  });
  state.idDocumentId = scan.idDocumentId;
  state.outcomes.document = scan.outcome;

  setStage(state, 'CHECKING');
  const [face, register] = await Promise.all([
    checkFace({
      userId: state.userId,
      cycleId: state.cycleId,
      idDocumentId: scan.idDocumentId,
      selfieId: scan.selfieId,
      idDocument: { bucket: idDocument.bucket, key: idDocument.key },
      selfie: { bucket: selfie.bucket, key: selfie.key, livenessSessionId: selfie.livenessSessionId },
    }).then((outcome) => {
      state.outcomes.face = outcome;
      return outcome;
    }),
    checkRegister(state, settings).then((outcome) => {
      state.outcomes.register = outcome;
      return outcome;
    }),
  ]);

  setStage(state, 'DECIDING');
  const outcomes: CheckOutcomes = { document: scan.outcome, face, register };
  const decided = await decide({ userId: state.userId, cycleId: state.cycleId, outcomes });
  settle(state, { ...decided, source: 'AUTOMATIC' });
  await notifyDecision({ decisionId: decided.decisionId });
  if (decided.decision === 'MANUAL_REVIEW') await awaitCsReview(state, settings, decided.decisionId);
}

/**
 * Waits until an ID document and a selfie are both in hand. After a re-upload of one of them, the other is taken
 * from the previous cycle unless a fresh one follows within the settle window.
 */
async function collectDocuments(state: State, settings: CycleSettings, isReupload: boolean): Promise<boolean> {
  const haveBoth = () => state.idDocument !== null && state.selfie !== null;
  if (!haveBoth() && isReupload && (state.carried.idDocument || state.carried.selfie)) {
    await condition(haveBoth, settings.uploadSettleMs, { summary: 'wait briefly for the other document' });
  }
  state.idDocument ??= state.carried.idDocument;
  state.selfie ??= state.carried.selfie;
  if (haveBoth()) return true;
  return await condition(haveBoth, settings.documentsTimeoutMs, { summary: 'documents timeout' });
}

async function checkRegister(state: State, settings: CycleSettings): Promise<RegisterOutcome> {
  const request = await requestRegisterCheck({ userId: state.userId, cycleId: state.cycleId });
  if (!request.started) return { status: 'ERROR', cause: request.cause };
  state.registerRunId = request.runId;
  const early = state.earlyRegisterCallback;
  state.earlyRegisterCallback = null;
  if (early?.eventData.actorRunId === request.runId) state.registerCallback = early;
  else if (early) ignore(state, 'registerResult', 'stale or foreign run');
  if (request.callbackExpected && !request.finished) {
    // A lost webhook only delays the result: after the timeout the activity below polls Apify instead.
    await condition(() => state.registerCallback !== null, settings.registerWebhookTimeoutMs, {
      summary: 'register webhook timeout',
    });
  }
  const { ingestRegisterResult } = proxyActivities<KycActivities>({
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: settings.registerPollTimeoutMs,
    retry: { initialInterval: '15s', maximumInterval: '5m' },
    summary: state.registerCallback ? 'Apify: read the register result' : 'Apify: poll the register run',
  });
  try {
    return await ingestRegisterResult({
      userId: state.userId,
      cycleId: state.cycleId,
      runId: request.runId,
      asOf: today(),
    });
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure) return { status: 'TIMEOUT' };
    throw error;
  } finally {
    state.registerRunId = null;
  }
}

async function awaitCsReview(state: State, settings: CycleSettings, automaticDecisionId: number): Promise<void> {
  setStage(state, 'AWAITING_REVIEW');
  let reminders = 0;
  while (!(await condition(() => state.pendingReview !== null, settings.csReminderAfterMs, { summary: 'CS SLA' }))) {
    reminders += 1;
    await remindCs({ decisionId: automaticDecisionId, reminder: reminders });
  }
  const review = state.pendingReview as CsReview;
  setStage(state, 'DECIDING');
  const recorded = await recordReview({
    userId: state.userId,
    cycleId: state.cycleId,
    automaticDecisionId,
    decision: review.decision,
    reviewer: review.reviewer,
    note: review.note,
  });
  settle(state, { ...recorded, source: 'CS', reviewer: review.reviewer });
  // The CS tool hears that its decision is recorded without waiting for the notifications.
  state.acceptedReview = { accepted: true, decisionId: recorded.decisionId, decision: review.decision };
  await notifyDecision({ decisionId: recorded.decisionId });
}

/**
 * Makes a recorded decision the current one and visible to ops. Its notification follows (notifyDecision), so that
 * CS can act on a review, and learn that a decision was taken, while the notification is still on its way.
 */
function settle(state: State, decision: DecisionView): void {
  state.decision = decision;
  if (decision.source === 'AUTOMATIC') state.automaticDecision = decision;
  setStage(state, decision.decision === 'MANUAL_REVIEW' ? 'AWAITING_REVIEW' : 'DECIDED', [
    { key: KycStatus, value: USER_STATUS_FOR_DECISION[decision.decision] },
  ]);
}

// ─── Between cycles ─────────────────────────────────────────────────────────────────────────────────────────────

function enterIdle(state: State): void {
  if (state.idDocumentExpired) {
    setStage(state, 'EXPIRED', [{ key: KycStatus, value: 'EXPIRED' }]);
  } else {
    setStage(state, 'DECIDED');
  }
}

function completeOutcomes(state: State): CheckOutcomes | null {
  const { document, face, register } = state.outcomes;
  return document && face && register ? { document, face, register } : null;
}

// ─── Signals, update, query ─────────────────────────────────────────────────────────────────────────────────────

function registerHandlers(state: State): void {
  setHandler(documentUploadedSignal, (raw) => {
    const upload = validSignal(state, 'documentUploaded', documentUploadedSchema, raw);
    if (upload && !acceptUpload(state, upload)) ignore(state, 'documentUploaded', 'duplicate upload');
  });

  setHandler(registerResultSignal, (raw) => {
    const result = validSignal(state, 'registerResult', registerResultSchema, raw);
    if (!result) return;
    const thisCycle = result.kyc.cycleId === state.cycleId && result.kyc.userId === state.userId;
    const runPending = state.stage === 'CHECKING' && state.registerRunId === null && !state.outcomes.register;
    // Workflows that ignored such a callback before it was kept must replay as they ran.
    if (thisCycle && runPending && patched(EARLY_REGISTER_CALLBACK_PATCH)) {
      if (state.earlyRegisterCallback) return ignore(state, 'registerResult', 'duplicate webhook');
      state.earlyRegisterCallback = result;
      return;
    }
    const current = thisCycle && state.registerRunId !== null && result.eventData.actorRunId === state.registerRunId;
    if (!current) return ignore(state, 'registerResult', 'stale or foreign run');
    if (state.registerCallback) return ignore(state, 'registerResult', 'duplicate webhook');
    state.registerCallback = result;
  });

  setHandler(csReviewSignal, (raw) => {
    const review = validSignal(state, 'csReview', csReviewSchema, raw);
    if (!review) return;
    const refusal = reviewRefusal(state);
    if (refusal) return ignore(state, 'csReview', refusal);
    state.pendingReview = review;
  });

  setHandler(
    submitCsReviewUpdate,
    async (review) => {
      state.pendingReview = csReviewSchema.parse(review);
      await condition(() => state.acceptedReview !== null);
      return state.acceptedReview as CsReviewAccepted;
    },
    {
      validator: (review) => {
        const parsed = csReviewSchema.safeParse(review);
        if (!parsed.success) throw new Error(`invalid review: ${parsed.error.issues[0]?.message}`);
        const refusal = reviewRefusal(state);
        if (refusal) throw new Error(refusal);
      },
    },
  );

  setHandler(documentExpiredSignal, (raw) => {
    const expired = validSignal(state, 'documentExpired', documentExpiredSchema, raw);
    if (!expired) return;
    if (expired.idDocumentId === state.carried.idDocumentId && state.idDocumentId === null) {
      // The previous cycle's document expired before this cycle scanned anything: it must not be reused.
      if (state.idDocument === state.carried.idDocument) state.idDocument = null;
      state.carried = { ...state.carried, idDocument: null, idDocumentId: null };
      return;
    }
    if (expired.idDocumentId !== state.idDocumentId)
      return ignore(state, 'documentExpired', 'not the current document');
    state.idDocumentExpired = true;
    if (state.stage === 'DECIDED') enterIdle(state);
  });

  setHandler(stepRequestedSignal, (raw) => {
    const request = validSignal(state, 'stepRequested', stepRequestedSchema, raw);
    if (!request) return;
    if (state.handledRequestIds.includes(request.requestId)) return ignore(state, 'stepRequested', 'duplicate');
    state.handledRequestIds.push(request.requestId);
    // Within a cycle every step runs anyway; between cycles a face or register request re-checks the user.
    const idle = state.stage === 'DECIDED' || state.stage === 'EXPIRED';
    if (idle && request.step !== 'DECISION' && !state.idDocumentExpired) state.recheckRequested = true;
  });

  setHandler(kycStatusQuery, () => statusView(state));
}

/** Takes an upload into this cycle or the next; false when it is a duplicate. */
function acceptUpload(state: State, upload: DocumentUploaded): boolean {
  const sameObject = (other: DocumentUploaded | null) =>
    other !== null && other.kind === upload.kind && other.key === upload.key && other.etag === upload.etag;
  if (state.nextUploads.some(sameObject)) return false;
  const current = upload.kind === 'ID_DOCUMENT' ? state.idDocument : state.selfie;
  if (sameObject(current)) return false;
  if (state.documentsLocked) {
    state.nextUploads.push(upload);
  } else if (upload.kind === 'ID_DOCUMENT') {
    state.idDocument = upload;
  } else {
    state.selfie = upload;
  }
  refreshWaitingFor(state);
  return true;
}

function reviewRefusal(state: State): string | null {
  if (state.stage !== 'AWAITING_REVIEW') return `no review is pending (stage ${state.stage})`;
  if (state.pendingReview) return 'a review has already been submitted for this case';
  return null;
}

function validSignal<T>(state: State, signal: string, schema: z.ZodType<T>, raw: unknown): T | null {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  ignore(state, signal, `invalid payload at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  return null;
}

function ignore(state: State, signal: string, why: string): void {
  state.ignoredSignals += 1;
  // The reason names fields, never their values, so no document data reaches the logs.
  log.warn('signal ignored', { signal, why, userId: state.userId, cycle: state.cycle });
}

/** Moves to `stage`; a searchable stage that changes anything goes out in one upsert with `attributes`. */
function setStage(state: State, stage: KycStage, attributes: SearchAttributeUpdatePair[] = []): void {
  state.stage = stage;
  refreshWaitingFor(state);
  setCurrentDetails(`Cycle ${state.cycle}: ${stage.toLowerCase().replaceAll('_', ' ')}`);
  state.unpublished.push(...attributes);
  if (!SEARCHABLE_STAGES.has(stage) || (stage === state.publishedStage && state.unpublished.length === 0)) return;
  upsertSearchAttributes([...state.unpublished, { key: KycStageAttribute, value: stage }]);
  state.publishedStage = stage;
  state.unpublished = [];
}

function refreshWaitingFor(state: State): void {
  const waiting: WaitingFor[] = [];
  if (state.stage === 'AWAITING_DOCUMENTS') {
    if (!state.idDocument) waiting.push('ID_DOCUMENT');
    if (!state.selfie) waiting.push('SELFIE');
  }
  if (state.stage === 'CHECKING' && state.registerRunId && !state.registerCallback) waiting.push('REGISTER_CALLBACK');
  if (state.stage === 'AWAITING_REVIEW') waiting.push('CS_REVIEW');
  if (state.stage === 'EXPIRED') waiting.push('REUPLOAD');
  state.waitingFor = waiting;
}

function statusView(state: State): KycStatusView {
  refreshWaitingFor(state);
  return {
    userId: state.userId,
    cycle: state.cycle,
    cycleId: state.cycleId,
    stage: state.stage,
    waitingFor: state.waitingFor,
    documents: {
      idDocument: state.idDocument
        ? { key: state.idDocument.key, ...(state.idDocumentId ? { idDocumentId: state.idDocumentId } : {}) }
        : null,
      selfie: state.selfie ? { key: state.selfie.key } : null,
    },
    checks: {
      document: state.outcomes.document,
      face: state.outcomes.face,
      register:
        state.outcomes.register ?? (state.registerRunId ? { status: 'PENDING', runId: state.registerRunId } : null),
    },
    decision: state.decision,
    automaticDecision: state.automaticDecision,
    ignoredSignals: state.ignoredSignals,
  };
}

/** The workflow's own date (deterministic, and skipped forward in time-skipping tests), as YYYY-MM-DD in UTC. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}
