/**
 * The front of a UK photocard driving licence, read from OCR lines. Its fields are numbered as the EU licence model
 * numbers them: 1. surname, 2. forenames, 3. date and place of birth, 4a. issue date, 4b. expiry date, 4c. issuer,
 * 5. driver number, 7. signature, 8. address, 9. categories.
 */
import { fullNameOf, toLatinUpperCase, withoutTitles } from './names.ts';
import { calendarDate, type DocumentProblem, type ParsedIdentityDocument } from './parsed-document.ts';

type FieldLabel = '1' | '2' | '3' | '4a' | '4b' | '4c' | '5' | '6' | '7' | '8' | '9';

/**
 * A field number at the start of a line or after a space, followed by its dot and then a space, a letter, the end of
 * the line, or a DD.MM.YYYY date ("3.11.03.1976"). The digits of a date or a house number never match.
 */
const FIELD_LABEL = /(?<=^|\s)(4[abc]|[1-9])\.(?=\s|$|[A-Z]|\d{2}\.\d{2}\.\d{4})/gi;

/**
 * Field values by number. Engines return a label and its value on one line ("1. MORGAN"), or a label on a line of
 * its own with the value on a later line, sometimes a whole column of labels before their values. So a label with
 * nothing after it waits for the next line without a label; a label that gets its value on its own line means the
 * labels still waiting have lost theirs. Only the first value of each field counts, and text after a value that
 * no label claims (the place of birth wrapping onto a second line, say) is left alone.
 */
function fieldValues(lines: readonly string[]): Map<FieldLabel, string> {
  const values = new Map<FieldLabel, string>();
  let waiting: FieldLabel[] = [];
  const assign = (label: FieldLabel, value: string) => {
    if (!values.has(label)) values.set(label, value);
  };
  const unlabelled = (text: string) => {
    const label = waiting.shift();
    if (label !== undefined && text !== '') assign(label, text);
  };
  for (const line of lines) {
    const labels = [...line.matchAll(FIELD_LABEL)];
    const first = labels[0];
    if (first === undefined) {
      unlabelled(line.trim());
      continue;
    }
    if (first.index > 0) unlabelled(line.slice(0, first.index).trim());
    labels.forEach((match, position) => {
      const label = match[1]?.toLowerCase() as FieldLabel;
      const value = line.slice(match.index + match[0].length, labels[position + 1]?.index ?? line.length).trim();
      if (value === '') {
        waiting.push(label);
      } else {
        assign(label, value);
        waiting = [];
      }
    });
  }
  return values;
}

