/**
 * A decision policy as data: the similarity thresholds and the rule table that says which reasons fail a case and
 * which send it to a person. Each version lives in `policies/<version>.json`; the one in force is chosen by
 * KYC_POLICY_VERSION, and every decision records the version that produced it (README, Compliance).
 */
import { z } from 'zod';
import { FAIL_REASONS, REVIEW_REASONS, type ReasonCode } from './reasons.ts';

/** Every similarity here is on Rekognition's scale mapped to 0..1, which the local engine is calibrated onto. */
export interface PolicyThresholds {
  /** Similarity (0..1) at or above which the face matches. */
  facePass: number;
  /** Similarity (0..1) below which the face is a mismatch; between the two is borderline. */
  faceFail: number;
  /** The liveness session's reference image must match the selfie at least this well, or LIVENESS_MISMATCH. */
  livenessSelfieMatch: number;
  /** The liveness session's reference image must match the document photo at least this well, or LIVENESS_MISMATCH. */
  livenessDocumentMatch: number;
  /** Another user's accepted selfie at or above this similarity is the same face: DUPLICATE_FACE. */
  duplicateFace: number;
}

/** The reasons a policy can give; DOCUMENTS_NOT_RECEIVED is decided by the workflow when nothing arrives. */
export const POLICY_REASONS = [...FAIL_REASONS, ...REVIEW_REASONS].filter(
  (reason) => reason !== 'DOCUMENTS_NOT_RECEIVED',
) as Exclude<(typeof FAIL_REASONS)[number] | (typeof REVIEW_REASONS)[number], 'DOCUMENTS_NOT_RECEIVED'>[];
export type PolicyReason = (typeof POLICY_REASONS)[number];

/**
 * Reasons every policy must fail on: an expired document, a register entry that forbids practice, a face that is
 * someone else's, failed or borrowed liveness. A new policy may fail on more, never on less, so a rule change can
 * never let through a worker the law or patient safety says must be stopped.
 */
export const MANDATORY_FAIL_REASONS: readonly PolicyReason[] = FAIL_REASONS.filter(
  (reason) => reason !== 'DOCUMENTS_NOT_RECEIVED',
);

export type RuleVerdict = 'FAIL' | 'MANUAL_REVIEW';

const ratio = z.number().min(0).max(1);

export const decisionPolicySchema = z
  .object({
    version: z.string().regex(/^v\d+$/, 'expected a version such as v1 or v2'),
    /** What changed from the version before, and why: the policy's own change log. */
    summary: z.string().min(10),
    thresholds: z
      .object({
        facePass: ratio,
        faceFail: ratio,
        livenessSelfieMatch: ratio,
        livenessDocumentMatch: ratio,
        duplicateFace: ratio,
      })
      .strict()
      .refine(({ faceFail, facePass }) => faceFail <= facePass, 'faceFail must not be above facePass'),
    rules: z.record(z.enum(POLICY_REASONS), z.enum(['FAIL', 'MANUAL_REVIEW'])),
  })
  .strict()
  .superRefine(({ rules }, ctx) => {
    for (const reason of MANDATORY_FAIL_REASONS) {
      if (rules[reason] !== 'FAIL') {
        ctx.addIssue({ code: 'custom', path: ['rules', reason], message: 'every policy must FAIL on this reason' });
      }
    }
  });

export type DecisionPolicy = z.output<typeof decisionPolicySchema>;

/** Whether `reason` fails a case under `policy`; CS's own reasons never come through here. */
export const failsUnder = (policy: DecisionPolicy, reason: ReasonCode): boolean =>
  reason === 'DOCUMENTS_NOT_RECEIVED' || policy.rules[reason as PolicyReason] === 'FAIL';
