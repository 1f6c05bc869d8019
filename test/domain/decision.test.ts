import { describe, expect, it } from 'vitest';
import { decide } from '../../src/domain/decision.ts';
import type {
  CheckOutcomes,
  DocumentOutcome,
  FaceOutcome,
  KycDecision,
  RegisterOutcome,
} from '../../src/domain/outcomes.ts';
import { type DecisionPolicy, decisionPolicySchema, type PolicyThresholds } from '../../src/domain/policy.ts';
import {
  FAIL_REASONS,
  REASON_EXPLANATIONS,
  REVIEW_OVERRIDE_REASONS,
  REVIEW_REASONS,
  type ReasonCode,
} from '../../src/domain/reasons.ts';
import { allPolicies, loadPolicy } from '../../src/policies.ts';

const V1 = loadPolicy('v1');
const withThresholds = (thresholds: Partial<PolicyThresholds>): DecisionPolicy => ({
  ...V1,
  thresholds: { ...V1.thresholds, ...thresholds },
});

type ReadDocument = Extract<DocumentOutcome, { status: 'READ' }>;
type ComparedFace = Extract<FaceOutcome, { status: 'COMPARED' }>;
type CheckedRegister = Extract<RegisterOutcome, { status: 'CHECKED' }>;
const READ: ReadDocument = { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: true };
const COMPARED: ComparedFace = { status: 'COMPARED', similarity: 0.93, liveness: 'PASSED', selfieQuality: 'OK' };
const CHECKED: CheckedRegister = { status: 'CHECKED', standing: 'REGISTERED', nameMatch: 'EXACT' };

/** The seed's example: a valid passport, similarity 0.93, liveness passed, registered, names exact. */
const SEED_EXAMPLE: CheckOutcomes = { document: READ, face: COMPARED, register: CHECKED };

const withDocument = (document: DocumentOutcome): CheckOutcomes => ({ ...SEED_EXAMPLE, document });
const withFace = (face: FaceOutcome): CheckOutcomes => ({ ...SEED_EXAMPLE, face });
const withRegister = (register: RegisterOutcome): CheckOutcomes => ({ ...SEED_EXAMPLE, register });
const withRead = (patch: Partial<ReadDocument>) => withDocument({ ...READ, ...patch });
const withCompared = (patch: Partial<ComparedFace>) => withFace({ ...COMPARED, ...patch });
const withChecked = (patch: Partial<CheckedRegister>) => withRegister({ ...CHECKED, ...patch });

type Case = [name: string, outcomes: CheckOutcomes, decision: KycDecision, reasons: ReasonCode[]];

