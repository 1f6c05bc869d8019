/**
 * KycWorkflow: one long-running workflow per user (`kyc-user-<id>`). Each run is one verification cycle — wait for
 * an ID document and a selfie, OCR the document, check the face and the professional register in parallel, decide,
 * notify, and wait for customer service when the decision is MANUAL_REVIEW. It then stays open, idle, until a
 * re-upload, an expiry or a re-check request, and starts the next cycle with continue-as-new.
 */
import type { ActivityOptions, Duration, SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  TimeoutFailure,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import type { CycleSettings, KycActivities, ProviderNames, Redecided, UploadLocation } from '../contract/activities.ts';
import { closeForErasureSchema, closeForErasureSignal } from '../contract/erasure-workflow.ts';
import {
  type AttentionView,
  type ClaimAccepted,
  type CsReview,
  type CsReviewAccepted,
  claimReviewSchema,
  claimReviewUpdate,
  csReviewSchema,
  csReviewSignal,
  type DecisionView,
  type DocumentsRequested,
  type DocumentUploaded,
  documentExpiredSchema,
  documentExpiredSignal,
  documentUploadedSchema,
  documentUploadedSignal,
  type KycStage,
  type KycStatusView,
  type KycStep,
  type KycWorkflowInput,
  kycStatusQuery,
  kycWorkflowId,
  kycWorkflowInputSchema,
  type OverrideAccepted,
  type OverrideDecision,
  overrideDecisionSchema,
  overrideDecisionUpdate,
  type RegisterChanged,
  type RegisterResult,
  type RequestDocuments,
  type RetryStep,
  type RetryStepAccepted,
  registerChangedSchema,
  registerChangedSignal,
  registerResultSchema,
  registerResultSignal,
  requestDocumentsSchema,
  requestDocumentsUpdate,
  retryStepSchema,
  retryStepUpdate,
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
import { upsertsAtEveryStage } from './legacy-runs.ts';

/**
 * Retry budgets (README, "Retry budgets"). Every activity heartbeats while it runs (src/activities/heartbeat.ts), so
 * an attempt held by a killed worker is retried after its heartbeat timeout, not its start-to-close. An error no
 * retry can change fails at once. A step that exhausts its budget puts the case in NEEDS_ATTENTION.
 */
const NON_RETRYABLE = ['PermanentAdapterError', 'UnknownUser', 'BadInput'];

function budget(
  startToCloseTimeout: Duration,
  backoff: { from: Duration; to: Duration },
  maximumAttempts: number,
): ActivityOptions {
  return {
    startToCloseTimeout,
    heartbeatTimeout: '10s',
    retry: {
      initialInterval: backoff.from,
      maximumInterval: backoff.to,
      maximumAttempts,
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  };
}
const database = budget('30s', { from: '1s', to: '30s' }, 30);
const recognition = budget('2m', { from: '2s', to: '1m' }, 12);
const registerStart = budget('1m', { from: '5s', to: '2m' }, 10);
const notification = budget('1m', { from: '5s', to: '5m' }, 15);

/** The label the Web UI shows for each step, naming the engine that is configured. */
function summaries(providers: ProviderNames | undefined): Record<KycStep, string> {
  const ocr = providers?.ocr ?? 'Textract';
  const face = providers?.face ?? 'Rekognition';
  const register = providers?.register ?? 'Apify';
  return {
    beginCycle: 'Begin a verification cycle',
    closeWithoutDocuments: 'Close: documents not received',
    scanDocument: `${ocr}: read the ID document`,
    checkFace: `${face}: compare faces, check liveness`,
    requestRegisterCheck: `${register}: start the register check`,
    ingestRegisterResult: `${register}: read the register result`,
    decide: 'Decide and record the decision',
    recordReview: 'Record the CS review',
    notifyDecision: 'Notify the decision',
    remindCs: 'Remind CS of the pending review',
    redecideOnRegisterChange: 'Decide again: the register changed',
    notifyRegisterChange: 'Notify the register change',
    recordOverride: "Record a CS lead's override",
    requestNewDocuments: 'Ask the user for new documents',
  };
}

const STEP_OPTIONS: Record<KycStep, ActivityOptions> = {
  beginCycle: database,
  closeWithoutDocuments: database,
  scanDocument: recognition,
  checkFace: recognition,
  requestRegisterCheck: registerStart,
  ingestRegisterResult: registerStart,
  decide: database,
  recordReview: database,
  notifyDecision: notification,
  remindCs: notification,
  redecideOnRegisterChange: database,
  notifyRegisterChange: notification,
  recordOverride: database,
  requestNewDocuments: notification,
};

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
  'NEEDS_ATTENTION',
  'ERASED',
]);
/**
 * Since PATCHES.fewerActions, only the stages someone acts on: CS (AWAITING_REVIEW), ops (NEEDS_ATTENTION), the user
 * (AWAITING_DOCUMENTS, EXPIRED), or nobody any more (DECIDED, ERASED). CHECKING lasts until the register answers,
 * seconds to minutes, and ends in one of them; during it the case shows AWAITING_DOCUMENTS, its stage at the start.
 */
const ACTIONABLE_STAGES: ReadonlySet<KycStage> = new Set<KycStage>([
  'AWAITING_DOCUMENTS',
  'AWAITING_REVIEW',
  'DECIDED',
  'EXPIRED',
  'NEEDS_ATTENTION',
  'ERASED',
]);
/** Attributes that describe the case rather than where it stands: a change to them waits for the next stage's upsert. */
const DESCRIPTIVE_ATTRIBUTES: ReadonlySet<string> = new Set([KycRegType.name, KycUserId.name]);
/**
 * Patch ids (README, "Changing workflow code"): each names one change to the workflow's commands. Runs recorded
 * before a change replay without its marker and keep the old behaviour.
 */
const PATCHES = {
  earlyRegisterCallback: 'keep-register-callback-before-run-id',
  /** The CS update answers once the review is recorded, before its notification (11842e8). */
  csUpdateBeforeNotify: 'cs-update-answers-before-notify',
  /** The review wait (and the update) starts while the MANUAL_REVIEW email is still being delivered. */
  reviewWhileNotifying: 'cs-review-while-notifying',
  /** A step that gives up parks the case in NEEDS_ATTENTION instead of failing the workflow. */
  needsAttention: 'needs-attention-instead-of-failing',
  /** The same key signalled with and without an ETag is one object, not a re-upload. */
  uploadWithoutEtag: 'upload-without-etag-is-same-object',
  /** CS is reminded of a pending review MAX_CS_REMINDERS times, then no more. */
  csRemindersCapped: 'cs-reminders-capped',
  /** An idle run continues as new once its history passes IDLE_HISTORY_LIMIT events. */
  idleHistoryLimit: 'idle-history-limit',
  /** A `registerChanged` from the daily register monitor decides again (README, "Register monitoring"). */
  registerChanged: 'decide-again-on-register-change',
  /**
   * The CS console's updates: claiming a review, asking for new documents instead of deciding, and a cs-lead's
   * override of a standing decision (README, "CS review console").
   */
  csConsole: 'cs-console-claims-and-overrides',
  /** `closeForErasure` from an ErasureWorkflow stops the run wherever it waits and closes it (README, Compliance). */
  closeOnErasure: 'close-on-erasure',
  /**
   * Fewer Temporal Cloud Actions per cycle, and the same number whatever races (README, "Benchmarks"). beginCycle runs
   * as a local activity, its marker in one workflow task with this patch's; so do the steps that close a cycle (the
   * finished register run's read, the automatic decision and its notification), whose markers share one task too (see
   * `cheapStep`). Attributes the start already set are not upserted again, and only ACTIONABLE_STAGES are. The register
   * webhook's deadline starts with the register request, so it is one timer whether the webhook comes before or after
   * the run id, and a callback before the run id is kept (as `earlyRegisterCallback` does) without a marker of its own.
   */
  fewerActions: 'fewer-actions-per-cycle',
} as const;
/**
 * An idle run starts afresh past this many events, whatever Temporal suggests: a decided case that keeps receiving
 * signals never grows a long history (README, "Bounded state").
 */
const IDLE_HISTORY_LIMIT = 2_000;
/** Reminders of one pending review: daily for two weeks by default (KYC_CS_REMINDER_AFTER). */
const MAX_CS_REMINDERS = 14;
/** Register changes remembered as decided on, so that the monitor repeating one is harmless. */
const MAX_REMEMBERED_REGISTER_CHECKS = 20;
const MAX_PENDING_REGISTER_CHANGES = 5;
/** How much of an activity's failure message the case keeps for ops. */
const ATTENTION_REASON_LENGTH = 300;

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
  /** The cycle runs under PATCHES.fewerActions. */
  fewerActions: boolean;
  /** Under PATCHES.fewerActions: each KycWorkflow search attribute's value as the start or the last upsert set it. */
  published: Record<string, unknown>;
  /** A run started before c4e39df's code ran: it upserts at every stage, as that code did (legacy-runs.ts). */
  legacyUpserts: boolean;
  /** The run's register check that already finished, so a late duplicate of its webhook is told apart. */
  completedRegisterRunId: string | null;
  /** Learnt from beginCycle; uploads elsewhere belong to another user or bucket. */
  uploadLocation: UploadLocation | null;
  providers: ProviderNames | undefined;
  attention: AttentionView | null;
  attentionIncidents: number;
  pendingRetry: RetryStep | null;
  /** Register changes the monitor signalled, waiting to be decided on, oldest first. */
  registerChanges: RegisterChanged[];
  /** The reg_checks rows already decided on. */
  decidedRegisterChecks: number[];
  /** Linked from the Web UI's details, so ops can go from the workflow to the case in the CS console. */
  consoleCaseUrl: string | null;
  /** The reviewer holding the pending review, set through `claimReview`; cleared when a review begins. */
  claimedBy: string | null;
  pendingOverride: OverrideDecision | null;
  acceptedOverride: OverrideAccepted | null;
  pendingDocumentRequest: RequestDocuments | null;
  documentsRequested: DocumentsRequested | null;
  /** The review ended in a request for new documents: the run waits for the upload that starts the next cycle. */
  awaitingNewDocuments: boolean;
  /** Set by `closeForErasure`: the run stops where it is and closes instead of carrying on. */
  erasing: boolean;
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
    fewerActions: false,
    published: {},
    legacyUpserts: upsertsAtEveryStage(workflowInfo().runStartTime),
    completedRegisterRunId: null,
    uploadLocation: null,
    providers: undefined,
    attention: null,
    attentionIncidents: 0,
    pendingRetry: null,
    registerChanges: [],
    decidedRegisterChecks: [],
    consoleCaseUrl: null,
    claimedBy: null,
    pendingOverride: null,
    acceptedOverride: null,
    pendingDocumentRequest: null,
    documentsRequested: null,
    awaitingNewDocuments: false,
    erasing: false,
  };
  // Everything the run does happens in this scope, so that an erasure can stop it wherever it waits.
  const run = new CancellationScope();
  registerHandlers(state, () => run.cancel());
  try {
    await run.run(() => verifyAndStayOpen(state, carryOver));
  } catch (error) {
    if (!(state.erasing && isCancellation(error))) throw error;
    setStage(state, 'ERASED', [{ key: KycStatus, value: 'ERASED' }]);
    log.info('closed for erasure', { userId: state.userId, cycle: state.cycle });
  }
}

