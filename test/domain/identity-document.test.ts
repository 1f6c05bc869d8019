import { describe, expect, it } from 'vitest';
import {
  type IdentityFieldValue,
  parseDocumentText,
  parseIdentityFields,
  toDocumentOutcome,
} from '../../src/domain/identity-document.ts';
import type { DocumentOutcome } from '../../src/domain/outcomes.ts';
import type { ParsedIdentityDocument } from '../../src/domain/parsed-document.ts';

function field(text: string, normalized?: string): IdentityFieldValue {
  return normalized === undefined ? { text, confidence: 98.7 } : { text, normalized, confidence: 98.7 };
}

/** AnalyzeID on a US passport: every passport field type, empty ones included, as Textract returns them. */
const US_PASSPORT_FIELDS: Record<string, IdentityFieldValue> = {
  FIRST_NAME: field('SARAH'),
  LAST_NAME: field('MARTIN'),
  MIDDLE_NAME: field(''),
  DOCUMENT_NUMBER: field('963545637'),
  EXPIRATION_DATE: field('14 APR 2032', '2032-04-14T00:00:00'),
  DATE_OF_BIRTH: field('05 MAR 1990', '1990-03-05T00:00:00'),
  DATE_OF_ISSUE: field('15 APR 2022', '2022-04-15T00:00:00'),
  PLACE_OF_BIRTH: field('TEXAS, U.S.A.'),
  ID_TYPE: field('PASSPORT'),
  MRZ_CODE: field('P<USAMARTIN<<SARAH<<<<<<<<<<<<<<<<<<<<<<<<<<\n9635456374USA9003059F3204142<<<<<<<<<<<<<<<2'),
};

/** AnalyzeID on the mock Massachusetts licence in AWS's documentation. */
const US_LICENCE_FIELDS: Record<string, IdentityFieldValue> = {
  FIRST_NAME: field('MARIA'),
  LAST_NAME: field('GARCIA'),
  MIDDLE_NAME: field(''),
  SUFFIX: field(''),
  CITY_IN_ADDRESS: field('BIGTOWN'),
  ZIP_CODE_IN_ADDRESS: field('02801'),
  STATE_IN_ADDRESS: field('MA'),
  STATE_NAME: field('MASSACHUSETTS'),
  DOCUMENT_NUMBER: field('736HDV7874JSB'),
  EXPIRATION_DATE: field('01/20/2028', '2028-01-20T00:00:00'),
  DATE_OF_BIRTH: field('03/18/2001', '2001-03-18T00:00:00'),
  DATE_OF_ISSUE: field('03/18/2018', '2018-03-18T00:00:00'),
  ID_TYPE: field('DRIVER LICENSE FRONT'),
  ENDORSEMENTS: field('NONE'),
  VETERAN: field(''),
  RESTRICTIONS: field('NONE'),
  CLASS: field('D'),
  ADDRESS: field('100 MARKET STREET'),
  COUNTY: field(''),
  PLACE_OF_BIRTH: field(''),
  MRZ_CODE: field(''),
};