const CASES: Case[] = [
  ['the seed example', SEED_EXAMPLE, 'PASS', []],
  ['a name missing a middle name', withChecked({ nameMatch: 'MIDDLE_NAME_MISSING' }), 'PASS', []],
  ['a licence, which has no check digits', withRead({ checkDigitsValid: null }), 'PASS', []],
  ['similarity exactly at facePass (0.90)', withCompared({ similarity: 0.9 }), 'PASS', []],
  ['similarity 1', withCompared({ similarity: 1 }), 'PASS', []],
  // Document
  ['an expired document', withRead({ expired: true }), 'FAIL', ['DOCUMENT_EXPIRED']],
  [
    'an unreadable document',
    withDocument({ status: 'UNREADABLE', cause: 'NO_IDENTITY_DATA' }),
    'MANUAL_REVIEW',
    ['DOCUMENT_UNREADABLE'],
  ],
  [
    'an OCR error',
    withDocument({ status: 'UNREADABLE', cause: 'OCR_ERROR' }),
    'MANUAL_REVIEW',
    ['DOCUMENT_UNREADABLE'],
  ],
  [
    'an unsupported document image',
    withDocument({ status: 'UNREADABLE', cause: 'UNSUPPORTED_IMAGE' }),
    'MANUAL_REVIEW',
    ['DOCUMENT_UNSUPPORTED_IMAGE'],
  ],
  ['invalid check digits', withRead({ checkDigitsValid: false }), 'MANUAL_REVIEW', ['DOCUMENT_CHECK_DIGITS_INVALID']],
  ['incomplete fields', withRead({ fieldsComplete: false }), 'MANUAL_REVIEW', ['DOCUMENT_FIELDS_INCOMPLETE']],
  [
    'an expired document with bad check digits and missing fields',
    withRead({ expired: true, checkDigitsValid: false, fieldsComplete: false }),
    'FAIL',
    ['DOCUMENT_EXPIRED', 'DOCUMENT_CHECK_DIGITS_INVALID', 'DOCUMENT_FIELDS_INCOMPLETE'],
  ],
  // Face similarity boundaries
  [
    'similarity just under facePass (0.8999)',
    withCompared({ similarity: 0.8999 }),
    'MANUAL_REVIEW',
    ['FACE_MATCH_BORDERLINE'],
  ],
  [
    'similarity exactly at faceFail (0.50)',
    withCompared({ similarity: 0.5 }),
    'MANUAL_REVIEW',
    ['FACE_MATCH_BORDERLINE'],
  ],
  ['similarity just under faceFail (0.4999)', withCompared({ similarity: 0.4999 }), 'FAIL', ['FACE_MISMATCH']],
  ['similarity 0', withCompared({ similarity: 0 }), 'FAIL', ['FACE_MISMATCH']],
  [
    'no face found on the document',
    withCompared({ similarity: null }),
    'MANUAL_REVIEW',
    ['FACE_NOT_FOUND_ON_DOCUMENT'],
  ],
  ['a similarity given as a percentage', withCompared({ similarity: 93 }), 'MANUAL_REVIEW', ['FACE_CHECK_ERROR']],
  [
    'a similarity that is not a number',
    withCompared({ similarity: Number.NaN }),
    'MANUAL_REVIEW',
    ['FACE_CHECK_ERROR'],
  ],
  // Liveness and selfie
  ['failed liveness', withCompared({ liveness: 'FAILED' }), 'FAIL', ['LIVENESS_FAILED']],
  ['no liveness check', withCompared({ liveness: 'NOT_PERFORMED' }), 'MANUAL_REVIEW', ['LIVENESS_NOT_PERFORMED']],
  ['a selfie without a face', withCompared({ selfieQuality: 'NO_FACE' }), 'MANUAL_REVIEW', ['SELFIE_NO_FACE']],
  [
    'a selfie without a face, so never compared',
    withCompared({ selfieQuality: 'NO_FACE', similarity: null }),
    'MANUAL_REVIEW',
    ['SELFIE_NO_FACE'],
  ],
  [
    "a register name not compared (the document's name unread)",
    withChecked({ nameMatch: 'NOT_COMPARED' }),
    'MANUAL_REVIEW',
    ['REGISTER_NAME_UNVERIFIED'],
  ],
  [
    'a selfie with several faces',
    withCompared({ selfieQuality: 'MULTIPLE_FACES' }),
    'MANUAL_REVIEW',
    ['SELFIE_MULTIPLE_FACES'],
  ],
  ['a poor selfie', withCompared({ selfieQuality: 'POOR_QUALITY' }), 'MANUAL_REVIEW', ['SELFIE_POOR_QUALITY']],
  [
    'a face service error',
    withFace({ status: 'ERROR', cause: 'SERVICE_ERROR' }),
    'MANUAL_REVIEW',
    ['FACE_CHECK_ERROR'],
  ],
  [
    'a selfie image the face service refused',
    withFace({ status: 'ERROR', cause: 'UNSUPPORTED_IMAGE' }),
    'MANUAL_REVIEW',
    ['FACE_CHECK_ERROR'],
  ],
  [
    'a mismatch with failed liveness and a poor selfie',
    withCompared({ similarity: 0.2, liveness: 'FAILED', selfieQuality: 'POOR_QUALITY' }),
    'FAIL',
    ['FACE_MISMATCH', 'LIVENESS_FAILED', 'SELFIE_POOR_QUALITY'],
  ],
  // Register
  ['a suspended registrant', withChecked({ standing: 'SUSPENDED' }), 'FAIL', ['REGISTER_SUSPENDED']],
  ['a removed registrant', withChecked({ standing: 'REMOVED' }), 'FAIL', ['REGISTER_REMOVED']],
  ['a registrant without a licence', withChecked({ standing: 'NOT_LICENSED' }), 'FAIL', ['REGISTER_NOT_LICENSED']],
  [
    'restrictions on the register',
    withChecked({ standing: 'REGISTERED_WITH_RESTRICTIONS' }),
    'MANUAL_REVIEW',
    ['REGISTER_RESTRICTIONS'],
  ],
  [
    'no register entry',
    withChecked({ standing: 'NOT_FOUND', nameMatch: 'MISMATCH' }),
    'MANUAL_REVIEW',
    ['REGISTER_NOT_FOUND'],
  ],
  [
    'a different name on the register',
    withChecked({ nameMatch: 'MISMATCH' }),
    'MANUAL_REVIEW',
    ['REGISTER_NAME_MISMATCH'],
  ],
  [
    'restrictions and a different name',
    withChecked({ standing: 'REGISTERED_WITH_RESTRICTIONS', nameMatch: 'MISMATCH' }),
    'MANUAL_REVIEW',
    ['REGISTER_RESTRICTIONS', 'REGISTER_NAME_MISMATCH'],
  ],
  [
    'a suspended registrant under a different name',
    withChecked({ standing: 'SUSPENDED', nameMatch: 'MISMATCH' }),
    'FAIL',
    ['REGISTER_SUSPENDED', 'REGISTER_NAME_MISMATCH'],
  ],
  ['a register look-up that timed out', withRegister({ status: 'TIMEOUT' }), 'MANUAL_REVIEW', ['REGISTER_TIMEOUT']],
  [
    'a failed register run',
    withRegister({ status: 'ERROR', cause: 'RUN_FAILED' }),
    'MANUAL_REVIEW',
    ['REGISTER_ERROR'],
  ],
  [
    'no register actor configured',
    withRegister({ status: 'ERROR', cause: 'NO_ACTOR_CONFIGURED' }),
    'MANUAL_REVIEW',
    ['REGISTER_ERROR'],
  ],
  [
    'an unreadable register response',
    withRegister({ status: 'ERROR', cause: 'BAD_RESPONSE' }),
    'MANUAL_REVIEW',
    ['REGISTER_ERROR'],
  ],
  // One person, one identity (README, Fraud controls)
  [
    'a liveness session made for another user',
    withCompared({ liveness: 'NOT_PERFORMED', livenessSessionRefused: 'OTHER_USER' }),
    'FAIL',
    ['LIVENESS_MISMATCH', 'LIVENESS_NOT_PERFORMED'],
  ],
  [
    'a liveness session already used by another selfie',
    withCompared({ liveness: 'NOT_PERFORMED', livenessSessionRefused: 'ALREADY_USED' }),
    'FAIL',
    ['LIVENESS_MISMATCH', 'LIVENESS_NOT_PERFORMED'],
  ],
  [
    'an expired liveness session',
    withCompared({ liveness: 'NOT_PERFORMED', livenessSessionRefused: 'EXPIRED' }),
    'MANUAL_REVIEW',
    ['LIVENESS_NOT_PERFORMED'],
  ],
  [
    'a liveness session this service never created',
    withCompared({ liveness: 'NOT_PERFORMED', livenessSessionRefused: 'UNKNOWN' }),
    'MANUAL_REVIEW',
    ['LIVENESS_NOT_PERFORMED'],
  ],
  [
    'a reference image matching the selfie and the document at their thresholds',
    withCompared({ livenessReference: { selfie: 0.8, document: 0.5 } }),
    'PASS',
    [],
  ],
  [
    'a reference image of someone other than the selfie',
    withCompared({ livenessReference: { selfie: 0.7999, document: 0.95 } }),
    'FAIL',
    ['LIVENESS_MISMATCH'],
  ],
  [
    'a reference image of someone other than the document holder',
    withCompared({ livenessReference: { selfie: 0.99, document: 0.4999 } }),
    'FAIL',
    ['LIVENESS_MISMATCH'],
  ],
  [
    'a reference image compared with images without a face',
    withCompared({ livenessReference: { selfie: null, document: null } }),
    'PASS',
    [],
  ],
  [
    'a reference similarity off the 0..1 scale',
    withCompared({ livenessReference: { selfie: 99, document: 0.9 } }),
    'FAIL',
    ['LIVENESS_MISMATCH'],
  ],
  [
    'the same document under another user',
    withRead({ duplicates: [{ userId: 7, on: 'DOCUMENT' }] }),
    'MANUAL_REVIEW',
    ['DUPLICATE_IDENTITY'],
  ],
  [
    'the same name and birth date under another user',
    withRead({ duplicates: [{ userId: 7, on: 'IDENTITY' }] }),
    'MANUAL_REVIEW',
    ['DUPLICATE_IDENTITY'],
  ],
  ['no duplicates found', withRead({ duplicates: [] }), 'PASS', []],
  [
    "another user's face at the duplicate threshold",
    withCompared({ sameFaceAs: [{ userId: 7, similarity: 0.9 }] }),
    'MANUAL_REVIEW',
    ['DUPLICATE_FACE'],
  ],
  [
    "another user's face just under the duplicate threshold",
    withCompared({ sameFaceAs: [{ userId: 7, similarity: 0.8999 }] }),
    'PASS',
    [],
  ],
  [
    'a registration number another user holds',
    { ...SEED_EXAMPLE, registrationAlsoClaimedBy: [3] },
    'MANUAL_REVIEW',
    ['REGISTRATION_CLAIMED_TWICE'],
  ],
  ['a registration number no one else holds', { ...SEED_EXAMPLE, registrationAlsoClaimedBy: [] }, 'PASS', []],
  [
    'an expired passport seen before, replayed liveness, a known face and a squatted number',
    {
      document: { ...READ, expired: true, duplicates: [{ userId: 2, on: 'DOCUMENT' }] },
      face: {
        ...COMPARED,
        liveness: 'NOT_PERFORMED',
        livenessSessionRefused: 'OTHER_USER',
        sameFaceAs: [{ userId: 2, similarity: 0.99 }],
      },
      register: CHECKED,
      registrationAlsoClaimedBy: [2],
    },
    'FAIL',
    [
      'DOCUMENT_EXPIRED',
      'LIVENESS_MISMATCH',
      'LIVENESS_NOT_PERFORMED',
      'DUPLICATE_IDENTITY',
      'DUPLICATE_FACE',
      'REGISTRATION_CLAIMED_TWICE',
    ],
  ],
  // Across checks: fail reasons first, then review reasons, each in reasons.ts order.
  [
    'review reasons from every check',
    {
      document: { status: 'READ', expired: false, checkDigitsValid: false, fieldsComplete: true },
      face: { status: 'COMPARED', similarity: 0.7, liveness: 'NOT_PERFORMED', selfieQuality: 'OK' },
      register: { status: 'TIMEOUT' },
    },
    'MANUAL_REVIEW',
    ['DOCUMENT_CHECK_DIGITS_INVALID', 'FACE_MATCH_BORDERLINE', 'LIVENESS_NOT_PERFORMED', 'REGISTER_TIMEOUT'],
  ],
  [
    'a fail reason among review reasons',
    {
      document: { status: 'UNREADABLE', cause: 'NO_IDENTITY_DATA' },
      face: { status: 'COMPARED', similarity: null, liveness: 'PASSED', selfieQuality: 'MULTIPLE_FACES' },
      register: { status: 'CHECKED', standing: 'REMOVED', nameMatch: 'EXACT' },
    },
    'FAIL',
    ['REGISTER_REMOVED', 'DOCUMENT_UNREADABLE', 'FACE_NOT_FOUND_ON_DOCUMENT', 'SELFIE_MULTIPLE_FACES'],
  ],
  [
    'every fail condition at once',
    {
      document: { status: 'READ', expired: true, checkDigitsValid: true, fieldsComplete: true },
      face: { status: 'COMPARED', similarity: 0.1, liveness: 'FAILED', selfieQuality: 'OK' },
      register: { status: 'CHECKED', standing: 'NOT_LICENSED', nameMatch: 'EXACT' },
    },
    'FAIL',
    ['DOCUMENT_EXPIRED', 'FACE_MISMATCH', 'LIVENESS_FAILED', 'REGISTER_NOT_LICENSED'],
  ],
];

