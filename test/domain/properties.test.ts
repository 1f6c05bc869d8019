import fc from 'fast-check';
import { parse as oracleParse } from 'mrz';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/domain/decision.ts';
import { parseUkDrivingLicence } from '../../src/domain/driving-licence.ts';
import { parseDocumentText, parseIdentityFields } from '../../src/domain/identity-document.ts';
import { formatTd1Mrz, formatTd3Mrz, type MrzFields, parseMrz } from '../../src/domain/mrz.ts';
import { matchNames } from '../../src/domain/names.ts';
import type { CheckOutcomes, DocumentOutcome, FaceOutcome, RegisterOutcome } from '../../src/domain/outcomes.ts';
import { type DecisionPolicy, failsUnder, type PolicyThresholds } from '../../src/domain/policy.ts';
import { FAIL_REASONS, REVIEW_REASONS } from '../../src/domain/reasons.ts';
import { REGISTER_STANDINGS } from '../../src/domain/registers.ts';
import { allPolicies } from '../../src/policies.ts';

const TRICKY_CHARACTERS = [
  '<',
  '«',
  '‹',
  ' ',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u0007',
  '\u200f', // right-to-left mark
  '\u202e', // right-to-left override
  '\u2028',
  '\ufeff',
  '\ud83d\ude00',
  'ß',
  'ı',
  'é',
  '\u0301',
  'P',
  'I',
  'A',
  '0',
  '9',
  '.',
  '1.',
  '4b.',
  '5.',
  'MORGA753116SM9IJ',
  '11.03.1976',
];

/** Arbitrary text, weighted towards what could confuse a parser: MRZ and licence fragments, controls, RTL marks. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom(...TRICKY_CHARACTERS), maxLength: 300 }),
  fc.string({ unit: fc.constantFrom('<', 'A', '0', '\n', '«'), minLength: 80, maxLength: 400 }),
  fc.string({ unit: 'grapheme', minLength: 5_000, maxLength: 20_000 }),
);

/** Valid MRZ lines with arbitrary text spliced in somewhere. */
const damagedMrz = fc.tuple(fc.constantFrom(0, 1, 2), fc.nat(), hostileText).map(([line, at, noise]) => {
  const lines = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];
  const target = lines[line] ?? '';
  const position = at % (target.length + 1);
  lines[line] = target.slice(0, position) + noise + target.slice(position);
  return lines.join('\n');
});

describe('parsers never throw', () => {
  it('parseMrz', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText, damagedMrz), (text) => {
        parseMrz(text);
      }),
      { numRuns: 500 },
    );
  });

  it('parseUkDrivingLicence and parseDocumentText', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hostileText, damagedMrz), { maxLength: 12 }), (lines) => {
        parseUkDrivingLicence(lines);
        parseDocumentText(lines);
      }),
      { numRuns: 300 },
    );
  });

  it('parseIdentityFields', () => {
    const fieldValue = fc.record(
      { text: hostileText, normalized: hostileText, confidence: fc.double() },
      { requiredKeys: ['text', 'confidence'] },
    );
    const fieldType = fc.constantFrom(
      'FIRST_NAME',
      'LAST_NAME',
      'DATE_OF_BIRTH',
      'EXPIRATION_DATE',
      'MRZ_CODE',
      'ID_TYPE',
    );
    fc.assert(
      fc.property(fc.dictionary(fieldType, fieldValue), (fields) => {
        parseIdentityFields(fields);
      }),
      { numRuns: 100 },
    );
  });
});

const DAY_MS = 86_400_000;
const isoDay = (epochDay: number) => new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
const FIRST_EXPIRY_DAY = Date.UTC(2000, 0, 1) / DAY_MS;
const LAST_EXPIRY_DAY = Date.UTC(2099, 11, 31) / DAY_MS;

const nameWord = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 1, maxLength: 10 });
/** Names made of words joined by spaces or hyphens, which both become fillers. */
const nameOf = (minWords: number, maxWords: number) =>
  fc
    .array(fc.tuple(nameWord, fc.constantFrom(' ', '-')), { minLength: minWords, maxLength: maxWords })
    .map((words) => words.map(([word, separator], index) => (index === 0 ? word : separator + word)).join(''));