function cleanName(value: string | undefined): string[] {
  return toLatinUpperCase(value ?? '')
    .replace(/[^A-Z' -]+/g, ' ')
    .split(/\s+/)
    .filter((word) => word !== '');
}

function firstDate(value: string | undefined): { date: string | null; present: boolean } {
  const match = /(\d{2})\.(\d{2})\.(\d{4})/.exec(value ?? '');
  if (!match) return { date: null, present: (value ?? '').trim() !== '' };
  return { date: calendarDate(Number(match[3]), Number(match[2]), Number(match[1])), present: true };
}

/**
 * A DVLA (Great Britain) driver number: 5 characters of surname padded with 9, the decade digit of the birth year,
 * the birth month (plus 50 for women), the day, the year digit, two initials padded with 9, an arbitrary digit
 * (usually 9), and two computer check letters whose algorithm is not published. The 2-digit issue number printed
 * after it is not part of it. DVA (Northern Ireland) numbers are 8 digits and encode nothing.
 */
const DVLA_DRIVER_NUMBER = /[A-Z9]{5}\d{6}[A-Z9]{2}\d[A-Z]{2}/;
const DVA_DRIVER_NUMBER = /^\d{8}$/;

function driverNumberIn(value: string): string | null {
  const upper = value.toUpperCase();
  const dvla = DVLA_DRIVER_NUMBER.exec(upper.replace(/\s+/g, ''))?.[0];
  if (dvla !== undefined) return dvla;
  const firstWord = upper.trim().split(/\s+/)[0] ?? '';
  return DVA_DRIVER_NUMBER.test(firstWord) ? firstWord : null;
}

/**
 * The first 13 characters of a DVLA driver number as a pattern, fixed wherever the licence's own fields determine
 * them. The DVLA ignores spaces and punctuation in the surname and drops the A of a leading MAC (MACKAY → MCKAY).
 */
function driverNumberPrefix(
  surname: readonly string[],
  forenames: readonly string[],
  birthDate: string | null,
): RegExp {
  const letters = surname
    .join('')
    .replace(/[^A-Z]/g, '')
    .replace(/^MAC/, 'MC');
  const initials = forenames.map((name) => name.charAt(0)).join('');
  const surnamePart = letters === '' ? '.{5}' : letters.slice(0, 5).padEnd(5, '9');
  const initialsPart = initials === '' ? '.{2}' : initials.slice(0, 2).padEnd(2, '9');
  let birthPart = '.{6}';
  if (birthDate !== null) {
    const month = Number(birthDate.slice(5, 7));
    const encodedMonths = `(?:${String(month).padStart(2, '0')}|${month + 50})`;
    birthPart = `${birthDate[2]}${encodedMonths}${birthDate.slice(8, 10)}${birthDate[3]}`;
  }
  return new RegExp(`^${surnamePart}${birthPart}${initialsPart}`);
}

/**
 * Reads a UK photocard licence from OCR lines; null unless there is a name field and a birth date, expiry date or
 * driver number beside it. Checks the driver number against the surname, initials and birth date. Never throws.
 */
export function parseUkDrivingLicence(lines: string[]): ParsedIdentityDocument | null {
  const values = fieldValues(lines);
  const surnameWords = cleanName(values.get('1'));
  const forenames = withoutTitles(cleanName(values.get('2')));
  const birth = firstDate(values.get('3'));
  const expiry = firstDate(values.get('4b'));
  const driverNumberField = values.get('5') ?? '';
  const driverNumber = driverNumberIn(driverNumberField);
  const hasName = surnameWords.length > 0 || forenames.length > 0;
  if (!hasName || (birth.date === null && expiry.date === null && driverNumber === null)) return null;

  const problems: DocumentProblem[] = [];
  // Every licence prints both name fields, so losing either one is worth a note.
  if (surnameWords.length === 0 || forenames.length === 0) problems.push('MISSING_NAME');
  if (!birth.present) problems.push('MISSING_BIRTH_DATE');
  else if (birth.date === null) problems.push('INVALID_BIRTH_DATE');
  if (!expiry.present) problems.push('MISSING_EXPIRY');
  else if (expiry.date === null) problems.push('INVALID_EXPIRY_DATE');
  if (driverNumber === null) {
    problems.push(driverNumberField === '' ? 'MISSING_DOCUMENT_NUMBER' : 'INVALID_DRIVER_NUMBER');
  } else if (
    DVLA_DRIVER_NUMBER.test(driverNumber) &&
    !driverNumberPrefix(surnameWords, forenames, birth.date).test(driverNumber)
  ) {
    problems.push('DRIVER_NUMBER_MISMATCH');
  }

  const surname = surnameWords.length === 0 ? null : surnameWords.join(' ');
  const givenNames = forenames.length === 0 ? null : forenames.join(' ');
  return {
    source: 'UK_DRIVING_LICENCE',
    documentType: 'DRIVING_LICENCE',
    surname,
    givenNames,
    fullName: fullNameOf(givenNames, surname),
    birthDate: birth.date,
    expiryDate: expiry.date,
    documentNumber: driverNumber,
    issuingState: 'GBR',
    nationality: null,
    checkDigitsValid: null,
    problems,
  };
}