describe('decide under policy v1', () => {
  it.each(CASES)('%s', (_, outcomes, decision, reasons) => {
    expect(decide(outcomes, V1)).toEqual({ decision, reasons });
  });

  it('covers every reason the policy can give', () => {
    const covered = new Set(CASES.flatMap(([, , , reasons]) => reasons));
    // DOCUMENTS_NOT_RECEIVED is decided by the workflow when no documents arrive, never by this policy.
    const policyReasons = [...FAIL_REASONS, ...REVIEW_REASONS].filter((reason) => reason !== 'DOCUMENTS_NOT_RECEIVED');
    expect(policyReasons.filter((reason) => !covered.has(reason))).toEqual([]);
  });

  it('uses 0.90 to pass and 0.50 to fail, 0.80/0.50 for the liveness reference and 0.90 for a duplicate face', () => {
    expect(V1.thresholds).toEqual({
      facePass: 0.9,
      faceFail: 0.5,
      livenessSelfieMatch: 0.8,
      livenessDocumentMatch: 0.5,
      duplicateFace: 0.9,
    });
  });

  it('explains every reason in plain English', () => {
    for (const reason of [...FAIL_REASONS, ...REVIEW_REASONS, ...REVIEW_OVERRIDE_REASONS]) {
      expect(REASON_EXPLANATIONS[reason]).toMatch(/^[A-Z].{15,}\.$/);
    }
  });
});

