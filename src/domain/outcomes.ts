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
      /**
       * Other users under whom this document (issuing state and number) or this identity (normalised name and date
       * of birth) was already seen. Absent in outcomes recorded before the check existed.
       */
      duplicates?: DuplicateIdentity[];
    }
  | { status: 'UNREADABLE'; cause: 'NO_IDENTITY_DATA' | 'UNSUPPORTED_IMAGE' | 'OCR_ERROR' };

/** Another user who presented the same document or identity; only their id travels. */
export interface DuplicateIdentity {
  userId: number;
  on: 'DOCUMENT' | 'IDENTITY';
}

/**
 * Why a Face Liveness session named with a selfie was not used: it was created for another user, already used by
 * another selfie, older than Rekognition's validity window when the selfie came, or never created by this service.
 */
export type LivenessSessionRefusal = 'OTHER_USER' | 'ALREADY_USED' | 'EXPIRED' | 'UNKNOWN';

/** Another user's accepted selfie that looks like this selfie, with its similarity on the 0..1 scale. */
export interface SameFace {
  userId: number;
  similarity: number;
}

export type SelfieQuality = 'OK' | 'NO_FACE' | 'MULTIPLE_FACES' | 'POOR_QUALITY';
export type LivenessOutcome = 'PASSED' | 'FAILED' | 'NOT_PERFORMED';

export type FaceOutcome =
  | {
      status: 'COMPARED';
      /** CompareFaces similarity on a 0..1 scale; null when no face was found on the document. */
      similarity: number | null;
      liveness: LivenessOutcome;
      selfieQuality: SelfieQuality;
      /** Set when the selfie named a liveness session that could not be used; liveness is then NOT_PERFORMED. */
      livenessSessionRefused?: LivenessSessionRefusal;
      /**
       * Similarity (0..1) of the liveness session's reference image to the selfie and to the document photo; null
       * where that image shows no face. Absent when no session result was used.
       */
      livenessReference?: { selfie: number | null; document: number | null };
      /** Other users' accepted selfies this face matched, best first. Absent when the search did not run. */
      sameFaceAs?: SameFace[];
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
  /**
   * Other users who signed up with the same registration number, as the decide activity finds them when it applies
   * the policy (the workflow does not carry this).
   */
  registrationAlsoClaimedBy?: number[];
}

export type KycDecision = 'PASS' | 'FAIL' | 'MANUAL_REVIEW';

/** ERASED: the person's data was erased on request (README, Compliance); decisions and audit remain. */
export type UserStatus = 'PENDING' | 'MANUAL_REVIEW' | 'VERIFIED' | 'REJECTED' | 'EXPIRED' | 'ERASED';

/** What a decision makes of the user: `users.status` and the KycStatus search attribute. */
export const USER_STATUS_FOR_DECISION: Record<KycDecision, UserStatus> = {
  PASS: 'VERIFIED',
  FAIL: 'REJECTED',
  MANUAL_REVIEW: 'MANUAL_REVIEW',
};
