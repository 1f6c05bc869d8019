/**
 * Machine-readable reason codes stored in `kyc_decisions.reasons`. A FAIL reason on its own decides FAIL; any other
 * reason sends the case to MANUAL_REVIEW; no reasons at all is a PASS.
 */
export const FAIL_REASONS = [
  'DOCUMENT_EXPIRED',
  'FACE_MISMATCH',
  'LIVENESS_FAILED',
  'REGISTER_SUSPENDED',
  'REGISTER_REMOVED',
  'REGISTER_NOT_LICENSED',
  'DOCUMENTS_NOT_RECEIVED',
] as const;

export const REVIEW_REASONS = [
  'DOCUMENT_UNREADABLE',
  'DOCUMENT_UNSUPPORTED_IMAGE',
  'DOCUMENT_CHECK_DIGITS_INVALID',
  'DOCUMENT_FIELDS_INCOMPLETE',
  'FACE_MATCH_BORDERLINE',
  'FACE_NOT_FOUND_ON_DOCUMENT',
  'SELFIE_NO_FACE',
  'SELFIE_MULTIPLE_FACES',
  'SELFIE_POOR_QUALITY',
  'LIVENESS_NOT_PERFORMED',
  'FACE_CHECK_ERROR',
  'REGISTER_RESTRICTIONS',
  'REGISTER_NOT_FOUND',
  'REGISTER_NAME_MISMATCH',
  'REGISTER_NAME_UNVERIFIED',
  'REGISTER_TIMEOUT',
  'REGISTER_ERROR',
] as const;

/** Reasons on a customer-service override row; the automatic decision keeps its own reasons. */
export const REVIEW_OVERRIDE_REASONS = ['CS_APPROVED', 'CS_REJECTED'] as const;

export type FailReason = (typeof FAIL_REASONS)[number];
export type ReviewReason = (typeof REVIEW_REASONS)[number];
export type ReasonCode = FailReason | ReviewReason | (typeof REVIEW_OVERRIDE_REASONS)[number];

const failReasons: ReadonlySet<string> = new Set(FAIL_REASONS);
export function isFailReason(reason: ReasonCode): reason is FailReason {
  return failReasons.has(reason);
}
