/**
 * What an identity document says, whichever way it was read (an MRZ, a UK driving licence's numbered fields, or
 * Textract AnalyzeID's fields), and the entry points the document activity calls.
 */
import { parseUkDrivingLicence } from './driving-licence.ts';
import { parseMrz } from './mrz.ts';
import { fullNameOf } from './names.ts';
import type { DocumentOutcome } from './outcomes.ts';
import { calendarDate, type DocumentProblem, type ParsedIdentityDocument } from './parsed-document.ts';

/** Stored with every scan, so a re-read by a later parser can be told apart. */
export const PARSER_VERSION = '1.0.0';

/** One Textract AnalyzeID field (IdentityDocumentFields), keyed by its normalised type. */
export interface IdentityFieldValue {
  text: string;
  normalized?: string;
  confidence: number;
}

/** Reads OCR lines: an MRZ wherever it appears, else a UK photocard driving licence; null when neither is there. */
export function parseDocumentText(lines: string[]): ParsedIdentityDocument | null {
  return parseMrz(lines.join('\n')) ?? parseUkDrivingLicence(lines);
}

const MONTHS = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
] as const;

/** 1–12 for a month's name or an abbreviation of at least three letters ("SEP", "SEPT"), else 0. */
function monthNumber(name: string): number {
  return MONTHS.findIndex((month) => name.length >= 3 && month.startsWith(name)) + 1;
}

/**
 * A date as printed on an ID: "14 FEB 1985", "FEB 14, 1985", "14.02.1985", "1985-02-14", or "02/14/1985". Slashed
 * dates are read only when unambiguous (one part above 12, or both equal), because US documents put the month first
 * and UK ones the day. Two-digit years are not read: the century would be a guess.
 */
function parseWrittenDate(text: string): string | null {
  const upper = text.trim().toUpperCase();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(upper);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const dayFirst = /^(\d{1,2})[\s.\-/]*([A-Z]{3,9})[\s.\-/,]*(\d{4})$/.exec(upper);
  if (dayFirst) return calendarDate(Number(dayFirst[3]), monthNumber(dayFirst[2] ?? ''), Number(dayFirst[1]));
  const monthFirst = /^([A-Z]{3,9})[\s.]*(\d{1,2}),?\s*(\d{4})$/.exec(upper);
  if (monthFirst) return calendarDate(Number(monthFirst[3]), monthNumber(monthFirst[1] ?? ''), Number(monthFirst[2]));
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(upper);
  if (dotted) return calendarDate(Number(dotted[3]), Number(dotted[2]), Number(dotted[1]));
  const slashed = /^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$/.exec(upper);
  if (!slashed) return null;
  const first = Number(slashed[1]);
  const second = Number(slashed[2]);
  const year = Number(slashed[3]);
  if (first > 12 || first === second) return calendarDate(year, second, first);
  if (second > 12) return calendarDate(year, first, second);
  return null;
}

/** Textract's `normalized` value ("1985-02-14T00:00:00") when it gives one, else the printed text. */
function fieldDate(field: IdentityFieldValue | undefined): { date: string | null; present: boolean } {
  const source = field?.normalized?.trim() || field?.text.trim() || '';
  return { date: source === '' ? null : parseWrittenDate(source), present: source !== '' };
}

function upperName(text: string): string | null {
  const name = text.toUpperCase().replace(/\s+/g, ' ').trim();
  return name === '' ? null : name;
}

/** Textract's ID_TYPE is "PASSPORT", "DRIVER LICENSE FRONT" or "OTHER"; anything but the first two is an ID card. */
function documentTypeOf(idType: string): ParsedIdentityDocument['documentType'] {
  const upper = idType.toUpperCase();
  if (upper.includes('PASSPORT')) return 'PASSPORT';
  if (upper.includes('DRIVER') || upper.includes('DRIVING')) return 'DRIVING_LICENCE';
  return 'ID_CARD';
}

/**
 * Reads Textract AnalyzeID fields. An MRZ_CODE that parses wins outright: its check digits make it the most reliable
 * reading. Otherwise the named fields are used, with no check digits to verify (`checkDigitsValid: null`) — unless
 * an MRZ was there but unreadable, which leaves a passport's check digits unverified and so counts as invalid.
 * SUFFIX is left out of the name: registers rarely show "JR" or "III", and name matching compares last tokens.
 * Returns null when the fields hold no name, date or document number.
 */
export function parseIdentityFields(fields: Record<string, IdentityFieldValue>): ParsedIdentityDocument | null {
  const text = (type: string) => fields[type]?.text.trim() ?? '';
  const mrzText = text('MRZ_CODE');
  const fromMrz = mrzText === '' ? null : parseMrz(mrzText);
  if (fromMrz) return fromMrz;

  const surname = upperName(text('LAST_NAME'));
  const givenNames = upperName(`${text('FIRST_NAME')} ${text('MIDDLE_NAME')}`);
  const documentNumber = text('DOCUMENT_NUMBER') || null;
  const birth = fieldDate(fields.DATE_OF_BIRTH);
  const expiry = fieldDate(fields.EXPIRATION_DATE);
  if (surname === null && givenNames === null && documentNumber === null && !birth.present && !expiry.present) {
    return null;
  }

  const problems: DocumentProblem[] = [];
  if (mrzText !== '') problems.push('MRZ_UNREADABLE');
  if (surname === null && givenNames === null) problems.push('MISSING_NAME');
  if (!birth.present) problems.push('MISSING_BIRTH_DATE');
  else if (birth.date === null) problems.push('INVALID_BIRTH_DATE');
  if (!expiry.present) problems.push('MISSING_EXPIRY');
  else if (expiry.date === null) problems.push('INVALID_EXPIRY_DATE');
  if (documentNumber === null) problems.push('MISSING_DOCUMENT_NUMBER');

  return {
    source: 'TEXTRACT_FIELDS',
    documentType: documentTypeOf(text('ID_TYPE')),
    surname,
    givenNames,
    fullName: fullNameOf(givenNames, surname),
    birthDate: birth.date,
    expiryDate: expiry.date,
    documentNumber,
    // AnalyzeID's STATE_NAME is a US state, not the issuing country an MRZ gives.
    issuingState: null,
    nationality: null,
    checkDigitsValid: mrzText === '' ? null : false,
    problems,
  };
}

/**
 * The outcome the decision policy sees. A document is valid through its expiry date, so it is expired only from
 * the day after. An unknown expiry is not "expired", but leaves the fields incomplete. A driving licence has no
 * check digits, but a driver number that contradicts the licence's own name or birth date is the same kind of
 * internal inconsistency, so it is reported as invalid check digits.
 */
export function toDocumentOutcome(
  parsed: Pick<
    ParsedIdentityDocument,
    'fullName' | 'birthDate' | 'expiryDate' | 'checkDigitsValid' | 'problems'
  > | null,
  today: string,
): DocumentOutcome {
  if (parsed === null) return { status: 'UNREADABLE', cause: 'NO_IDENTITY_DATA' };
  const internallyInconsistent = parsed.problems.includes('DRIVER_NUMBER_MISMATCH');
  return {
    status: 'READ',
    expired: parsed.expiryDate !== null && parsed.expiryDate < today,
    checkDigitsValid: internallyInconsistent ? false : parsed.checkDigitsValid,
    fieldsComplete: parsed.fullName !== null && parsed.birthDate !== null && parsed.expiryDate !== null,
  };
}