/** Fields whose name fits the TD1 name field uncut, with a birth date the expiry-anchored century rule reads back. */
const mrzFields = (documentNumber: fc.Arbitrary<string>) =>
  fc
    .record({
      issuingState: fc.constantFrom('GBR', 'D', 'FRA', 'IRL', 'POL', 'IND', 'NGA', 'PHL', 'USA', 'ROU'),
      nationality: fc.constantFrom('GBR', 'D', 'FRA', 'IRL', 'POL', 'IND', 'NGA', 'PHL', 'USA', 'ROU'),
      surname: nameOf(1, 2),
      givenNames: nameOf(0, 2),
      documentNumber,
      sex: fc.constantFrom('M', 'F', 'X'),
      expiryDay: fc.integer({ min: FIRST_EXPIRY_DAY, max: LAST_EXPIRY_DAY }),
      daysBornBeforeExpiry: fc.integer({ min: 0, max: 99 * 365 }),
      personalNumber: fc.string({ unit: fc.constantFrom(...'ABCXYZ0123456789'), maxLength: 8 }),
    })
    .filter(({ surname, givenNames }) => surname.length + 2 + givenNames.length <= 30)
    .map(
      ({ expiryDay, daysBornBeforeExpiry, ...rest }): MrzFields => ({
        ...rest,
        expiryDate: isoDay(expiryDay),
        birthDate: isoDay(expiryDay - daysBornBeforeExpiry),
      }),
    );

function expectedReading(fields: MrzFields) {
  const surname = fields.surname.replace(/-/g, ' ');
  const givenNames = fields.givenNames === '' ? null : fields.givenNames.replace(/-/g, ' ');
  return {
    surname,
    givenNames,
    fullName: givenNames === null ? surname : `${givenNames} ${surname}`,
    birthDate: fields.birthDate,
    expiryDate: fields.expiryDate,
    documentNumber: fields.documentNumber,
    issuingState: fields.issuingState,
    nationality: fields.nationality,
    checkDigitsValid: true,
    problems: [],
  };
}

const alphanumeric = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), minLength, maxLength });

