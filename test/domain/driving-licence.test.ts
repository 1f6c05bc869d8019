import { describe, expect, it } from 'vitest';
import { parseUkDrivingLicence } from '../../src/domain/driving-licence.ts';
import type { DocumentProblem } from '../../src/domain/parsed-document.ts';

/** The DVLA's specimen photocard, as Textract DetectDocumentText returns its LINE blocks. */
const DVLA_SPECIMEN = [
  'DRIVING LICENCE',
  'UK',
  '1. MORGAN',
  '2. SARAH MEREDYTH',
  '3. 11.03.1976 UNITED KINGDOM',
  '4a. 19.01.2013 4c. DVLA',
  '4b. 18.01.2023',
  '5. MORGA753116SM9IJ 35',
  '8. 122 BURNS CRESCENT',
  'EDINBURGH EH1 9GP',
  '9. AM/A/B1/B/f/k/l/n/p/q',
];

const SPECIMEN_READING = {
  source: 'UK_DRIVING_LICENCE',
  documentType: 'DRIVING_LICENCE',
  surname: 'MORGAN',
  givenNames: 'SARAH MEREDYTH',
  fullName: 'SARAH MEREDYTH MORGAN',
  birthDate: '1976-03-11',
  expiryDate: '2023-01-18',
  documentNumber: 'MORGA753116SM9IJ',
  issuingState: 'GBR',
  nationality: null,
  checkDigitsValid: null,
  problems: [],
};

describe('parseUkDrivingLicence layouts', () => {
  it.each([
    ['the DVLA specimen, one field per line', DVLA_SPECIMEN],
    [
      'labels split from their values onto the next line',
      [
        'DRIVING LICENCE',
        '1.',
        'MORGAN',
        '2.',
        'SARAH MEREDYTH',
        '3.',
        '11.03.1976 UNITED KINGDOM',
        '4a.',
        '19.01.2013',
        '4b.',
        '18.01.2023',
        '4c. DVLA',
        '5.',
        'MORGA753116SM9IJ 35',
      ],
    ],
    [
      'a column of labels before their values',
      [
        '1.',
        '2.',
        '3.',
        'MORGAN',
        'SARAH MEREDYTH',
        '11.03.1976 UNITED KINGDOM',
        '4b. 18.01.2023',
        '5. MORGA753116SM9IJ 35',
      ],
    ],
    [
      'tesseract output with no space after a label and the place of birth wrapped',
      [
        'DRIVING LICENCE UK',
        '1.MORGAN',
        '2.SARAH MEREDYTH',
        '3.11.03.1976 UNITED',
        'KINGDOM',
        '4a.19.01.2013 4c.DVLA',
        '4b.18.01.2023',
        '5.MORGA 753116 SM9IJ 35',
      ],
    ],
    ['a title before the forenames', DVLA_SPECIMEN.map((line) => line.replace('2. SARAH', '2. MRS SARAH'))],
    ['lower-case labels and values', DVLA_SPECIMEN.map((line) => (line.startsWith('4') ? line.toLowerCase() : line))],
  ])('reads %s', (_, lines) => {
    expect(parseUkDrivingLicence(lines)).toEqual(SPECIMEN_READING);
  });
});

