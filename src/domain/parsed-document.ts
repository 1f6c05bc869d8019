/**
 * What a document parser produces, whichever way the document was read (an MRZ, a UK driving licence's numbered
 * fields, or Textract AnalyzeID's fields), and the one date check every parser builds its dates through.
 */

/** Machine-readable notes on what a parser found wrong or missing. */
export type DocumentProblem =
  | 'CHECK_DIGIT_DOCUMENT_NUMBER'
  | 'CHECK_DIGIT_BIRTH_DATE'
  | 'CHECK_DIGIT_EXPIRY_DATE'
  | 'CHECK_DIGIT_PERSONAL_NUMBER'
  | 'CHECK_DIGIT_COMPOSITE'
  | 'MISSING_NAME'
  | 'MISSING_BIRTH_DATE'
  | 'MISSING_EXPIRY'
  | 'MISSING_DOCUMENT_NUMBER'
  | 'INVALID_BIRTH_DATE'
  | 'INVALID_EXPIRY_DATE'
  /** An MRZ birth date whose century cannot be told because the expiry year is unreadable. */
  | 'BIRTH_CENTURY_UNKNOWN'
  /** Field 5 of a driving licence holds something that is not a driver number. */
  | 'INVALID_DRIVER_NUMBER'
  /** The driver number does not encode the licence's own surname, birth date or initials. */
  | 'DRIVER_NUMBER_MISMATCH'
  /** Textract returned an MRZ that could not be read as one, so its check digits could not be verified. */
  | 'MRZ_UNREADABLE';

export interface ParsedIdentityDocument {
  source: 'MRZ_TD3' | 'MRZ_TD1' | 'UK_DRIVING_LICENCE' | 'TEXTRACT_FIELDS';
  documentType: 'PASSPORT' | 'ID_CARD' | 'DRIVING_LICENCE';
  surname: string | null;
  givenNames: string | null;
  /** Given names then surname, upper case, single spaces: "JANE ANN DOE". */
  fullName: string | null;
  /** ISO YYYY-MM-DD */
  birthDate: string | null;
  /** ISO YYYY-MM-DD */
  expiryDate: string | null;
  documentNumber: string | null;
  issuingState: string | null;
  nationality: string | null;
  /** null for documents without check digits. */
  checkDigitsValid: boolean | null;
  problems: DocumentProblem[];
}

/**
 * The ISO date (YYYY-MM-DD) for a day that exists in the Gregorian calendar, else null. Every document parser builds
 * its dates through this one check.
 */
export function calendarDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || !Number.isInteger(day) || year < 1 || year > 9999) return null;
  const isLeapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, isLeapYear ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (daysInMonth === undefined || day < 1 || day > daysInMonth) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
