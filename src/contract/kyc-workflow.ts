/**
 * The public contract of KycWorkflow: what starters, bridges, the CS tools and ops integrate against. Workflow ids,
 * signals, the CS update and the status query live here with the zod schemas that validate every payload, on both
 * sides: producers validate before they send, the workflow validates again before it acts.
 *
 * Payloads carry ids, object keys and check outcomes only. Names, dates of birth, document numbers, registration
 * numbers and images stay in PostgreSQL and the object store.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { DOC_TYPES } from '../domain/doc-types.ts';
import type { CheckOutcomes, DocumentOutcome, FaceOutcome, KycDecision, RegisterOutcome } from '../domain/outcomes.ts';
import { FAIL_REASONS, REVIEW_REASONS, type ReasonCode } from '../domain/reasons.ts';
import { REGISTER_CHANGES } from '../domain/register-change.ts';

export const KYC_WORKFLOW_TYPE = 'KycWorkflow';
const WORKFLOW_ID_PREFIX = 'kyc-user-';

export function kycWorkflowId(userId: number): string {
  return `${WORKFLOW_ID_PREFIX}${userId}`;
}

/** The user id of a `kyc-user-<id>` workflow id, or null for any other id. */
export function userIdFromWorkflowId(workflowId: string): number | null {
  if (!workflowId.startsWith(WORKFLOW_ID_PREFIX)) return null;
  const id = Number(workflowId.slice(WORKFLOW_ID_PREFIX.length));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export const userIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

// ─── Signals ────────────────────────────────────────────────────────────────────────────────────────────────────

export const documentUploadedSchema = z.object({
  kind: z.enum(['ID_DOCUMENT', 'SELFIE']),
  bucket: z.string().min(3).max(63),
  key: z.string().min(1).max(1024),
  docType: z.enum(DOC_TYPES).optional(),
  /** The object's ETag: an upload to the same key with other content is a re-upload, not a duplicate. */
  etag: z.string().min(1).max(200).optional(),
  /** A Rekognition Face Liveness session completed by the front end with this selfie. */
  livenessSessionId: z.uuid().optional(),
});
export type DocumentUploaded = z.infer<typeof documentUploadedSchema>;

/** The fields this service adds to Apify's default webhook payload through the webhook's payload template. */
export const registerCallbackTagSchema = z.object({
  userId: userIdSchema,
  cycleId: z.uuid(),
});

/**
 * Apify's default webhook payload (`userId`, `createdAt`, `eventType`, `eventData`, `resource`) plus `kyc`, which
 * identifies the user and verification cycle. Only the fields the workflow reads are kept; the rest of Apify's run
 * object is dropped before it reaches history.
 */
export const registerResultSchema = z.object({
  userId: z.string().min(1).max(100),
  createdAt: z.string().min(1).max(40),
  eventType: z.enum(['ACTOR.RUN.SUCCEEDED', 'ACTOR.RUN.FAILED', 'ACTOR.RUN.ABORTED', 'ACTOR.RUN.TIMED_OUT']),
  eventData: z.object({ actorId: z.string().min(1).max(100), actorRunId: z.string().min(1).max(100) }),
  resource: z.object({
    id: z.string().min(1).max(100),
    status: z.string().min(1).max(20),
    defaultDatasetId: z.string().min(1).max(100).optional(),
  }),
  kyc: registerCallbackTagSchema,
});
export type RegisterResult = z.infer<typeof registerResultSchema>;

const reviewerSchema = z.string().trim().min(1, 'a reviewer is required').max(100);
/** The check result a CS decision rests on: for an approval the flag cleared, for a rejection the failing finding. */
export const csReasonCodeSchema = z.enum([...FAIL_REASONS, ...REVIEW_REASONS]);

export const csReviewSchema = z.object({
  decision: z.enum(['PASS', 'FAIL']),
  reviewer: reviewerSchema,
  note: z.string().max(2000).optional(),
  /** Required by the CS console; absent in reviews sent before it (the CLI and older callers). */
  reasonCode: csReasonCodeSchema.optional(),
});
export type CsReview = z.infer<typeof csReviewSchema>;

/** A reviewer takes a pending review; `reassign` (a cs-lead's, checked at the door) takes it from someone else. */
export const claimReviewSchema = z.object({
  reviewer: reviewerSchema,
  reassign: z.boolean().default(false),
});
export type ClaimReview = z.input<typeof claimReviewSchema>;

/**
 * The appeal path (cs-lead only, checked at the door): overturns the decision that stands on an idle case, an
 * automatic FAIL or a PASS. Recorded as a new decision row pointing at the one it overrides.
 */
export const overrideDecisionSchema = z.object({
  decision: z.enum(['PASS', 'FAIL']),
  reviewer: reviewerSchema,
  reasonCode: csReasonCodeSchema,
  note: z.string().trim().min(1, 'a reason is required').max(2000),
});
export type OverrideDecision = z.infer<typeof overrideDecisionSchema>;

export const documentExpiredSchema = z.object({ idDocumentId: z.number().int().positive() });
export type DocumentExpired = z.infer<typeof documentExpiredSchema>;

/**
 * A request from a producer of the seed's queues (`face-match`, `reg-request`, `decision`) to (re)run one step.
 * `requestId` (the SQS message id) makes a redelivered message harmless.
 */
export const stepRequestedSchema = z.object({
  step: z.enum(['FACE_MATCH', 'REGISTER_CHECK', 'DECISION']),
  requestId: z.string().min(1).max(200),
});
export type StepRequested = z.infer<typeof stepRequestedSchema>;

/**
 * From the daily register monitor: the register shows a change that matters since the record behind the user's
 * current decision. The fresh record is the reg_checks row `regCheckId`; the workflow decides again from it.
 */
export const registerChangedSchema = z.object({
  regCheckId: z.number().int().positive(),
  snapshotDate: z.iso.date(),
  changes: z.array(z.enum(REGISTER_CHANGES)).min(1).max(REGISTER_CHANGES.length),
});
export type RegisterChanged = z.infer<typeof registerChangedSchema>;

export const documentUploadedSignal = defineSignal<[DocumentUploaded]>('documentUploaded');
export const registerResultSignal = defineSignal<[RegisterResult]>('registerResult');
export const csReviewSignal = defineSignal<[CsReview]>('csReview');
export const documentExpiredSignal = defineSignal<[DocumentExpired]>('documentExpired');
export const stepRequestedSignal = defineSignal<[StepRequested]>('stepRequested');
export const registerChangedSignal = defineSignal<[RegisterChanged]>('registerChanged');

// ─── Update and query ───────────────────────────────────────────────────────────────────────────────────────────

export interface CsReviewAccepted {
  accepted: true;
  decisionId: number;
  decision: 'PASS' | 'FAIL';
}

/** The same as the `csReview` signal, but the caller learns at once whether the workflow accepted it. */
export const submitCsReviewUpdate = defineUpdate<CsReviewAccepted, [CsReview]>('submitCsReview');

/** Ends a pending review by asking the user for a new ID document and/or selfie; the message goes to the user. */
export const requestDocumentsSchema = z.object({
  reviewer: reviewerSchema,
  documents: z
    .array(z.enum(['ID_DOCUMENT', 'SELFIE']))
    .min(1, 'name the ID document, the selfie or both')
    .max(2)
    .refine((kinds) => new Set(kinds).size === kinds.length, 'each document once'),
  message: z.string().trim().min(1, 'a message to the user is required').max(1000),
});
export type RequestDocuments = z.infer<typeof requestDocumentsSchema>;

export interface DocumentsRequested {
  accepted: true;
  documents: RequestDocuments['documents'];
}

export const requestDocumentsUpdate = defineUpdate<DocumentsRequested, [RequestDocuments]>('requestDocuments');

export interface ClaimAccepted {
  accepted: true;
  reviewer: string;
  /** Who held the review before a reassignment; null when it was unclaimed. */
  previousReviewer: string | null;
}

export const claimReviewUpdate = defineUpdate<ClaimAccepted, [ClaimReview]>('claimReview');

export interface OverrideAccepted {
  accepted: true;
  decisionId: number;
  decision: 'PASS' | 'FAIL';
  overridesDecisionId: number;
}

export const overrideDecisionUpdate = defineUpdate<OverrideAccepted, [OverrideDecision]>('overrideDecision');

/** Ops resume a case that a step gave up on; who did it comes from the door's authenticated identity. */
export const retryStepSchema = z.object({
  operator: z.string().trim().min(1, 'an operator is required').max(100),
  note: z.string().max(2000).optional(),
});
export type RetryStep = z.infer<typeof retryStepSchema>;

export interface RetryStepAccepted {
  accepted: true;
  step: KycStep;
}

/** Accepted only while the case is NEEDS_ATTENTION: the step that gave up runs again, with a fresh retry budget. */
export const retryStepUpdate = defineUpdate<RetryStepAccepted, [RetryStep]>('retryStep');

export const KYC_STAGES = [
  'AWAITING_DOCUMENTS',
  'SCANNING',
  'CHECKING',
  'DECIDING',
  'AWAITING_REVIEW',
  'DECIDED',
  'EXPIRED',
  /** A step used up its retry budget or met an error no retry can change; ops resume it with `retryStep`. */
  'NEEDS_ATTENTION',
  /** Closed by an erasure (README, Compliance): the run stopped where it was and will not run again. */
  'ERASED',
] as const;
export type KycStage = (typeof KYC_STAGES)[number];

export type WaitingFor = 'ID_DOCUMENT' | 'SELFIE' | 'REGISTER_CALLBACK' | 'CS_REVIEW' | 'REUPLOAD' | 'OPS_RETRY';

/** The workflow's steps, each one activity call; NEEDS_ATTENTION names the one that gave up. */
export const KYC_STEPS = [
  'beginCycle',
  'closeWithoutDocuments',
  'scanDocument',
  'checkFace',
  'requestRegisterCheck',
  'ingestRegisterResult',
  'decide',
  'recordReview',
  'notifyDecision',
  'remindCs',
  'redecideOnRegisterChange',
  'notifyRegisterChange',
  'recordOverride',
  'requestNewDocuments',
] as const;
export type KycStep = (typeof KYC_STEPS)[number];

export interface AttentionView {
  step: KycStep;
  /** The failure's type and message as the activity reported it: ids and keys, never document contents. */
  reason: string;
  /** The stage the case was in, and returns to when ops retry. */
  resumeStage: KycStage;
  since: string;
}

export interface DecisionView {
  decisionId: number;
  decision: KycDecision;
  reasons: ReasonCode[];
  source: 'AUTOMATIC' | 'CS';
  reviewer?: string;
}

export interface KycStatusView {
  userId: number;
  /** 1 for the first verification, +1 for every re-verification. */
  cycle: number;
  cycleId: string;
  stage: KycStage;
  waitingFor: WaitingFor[];
  documents: { idDocument: { key: string; idDocumentId?: number } | null; selfie: { key: string } | null };
  checks: {
    document: DocumentOutcome | null;
    face: FaceOutcome | null;
    register: RegisterOutcome | { status: 'PENDING'; runId: string } | null;
  };
  /** What stands now: the CS override when there is one, otherwise the automatic decision. */
  decision: DecisionView | null;
  /** The automatic decision, kept visible after a CS override. */
  automaticDecision: DecisionView | null;
  /** Signals dropped because they were invalid, duplicated or late. */
  ignoredSignals: number;
  /** Set while the case is NEEDS_ATTENTION. */
  attention: AttentionView | null;
  /** The reviewer who claimed the pending review, null when unclaimed; absent from workers before the console. */
  claimedBy?: string | null;
}

export const kycStatusQuery = defineQuery<KycStatusView>('kycStatus');

// ─── Workflow input ─────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Starters pass `{ userId }`. `carryOver` is the workflow's own state handed to the next run by continue-as-new: a
 * new verification cycle, or the same idle state when history grew long.
 */
export const kycWorkflowInputSchema = z.object({
  userId: userIdSchema,
  carryOver: z
    .object({
      cycle: z.number().int().positive(),
      /**
       * Uploads that arrived since the last cycle began. Runs carry at most the latest ID document and the latest
       * selfie; the larger bound admits inputs recorded before that rule.
       */
      uploads: z.array(documentUploadedSchema).max(20),
      /** The last cycle's documents, reused when only one of them is re-uploaded. */
      previousIdDocument: documentUploadedSchema.nullable(),
      /** Its id_documents row, so that an expiry notice for it stops it from being reused. */
      previousIdDocumentId: z.number().int().positive().nullable().default(null),
      previousSelfie: documentUploadedSchema.nullable(),
      /** Resume waiting after a decision instead of starting a cycle (continue-as-new while idle). */
      idle: z
        .object({
          cycleId: z.uuid(),
          idDocumentId: z.number().int().positive().nullable(),
          stage: z.enum(['DECIDED', 'EXPIRED']),
          decision: z.custom<DecisionView>().nullable(),
          automaticDecision: z.custom<DecisionView>().nullable(),
          outcomes: z.custom<CheckOutcomes>().nullable(),
        })
        .nullable(),
      handledRequestIds: z.array(z.string()).max(200),
    })
    .optional(),
});
export type KycWorkflowInput = z.infer<typeof kycWorkflowInputSchema>;