describe('parseIdentityFields', () => {
  it('prefers the MRZ of a passport', () => {
    expect(parseIdentityFields(US_PASSPORT_FIELDS)).toEqual({
      source: 'MRZ_TD3',
      documentType: 'PASSPORT',
      surname: 'MARTIN',
      givenNames: 'SARAH',
      fullName: 'SARAH MARTIN',
      birthDate: '1990-03-05',
      expiryDate: '2032-04-14',
      documentNumber: '963545637',
      issuingState: 'USA',
      nationality: 'USA',
      checkDigitsValid: true,
      problems: [],
    });
  });

  it('reads a driving licence from its fields, with no check digits', () => {
    expect(parseIdentityFields(US_LICENCE_FIELDS)).toEqual({
      source: 'TEXTRACT_FIELDS',
      documentType: 'DRIVING_LICENCE',
      surname: 'GARCIA',
      givenNames: 'MARIA',
      fullName: 'MARIA GARCIA',
      birthDate: '2001-03-18',
      expiryDate: '2028-01-20',
      documentNumber: '736HDV7874JSB',
      issuingState: null,
      nationality: null,
      checkDigitsValid: null,
      problems: [],
    });
  });

  it('falls back to the fields when the MRZ is unreadable, and counts its check digits as unverified', () => {
    const parsed = parseIdentityFields({ ...US_PASSPORT_FIELDS, MRZ_CODE: field('P<USAMARTIN<<SARAH\n96354563') });
    expect(parsed).toMatchObject({
      source: 'TEXTRACT_FIELDS',
      documentType: 'PASSPORT',
      fullName: 'SARAH MARTIN',
      birthDate: '1990-03-05',
      checkDigitsValid: false,
      problems: ['MRZ_UNREADABLE'],
    });
  });

  it('joins first and middle names, in lower case as read', () => {
    const parsed = parseIdentityFields({
      ...US_LICENCE_FIELDS,
      FIRST_NAME: field('Jane'),
      MIDDLE_NAME: field('Ann'),
      LAST_NAME: field('Doe'),
      SUFFIX: field('JR'),
    });
    expect(parsed).toMatchObject({ givenNames: 'JANE ANN', surname: 'DOE', fullName: 'JANE ANN DOE' });
  });

  it.each([
    ['a normalised timestamp', field('14 FEB 1985', '1985-02-14T00:00:00'), '1985-02-14'],
    ['day, month name, year', field('14 FEB 1985'), '1985-02-14'],
    ['a full month name', field('14 February 1985'), '1985-02-14'],
    ['month name first', field('Feb 14, 1985'), '1985-02-14'],
    ['an abbreviation of four letters', field('14 SEPT 1985'), '1985-09-14'],
    ['month first, unambiguous', field('02/14/1985'), '1985-02-14'],
    ['day first, unambiguous', field('14/02/1985'), '1985-02-14'],
    ['the same day and month', field('05/05/1985'), '1985-05-05'],
    ['UK dotted', field('14.02.1985'), '1985-02-14'],
    ['ISO', field('1985-02-14'), '1985-02-14'],
  ])('reads a birth date given as %s', (_, dateOfBirth, expected) => {
    expect(parseIdentityFields({ ...US_LICENCE_FIELDS, DATE_OF_BIRTH: dateOfBirth })?.birthDate).toBe(expected);
  });

  it.each([
    ['an ambiguous slashed date', field('03/04/1985'), 'INVALID_BIRTH_DATE'],
    ['a two-digit year', field('14 FEB 85'), 'INVALID_BIRTH_DATE'],
    ['a day that does not exist', field('30 FEB 1985'), 'INVALID_BIRTH_DATE'],
    ['an unknown month', field('14 FOO 1985'), 'INVALID_BIRTH_DATE'],
    ['nothing', field(''), 'MISSING_BIRTH_DATE'],
  ])('reports %s', (_, dateOfBirth, problem) => {
    const parsed = parseIdentityFields({ ...US_LICENCE_FIELDS, DATE_OF_BIRTH: dateOfBirth });
    expect(parsed?.birthDate).toBeNull();
    expect(parsed?.problems).toEqual([problem]);
  });

  it('reports every missing field', () => {
    const parsed = parseIdentityFields({ LAST_NAME: field('GARCIA'), ID_TYPE: field('OTHER') });
    expect(parsed).toMatchObject({
      documentType: 'ID_CARD',
      fullName: 'GARCIA',
      problems: ['MISSING_BIRTH_DATE', 'MISSING_EXPIRY', 'MISSING_DOCUMENT_NUMBER'],
    });
  });

  it.each([
    ['no fields', {}],
    ['only empty fields', { FIRST_NAME: field(''), LAST_NAME: field('  '), MRZ_CODE: field('') }],
    ['only non-identity fields', { ID_TYPE: field('OTHER'), CLASS: field('D'), STATE_NAME: field('OHIO') }],
  ])('returns null for %s', (_, fields) => {
    expect(parseIdentityFields(fields)).toBeNull();
  });
});