describe('decide with other thresholds', () => {
  it.each<[number, { facePass: number; faceFail: number }, KycDecision]>([
    [0.93, { facePass: 0.99, faceFail: 0.8 }, 'MANUAL_REVIEW'],
    [0.79, { facePass: 0.99, faceFail: 0.8 }, 'FAIL'],
    [0.99, { facePass: 0.99, faceFail: 0.8 }, 'PASS'],
    [0.6, { facePass: 0.6, faceFail: 0.6 }, 'PASS'],
    [0.5999, { facePass: 0.6, faceFail: 0.6 }, 'FAIL'],
  ])('similarity %s with %j is %s', (similarity, thresholds, decision) => {
    expect(decide(withCompared({ similarity }), withThresholds(thresholds)).decision).toBe(decision);
  });

  it.each<[string, Partial<ComparedFace>, Partial<PolicyThresholds>, KycDecision]>([
    [
      'reference 0.85 with livenessSelfieMatch 0.9',
      { livenessReference: { selfie: 0.85, document: 0.9 } },
      { livenessSelfieMatch: 0.9 },
      'FAIL',
    ],
    [
      'reference 0.85 with livenessSelfieMatch 0.85',
      { livenessReference: { selfie: 0.85, document: 0.9 } },
      { livenessSelfieMatch: 0.85 },
      'PASS',
    ],
    [
      'document 0.6 with livenessDocumentMatch 0.7',
      { livenessReference: { selfie: 0.99, document: 0.6 } },
      { livenessDocumentMatch: 0.7 },
      'FAIL',
    ],
    [
      'same face 0.95 with duplicateFace 0.97',
      { sameFaceAs: [{ userId: 4, similarity: 0.95 }] },
      { duplicateFace: 0.97 },
      'PASS',
    ],
    [
      'same face 0.8 with duplicateFace 0.8',
      { sameFaceAs: [{ userId: 4, similarity: 0.8 }] },
      { duplicateFace: 0.8 },
      'MANUAL_REVIEW',
    ],
  ])('%s is %s', (_, face, thresholds, decision) => {
    expect(decide(withCompared(face), withThresholds(thresholds)).decision).toBe(decision);
  });
});

