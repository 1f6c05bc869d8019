/**
 * ICAO Doc 9303 machine-readable zones: TD3 (passport booklets, 2 lines of 44) and TD1 (identity cards and residence
 * permits, 3 lines of 30). Reads an MRZ out of OCR text, verifying every check digit, and writes MRZ lines for
 * synthetic documents.
 */

import { fullNameOf, toLatinUpperCase } from './names.ts';
import { calendarDate, type DocumentProblem, type ParsedIdentityDocument } from './parsed-document.ts';

export interface MrzFields {
  /** 'P' (default) for TD3; 'I' (default), 'A' or 'C' for TD1; a second letter gives the document's own sub-type. */
  documentCode?: string;
  /** ISO 3166-1 alpha-3 code, or ICAO's one- and two-letter variants such as 'D'. */
  issuingState: string;
  surname: string;
  givenNames: string;
  documentNumber: string;
  nationality: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: 'M' | 'F' | 'X';
  /** YYYY-MM-DD */
  expiryDate: string;
  personalNumber?: string;
}

const FILLER = '<';
const TD3_WIDTH = 44;
const TD1_WIDTH = 30;
const CHECK_DIGIT_WEIGHTS = [7, 3, 1] as const;

/** ICAO 9303 Part 3: digits count as themselves, A–Z as 10–35 and the filler as 0, weighted 7, 3, 1 in turn. */
export function checkDigit(field: string): string {
  let sum = 0;
  for (let index = 0; index < field.length; index++) {
    const code = field.charCodeAt(index);
    const value = code >= 48 && code <= 57 ? code - 48 : code >= 65 && code <= 90 ? code - 55 : 0;
    sum += value * (CHECK_DIGIT_WEIGHTS[index % 3] ?? 0);
  }
  return String(sum % 10);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

/**
 * OCR engines read the filler as a guillemet; `«` may stand for one filler or two, so both readings are tried and
 * the one that gives MRZ-width lines is kept. No other character is ever substituted.
 */
const GUILLEMETS = /[«‹]/g;
const MRZ_LINE = /^[A-Z0-9<]+$/;

function widthOf(line: string): number | null {
  if (line.length === 0) return null;
  if (line.length % TD3_WIDTH === 0) return TD3_WIDTH;
  if (line.length % TD1_WIDTH === 0) return TD1_WIDTH;
  return null;
}

/**
 * The text's lines as MRZ lines, or null for a line that cannot be one. Spaces are dropped, lower-case ASCII letters
 * raised, and a line holding several MRZ lines run together (as some engines return them) is cut back into lines.
 */
function mrzLines(text: string): (string | null)[] {
  return text.split(/\r\n|[\n\r\v\f\u2028\u2029]/).flatMap((raw) => {
    const compact = raw.replace(/\s+/g, '').replace(/[a-z]/g, (letter) => letter.toUpperCase());
    const readings = [compact.replace(GUILLEMETS, FILLER), compact.replace(GUILLEMETS, FILLER.repeat(2))];
    const line = readings.find((reading) => MRZ_LINE.test(reading) && widthOf(reading) !== null);
    const width = line === undefined ? null : widthOf(line);
    if (line === undefined || width === null) return [null];
    return Array.from({ length: line.length / width }, (_, index) => line.slice(index * width, (index + 1) * width));
  });
}

const SEX_CODES = new Set(['M', 'F', 'X', FILLER]);

/** Document code and the sex position tell an MRZ from other lines of capitals that happen to have its width. */
function isTd3(first: string, second: string): boolean {
  return (
    first.length === TD3_WIDTH &&
    first.startsWith('P') &&
    second.length === TD3_WIDTH &&
    SEX_CODES.has(second[20] ?? '')
  );
}

function isTd1(first: string, second: string, third: string): boolean {
  return (
    first.length === TD1_WIDTH &&
    /^[IAC]/.test(first) &&
    second.length === TD1_WIDTH &&
    SEX_CODES.has(second[7] ?? '') &&
    third.length === TD1_WIDTH
  );
}

/** Finds a TD3 or TD1 MRZ anywhere in OCR text (the first, if several); null when there is none. Never throws. */
export function parseMrz(text: string): ParsedIdentityDocument | null {
  const lines = mrzLines(text);
  for (let index = 0; index < lines.length; index++) {
    const first = lines[index];
    const second = lines[index + 1];
    const third = lines[index + 2];
    if (first && second && isTd3(first, second)) return readTd3(first, second);
    if (first && second && third && isTd1(first, second, third)) return readTd1(first, second, third);
  }
  return null;
}

/** The TD3 composite check digit covers line 2's number, dates and personal number, each with its check digit. */
function td3Composite(line2: string): string {
  return line2.slice(0, 10) + line2.slice(13, 20) + line2.slice(21, 43);
}

/** The TD1 composite covers line 1 from the document number on, and line 2's dates and optional data. */
function td1Composite(line1: string, line2: string): string {
  return line1.slice(5, 30) + line2.slice(0, 7) + line2.slice(8, 15) + line2.slice(18, 29);
}

function isFiller(field: string): boolean {
  return /^<*$/.test(field);
}

function withoutFillers(field: string): string | null {
  const value = field.replace(/<+$/, '');
  return value === '' ? null : value;
}

/** A check digit is valid only as the digit the field computes to; a field left empty may also carry a filler. */
function checkDigitValid(field: string, digit: string | undefined, emptyMayUseFiller = false): boolean {
  if (emptyMayUseFiller && isFiller(field) && (digit === FILLER || digit === '0')) return true;
  return digit === checkDigit(field);
}

function readName(field: string): { surname: string | null; givenNames: string | null } {
  const [primary = '', ...secondary] = field.replace(/<+$/, '').split('<<');
  const readable = (part: string) => part.replace(/</g, ' ').replace(/\s+/g, ' ').trim() || null;
  return { surname: readable(primary), givenNames: readable(secondary.join(' ')) };
}

/**
 * Two-digit years. Expiry years are read as 20YY: a document that expired before 2000 is expired either way. The
 * parser has no "today" to anchor birth years to, so it uses the document's own expiry: a holder is born before
 * their document expires, so the birth date is the latest date with those digits that is not after the expiry date.
 * That misreads only holders born a century or more before their document expires, i.e. people in their nineties.
 */
function birthYearBefore(expiryYear: number, birthField: string, expiryField: string): number {
  const sameCentury = expiryYear - (expiryYear % 100) + Number(birthField.slice(0, 2));
  return birthField > expiryField ? sameCentury - 100 : sameCentury;
}

function readDates(birthField: string, expiryField: string) {
  const problems: DocumentProblem[] = [];
  const expiryYear = /^\d\d/.test(expiryField) ? 2000 + Number(expiryField.slice(0, 2)) : null;
  const expiryDate = readDate(expiryField, expiryYear);
  if (expiryDate === undefined) problems.push('MISSING_EXPIRY');
  else if (expiryDate === null) problems.push('INVALID_EXPIRY_DATE');

  const birthYear = expiryYear === null ? null : birthYearBefore(expiryYear, birthField, expiryField);
  const birthDate = readDate(birthField, birthYear);
  if (birthDate === undefined) {
    problems.push('MISSING_BIRTH_DATE');
  } else if (birthDate === null) {
    // Without an expiry year there is no century to put a well-formed birth date in.
    const centuryUnknown = birthYear === null && /^\d{6}$/.test(birthField);
    problems.push(centuryUnknown ? 'BIRTH_CENTURY_UNKNOWN' : 'INVALID_BIRTH_DATE');
  }

  return { birthDate: birthDate ?? null, expiryDate: expiryDate ?? null, problems };
}

/** undefined when the field is all fillers, null when it is not a real date. */
function readDate(yymmdd: string, year: number | null): string | null | undefined {
  if (isFiller(yymmdd)) return undefined;
  if (year === null || !/^\d{6}$/.test(yymmdd)) return null;
  return calendarDate(year, Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6)));
}

