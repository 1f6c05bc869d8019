/** The KYC decision policy: the three checks' outcomes in, PASS, FAIL or MANUAL_REVIEW and its reasons out. */
import type { CheckOutcomes, DocumentOutcome, FaceOutcome, KycDecision, RegisterOutcome } from './outcomes.ts';
import { type DecisionPolicy, failsUnder, type PolicyThresholds } from './policy.ts';
import { FAIL_REASONS, type FailReason, REVIEW_REASONS, type ReasonCode, type ReviewReason } from './reasons.ts';

export type { PolicyThresholds } from './policy.ts';

type DecisionReason = FailReason | ReviewReason;

function documentReasons(document: DocumentOutcome): DecisionReason[] {
  if (document.status === 'UNREADABLE') {
    return [document.cause === 'UNSUPPORTED_IMAGE' ? 'DOCUMENT_UNSUPPORTED_IMAGE' : 'DOCUMENT_UNREADABLE'];
  }
  const reasons: DecisionReason[] = [];
  if (document.expired) reasons.push('DOCUMENT_EXPIRED');
  if ((document.duplicates ?? []).length > 0) reasons.push('DUPLICATE_IDENTITY');
  if (document.checkDigitsValid === false) reasons.push('DOCUMENT_CHECK_DIGITS_INVALID');
  if (!document.fieldsComplete) reasons.push('DOCUMENT_FIELDS_INCOMPLETE');
  return reasons;
}

const SELFIE_REASONS = {
  OK: null,
  NO_FACE: 'SELFIE_NO_FACE',
  MULTIPLE_FACES: 'SELFIE_MULTIPLE_FACES',
  POOR_QUALITY: 'SELFIE_POOR_QUALITY',
} as const;

const LIVENESS_REASONS = { PASSED: null, FAILED: 'LIVENESS_FAILED', NOT_PERFORMED: 'LIVENESS_NOT_PERFORMED' } as const;

function similarityReason(similarity: number | null, thresholds: PolicyThresholds): DecisionReason | null {
  if (similarity === null) return 'FACE_NOT_FOUND_ON_DOCUMENT';
  // A score off the 0..1 scale (NaN, or a percentage passed by mistake) would otherwise compare as a pass.
  if (!Number.isFinite(similarity) || similarity < 0 || similarity > 1) return 'FACE_CHECK_ERROR';
  if (similarity < thresholds.faceFail) return 'FACE_MISMATCH';
  if (similarity < thresholds.facePass) return 'FACE_MATCH_BORDERLINE';
  return null;
}

/** A session presented by someone it was not made for is someone else's liveness; an expired or unknown one is none. */
const SESSION_REFUSAL_REASONS = {
  OTHER_USER: 'LIVENESS_MISMATCH',
  ALREADY_USED: 'LIVENESS_MISMATCH',
  EXPIRED: null,
  UNKNOWN: null,
} as const;

/** Below the threshold, or off the 0..1 scale (which would otherwise compare as a match); null was not compared. */
const below = (similarity: number | null | undefined, threshold: number): boolean =>
  similarity !== null &&
  similarity !== undefined &&
  !(Number.isFinite(similarity) && similarity >= threshold && similarity <= 1);

function livenessBindingReason(
  face: Extract<FaceOutcome, { status: 'COMPARED' }>,
  thresholds: PolicyThresholds,
): DecisionReason | null {
  if (face.livenessSessionRefused) return SESSION_REFUSAL_REASONS[face.livenessSessionRefused];
  const reference = face.livenessReference;
  if (!reference) return null;
  return below(reference.selfie, thresholds.livenessSelfieMatch) ||
    below(reference.document, thresholds.livenessDocumentMatch)
    ? 'LIVENESS_MISMATCH'
    : null;
}

