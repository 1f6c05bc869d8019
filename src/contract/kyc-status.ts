/**
 * What `GET /users/:id/kyc` answers. By default a read model built from the rows the activities write (users,
 * kyc_cycles, doc_scans, face_checks, register_runs, reg_checks, kyc_decisions, ops_alerts, review_claims, uploads): no Temporal
 * query, so a poll is no billed Action and no worker CPU. `?live=true` asks the workflow's `kycStatus` query instead.
 *
 * Both answers have the shape of `KycStatusView` and say where they came from (`source`). The read model holds what
 * was recorded; state that only the running workflow holds is named in `notRecorded` and given as null (or []),
 * never guessed. Where the rows leave a step between two writes open, the read model shows the stage the rows imply:
 *
 * - `stage`: SCANNING from documents in hand and no scan row, CHECKING from a scan and a missing check, DECIDING from
 *   all checks and no decision. A step that gave up (`ops_alerts`) shows as NEEDS_ATTENTION until the retried step
 *   records something: a retry accepted but still running looks parked. After a re-upload of one document,
 *   AWAITING_DOCUMENTS (waiting for the other one, as the workflow says through the settle window) lasts until the
 *   scan is recorded, also for the moment between the settle window's end, when the workflow reuses the other
 *   document, and that scan.
 * - `waitingFor`: REGISTER_CALLBACK while the cycle's register run has no recorded check and the webhook door has not
 *   handed on a terminal callback for it.
 * - `attention.since`: when the alert row was written, a moment after the workflow parked the case.
 * - `claimedBy`: the review_claims mirror while a review is pending; absent otherwise (the workflow keeps the last
 *   claimer after the review, the table does not).
 */
import type { KycStatusView } from './kyc-workflow.ts';

/** Parts of the view the database does not hold in this case: null (or `[]`) in the answer, not a fact. */
export const NOT_RECORDED_FIELDS = [
  /** Counted by the workflow only. */
  'ignoredSignals',
  /**
   * The cycle has recorded nothing yet, not even its start (kyc_cycles): an upload is starting it, or it began before
   * that table existed. Its id is then the workflow's own.
   */
  'cycleId',
  /**
   * A review asked for new documents before kyc_decisions.documents_requested recorded which ones (they are in the
   * product event only).
   */
  'documents',
  'waitingFor',
  /** A decision taken again on a register change before its register outcome was recorded with it (policy_input). */
  'checks.register',
] as const;
export type NotRecordedField = (typeof NOT_RECORDED_FIELDS)[number];

export interface KycStatusRecord extends Omit<KycStatusView, 'cycleId' | 'ignoredSignals'> {
  source: 'database';
  cycleId: string | null;
  ignoredSignals: null;
  notRecorded: NotRecordedField[];
}

export type KycStatusAnswer = KycStatusRecord | (KycStatusView & { source: 'workflow' });