describe('parseUkDrivingLicence driver number', () => {
  function licence(surname: string, forenames: string, birth: string, driverNumber: string): string[] {
    return [`1. ${surname}`, `2. ${forenames}`, `3. ${birth} LONDON`, '4b. 01.06.2030', `5. ${driverNumber} 12`];
  }

  it.each<{ name: string; lines: string[]; documentNumber: string | null; problems: DocumentProblem[] }>([
    {
      name: 'a man, month not raised by 50',
      lines: licence('MORGAN', 'SAMUEL', '11.03.1976', 'MORGA703116S99IJ'),
      documentNumber: 'MORGA703116S99IJ',
      problems: [],
    },
    {
      name: 'a short surname padded with 9',
      lines: licence('LEE', 'ANNA MAY', '05.07.1964', 'LEE99657054AM9XY'),
      documentNumber: 'LEE99657054AM9XY',
      problems: [],
    },
    {
      name: 'MAC written MC',
      lines: licence('MACKAY', 'JOHN', '25.12.1980', 'MCKAY812250J99AB'),
      documentNumber: 'MCKAY812250J99AB',
      problems: [],
    },
    {
      name: 'a hyphenated surname',
      lines: licence('SMITH-JONES', 'DR PETER PAUL', '02.11.1990', 'SMITH911020PP9CD'),
      documentNumber: 'SMITH911020PP9CD',
      problems: [],
    },
    {
      name: 'another surname in the number',
      lines: licence('MORGAN', 'SARAH MEREDYTH', '11.03.1976', 'JONES753116SM9IJ'),
      documentNumber: 'JONES753116SM9IJ',
      problems: ['DRIVER_NUMBER_MISMATCH'],
    },
    {
      name: 'another birth date in the number',
      lines: licence('MORGAN', 'SARAH MEREDYTH', '11.03.1976', 'MORGA753126SM9IJ'),
      documentNumber: 'MORGA753126SM9IJ',
      problems: ['DRIVER_NUMBER_MISMATCH'],
    },
    {
      name: 'another birth decade in the number',
      lines: licence('MORGAN', 'SARAH MEREDYTH', '11.03.1986', 'MORGA753116SM9IJ'),
      documentNumber: 'MORGA753116SM9IJ',
      problems: ['DRIVER_NUMBER_MISMATCH'],
    },
    {
      name: 'other initials in the number',
      lines: licence('MORGAN', 'SARAH', '11.03.1976', 'MORGA753116SM9IJ'),
      documentNumber: 'MORGA753116SM9IJ',
      problems: ['DRIVER_NUMBER_MISMATCH'],
    },
    {
      name: 'a number cut short by OCR',
      lines: licence('MORGAN', 'SARAH MEREDYTH', '11.03.1976', 'MORGA75311'),
      documentNumber: null,
      problems: ['INVALID_DRIVER_NUMBER'],
    },
    {
      name: 'a Northern Ireland (DVA) number, which encodes nothing',
      lines: licence('MORGAN', 'SARAH MEREDYTH', '11.03.1976', '12345678'),
      documentNumber: '12345678',
      problems: [],
    },
  ])('$name', ({ lines, documentNumber, problems }) => {
    const parsed = parseUkDrivingLicence(lines);
    expect(parsed?.documentNumber).toBe(documentNumber);
    expect(parsed?.problems).toEqual(problems);
    expect(parsed?.checkDigitsValid).toBeNull();
  });
});

describe('parseUkDrivingLicence missing and invalid fields', () => {
  it.each<{ name: string; lines: string[]; problems: DocumentProblem[] }>([
    {
      name: 'no driver number',
      lines: DVLA_SPECIMEN.filter((line) => !line.startsWith('5.')),
      problems: ['MISSING_DOCUMENT_NUMBER'],
    },
    {
      name: 'no expiry',
      lines: DVLA_SPECIMEN.filter((line) => !line.startsWith('4b.')),
      problems: ['MISSING_EXPIRY'],
    },
    {
      name: 'an expiry that is not a date',
      lines: DVLA_SPECIMEN.map((line) => (line.startsWith('4b.') ? '4b. 31.02.2023' : line)),
      problems: ['INVALID_EXPIRY_DATE'],
    },
    {
      name: 'a birth date that is not readable',
      lines: DVLA_SPECIMEN.map((line) => (line.startsWith('3.') ? '3. 1l.O3.l976 UNITED KINGDOM' : line)),
      problems: ['INVALID_BIRTH_DATE'],
    },
    {
      name: 'no forenames',
      lines: DVLA_SPECIMEN.filter((line) => !line.startsWith('2.')),
      problems: ['MISSING_NAME'],
    },
  ])('reports $name', ({ lines, problems }) => {
    expect(parseUkDrivingLicence(lines)?.problems).toEqual(problems);
  });

  it.each([
    ['no lines', []],
    ['text that is not a licence', ['NHS Trust', 'Staff ID card', 'Valid until 2030']],
    ['a name with no date or number beside it', ['1. MORGAN', '2. SARAH']],
    ['an MRZ', ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10']],
    ['a numbered list', ['1. Buy milk', '2. Call the surgery on 01.02.2024']],
  ])('returns null for %s', (_, lines) => {
    expect(parseUkDrivingLicence(lines)).toBeNull();
  });
});