function faceReasons(face: FaceOutcome, thresholds: PolicyThresholds): DecisionReason[] {
  if (face.status === 'ERROR') return ['FACE_CHECK_ERROR'];
  const sameFace = (face.sameFaceAs ?? []).some(({ similarity }) => similarity >= thresholds.duplicateFace);
  const reasons: (DecisionReason | null)[] = [
    // A selfie without a face was never compared, so it says nothing about the document's photo.
    face.selfieQuality === 'NO_FACE' ? null : similarityReason(face.similarity, thresholds),
    LIVENESS_REASONS[face.liveness],
    livenessBindingReason(face, thresholds),
    SELFIE_REASONS[face.selfieQuality],
    sameFace ? 'DUPLICATE_FACE' : null,
  ];
  return reasons.filter((reason) => reason !== null);
}

const STANDING_REASONS = {
  REGISTERED: null,
  REGISTERED_WITH_RESTRICTIONS: 'REGISTER_RESTRICTIONS',
  NOT_LICENSED: 'REGISTER_NOT_LICENSED',
  SUSPENDED: 'REGISTER_SUSPENDED',
  REMOVED: 'REGISTER_REMOVED',
  NOT_FOUND: 'REGISTER_NOT_FOUND',
} as const;

const NAME_REASONS = {
  EXACT: null,
  MIDDLE_NAME_MISSING: null,
  MISMATCH: 'REGISTER_NAME_MISMATCH',
  NOT_COMPARED: 'REGISTER_NAME_UNVERIFIED',
} as const;

function registerReasons(register: RegisterOutcome): DecisionReason[] {
  if (register.status === 'TIMEOUT') return ['REGISTER_TIMEOUT'];
  if (register.status === 'ERROR') return ['REGISTER_ERROR'];
  const standingReason = STANDING_REASONS[register.standing];
  // With no entry found there is no register name to have matched.
  const nameReason: DecisionReason | null = register.standing === 'NOT_FOUND' ? null : NAME_REASONS[register.nameMatch];
  return [standingReason, nameReason].filter((reason) => reason !== null);
}

/** Fail reasons first, then review reasons, each in the order reasons.ts lists them. */
const REASON_ORDER: readonly DecisionReason[] = [...FAIL_REASONS, ...REVIEW_REASONS];

/**
 * The rules every policy applies; its file (policies/<version>.json) gives the thresholds and which reasons fail.
 * Under v1:
 * - FAIL when any check shows the worker must not be let through: an expired document, a register entry that is
 *   suspended, removed or without a licence, a face similarity below `faceFail`, or failed liveness.
 * - PASS only when everything is positively good: the document read, unexpired, with no invalid check digits and
 *   its name, birth date and expiry all read; the face compared at `facePass` or above, live, from a good selfie;
 *   the register checked, the worker REGISTERED, and their name an exact match or one missing only middle names.
 * - FAIL, too, when the liveness result is not this selfie's (LIVENESS_MISMATCH): a session made for another user or
 *   already used, or a reference image that does not match the selfie or the document photo.
 * - MANUAL_REVIEW for everything else, including the signs of one person behind two accounts: the same document or
 *   identity, the same face, or the same registration number under another user. A person looks at both users.
 * A FAIL still lists every reason found, review reasons included, so a reviewer sees the whole picture. Reasons are
 * unique and in a fixed order; a PASS has none. A later policy may fail on more reasons (never fewer: see
 * MANDATORY_FAIL_REASONS) and move the thresholds.
 */
export function decide(
  outcomes: CheckOutcomes,
  policy: DecisionPolicy,
): { decision: KycDecision; reasons: ReasonCode[] } {
  const { thresholds } = policy;
  const found = new Set<DecisionReason>([
    ...documentReasons(outcomes.document),
    ...faceReasons(outcomes.face, thresholds),
    ...registerReasons(outcomes.register),
    ...((outcomes.registrationAlsoClaimedBy ?? []).length > 0 ? ['REGISTRATION_CLAIMED_TWICE' as const] : []),
  ]);
  const reasons = REASON_ORDER.filter((reason) => found.has(reason));
  if (reasons.length === 0) return { decision: 'PASS', reasons };
  return { decision: reasons.some((reason) => failsUnder(policy, reason)) ? 'FAIL' : 'MANUAL_REVIEW', reasons };
}
