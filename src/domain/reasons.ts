/**
 * Machine-readable reason codes stored in `kyc_decisions.reasons`. Under policy v1 a FAIL reason on its own decides
 * FAIL and any other reason sends the case to MANUAL_REVIEW; a later policy may fail on review reasons too
 * (src/domain/policy.ts). No reasons at all is a PASS.
 */
export const FAIL_REASONS = [
  'DOCUMENT_EXPIRED',
  'FACE_MISMATCH',
  'LIVENESS_FAILED',
  'LIVENESS_MISMATCH',
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
  'DUPLICATE_IDENTITY',
  'DUPLICATE_FACE',
  'REGISTRATION_CLAIMED_TWICE',
] as const;

/** Reasons on a customer-service override row; the automatic decision keeps its own reasons. */
export const REVIEW_OVERRIDE_REASONS = ['CS_APPROVED', 'CS_REJECTED'] as const;

export type FailReason = (typeof FAIL_REASONS)[number];
export type ReviewReason = (typeof REVIEW_REASONS)[number];
export type ReasonCode = FailReason | ReviewReason | (typeof REVIEW_OVERRIDE_REASONS)[number];

/** What each reason means, in words a CS reviewer (and the user's support conversation) can use as they are. */
export const REASON_EXPLANATIONS: Readonly<Record<ReasonCode, string>> = {
  DOCUMENT_EXPIRED: "The ID document's expiry date has passed.",
  FACE_MISMATCH: 'The selfie does not show the person on the ID document.',
  LIVENESS_FAILED: 'The liveness check found the selfie was not of a live person (a photo, screen or mask).',
  LIVENESS_MISMATCH:
    'The liveness check does not belong to this selfie: it was made for another user or already used, or the face it captured is not the face on the selfie or the ID document.',
  REGISTER_SUSPENDED: 'The register shows the registration as suspended.',
  REGISTER_REMOVED: 'The register shows the registration as erased or removed.',
  REGISTER_NOT_LICENSED: 'The register shows the person registered without a licence to practise, or lapsed.',
  DOCUMENTS_NOT_RECEIVED: 'The ID document and selfie did not both arrive in time.',
  DOCUMENT_UNREADABLE: 'No identity data could be read from the ID document.',
  DOCUMENT_UNSUPPORTED_IMAGE: 'The ID document image could not be processed.',
  DOCUMENT_CHECK_DIGITS_INVALID: "A check digit in the document's machine-readable zone (or licence number) is wrong.",
  DOCUMENT_FIELDS_INCOMPLETE: 'The name, date of birth or expiry date could not be read from the ID document.',
  FACE_MATCH_BORDERLINE: 'The selfie and the document photo are similar, but not clearly the same person.',
  FACE_NOT_FOUND_ON_DOCUMENT: 'No face was found on the ID document.',
  SELFIE_NO_FACE: 'No face was found in the selfie.',
  SELFIE_MULTIPLE_FACES: 'The selfie shows more than one face.',
  SELFIE_POOR_QUALITY: 'The selfie is too blurred, too dark or too bright.',
  LIVENESS_NOT_PERFORMED: 'There is no usable liveness result for this selfie.',
  FACE_CHECK_ERROR: 'The face service could not process the images.',
  REGISTER_RESTRICTIONS: 'The register shows conditions, undertakings, warnings or fitness-to-practise annotations.',
  REGISTER_NOT_FOUND: 'No register entry was found for the registration number.',
  REGISTER_NAME_MISMATCH: "The register's name differs from the name on the ID document.",
  REGISTER_NAME_UNVERIFIED: "The document's name could not be read, so it was not compared with the register.",
  REGISTER_TIMEOUT: 'The register look-up did not finish in time.',
  REGISTER_ERROR: 'The register look-up failed, or no register scraper is configured.',
  DUPLICATE_IDENTITY:
    'The same ID document, or the same name and date of birth, was already used by another user (linked on the case).',
  DUPLICATE_FACE: "The selfie matches the face of another user's accepted selfie (linked on the case).",
  REGISTRATION_CLAIMED_TWICE:
    'Another user already holds this registration number; one of them may be squatting on it (both linked on the case).',
  CS_APPROVED: 'Customer service approved the case.',
  CS_REJECTED: 'Customer service rejected the case.',
};