/** The run's work: a verification cycle (unless it continues an idle case), then idle until the next one. */
async function verifyAndStayOpen(state: State, carryOver: KycWorkflowInput['carryOver']): Promise<void> {
  if (!carryOver?.idle) await runCycle(state, carryOver);

  enterIdle(state);
  for (;;) {
    await waitWhileIdle(state);
    if (state.pendingOverride) {
      await applyOverride(state, state.pendingOverride);
      enterIdle(state);
      continue;
    }
    const change = state.registerChanges.shift();
    if (!change) break;
    const redecided = await decideAgain(state, change);
    if (redecided?.decision === 'MANUAL_REVIEW') {
      await awaitCsReview(state, redecided.settings, redecided.decisionId);
    }
    enterIdle(state);
  }
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

/**
 * Idle until a re-upload or a re-check starts the next cycle, or the history has grown long enough to start afresh:
 * when Temporal suggests it, or past IDLE_HISTORY_LIMIT events (a flood of signals to a decided case).
 */
async function waitWhileIdle(state: State): Promise<void> {
  let historyLimitApplies = true;
  for (;;) {
    const woken = () =>
      state.pendingOverride !== null ||
      state.nextUploads.length > 0 ||
      state.recheckRequested ||
      state.registerChanges.length > 0 ||
      workflowInfo().continueAsNewSuggested;
    const tooLong = () => historyLimitApplies && workflowInfo().historyLength > IDLE_HISTORY_LIMIT;
    await condition(() => woken() || tooLong());
    if (woken()) return;
    // Runs recorded before the limit waited on past it; they replay that way.
    if (patched(PATCHES.idleHistoryLimit)) return;
    historyLimitApplies = false;
  }
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
  if (state.legacyUpserts) setStage(state, 'AWAITING_DOCUMENTS');
  state.fewerActions = !state.legacyUpserts && patched(PATCHES.fewerActions);
  if (state.fewerActions) state.published = startAttributes();
  const begun = await cheapStep(state, 'beginCycle', { userId: state.userId, cycleId: state.cycleId });
  const settings = begun.settings;
  state.providers = begun.providers;
  state.consoleCaseUrl = begun.consoleCaseUrl ?? null;
  if (begun.uploads) {
    state.uploadLocation = begun.uploads;
    dropForeignUploads(state);
  }
  const attributes = [
    { key: KycUserId, value: state.userId },
    { key: KycRegType, value: begun.regType },
    { key: KycStatus, value: begun.userStatus },
  ];
  if (state.legacyUpserts) upsertSearchAttributes(attributes);
  else setStage(state, 'AWAITING_DOCUMENTS', attributes);

  const isReupload = (carryOver?.uploads.length ?? 0) > 0;
  if (!(await collectDocuments(state, settings, isReupload))) {
    // What arrives from now on starts the next cycle.
    state.documentsLocked = true;
    setStage(state, 'DECIDING');
    const closed = await cheapStep(state, 'closeWithoutDocuments', { userId: state.userId, cycleId: state.cycleId });
    settle(state, { ...closed, source: 'AUTOMATIC' });
    await cheapStep(state, 'notifyDecision', { decisionId: closed.decisionId });
    return;
  }
  const idDocument = state.idDocument as DocumentUploaded;
  const selfie = state.selfie as DocumentUploaded;
  state.documentsLocked = true;

  setStage(state, 'SCANNING');
  const asOf = today();
  const scan = await step(state, 'scanDocument', {
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
    step(state, 'checkFace', {
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
  const decided = await cheapStep(state, 'decide', { userId: state.userId, cycleId: state.cycleId, outcomes });
  settle(state, { ...decided, source: 'AUTOMATIC' });
  const notified = cheapStep(state, 'notifyDecision', { decisionId: decided.decisionId });
  if (decided.decision !== 'MANUAL_REVIEW') return await notified;
  // CS can decide while the email that tells them of the case is still on its way.
  if (patched(PATCHES.reviewWhileNotifying)) {
    await Promise.all([notified, awaitCsReview(state, settings, decided.decisionId)]);
  } else {
    await notified;
    await awaitCsReview(state, settings, decided.decisionId);
  }
}

/**
 * Waits until an ID document and a selfie are both in hand. After a re-upload of one of them, the other is taken
 * from the previous cycle unless a fresh one follows within the settle window.
 */
async function collectDocuments(state: State, settings: CycleSettings, isReupload: boolean): Promise<boolean> {
  const haveBoth = () => state.idDocument !== null && state.selfie !== null;
  if (!haveBoth() && isReupload && (state.carried.idDocument || state.carried.selfie)) {
    await condition(haveBoth, settings.uploadSettleMs, {
      summary: `wait ${duration(settings.uploadSettleMs)} for the other document, else reuse the last one`,
    });
  }
  state.idDocument ??= state.carried.idDocument;
  state.selfie ??= state.carried.selfie;
  if (haveBoth()) return true;
  return await condition(haveBoth, settings.documentsTimeoutMs, {
    summary: `wait for the ID document and selfie (up to ${duration(settings.documentsTimeoutMs)})`,
  });
}

async function checkRegister(state: State, settings: CycleSettings): Promise<RegisterOutcome> {
  const webhookSummary = `wait for the register's webhook (up to ${duration(settings.registerWebhookTimeoutMs)}), then poll`;
  // Started with the request, the deadline is one timer however the webhook and the run id race.
  const deadline = state.fewerActions ? webhookDeadline(settings.registerWebhookTimeoutMs, webhookSummary) : null;
  try {
    const request = await step(state, 'requestRegisterCheck', { userId: state.userId, cycleId: state.cycleId });
    if (!request.started) return { status: 'ERROR', cause: request.cause };
    return await ingestRegisterRun(state, settings, request, deadline, webhookSummary);
  } finally {
    deadline?.scope.cancel();
  }
}

interface WebhookDeadline {
  scope: CancellationScope;
  passed(): boolean;
}

function webhookDeadline(ms: number, summary: string): WebhookDeadline {
  let passed = false;
  const scope = new CancellationScope();
  scope
    .run(() => sleep(ms, { summary }))
    .then(
      () => {
        passed = true;
      },
      (error) => {
        if (!isCancellation(error)) throw error;
      },
    );
  return { scope, passed: () => passed };
}

async function ingestRegisterRun(
  state: State,
  settings: CycleSettings,
  request: { runId: string; finished: boolean; callbackExpected: boolean },
  deadline: WebhookDeadline | null,
  webhookSummary: string,
): Promise<RegisterOutcome> {
  state.registerRunId = request.runId;
  const early = state.earlyRegisterCallback;
  state.earlyRegisterCallback = null;
  if (early?.eventData.actorRunId === request.runId) state.registerCallback = early;
  else if (early) ignore(state, 'registerResult', 'stale or foreign run');
  if (request.callbackExpected && !request.finished) {
    // A lost webhook only delays the result: after the timeout the activity below polls Apify instead.
    if (deadline) {
      await condition(() => state.registerCallback !== null || deadline.passed());
      deadline.scope.cancel();
    } else {
      await condition(() => state.registerCallback !== null, settings.registerWebhookTimeoutMs, {
        summary: webhookSummary,
      });
    }
  }
  // Under PATCHES.fewerActions a finished run is read as a local activity once the face check is done, so that the
  // read, the decision and its notification share one workflow task, and one Action, whichever came first.
  const local = state.fewerActions && (state.registerCallback !== null || request.finished);
  const options = {
    startToCloseTimeout: '1m',
    // The poll is bounded by time, not attempts: when the register has not answered by then, it timed out.
    scheduleToCloseTimeout: settings.registerPollTimeoutMs,
    retry: { initialInterval: '15s', maximumInterval: '5m', nonRetryableErrorTypes: NON_RETRYABLE },
    summary:
      state.registerCallback || local
        ? summaries(state.providers).ingestRegisterResult
        : `${state.providers?.register ?? 'Apify'}: poll the register run`,
  };
  if (local) await condition(() => state.outcomes.face !== null);
  const ingestRegisterResult = local
    ? proxyLocalActivities<KycActivities>(options).ingestRegisterResult
    : proxyActivities<KycActivities>({ ...options, heartbeatTimeout: '20s' }).ingestRegisterResult;
  try {
    return await attempt(
      state,
      'ingestRegisterResult',
      () => ingestRegisterResult({ userId: state.userId, cycleId: state.cycleId, runId: request.runId, asOf: today() }),
      local,
    );
  } catch (error) {
    if (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure) return { status: 'TIMEOUT' };
    throw error;
  } finally {
    state.completedRegisterRunId = request.runId;
    state.registerRunId = null;
  }
}

async function awaitCsReview(state: State, settings: CycleSettings, reviewedDecisionId: number): Promise<void> {
  let automaticDecisionId = reviewedDecisionId;
  state.claimedBy = null;
  setStage(state, 'AWAITING_REVIEW');
  let reminders = 0;
  const reviewed = () => state.pendingReview !== null || state.pendingDocumentRequest !== null;
  const sla = `CS review SLA: remind CS after ${duration(settings.csReminderAfterMs)}`;
  let remind = true;
  for (;;) {
    const woken = () => reviewed() || state.registerChanges.length > 0;
    if (!remind) {
      await condition(woken);
    } else if (!(await condition(woken, settings.csReminderAfterMs, { summary: sla }))) {
      reminders += 1;
      await step(state, 'remindCs', { decisionId: automaticDecisionId, reminder: reminders });
      // A case left in review for weeks stops reminding, so its history stays bounded; it stays in CS's queue.
      remind = reminders < MAX_CS_REMINDERS || !patched(PATCHES.csRemindersCapped);
      continue;
    }
    const change = reviewed() ? undefined : state.registerChanges.shift();
    if (!change) break;
    // The register changed while the case waited for CS: a FAIL closes the review, a review stays one.
    const redecided = await decideAgain(state, change);
    if (redecided && redecided.decision !== 'MANUAL_REVIEW') return;
    if (redecided) automaticDecisionId = redecided.decisionId;
    setStage(state, 'AWAITING_REVIEW');
  }
  if (state.pendingDocumentRequest) {
    await askForNewDocuments(state, state.pendingDocumentRequest, automaticDecisionId);
    return;
  }
  const review = state.pendingReview as CsReview;
  setStage(state, 'DECIDING');
  const recorded = await step(state, 'recordReview', {
    userId: state.userId,
    cycleId: state.cycleId,
    automaticDecisionId,
    decision: review.decision,
    reviewer: review.reviewer,
    note: review.note,
    ...(review.reasonCode ? { reasonCode: review.reasonCode } : {}),
  });
  settle(state, { ...recorded, source: 'CS', reviewer: review.reviewer });
  const accepted: CsReviewAccepted = { accepted: true, decisionId: recorded.decisionId, decision: review.decision };
  if (patched(PATCHES.csUpdateBeforeNotify)) {
    // The CS tool hears that its decision is recorded without waiting for the notifications.
    state.acceptedReview = accepted;
    await step(state, 'notifyDecision', { decisionId: recorded.decisionId });
  } else {
    await step(state, 'notifyDecision', { decisionId: recorded.decisionId });
    state.acceptedReview = accepted;
  }
}

/**
 * A review that ends by asking the user for a new ID document and/or selfie: the product is told (with CS's message),
 * and what was asked for is not reused, so the next cycle waits for its upload.
 */
async function askForNewDocuments(state: State, request: RequestDocuments, decisionId: number): Promise<void> {
  patched(PATCHES.csConsole);
  setStage(state, 'DECIDING');
  await step(state, 'requestNewDocuments', {
    userId: state.userId,
    cycleId: state.cycleId,
    decisionId,
    documents: request.documents,
    reviewer: request.reviewer,
    message: request.message,
  });
  if (request.documents.includes('ID_DOCUMENT')) {
    state.idDocument = null;
    state.idDocumentId = null;
  }
  if (request.documents.includes('SELFIE')) state.selfie = null;
  state.awaitingNewDocuments = true;
  state.documentsRequested = { accepted: true, documents: request.documents };
  state.pendingDocumentRequest = null;
}

/**
 * A cs-lead's override of the decision that stands on an idle case: recorded under a cycle id of its own (the
 * reviewed cycle may already hold a CS row), made current, and notified like any decision. Only an
 * `overrideDecision` update leads here, and no run recorded before the patch received one.
 */
async function applyOverride(state: State, override: OverrideDecision): Promise<void> {
  patched(PATCHES.csConsole);
  const overridden = state.decision as DecisionView;
  setStage(state, 'DECIDING');
  const recorded = await step(state, 'recordOverride', {
    userId: state.userId,
    cycleId: uuid4(),
    overridesDecisionId: overridden.decisionId,
    decision: override.decision,
    reviewer: override.reviewer,
    reasonCode: override.reasonCode,
    note: override.note,
  });
  settle(state, { ...recorded, source: 'CS', reviewer: override.reviewer });
  state.acceptedOverride = {
    accepted: true,
    decisionId: recorded.decisionId,
    decision: override.decision,
    overridesDecisionId: overridden.decisionId,
  };
  state.pendingOverride = null;
  await step(state, 'notifyDecision', { decisionId: recorded.decisionId });
}

// ─── Register changes ───────────────────────────────────────────────────────────────────────────────────────────

/**
 * Decides again on a change the daily register monitor found, under the same policy: the stored document and face
 * outcomes with the fresh register record. The decision is a cycle of its own (a new cycle id, no new documents),
 * recorded with `users.status`, then announced as `registration.changed` (and emailed to CS for a review). Null when
 * there is nothing to decide again from.
 */
async function decideAgain(state: State, change: RegisterChanged): Promise<Redecided | null> {
  const outcomes = completeOutcomes(state);
  const current = state.decision;
  if (!outcomes || !current) {
    ignore(state, 'registerChanged', 'no decision with complete check outcomes to decide again from');
    return null;
  }
  if (!patched(PATCHES.registerChanged)) return null;
  state.decidedRegisterChecks = [...state.decidedRegisterChecks, change.regCheckId].slice(
    -MAX_REMEMBERED_REGISTER_CHECKS,
  );
  state.cycle += 1;
  state.cycleId = uuid4();
  setStage(state, 'DECIDING');
  const redecided = await step(state, 'redecideOnRegisterChange', {
    userId: state.userId,
    cycleId: state.cycleId,
    regCheckId: change.regCheckId,
    idDocumentId: state.idDocumentId,
    outcomes,
    current: { decision: current.decision, source: current.source },
  });
  state.outcomes.register = redecided.register;
  settle(state, {
    decisionId: redecided.decisionId,
    decision: redecided.decision,
    reasons: redecided.reasons,
    source: 'AUTOMATIC',
  });
  await step(state, 'notifyRegisterChange', { decisionId: redecided.decisionId });
  return redecided;
}

// ─── Steps, and what happens when one gives up ──────────────────────────────────────────────────────────────────

/** Runs one activity with its retry budget; when the budget is spent, the case waits for ops (NEEDS_ATTENTION). */
function step<K extends KycStep>(
  state: State,
  name: K,
  ...input: Parameters<KycActivities[K]>
): Promise<Awaited<ReturnType<KycActivities[K]>>> {
  const activity = proxyActivities<KycActivities>({
    ...STEP_OPTIONS[name],
    summary: summaries(state.providers)[name],
  })[name] as unknown as (...args: Parameters<KycActivities[K]>) => Promise<Awaited<ReturnType<KycActivities[K]>>>;
  return attempt(state, name, () => activity(...input));
}

/**
 * Under PATCHES.fewerActions, a cycle's opening step and its closing pair (the automatic decision and its notification)
 * run as local activities: Temporal Cloud bills all the markers of one workflow task as one Action, so beginCycle
 * shares the patch marker's, and the notification the decision's. Each is quick; the worker keeps a longer one's
 * workflow task alive. CS's decisions keep their notification a regular activity, so that the update answers first.
 */
function cheapStep<K extends 'beginCycle' | 'closeWithoutDocuments' | 'decide' | 'notifyDecision'>(
  state: State,
  name: K,
  ...input: Parameters<KycActivities[K]>
): Promise<Awaited<ReturnType<KycActivities[K]>>> {
  if (!state.fewerActions) return step(state, name, ...input);
  const { startToCloseTimeout, retry } = STEP_OPTIONS[name];
  const activity = proxyLocalActivities<KycActivities>({
    ...(startToCloseTimeout ? { startToCloseTimeout } : {}),
    ...(retry ? { retry } : {}),
    summary: summaries(state.providers)[name],
  })[name] as unknown as (...args: Parameters<KycActivities[K]>) => Promise<Awaited<ReturnType<KycActivities[K]>>>;
  return attempt(state, name, () => activity(...input), true);
}

/**
 * A local activity that fails comes back as its own error, not wrapped in an ActivityFailure (only its timeouts and
 * cancellations are).
 */
async function attempt<T>(state: State, name: KycStep, run: () => Promise<T>, local = false): Promise<T> {
  for (;;) {
    try {
      return await run();
    } catch (error) {
      const timedOutPoll =
        name === 'ingestRegisterResult' && error instanceof ActivityFailure && error.cause instanceof TimeoutFailure;
      const stepFailed = error instanceof ActivityFailure || (local && error instanceof ApplicationFailure);
      // A run closing for erasure stops here; it does not wait for ops.
      if (timedOutPoll || state.erasing || !stepFailed) throw error;
      // PATCHES.fewerActions came after needsAttention: a run with its marker needs no other.
      if (!state.fewerActions && !patched(PATCHES.needsAttention)) throw error;
      await awaitOpsRetry(state, name, error);
    }
  }
}

/** Parks the case where ops look (KycStage = NEEDS_ATTENTION), alerts them once, and waits for `retryStep`. */
async function awaitOpsRetry(
  state: State,
  name: KycStep,
  failure: ActivityFailure | ApplicationFailure,
): Promise<void> {
  const resumeStage = state.stage === 'NEEDS_ATTENTION' ? (state.attention?.resumeStage ?? state.stage) : state.stage;
  const reason = failureReason(failure);
  state.attentionIncidents += 1;
  state.attention = { step: name, reason, resumeStage, since: new Date().toISOString() };
  setStage(state, 'NEEDS_ATTENTION');
  log.error('step gave up; the case needs attention', { step: name, userId: state.userId, cycle: state.cycle });
  try {
    await proxyActivities<KycActivities>({ ...notification, summary: 'Alert ops: the case needs attention' }).alertOps({
      userId: state.userId,
      cycleId: state.cycleId,
      step: name,
      reason,
      incident: state.attentionIncidents,
    });
  } catch (alertFailure) {
    // The case is still findable by its stage; a failed alert must not hide it behind another wait.
    log.error('ops alert failed', { userId: state.userId, error: String(alertFailure) });
  }
  await condition(() => state.pendingRetry !== null, { summary: `wait for ops to retry ${name}` });
  log.info('ops retry', { step: name, userId: state.userId, operator: state.pendingRetry?.operator });
  state.pendingRetry = null;
  state.attention = null;
  setStage(state, resumeStage);
}

function failureReason(failure: ActivityFailure | ApplicationFailure): string {
  const cause = failure instanceof ActivityFailure ? failure.cause : failure;
  const type = cause instanceof ApplicationFailure ? cause.type : cause?.name;
  return `${type ?? 'Error'}: ${cause?.message ?? failure.message}`.slice(0, ATTENTION_REASON_LENGTH);
}

/**
 * Makes a recorded decision the current one and visible to ops. Its notification follows (notifyDecision), so that
 * CS can act on a review, and learn that a decision was taken, while the notification is still on its way.
 */
function settle(state: State, decision: DecisionView): void {
  state.decision = decision;
  if (decision.source === 'AUTOMATIC') state.automaticDecision = decision;
  const status = { key: KycStatus, value: USER_STATUS_FOR_DECISION[decision.decision] };
  // Legacy runs moved on to their next stage later, each with an upsert of its own.
  if (state.legacyUpserts) {
    upsertSearchAttributes([status]);
    return;
  }
  setStage(state, decision.decision === 'MANUAL_REVIEW' ? 'AWAITING_REVIEW' : 'DECIDED', [status]);
}

// ─── Between cycles ─────────────────────────────────────────────────────────────────────────────────────────────

function enterIdle(state: State): void {
  if (state.awaitingNewDocuments) {
    setStage(state, 'AWAITING_DOCUMENTS', [{ key: KycStatus, value: 'PENDING' }]);
  } else if (state.idDocumentExpired) {
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

function registerHandlers(state: State, closeRun: () => void): void {
  setHandler(closeForErasureSignal, (raw) => {
    const request = validSignal(state, 'closeForErasure', closeForErasureSchema, raw);
    if (!request || state.erasing || !patched(PATCHES.closeOnErasure)) return;
    state.erasing = true;
    log.info('erasure requested: closing', { userId: state.userId, erasure: request.erasureWorkflowId });
    closeRun();
  });

  setHandler(documentUploadedSignal, (raw) => {
    const upload = validSignal(state, 'documentUploaded', documentUploadedSchema, raw);
    if (!upload) return;
    if (!isOwnObject(state, upload)) {
      return ignore(state, 'documentUploaded', "object outside the user's own key prefix or bucket");
    }
    if (!acceptUpload(state, upload)) ignore(state, 'documentUploaded', 'duplicate upload');
  });

  setHandler(registerResultSignal, (raw) => {
    const result = validSignal(state, 'registerResult', registerResultSchema, raw);
    if (!result) return;
    const thisCycle = result.kyc.cycleId === state.cycleId && result.kyc.userId === state.userId;
    const runPending = state.stage === 'CHECKING' && state.registerRunId === null && !state.outcomes.register;
    // Workflows that ignored such a callback before it was kept must replay as they ran.
    if (thisCycle && runPending && (state.fewerActions || patched(PATCHES.earlyRegisterCallback))) {
      if (state.earlyRegisterCallback) return ignore(state, 'registerResult', 'duplicate webhook');
      state.earlyRegisterCallback = result;
      return;
    }
    if (thisCycle && result.eventData.actorRunId === state.completedRegisterRunId) {
      return ignore(state, 'registerResult', 'duplicate webhook');
    }
    const current = thisCycle && state.registerRunId !== null && result.eventData.actorRunId === state.registerRunId;
    if (!current) return ignore(state, 'registerResult', 'stale or foreign run');
    if (state.registerCallback) return ignore(state, 'registerResult', 'duplicate webhook');
    state.registerCallback = result;
  });

  setHandler(csReviewSignal, (raw) => {
    const review = validSignal(state, 'csReview', csReviewSchema, raw);
    if (!review) return;
    const refusal = reviewRefusal(state) ?? claimRefusal(state, review.reviewer);
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
        const parsed = validUpdate(csReviewSchema, review, 'review');
        const refusal = reviewRefusal(state) ?? claimRefusal(state, parsed.reviewer);
        if (refusal) throw new Error(refusal);
      },
    },
  );

  setHandler(
    requestDocumentsUpdate,
    async (raw) => {
      state.pendingDocumentRequest = requestDocumentsSchema.parse(raw);
      await condition(() => state.documentsRequested !== null);
      return state.documentsRequested as DocumentsRequested;
    },
    {
      validator: (raw) => {
        const parsed = validUpdate(requestDocumentsSchema, raw, 'request');
        const refusal = reviewRefusal(state) ?? claimRefusal(state, parsed.reviewer);
        if (refusal) throw new Error(refusal);
      },
    },
  );

  setHandler(
    claimReviewUpdate,
    (raw): ClaimAccepted => {
      patched(PATCHES.csConsole);
      const claim = claimReviewSchema.parse(raw);
      const previousReviewer = state.claimedBy;
      state.claimedBy = claim.reviewer;
      setCurrentDetails(caseDetails(state));
      return { accepted: true, reviewer: claim.reviewer, previousReviewer };
    },
    {
      validator: (raw) => {
        const parsed = validUpdate(claimReviewSchema, raw, 'claim');
        const refusal = reviewRefusal(state);
        if (refusal) throw new Error(refusal);
        const holder = state.claimedBy;
        if (holder === parsed.reviewer) throw new Error(`already claimed by ${holder}`);
        if (holder && !parsed.reassign) throw new Error(`claimed by ${holder}; only a CS lead can reassign it`);
      },
    },
  );

  setHandler(
    overrideDecisionUpdate,
    async (raw) => {
      state.pendingOverride = overrideDecisionSchema.parse(raw);
      await condition(() => state.acceptedOverride !== null);
      const accepted = state.acceptedOverride as OverrideAccepted;
      state.acceptedOverride = null;
      return accepted;
    },
    {
      validator: (raw) => {
        const parsed = validUpdate(overrideDecisionSchema, raw, 'override');
        if (state.stage !== 'DECIDED') throw new Error(`only a decided case can be overridden (stage ${state.stage})`);
        if (state.pendingOverride) throw new Error('an override is already being recorded');
        const standing = state.decision;
        if (!standing || standing.decision === 'MANUAL_REVIEW') throw new Error('no PASS or FAIL stands to override');
        if (standing.decision === parsed.decision) throw new Error(`the decision already is ${standing.decision}`);
      },
    },
  );

  setHandler(
    retryStepUpdate,
    (retry): RetryStepAccepted => {
      const attention = state.attention as AttentionView;
      state.pendingRetry = retryStepSchema.parse(retry);
      return { accepted: true, step: attention.step };
    },
    {
      validator: (retry) => {
        validUpdate(retryStepSchema, retry, 'retry');
        if (state.stage !== 'NEEDS_ATTENTION') throw new Error(`no step needs attention (stage ${state.stage})`);
        if (state.pendingRetry) throw new Error('a retry has already been requested');
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
    if (state.handledRequestIds.length > MAX_REMEMBERED_REQUESTS) state.handledRequestIds.shift();
    // Within a cycle every step runs anyway; between cycles a face or register request re-checks the user.
    const idle = state.stage === 'DECIDED' || state.stage === 'EXPIRED';
    if (idle && request.step !== 'DECISION' && !state.idDocumentExpired) state.recheckRequested = true;
  });

  setHandler(registerChangedSignal, (raw) => {
    const change = validSignal(state, 'registerChanged', registerChangedSchema, raw);
    if (!change) return;
    const known =
      state.decidedRegisterChecks.includes(change.regCheckId) ||
      state.registerChanges.some((pending) => pending.regCheckId === change.regCheckId);
    if (known) return ignore(state, 'registerChanged', 'duplicate');
    // A cycle under way checks the register itself; the monitor compares again against its decision tomorrow.
    if (state.stage !== 'DECIDED' && state.stage !== 'AWAITING_REVIEW') {
      return ignore(state, 'registerChanged', `not decided (stage ${state.stage})`);
    }
    // Each day's check supersedes the last; a few pending ones bound the state.
    state.registerChanges = [...state.registerChanges, change].slice(-MAX_PENDING_REGISTER_CHANGES);
  });

  setHandler(kycStatusQuery, () => statusView(state));
}

/** Takes an upload into this cycle or the next; false when it is a duplicate. */
function acceptUpload(state: State, upload: DocumentUploaded): boolean {
  const sameObject = (other: DocumentUploaded | null) =>
    other !== null && other.kind === upload.kind && other.key === upload.key && sameContent(other, upload);
  if (state.nextUploads.some(sameObject)) return false;
  const current = upload.kind === 'ID_DOCUMENT' ? state.idDocument : state.selfie;
  if (sameObject(current)) return false;
  if (state.documentsLocked) {
    // The next cycle needs only the latest of each kind, which keeps what continue-as-new carries bounded.
    state.nextUploads = [...state.nextUploads.filter((queued) => queued.kind !== upload.kind), upload];
  } else if (upload.kind === 'ID_DOCUMENT') {
    state.idDocument = upload;
  } else {
    state.selfie = upload;
  }
  refreshWaitingFor(state);
  return true;
}

/**
 * Two signals for one key name the same content when their ETags agree. The intake API signals before S3 has told
 * anyone the ETag and the S3 bridge signals with it, so a missing ETag on one side matches too.
 */
function sameContent(a: DocumentUploaded, b: DocumentUploaded): boolean {
  if (a.etag === b.etag) return true;
  return (a.etag === undefined || b.etag === undefined) && patched(PATCHES.uploadWithoutEtag);
}

/** Objects must be the user's own: `s3://<bucket>/<prefix><userId>/…`, never another user's key. */
function isOwnObject(state: State, upload: DocumentUploaded): boolean {
  const location = state.uploadLocation;
  if (!location) return true;
  return upload.bucket === location.bucket && upload.key.startsWith(`${location.keyPrefix}${state.userId}/`);
}

/** Drops uploads that arrived before the cycle learnt where the user's objects must be, and are not there. */
function dropForeignUploads(state: State): void {
  const foreign = (upload: DocumentUploaded | null) => upload !== null && !isOwnObject(state, upload);
  if (foreign(state.idDocument)) {
    state.idDocument = null;
    ignore(state, 'documentUploaded', "object outside the user's own key prefix or bucket");
  }
  if (foreign(state.selfie)) {
    state.selfie = null;
    ignore(state, 'documentUploaded', "object outside the user's own key prefix or bucket");
  }
  refreshWaitingFor(state);
}

function reviewRefusal(state: State): string | null {
  if (state.stage !== 'AWAITING_REVIEW') return `no review is pending (stage ${state.stage})`;
  if (state.pendingReview || state.pendingDocumentRequest) return 'a review has already been submitted for this case';
  return null;
}

/** A claimed review is decided by the reviewer who claimed it. */
function claimRefusal(state: State, reviewer: string): string | null {
  return state.claimedBy && state.claimedBy !== reviewer ? `claimed by ${state.claimedBy}` : null;
}

function validSignal<T>(state: State, signal: string, schema: z.ZodType<T>, raw: unknown): T | null {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  ignore(state, signal, `invalid payload at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  return null;
}

/** An update's payload as its schema reads it; otherwise the validator refuses it, naming what is wrong. */
function validUpdate<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`invalid ${what}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
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
  setCurrentDetails(caseDetails(state));
  if (state.legacyUpserts) {
    upsertSearchAttributes([{ key: KycStageAttribute, value: stage }]);
    if (attributes.length > 0) upsertSearchAttributes(attributes);
    return;
  }
  state.unpublished.push(...attributes);
  if (state.fewerActions) {
    publishChanges(state, stage);
    return;
  }
  if (!SEARCHABLE_STAGES.has(stage) || (stage === state.publishedStage && state.unpublished.length === 0)) return;
  upsertSearchAttributes([...state.unpublished, { key: KycStageAttribute, value: stage }]);
  state.publishedStage = stage;
  state.unpublished = [];
}

/**
 * Under PATCHES.fewerActions: one upsert of what differs from the published values, when the stage is actionable and
 * something other than a descriptive attribute changed; the rest waits for the next one.
 */
function publishChanges(state: State, stage: KycStage): void {
  if (!ACTIONABLE_STAGES.has(stage)) return;
  const latest = new Map<string, SearchAttributeUpdatePair>();
  for (const pair of [...state.unpublished, { key: KycStageAttribute, value: stage }]) latest.set(pair.key.name, pair);
  const changes = [...latest.values()].filter((pair) => state.published[pair.key.name] !== pair.value);
  state.unpublished = changes;
  if (changes.every((pair) => DESCRIPTIVE_ATTRIBUTES.has(pair.key.name))) return;
  upsertSearchAttributes(changes);
  for (const pair of changes) state.published[pair.key.name] = pair.value;
  state.unpublished = [];
}

/** The KycWorkflow attributes the run started with: the starter's, or those its previous run carried over. */
function startAttributes(): Record<string, unknown> {
  const started = workflowInfo().typedSearchAttributes;
  const published: Record<string, unknown> = {};
  for (const key of [KycStageAttribute, KycStatus, KycRegType, KycUserId]) {
    const value = started.get(key);
    if (value !== undefined) published[key.name] = value;
  }
  return published;
}

/** The Web UI's "current details": the decision that stands, its reasons, and what the case waits for. */
function caseDetails(state: State): string {
  const lines = [`**Cycle ${state.cycle}**: ${state.stage.toLowerCase().replaceAll('_', ' ')}`];
  const decision = state.decision;
  if (decision) {
    const by = decision.source === 'CS' ? `CS (${decision.reviewer ?? 'reviewer'})` : 'automatic';
    lines.push(`Decision: **${decision.decision}** (${by}), reasons: ${decision.reasons.join(', ') || 'none'}`);
  }
  if (state.claimedBy && state.stage === 'AWAITING_REVIEW') lines.push(`Claimed by: ${state.claimedBy}`);
  if (state.attention) lines.push(`Needs attention: ${state.attention.step} gave up — ${state.attention.reason}`);
  if (state.waitingFor.length > 0) lines.push(`Waiting for: ${state.waitingFor.join(', ').toLowerCase()}`);
  if (state.consoleCaseUrl) lines.push(`[Open the case in the CS console](${state.consoleCaseUrl})`);
  return lines.join('\n\n');
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
  if (state.stage === 'NEEDS_ATTENTION') waiting.push('OPS_RETRY');
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
    attention: state.attention,
    claimedBy: state.claimedBy,
  };
}

/** A timer's length as people say it: "14 days", "1 day", "30 min". */
function duration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'min'],
    [1_000, 's'],
  ];
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) {
      const count = ms / size;
      return unit === 'day' || unit === 'hour' ? `${count} ${unit}${count === 1 ? '' : 's'}` : `${count} ${unit}`;
    }
  }
  return `${ms} ms`;
}

/** The workflow's own date (deterministic, and skipped forward in time-skipping tests), as YYYY-MM-DD in UTC. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}