describe('parseDocumentText', () => {
  const passportPage = [
    'PASSPORT',
    'Surname/Nom (1)',
    'DOE',
    'P<GBRDOE<<JANE<ANN<<<<<<<<<<<<<<<<<<<<<<<<<<',
    '5334013720GBR8502142F3105010<<<<<<<<<<<<<<<8',
  ];
  it.each([
    ['a passport page, from its MRZ', passportPage, { source: 'MRZ_TD3', fullName: 'JANE ANN DOE' }],
    [
      'a UK licence',
      ['1. MORGAN', '2. SARAH MEREDYTH', '3. 11.03.1976 UNITED KINGDOM', '4b. 18.01.2023', '5. MORGA753116SM9IJ 35'],
      { source: 'UK_DRIVING_LICENCE', fullName: 'SARAH MEREDYTH MORGAN' },
    ],
    [
      'an MRZ before licence-like lines',
      ['1. SMITH', '3. 01.01.1990', ...passportPage],
      { source: 'MRZ_TD3', fullName: 'JANE ANN DOE' },
    ],
  ])('reads %s', (_, lines, expected) => {
    expect(parseDocumentText(lines)).toMatchObject(expected);
  });

  it('returns null for text that is no identity document', () => {
    expect(parseDocumentText(['Council tax bill', 'Amount due £1,234.00'])).toBeNull();
  });
});

describe('toDocumentOutcome', () => {
  const read: ParsedIdentityDocument = {
    source: 'MRZ_TD3',
    documentType: 'PASSPORT',
    surname: 'DOE',
    givenNames: 'JANE ANN',
    fullName: 'JANE ANN DOE',
    birthDate: '1985-02-14',
    expiryDate: '2031-05-01',
    documentNumber: '533401372',
    issuingState: 'GBR',
    nationality: 'GBR',
    checkDigitsValid: true,
    problems: [],
  };
  const licence: ParsedIdentityDocument = { ...read, source: 'UK_DRIVING_LICENCE', checkDigitsValid: null };

  it.each<[string, ParsedIdentityDocument | null, DocumentOutcome]>([
    ['nothing read', null, { status: 'UNREADABLE', cause: 'NO_IDENTITY_DATA' }],
    ['a valid passport', read, { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: true }],
    [
      'a passport expiring today',
      { ...read, expiryDate: '2026-03-01' },
      { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: true },
    ],
    [
      'a passport that expired yesterday',
      { ...read, expiryDate: '2026-02-28' },
      { status: 'READ', expired: true, checkDigitsValid: true, fieldsComplete: true },
    ],
    [
      'an unknown expiry',
      { ...read, expiryDate: null },
      { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: false },
    ],
    [
      'no birth date',
      { ...read, birthDate: null },
      { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: false },
    ],
    [
      'no name',
      { ...read, surname: null, givenNames: null, fullName: null },
      { status: 'READ', expired: false, checkDigitsValid: true, fieldsComplete: false },
    ],
    [
      'failed check digits',
      { ...read, checkDigitsValid: false },
      { status: 'READ', expired: false, checkDigitsValid: false, fieldsComplete: true },
    ],
    ['a licence', licence, { status: 'READ', expired: false, checkDigitsValid: null, fieldsComplete: true }],
    [
      'a licence whose driver number contradicts it',
      { ...licence, problems: ['DRIVER_NUMBER_MISMATCH'] },
      { status: 'READ', expired: false, checkDigitsValid: false, fieldsComplete: true },
    ],
  ])('%s', (_, parsed, expected) => {
    expect(toDocumentOutcome(parsed, '2026-03-01')).toEqual(expected);
  });
});