describe('policies as data', () => {
  it('v1 fails on exactly the reasons the code failed on before policies were files', () => {
    const failing = Object.entries(V1.rules).filter(([, verdict]) => verdict === 'FAIL');
    expect(failing.map(([reason]) => reason)).toEqual(
      FAIL_REASONS.filter((reason) => reason !== 'DOCUMENTS_NOT_RECEIVED'),
    );
  });

  it('a later policy can fail on a review reason, and the decision follows its rule table', () => {
    const stricter: DecisionPolicy = { ...V1, version: 'v2', rules: { ...V1.rules, REGISTER_RESTRICTIONS: 'FAIL' } };
    const restricted = withRegister({ ...CHECKED, standing: 'REGISTERED_WITH_RESTRICTIONS' });
    expect(decide(restricted, V1)).toEqual({ decision: 'MANUAL_REVIEW', reasons: ['REGISTER_RESTRICTIONS'] });
    expect(decide(restricted, stricter)).toEqual({ decision: 'FAIL', reasons: ['REGISTER_RESTRICTIONS'] });
  });

  it.each<[string, (policy: Record<string, unknown>) => unknown, RegExp]>([
    [
      'a mandatory fail turned into a review',
      (p) => ({ ...p, rules: { ...(p.rules as object), DOCUMENT_EXPIRED: 'MANUAL_REVIEW' } }),
      /rules\.DOCUMENT_EXPIRED/,
    ],
    [
      'a reason missing from the rule table',
      (p) => ({ ...p, rules: { ...(p.rules as object), DUPLICATE_FACE: undefined } }),
      /rules\.DUPLICATE_FACE/,
    ],
    [
      'a reason no policy gives',
      (p) => ({ ...p, rules: { ...(p.rules as object), DOCUMENTS_NOT_RECEIVED: 'FAIL' } }),
      /rules/,
    ],
    [
      'faceFail above facePass',
      (p) => ({ ...p, thresholds: { ...(p.thresholds as object), faceFail: 0.95 } }),
      /faceFail must not be above facePass/,
    ],
    [
      'a threshold off the 0..1 scale',
      (p) => ({ ...p, thresholds: { ...(p.thresholds as object), facePass: 90 } }),
      /thresholds\.facePass/,
    ],
    ['an unknown field', (p) => ({ ...p, autoApprove: true }), /autoApprove/],
  ])('refuses %s', (_, change, message) => {
    const result = decisionPolicySchema.safeParse(change({ ...V1 }));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('\n')).toMatch(message);
  });

  it('every file in policies/ is valid and named after its version', () => {
    expect(allPolicies().map((policy) => policy.version)).toContain('v1');
  });
});
