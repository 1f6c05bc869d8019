/**
 * Inputs and results of the KYC activities. The workflow imports these types only; like the contract, they carry
 * ids, keys and outcomes, never document contents.
 */

import type { DocType } from '../domain/doc-types.ts';
import type { CheckOutcomes, DocumentOutcome, KycDecision } from '../domain/outcomes.ts';
import type { ReasonCode } from '../domain/reasons.ts';
import type { RegType } from '../domain/registers.ts';
import type { DocumentUploaded } from '../workflows/contract.ts';

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

export interface BeginCycleResult {
  regType: RegType;
  userStatus: string;
  settings: CycleSettings;
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
}

export interface RemindCsInput {
  decisionId: number;
  reminder: number;
}