describe('MRZ round trips', () => {
  it('parseMrz reads back what formatTd3Mrz wrote, and an independent parser validates it', () => {
    fc.assert(
      fc.property(mrzFields(alphanumeric(1, 9)), (fields) => {
        const lines = formatTd3Mrz(fields);
        expect(parseMrz(lines.join('\n'))).toEqual({
          source: 'MRZ_TD3',
          documentType: 'PASSPORT',
          ...expectedReading(fields),
        });
        expect(oracleParse(lines).valid).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('parseMrz reads back what formatTd1Mrz wrote, long document numbers included', () => {
    fc.assert(
      fc.property(mrzFields(alphanumeric(1, 12)), (fields) => {
        const lines = formatTd1Mrz(fields);
        expect(parseMrz(lines.join('\n'))).toEqual({
          source: 'MRZ_TD1',
          documentType: 'ID_CARD',
          ...expectedReading(fields),
        });
        expect(oracleParse(lines).valid).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('survives OCR noise: lower case, spaces, guillemets and surrounding lines', () => {
    fc.assert(
      fc.property(mrzFields(alphanumeric(1, 9)), fc.string({ maxLength: 40 }), (fields, surrounding) => {
        const noisy = formatTd3Mrz(fields).map((line) => line.toLowerCase().replace(/<</g, '< <').replace(/</g, '«'));
        const text = [surrounding.replace(/[<«‹]/g, ''), ...noisy, surrounding.replace(/[<«‹]/g, '')].join('\n');
        expect(parseMrz(text)).toMatchObject(expectedReading(fields));
      }),
      { numRuns: 200 },
    );
  });
});

const personName = fc
  .array(fc.string({ unit: fc.constantFrom(...'abcdeiloruyzABCDEILORUYZ'), minLength: 1, maxLength: 8 }), {
    minLength: 1,
    maxLength: 4,
  })
  .map((words) => words.join(' '));

const ACCENTED: Record<string, string> = { A: 'Á', E: 'Ë', I: 'Î', O: 'Ö', U: 'Ù', Y: 'Ý', Z: 'Ž', C: 'Ç' };
const withDiacritics = (name: string) =>
  name.replace(/[AEIOUYZC]/gi, (letter) => ACCENTED[letter.toUpperCase()] ?? letter);

describe('matchNames', () => {
  it('is symmetric', () => {
    fc.assert(
      fc.property(fc.oneof(personName, hostileText), fc.oneof(personName, hostileText), (a, b) => {
        expect(matchNames(a, b)).toBe(matchNames(b, a));
      }),
      { numRuns: 500 },
    );
  });

  it('ignores case and diacritics', () => {
    fc.assert(
      fc.property(personName, personName, (a, b) => {
        const expected = matchNames(a, b);
        expect(matchNames(a.toUpperCase(), b)).toBe(expected);
        expect(matchNames(a.toLowerCase(), b.toUpperCase())).toBe(expected);
        expect(matchNames(withDiacritics(a), b)).toBe(expected);
        expect(matchNames(withDiacritics(a).normalize('NFD'), withDiacritics(b))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every name an exact match for itself', () => {
    fc.assert(
      fc.property(personName, (name) => {
        expect(matchNames(name, withDiacritics(name).toUpperCase())).toBe('EXACT');
      }),
    );
  });
});

const duplicateIdentity = fc.record({ userId: fc.nat(), on: fc.constantFrom('DOCUMENT', 'IDENTITY') });
const score = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom(0.4999, 0.5, 0.7999, 0.8, 0.8999, 0.9),
  fc.double(),
);
const similarityValue = fc.oneof(fc.constant(null), score);
const documentOutcome: fc.Arbitrary<DocumentOutcome> = fc.oneof(
  fc.record({
    status: fc.constant('READ' as const),
    expired: fc.boolean(),
    checkDigitsValid: fc.constantFrom(true, false, null),
    fieldsComplete: fc.boolean(),
    duplicates: fc.option(fc.array(duplicateIdentity, { maxLength: 2 }), { nil: undefined }),
  }),
  fc.record({
    status: fc.constant('UNREADABLE' as const),
    cause: fc.constantFrom('NO_IDENTITY_DATA', 'UNSUPPORTED_IMAGE', 'OCR_ERROR'),
  }),
);
const faceOutcome: fc.Arbitrary<FaceOutcome> = fc.oneof(
  fc.record({
    status: fc.constant('COMPARED' as const),
    similarity: fc.oneof(
      fc.constant(null),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom(0.4999, 0.5, 0.8999, 0.9, 0.93),
      fc.double(),
    ),
    liveness: fc.constantFrom('PASSED', 'FAILED', 'NOT_PERFORMED'),
    selfieQuality: fc.constantFrom('OK', 'NO_FACE', 'MULTIPLE_FACES', 'POOR_QUALITY'),
    livenessSessionRefused: fc.option(fc.constantFrom('OTHER_USER', 'ALREADY_USED', 'EXPIRED', 'UNKNOWN'), {
      nil: undefined,
    }),
    livenessReference: fc.option(fc.record({ selfie: similarityValue, document: similarityValue }), { nil: undefined }),
    sameFaceAs: fc.option(fc.array(fc.record({ userId: fc.nat(), similarity: score }), { maxLength: 2 }), {
      nil: undefined,
    }),
  }),
  fc.record({ status: fc.constant('ERROR' as const), cause: fc.constantFrom('UNSUPPORTED_IMAGE', 'SERVICE_ERROR') }),
);
const registerOutcome: fc.Arbitrary<RegisterOutcome> = fc.oneof(
  fc.record({
    status: fc.constant('CHECKED' as const),
    standing: fc.constantFrom(...REGISTER_STANDINGS),
    nameMatch: fc.constantFrom('EXACT', 'MIDDLE_NAME_MISSING', 'MISMATCH'),
  }),
  fc.constant({ status: 'TIMEOUT' as const }),
  fc.record({
    status: fc.constant('ERROR' as const),
    cause: fc.constantFrom('RUN_FAILED', 'NO_ACTOR_CONFIGURED', 'BAD_RESPONSE'),
  }),
);
const outcomes: fc.Arbitrary<CheckOutcomes> = fc.record(
  {
    document: documentOutcome,
    face: faceOutcome,
    register: registerOutcome,
    registrationAlsoClaimedBy: fc.array(fc.nat(), { maxLength: 2 }),
  },
  { requiredKeys: ['document', 'face', 'register'] },
);
const ratio = fc.double({ min: 0, max: 1, noNaN: true });
const anyThresholds: fc.Arbitrary<PolicyThresholds> = fc
  .record({ a: ratio, b: ratio, livenessSelfieMatch: ratio, livenessDocumentMatch: ratio, duplicateFace: ratio })
  .map(({ a, b, ...rest }) => ({ faceFail: Math.min(a, b), facePass: Math.max(a, b), ...rest }));
/** The policy file as it is, or its rule table under any thresholds (as a later version could set them). */
const policyArbitrary = (policy: DecisionPolicy): fc.Arbitrary<DecisionPolicy> =>
  fc.oneof(
    fc.constant(policy),
    anyThresholds.map((thresholds) => ({ ...policy, thresholds })),
  );

/** The reference image is below a liveness threshold, or off the 0..1 scale. */
const offBelow = (similarity: number | null, threshold: number) =>
  similarity !== null && !(similarity >= threshold && similarity <= 1);

/** The mandatory fail conditions, which every policy must fail on (MANDATORY_FAIL_REASONS). */
function failConditionHolds({ document, face, register }: CheckOutcomes, limits: PolicyThresholds): boolean {
  const { faceFail } = limits;
  return (
    (document.status === 'READ' && document.expired) ||
    (face.status === 'COMPARED' &&
      (face.livenessSessionRefused === 'OTHER_USER' ||
        face.livenessSessionRefused === 'ALREADY_USED' ||
        (!face.livenessSessionRefused &&
          face.livenessReference !== undefined &&
          (offBelow(face.livenessReference.selfie, limits.livenessSelfieMatch) ||
            offBelow(face.livenessReference.document, limits.livenessDocumentMatch))))) ||
    (register.status === 'CHECKED' && ['SUSPENDED', 'REMOVED', 'NOT_LICENSED'].includes(register.standing)) ||
    (face.status === 'COMPARED' &&
      (face.liveness === 'FAILED' ||
        // A selfie with no face is never compared, whatever similarity the generator made up for it.
        (face.selfieQuality !== 'NO_FACE' &&
          face.similarity !== null &&
          face.similarity >= 0 &&
          face.similarity < faceFail)))
  );
}

describe.each(allPolicies().map((policy) => [policy.version, policy] as const))(
  'decide under policy %s',
  (_, policyFile) => {
    const policies = policyArbitrary(policyFile);
    const canonicalOrder: string[] = [...FAIL_REASONS, ...REVIEW_REASONS];

    it('fails, and never passes, when any fail condition holds', () => {
      fc.assert(
        fc.property(outcomes, policies, (checks, policy) => {
          const { decision } = decide(checks, policy);
          if (failConditionHolds(checks, policy.thresholds)) expect(decision).toBe('FAIL');
        }),
        { numRuns: 2_000 },
      );
    });

    it('never passes one person behind two accounts, and sends it to a person unless something fails', () => {
      fc.assert(
        fc.property(outcomes, policies, (checks, policy) => {
          const { decision, reasons } = decide(checks, policy);
          const { document, face } = checks;
          const twoAccounts =
            (document.status === 'READ' && (document.duplicates ?? []).length > 0) ||
            (face.status === 'COMPARED' &&
              (face.sameFaceAs ?? []).some(({ similarity }) => similarity >= policy.thresholds.duplicateFace)) ||
            (checks.registrationAlsoClaimedBy ?? []).length > 0;
          if (twoAccounts) {
            expect(decision).not.toBe('PASS');
            expect(
              reasons.some((reason) => reason.startsWith('DUPLICATE_') || reason === 'REGISTRATION_CLAIMED_TWICE'),
            ).toBe(true);
          }
          if (
            twoAccounts &&
            !failConditionHolds(checks, policy.thresholds) &&
            !reasons.some((reason) => failsUnder(policy, reason))
          ) {
            expect(decision).toBe('MANUAL_REVIEW');
          }
        }),
        { numRuns: 2_000 },
      );
    });

    it('passes exactly when there are no reasons, and gives unique reasons in a fixed order', () => {
      fc.assert(
        fc.property(outcomes, policies, (checks, policy) => {
          const { decision, reasons } = decide(checks, policy);
          expect(decision === 'PASS').toBe(reasons.length === 0);
          expect(decision === 'FAIL').toBe(reasons.some((reason) => failsUnder(policy, reason)));
          const positions = reasons.map((reason) => canonicalOrder.indexOf(reason));
          expect(
            positions.every(
              (position, index) => position >= 0 && (index === 0 || position > (positions[index - 1] ?? -1)),
            ),
          ).toBe(true);
        }),
        { numRuns: 2_000 },
      );
    });
  },
);
