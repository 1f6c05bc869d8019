/**
 * What each check concluded, as the workflow carries it: outcomes only — scores, flags and statuses — never names,
 * dates of birth, document numbers or images. These are the decision policy's inputs.
 */
import type { RegisterStanding } from './registers.ts';

/** How the register's name compares with the document's; NOT_COMPARED when the document's name could not be read. */
export type NameMatch = 'EXACT' | 'MIDDLE_NAME_MISSING' | 'MISMATCH' | 'NOT_COMPARED';

export type DocumentOutcome =
  | {
      status: 'READ';
      /** Expiry date before the scan date. */
      expired: boolean;
      /** MRZ check digits all valid; null for documents without check digits (driving licences). */
      checkDigitsValid: boolean | null;
      /** Name, date of birth and expiry all read. */
      fieldsComplete: boolean;
    }
  | { status: 'UNREADABLE'; cause: 'NO_IDENTITY_DATA' | 'UNSUPPORTED_IMAGE' | 'OCR_ERROR' };

export type SelfieQuality = 'OK' | 'NO_FACE' | 'MULTIPLE_FACES' | 'POOR_QUALITY';
export type LivenessOutcome = 'PASSED' | 'FAILED' | 'NOT_PERFORMED';

export type FaceOutcome =
  | {
      status: 'COMPARED';
      /** CompareFaces similarity on a 0..1 scale; null when no face was found on the document. */
      similarity: number | null;
      liveness: LivenessOutcome;
      selfieQuality: SelfieQuality;
    }
  | { status: 'ERROR'; cause: 'UNSUPPORTED_IMAGE' | 'SERVICE_ERROR' };

export type RegisterOutcome =
  | { status: 'CHECKED'; standing: RegisterStanding; nameMatch: NameMatch }
  | { status: 'TIMEOUT' }
  | { status: 'ERROR'; cause: 'RUN_FAILED' | 'NO_ACTOR_CONFIGURED' | 'BAD_RESPONSE' };

export interface CheckOutcomes {
  document: DocumentOutcome;
  face: FaceOutcome;
  register: RegisterOutcome;
}

export type KycDecision = 'PASS' | 'FAIL' | 'MANUAL_REVIEW';

export type UserStatus = 'PENDING' | 'MANUAL_REVIEW' | 'VERIFIED' | 'REJECTED' | 'EXPIRED';

/** What a decision makes of the user: `users.status` and the KycStatus search attribute. */
export const USER_STATUS_FOR_DECISION: Record<KycDecision, UserStatus> = {
  PASS: 'VERIFIED',
  FAIL: 'REJECTED',
  MANUAL_REVIEW: 'MANUAL_REVIEW',
};