interface MrzReading {
  source: 'MRZ_TD3' | 'MRZ_TD1';
  nameField: string;
  issuingStateField: string;
  nationalityField: string;
  documentNumber: string;
  birthField: string;
  expiryField: string;
  checkDigitProblems: DocumentProblem[];
}

function toParsedDocument(reading: MrzReading): ParsedIdentityDocument {
  const { surname, givenNames } = readName(reading.nameField);
  const dates = readDates(reading.birthField, reading.expiryField);
  const documentNumber = withoutFillers(reading.documentNumber);
  const problems: DocumentProblem[] = [...reading.checkDigitProblems, ...dates.problems];
  if (surname === null && givenNames === null) problems.push('MISSING_NAME');
  if (documentNumber === null) problems.push('MISSING_DOCUMENT_NUMBER');
  return {
    source: reading.source,
    documentType: reading.source === 'MRZ_TD3' ? 'PASSPORT' : 'ID_CARD',
    surname,
    givenNames,
    fullName: fullNameOf(givenNames, surname),
    birthDate: dates.birthDate,
    expiryDate: dates.expiryDate,
    documentNumber,
    issuingState: withoutFillers(reading.issuingStateField.replace(/</g, '')),
    nationality: withoutFillers(reading.nationalityField.replace(/</g, '')),
    checkDigitsValid: reading.checkDigitProblems.length === 0,
    problems,
  };
}

