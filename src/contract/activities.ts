/**
 * The activities the workflows call, with their inputs and results. Workflows proxy these interfaces and
 * `createActivities(deps)` implements them, so neither side imports the other. Like the rest of the contract they
 * carry ids, keys and outcomes, never document contents.
 */

import type { DocType } from '../domain/doc-types.ts';
import type { CheckOutcomes, DocumentOutcome, FaceOutcome, KycDecision, RegisterOutcome } from '../domain/outcomes.ts';
import type { ReasonCode } from '../domain/reasons.ts';
import type { CurrentDecision } from '../domain/register-change.ts';
import type { RegType } from '../domain/registers.ts';
import type { BadDataTally, ReminderDays } from './expiry-workflow.ts';
import type { DocumentUploaded } from './kyc-workflow.ts';

export interface CycleRef {
  userId: number;
  cycleId: string;
}

/** The workflow's clock, handed to activities that compare against "today" so time-skipping tests stay coherent. */
export interface AsOf {
  asOf: string;
}

export interface CycleSettings {
  documentsTimeoutMs: number;
  registerWebhookTimeoutMs: number;
  /** How long the polling fallback may keep asking Apify before the register check counts as timed out. */
  registerPollTimeoutMs: number;
  csReminderAfterMs: number;
  /** After a re-upload, how long to wait for its counterpart before reusing the previous one. */
  uploadSettleMs: number;
}

/** Where a user's uploads must be: `s3://<bucket>/<keyPrefix><userId>/…`. */
export interface UploadLocation {
  bucket: string;
  keyPrefix: string;
}

/** The engines behind each check, named in the Web UI's activity summaries. */
export interface ProviderNames {
  ocr: string;
  face: string;
  register: string;
}

export interface BeginCycleResult {
  regType: RegType;
  userStatus: string;
  settings: CycleSettings;
  /** Absent in histories recorded before uploads were checked against it. */
  uploads?: UploadLocation;
  /** Absent in histories recorded before summaries named the providers. */
  providers?: ProviderNames;
  /** The CS console's page for this case, linked from the Web UI's details. Absent before the console existed. */
  consoleCaseUrl?: string;
}

export interface ScanDocumentInput extends CycleRef, AsOf {
  idDocument: { bucket: string; key: string; docType?: DocType };
  selfie: { bucket: string; key: string };
}

export interface ScanDocumentResult {
  idDocumentId: number;
  selfieId: number;
  outcome: DocumentOutcome;
}

export interface CheckFaceInput extends CycleRef {
  idDocumentId: number;
  selfieId: number;
  idDocument: { bucket: string; key: string };
  selfie: Pick<DocumentUploaded, 'bucket' | 'key' | 'livenessSessionId'>;
}

export type RequestRegisterCheckResult =
  | { started: true; runId: string; finished: boolean; callbackExpected: boolean }
  | { started: false; cause: 'NO_ACTOR_CONFIGURED' };

export interface IngestRegisterResultInput extends CycleRef, AsOf {
  runId: string;
}

export interface DecideInput extends CycleRef {
  outcomes: CheckOutcomes;
}

export interface RecordedDecision {
  decisionId: number;
  decision: KycDecision;
  reasons: ReasonCode[];
}

export interface RecordReviewInput extends CycleRef {
  automaticDecisionId: number;
  decision: 'PASS' | 'FAIL';
  reviewer: string;
  note?: string;
  /** The finding the reviewer decided on (the CS console requires one). */
  reasonCode?: ReasonCode;
}

export interface RequestNewDocumentsInput extends CycleRef {
  /** The automatic decision whose review ends with the request. */
  decisionId: number;
  documents: Array<'ID_DOCUMENT' | 'SELFIE'>;
  reviewer: string;
  message: string;
}

/** A cs-lead's override of the decision that stands; `cycleId` is the override's own, so it never meets a review's row. */
export interface RecordOverrideInput extends CycleRef {
  overridesDecisionId: number;
  decision: 'PASS' | 'FAIL';
  reviewer: string;
  reasonCode: ReasonCode;
  note: string;
}

export interface AlertOpsInput extends CycleRef {
  step: string;
  reason: string;
  /** 1 for the first time this cycle's step gave up, +1 after each ops retry that failed again. */
  incident: number;
}

export interface RemindCsInput {
  decisionId: number;
  reminder: number;
}

// ─── Expiry pass ───────────────────────────────────────────────────────────────────────────────────────────────

export interface ExpiryBatchInput {
  passId: string;
  /** The workflow's date, YYYY-MM-DD: days left are counted from it, never from the worker's clock. */
  asOf: string;
  afterIdDocumentId: number | null;
}

export interface ExpiredDocument {
  userId: number;
  idDocumentId: number;
}

export interface ExpiryBatchResult {
  /** Where the next batch starts; null when this batch found nothing. */
  lastIdDocumentId: number | null;
  /** True when this was the last batch of the pass. */
  done: boolean;
  documentsDue: number;
  reminders: Record<ReminderDays, number>;
  /** Documents expired by this batch, for the workflow to tell each user's KycWorkflow. */
  expired: ExpiredDocument[];
  missingEmail: BadDataTally;
  missingDecision: BadDataTally;
}

// ─── The activity interfaces ───────────────────────────────────────────────────────────────────────────────────

// ─── Deciding again after a register change (from the daily register monitor) ─────────────────────────────────

export interface RedecideInput {
  userId: number;
  /** A new cycle id for the decision taken again; its CS review, if any, is recorded under it. */
  cycleId: string;
  /** The reg_checks row holding the monitor's fresh record. */
  regCheckId: number;
  /** The document the current decision rests on, whose name the register's is compared with. */
  idDocumentId: number | null;
  outcomes: CheckOutcomes;
  current: CurrentDecision;
}

export interface Redecided extends RecordedDecision {
  /** The fresh register outcome the decision rests on. */
  register: RegisterOutcome;
  /** The cycle settings, for the review that may follow (an idle run has none of its own). */
  settings: CycleSettings;
}

export interface KycActivities {
  beginCycle(input: CycleRef): Promise<BeginCycleResult>;
  closeWithoutDocuments(input: CycleRef): Promise<RecordedDecision>;
  scanDocument(input: ScanDocumentInput): Promise<ScanDocumentResult>;
  checkFace(input: CheckFaceInput): Promise<FaceOutcome>;
  requestRegisterCheck(input: CycleRef): Promise<RequestRegisterCheckResult>;
  ingestRegisterResult(input: IngestRegisterResultInput): Promise<RegisterOutcome>;
  decide(input: DecideInput): Promise<RecordedDecision>;
  recordReview(input: RecordReviewInput): Promise<RecordedDecision>;
  recordOverride(input: RecordOverrideInput): Promise<RecordedDecision>;
  /** Takes the user out of the review queue and tells the product which documents to ask for, with CS's message. */
  requestNewDocuments(input: RequestNewDocumentsInput): Promise<void>;
  notifyDecision(input: { decisionId: number }): Promise<void>;
  remindCs(input: RemindCsInput): Promise<void>;
  alertOps(input: AlertOpsInput): Promise<void>;
  redecideOnRegisterChange(input: RedecideInput): Promise<Redecided>;
  /** `registration.changed` to the product; an email to CS when the case goes to review. */
  notifyRegisterChange(input: { decisionId: number }): Promise<void>;
}

export interface ExpiryActivities {
  countDocumentsWithoutExpiry(): Promise<BadDataTally>;
  remindExpiringBatch(input: ExpiryBatchInput): Promise<ExpiryBatchResult>;
}