function readTd3(line1: string, line2: string): ParsedIdentityDocument {
  const documentNumber = line2.slice(0, 9);
  const birthField = line2.slice(13, 19);
  const expiryField = line2.slice(21, 27);
  const personalNumber = line2.slice(28, 42);
  const checkDigitProblems: DocumentProblem[] = [];
  if (!checkDigitValid(documentNumber, line2[9])) checkDigitProblems.push('CHECK_DIGIT_DOCUMENT_NUMBER');
  if (!checkDigitValid(birthField, line2[19])) checkDigitProblems.push('CHECK_DIGIT_BIRTH_DATE');
  if (!checkDigitValid(expiryField, line2[27])) checkDigitProblems.push('CHECK_DIGIT_EXPIRY_DATE');
  if (!checkDigitValid(personalNumber, line2[42], true)) checkDigitProblems.push('CHECK_DIGIT_PERSONAL_NUMBER');
  if (!checkDigitValid(td3Composite(line2), line2[43])) checkDigitProblems.push('CHECK_DIGIT_COMPOSITE');
  return toParsedDocument({
    source: 'MRZ_TD3',
    nameField: line1.slice(5),
    issuingStateField: line1.slice(2, 5),
    nationalityField: line2.slice(10, 13),
    documentNumber,
    birthField,
    expiryField,
    checkDigitProblems,
  });
}

/**
 * TD1 optional data fields carry no check digits of their own (they are national), but the composite covers them.
 * A document number longer than nine characters continues in optional data 1: its check-digit position holds a
 * filler, and the rest of the number is followed by its check digit and a filler (ICAO 9303 Part 5).
 */
function readTd1(line1: string, line2: string, line3: string): ParsedIdentityDocument {
  const principal = line1.slice(5, 14);
  const continuation = line1[14] === FILLER ? (line1.slice(15).split(FILLER)[0] ?? '') : '';
  const documentNumber = continuation === '' ? principal : principal + continuation.slice(0, -1);
  const documentNumberDigit = continuation === '' ? line1[14] : continuation.at(-1);
  const birthField = line2.slice(0, 6);
  const expiryField = line2.slice(8, 14);
  const checkDigitProblems: DocumentProblem[] = [];
  if (!checkDigitValid(documentNumber, documentNumberDigit)) checkDigitProblems.push('CHECK_DIGIT_DOCUMENT_NUMBER');
  if (!checkDigitValid(birthField, line2[6])) checkDigitProblems.push('CHECK_DIGIT_BIRTH_DATE');
  if (!checkDigitValid(expiryField, line2[14])) checkDigitProblems.push('CHECK_DIGIT_EXPIRY_DATE');
  if (!checkDigitValid(td1Composite(line1, line2), line2[29])) checkDigitProblems.push('CHECK_DIGIT_COMPOSITE');
  return toParsedDocument({
    source: 'MRZ_TD1',
    nameField: line3,
    issuingStateField: line1.slice(2, 5),
    nationalityField: line2.slice(15, 18),
    documentNumber,
    birthField,
    expiryField,
    checkDigitProblems,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Writing

function fitted(value: string, width: number, label: string): string {
  if (value.length > width) throw new RangeError(`${label} "${value}" is longer than its ${width} MRZ characters`);
  return value.padEnd(width, FILLER);
}

function alphanumeric(value: string): string {
  return toLatinUpperCase(value).replace(/[^A-Z0-9]/g, '');
}

function documentCode(code: string, allowedFirstLetters: string): string {
  const upper = code.toUpperCase();
  if (!new RegExp(`^[${allowedFirstLetters}][A-Z<]?$`).test(upper)) {
    throw new RangeError(`document code "${code}" must start with one of ${allowedFirstLetters}`);
  }
  return fitted(upper, 2, 'document code');
}

function stateCode(code: string, label: string): string {
  const upper = code.toUpperCase();
  if (!/^[A-Z]{1,3}$/.test(upper)) throw new RangeError(`${label} "${code}" must be one to three letters`);
  return fitted(upper, 3, label);
}

function yymmdd(isoDate: string, label: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match || calendarDate(Number(match[1]), Number(match[2]), Number(match[3])) === null) {
    throw new RangeError(`${label} "${isoDate}" must be a real YYYY-MM-DD date`);
  }
  return isoDate.slice(2, 4) + isoDate.slice(5, 7) + isoDate.slice(8, 10);
}

/** ICAO 9303 leaves sex unspecified in the MRZ with a filler, even where the visual zone prints X. */
function sexCode(sex: MrzFields['sex']): string {
  return sex === 'X' ? FILLER : sex;
}

/** One name component: diacritics stripped, apostrophes dropped, spaces, hyphens and other separators as fillers. */
function nameComponent(name: string): string {
  return toLatinUpperCase(name)
    .replace(/['’‘`´]/g, '')
    .replace(/[^A-Z]+/g, FILLER)
    .replace(/^<+|<+$/g, '');
}

/** Surname, two fillers, given names; cut at the field width when too long, as ICAO 9303 Part 3 allows. */
function nameField(fields: MrzFields, width: number): string {
  const surname = nameComponent(fields.surname);
  const givenNames = nameComponent(fields.givenNames);
  const name = givenNames === '' ? surname : `${surname}<<${givenNames}`;
  return name.slice(0, width).replace(/<+$/, '').padEnd(width, FILLER);
}

/** A passport's two MRZ lines. Throws RangeError on fields an MRZ cannot hold (e.g. a 10-character number). */
export function formatTd3Mrz(fields: MrzFields): [string, string] {
  const line1 =
    documentCode(fields.documentCode ?? 'P', 'P') +
    stateCode(fields.issuingState, 'issuing state') +
    nameField(fields, 39);
  const documentNumber = fitted(alphanumeric(fields.documentNumber), 9, 'document number');
  const birth = yymmdd(fields.birthDate, 'birth date');
  const expiry = yymmdd(fields.expiryDate, 'expiry date');
  const personalNumber = fitted(alphanumeric(fields.personalNumber ?? ''), 14, 'personal number');
  const personalNumberDigit = isFiller(personalNumber) ? FILLER : checkDigit(personalNumber);
  const checked =
    documentNumber +
    checkDigit(documentNumber) +
    stateCode(fields.nationality, 'nationality') +
    birth +
    checkDigit(birth) +
    sexCode(fields.sex) +
    expiry +
    checkDigit(expiry) +
    personalNumber +
    personalNumberDigit;
  return [line1, checked + checkDigit(td3Composite(checked))];
}

/**
 * An identity card's three MRZ lines. The personal number goes in optional data 1, after the continuation of a
 * document number longer than nine characters. Throws RangeError on fields a TD1 MRZ cannot hold.
 */
export function formatTd1Mrz(fields: MrzFields): [string, string, string] {
  const fullNumber = alphanumeric(fields.documentNumber);
  const personalNumber = alphanumeric(fields.personalNumber ?? '');
  const isLong = fullNumber.length > 9;
  const numberField = fitted(fullNumber.slice(0, 9), 9, 'document number');
  const numberDigit = checkDigit(isLong ? fullNumber : numberField);
  const optional1 = isLong ? `${fullNumber.slice(9)}${numberDigit}<${personalNumber}` : personalNumber;
  const line1 =
    documentCode(fields.documentCode ?? 'I', 'IAC') +
    stateCode(fields.issuingState, 'issuing state') +
    numberField +
    (isLong ? FILLER : numberDigit) +
    fitted(optional1, 15, 'document number continuation and personal number');
  const birth = yymmdd(fields.birthDate, 'birth date');
  const expiry = yymmdd(fields.expiryDate, 'expiry date');
  const line2Body =
    birth +
    checkDigit(birth) +
    sexCode(fields.sex) +
    expiry +
    checkDigit(expiry) +
    stateCode(fields.nationality, 'nationality') +
    FILLER.repeat(11);
  return [line1, line2Body + checkDigit(td1Composite(line1, line2Body)), nameField(fields, TD1_WIDTH)];
}
