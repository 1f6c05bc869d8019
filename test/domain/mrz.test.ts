import { parse as oracleParse } from 'mrz';
import { describe, expect, it } from 'vitest';
import { checkDigit, formatTd1Mrz, formatTd3Mrz, type MrzFields, parseMrz } from '../../src/domain/mrz.ts';
import type { DocumentProblem } from '../../src/domain/parsed-document.ts';

/** ICAO 9303 Part 4 specimen passport. */
const ICAO_TD3 = [
  'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<',
  'L898902C36UTO7408122F1204159ZE184226B<<<<<10',
] as const;
/** ICAO 9303 Part 5 specimen identity card. */
const ICAO_TD1 = [
  'I<UTOD231458907<<<<<<<<<<<<<<<',
  '7408122F1204159UTO<<<<<<<<<<<6',
  'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
] as const;
/** ICAO 9303 Part 5 specimen with a 12-character document number continued in optional data 1. */
const ICAO_TD1_LONG_NUMBER = [
  'I<UTOD23145890<1233<<<<<<<<<<<',
  '7408122F1204159UTO<<<<<<<<<<<2',
  'ERIKSSON<<ANNA<MARIA<<<<<<<<<<',
] as const;
/** HM Passport Office specimen passports (two issues). */
const UK_SPECIMEN_2010 = [
  'P<GBRUK<SPECIMEN<<ANGELA<ZOE<<<<<<<<<<<<<<<<',
  '9250764733GBR8809117F2007162<<<<<<<<<<<<<<08',
] as const;
const UK_SPECIMEN_2015 = [
  'P<GBRUK<SPECIMEN<<ANGELA<ZOE<<<<<<<<<<<<<<<<',
  '5334013720GBR8812049F2509286<<<<<<<<<<<<<<00',
] as const;

function withCharAt(line: string, index: number, char: string): string {
  return line.slice(0, index) + char + line.slice(index + 1);
}

describe('parseMrz on real specimens', () => {
  it.each([
    {
      name: 'ICAO TD3 specimen',
      lines: ICAO_TD3,
      expected: {
        source: 'MRZ_TD3',
        documentType: 'PASSPORT',
        surname: 'ERIKSSON',
        givenNames: 'ANNA MARIA',
        fullName: 'ANNA MARIA ERIKSSON',
        birthDate: '1974-08-12',
        expiryDate: '2012-04-15',
        documentNumber: 'L898902C3',
        issuingState: 'UTO',
        nationality: 'UTO',
      },
    },
    {
      name: 'ICAO TD1 specimen',
      lines: ICAO_TD1,
      expected: {
        source: 'MRZ_TD1',
        documentType: 'ID_CARD',
        surname: 'ERIKSSON',
        givenNames: 'ANNA MARIA',
        fullName: 'ANNA MARIA ERIKSSON',
        birthDate: '1974-08-12',
        expiryDate: '2012-04-15',
        documentNumber: 'D23145890',
        issuingState: 'UTO',
        nationality: 'UTO',
      },
    },
    {
      name: 'ICAO TD1 specimen with a long document number',
      lines: ICAO_TD1_LONG_NUMBER,
      expected: { source: 'MRZ_TD1', documentNumber: 'D23145890123' },
    },
    {
      name: 'UK specimen passport (2010 issue)',
      lines: UK_SPECIMEN_2010,
      expected: {
        source: 'MRZ_TD3',
        surname: 'UK SPECIMEN',
        givenNames: 'ANGELA ZOE',
        fullName: 'ANGELA ZOE UK SPECIMEN',
        birthDate: '1988-09-11',
        expiryDate: '2020-07-16',
        documentNumber: '925076473',
        issuingState: 'GBR',
        nationality: 'GBR',
      },
    },
    {
      name: 'UK specimen passport (2015 issue)',
      lines: UK_SPECIMEN_2015,
      expected: { birthDate: '1988-12-04', expiryDate: '2025-09-28', documentNumber: '533401372' },
    },
  ])('$name', ({ lines, expected }) => {
    const parsed = parseMrz(lines.join('\n'));
    expect(parsed).toMatchObject({ ...expected, checkDigitsValid: true, problems: [] });
  });
});

describe('parseMrz check digits', () => {
  const [td3Line1, td3Line2] = ICAO_TD3;
  const [td1Line1, td1Line2, td1Line3] = ICAO_TD1;
  it.each<{ name: string; lines: string[]; problems: DocumentProblem[] }>([
    {
      name: 'TD3 document number check digit',
      lines: [td3Line1, withCharAt(td3Line2, 9, '7')],
      problems: ['CHECK_DIGIT_DOCUMENT_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 document number itself',
      lines: [td3Line1, withCharAt(td3Line2, 1, '9')],
      problems: ['CHECK_DIGIT_DOCUMENT_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 check digit read as a letter',
      lines: [td3Line1, withCharAt(td3Line2, 9, 'A')],
      problems: ['CHECK_DIGIT_DOCUMENT_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 birth date check digit',
      lines: [td3Line1, withCharAt(td3Line2, 19, '3')],
      problems: ['CHECK_DIGIT_BIRTH_DATE', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 birth date itself',
      lines: [td3Line1, withCharAt(td3Line2, 14, '5')],
      problems: ['CHECK_DIGIT_BIRTH_DATE', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 expiry date check digit',
      lines: [td3Line1, withCharAt(td3Line2, 27, '8')],
      problems: ['CHECK_DIGIT_EXPIRY_DATE', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 personal number check digit',
      lines: [td3Line1, withCharAt(td3Line2, 42, '2')],
      problems: ['CHECK_DIGIT_PERSONAL_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 personal number itself',
      lines: [td3Line1, withCharAt(td3Line2, 30, 'X')],
      problems: ['CHECK_DIGIT_PERSONAL_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 composite check digit alone',
      lines: [td3Line1, withCharAt(td3Line2, 43, '1')],
      problems: ['CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD3 empty personal number with a non-zero check digit',
      lines: [UK_SPECIMEN_2010[0], withCharAt(UK_SPECIMEN_2010[1], 42, '5')],
      problems: ['CHECK_DIGIT_PERSONAL_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD1 document number check digit',
      lines: [withCharAt(td1Line1, 14, '8'), td1Line2, td1Line3],
      problems: ['CHECK_DIGIT_DOCUMENT_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD1 long document number check digit',
      lines: [withCharAt(ICAO_TD1_LONG_NUMBER[0], 18, '4'), ICAO_TD1_LONG_NUMBER[1], ICAO_TD1_LONG_NUMBER[2]],
      problems: ['CHECK_DIGIT_DOCUMENT_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD1 birth date check digit',
      lines: [td1Line1, withCharAt(td1Line2, 6, '3'), td1Line3],
      problems: ['CHECK_DIGIT_BIRTH_DATE', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD1 expiry date check digit',
      lines: [td1Line1, withCharAt(td1Line2, 14, '0'), td1Line3],
      problems: ['CHECK_DIGIT_EXPIRY_DATE', 'CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD1 optional data 1, covered only by the composite',
      lines: [withCharAt(td1Line1, 20, 'X'), td1Line2, td1Line3],
      problems: ['CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD1 optional data 2, covered only by the composite',
      lines: [td1Line1, withCharAt(td1Line2, 20, 'X'), td1Line3],
      problems: ['CHECK_DIGIT_COMPOSITE'],
    },
    {
      name: 'TD1 composite check digit alone',
      lines: [td1Line1, withCharAt(td1Line2, 29, '7'), td1Line3],
      problems: ['CHECK_DIGIT_COMPOSITE'],
    },
  ])('reports $name', ({ lines, problems }) => {
    const parsed = parseMrz(lines.join('\n'));
    expect(parsed?.checkDigitsValid).toBe(false);
    expect(parsed?.problems).toEqual(problems);
  });

  it.each([
    ['an empty personal number with filler check digit', UK_SPECIMEN_2010[1]],
    ['an empty personal number with check digit 0', withCharAt(UK_SPECIMEN_2010[1], 42, '0')],
  ])('accepts %s', (_, line2) => {
    const line2WithComposite = withCharAt(
      line2,
      43,
      checkDigit(line2.slice(0, 10) + line2.slice(13, 20) + line2.slice(21, 43)),
    );
    expect(parseMrz(`${UK_SPECIMEN_2010[0]}\n${line2WithComposite}`)?.checkDigitsValid).toBe(true);
  });
});

describe('parseMrz field problems', () => {
  it.each<{ name: string; birth: string; expiry: string; problems: DocumentProblem[]; birthDate: string | null }>([
    {
      name: 'month 13 in the birth date',
      birth: '741312',
      expiry: '120415',
      problems: ['INVALID_BIRTH_DATE'],
      birthDate: null,
    },
    {
      name: '29 February in a non-leap year',
      birth: '730229',
      expiry: '120415',
      problems: ['INVALID_BIRTH_DATE'],
      birthDate: null,
    },
    { name: '29 February in a leap year', birth: '720229', expiry: '120415', problems: [], birthDate: '1972-02-29' },
    {
      name: 'an O read for a zero',
      birth: '74O812',
      expiry: '120415',
      problems: ['INVALID_BIRTH_DATE'],
      birthDate: null,
    },
    {
      name: 'an expiry left as fillers',
      birth: '740812',
      expiry: '<<<<<<',
      problems: ['MISSING_EXPIRY', 'BIRTH_CENTURY_UNKNOWN'],
      birthDate: null,
    },
    {
      name: 'an unreadable expiry year',
      birth: '740812',
      expiry: 'AB0415',
      problems: ['INVALID_EXPIRY_DATE', 'BIRTH_CENTURY_UNKNOWN'],
      birthDate: null,
    },
  ])('$name', ({ birth, expiry, problems, birthDate }) => {
    // Check digits are recomputed so that only the field problem remains.
    const [line1, line2] = formatTd3Mrz({
      issuingState: 'UTO',
      surname: 'Eriksson',
      givenNames: 'Anna Maria',
      documentNumber: 'L898902C3',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      sex: 'F',
      expiryDate: '2012-04-15',
    });
    let patched =
      line2.slice(0, 13) + birth + checkDigit(birth) + line2[20] + expiry + checkDigit(expiry) + line2.slice(28, 43);
    patched += checkDigit(patched.slice(0, 10) + patched.slice(13, 20) + patched.slice(21, 43));
    const parsed = parseMrz(`${line1}\n${patched}`);
    expect(parsed?.checkDigitsValid).toBe(true);
    expect(parsed?.problems).toEqual(problems);
    expect(parsed?.birthDate).toBe(birthDate);
  });

  it('reports a missing name and document number', () => {
    const [, line2] = ICAO_TD3;
    const emptyNumber = `<<<<<<<<<0${line2.slice(10, 43)}`;
    const lines = [
      'P<UTO'.padEnd(44, '<'),
      emptyNumber + checkDigit(emptyNumber.slice(0, 10) + emptyNumber.slice(13, 20) + emptyNumber.slice(21, 43)),
    ];
    expect(parseMrz(lines.join('\n'))).toMatchObject({
      surname: null,
      givenNames: null,
      fullName: null,
      documentNumber: null,
      problems: ['MISSING_NAME', 'MISSING_DOCUMENT_NUMBER'],
    });
  });
});

describe('parseMrz in OCR text', () => {
  const [line1, line2] = ICAO_TD3;
  it.each([
    ['surrounding lines', `PASSPORT\nUtopia\nERIKSSON\n${line1}\n${line2}\nend of page`],
    ['lower case', `${line1.toLowerCase()}\n${line2.toLowerCase()}`],
    [
      'spaces inside lines',
      `${line1.replace(/<<</g, '< <<')}\n${line2.slice(0, 10)} ${line2.slice(10, 28)}  ${line2.slice(28)}`,
    ],
    ['Windows line endings', `${line1}\r\n${line2}\r\n`],
    ['« read for each filler', `${line1.replace(/</g, '«')}\n${line2.replace(/</g, '«')}`],
    ['« read for a pair of fillers', `${line1.replace(/<</g, '«')}\n${line2.replace(/<</g, '«')}`],
    ['both lines run together, as one engine returns them', `${line1} ${line2}`],
    ['both lines run together without a separator', `${line1}${line2}`],
  ])('finds the MRZ with %s', (_, text) => {
    expect(parseMrz(text)).toMatchObject({
      fullName: 'ANNA MARIA ERIKSSON',
      documentNumber: 'L898902C3',
      checkDigitsValid: true,
    });
  });

  it('does not guess: a real Tesseract reading of the UK specimen with o for 0 keeps its failed check digits', () => {
    const ocr = [
      'Passport No./Passeport No.',
      '999204900',
      'P<GBRUK<SPECIMEN<<ANGELA<ZOE<<<<<<<<<<<<<«<<',
      '9992049000GBR9501016F2911272<<<<<<<<<<<<<<o6',
    ].join('\n');
    expect(parseMrz(ocr)).toMatchObject({
      fullName: 'ANGELA ZOE UK SPECIMEN',
      birthDate: '1995-01-01',
      expiryDate: '2029-11-27',
      checkDigitsValid: false,
      problems: ['CHECK_DIGIT_PERSONAL_NUMBER', 'CHECK_DIGIT_COMPOSITE'],
    });
  });

  it.each([
    ['empty text', ''],
    ['text without an MRZ', 'UNITED KINGDOM OF GREAT BRITAIN\nPASSPORT\nSurname: DOE'],
    ['an MRZ line on its own', line1],
    ['MRZ lines split by another line', `${line1}\nSignature\n${line2}`],
    ['a second line one character short', `${line1}\n${line2.slice(1)}`],
    ['a first line that is not a passport code', `X${line1.slice(1)}\n${line2}`],
    ['a second line without a sex code', `${line1}\n${withCharAt(line2, 20, 'Q')}`],
    ['a character outside the MRZ alphabet', `${line1}\n${withCharAt(line2, 30, '?')}`],
    ['a TD1 MRZ missing its third line', `${ICAO_TD1[0]}\n${ICAO_TD1[1]}`],
  ])('returns null for %s', (_, text) => {
    expect(parseMrz(text)).toBeNull();
  });
});

describe('two-digit years', () => {
  const base: MrzFields = {
    issuingState: 'GBR',
    surname: 'Doe',
    givenNames: 'Jane',
    documentNumber: '123456789',
    nationality: 'GBR',
    birthDate: '1985-02-14',
    sex: 'F',
    expiryDate: '2031-05-01',
  };
  it.each([
    { birthDate: '1985-02-14', expiryDate: '2031-05-01', read: '1985-02-14' },
    { birthDate: '2015-06-01', expiryDate: '2030-01-01', read: '2015-06-01' },
    { birthDate: '2000-02-29', expiryDate: '2030-01-01', read: '2000-02-29' },
    { birthDate: '1931-12-31', expiryDate: '2031-01-01', read: '1931-12-31' },
    { birthDate: '2031-01-01', expiryDate: '2031-01-01', read: '2031-01-01' },
    // The documented limit of anchoring on the expiry: a 1925 birth on a 2031 passport reads as 2025.
    { birthDate: '1925-03-01', expiryDate: '2031-01-01', read: '2025-03-01' },
  ])('birth $birthDate with expiry $expiryDate reads as $read', ({ birthDate, expiryDate, read }) => {
    const parsed = parseMrz(formatTd3Mrz({ ...base, birthDate, expiryDate }).join('\n'));
    expect(parsed?.birthDate).toBe(read);
    expect(parsed?.expiryDate).toBe(expiryDate);
  });
});

describe('formatTd3Mrz and formatTd1Mrz', () => {
  const jane: MrzFields = {
    issuingState: 'GBR',
    surname: 'Doe',
    givenNames: 'Jane Ann',
    documentNumber: '533401372',
    nationality: 'GBR',
    birthDate: '1985-02-14',
    sex: 'F',
    expiryDate: '2031-05-01',
  };

  it('writes the seed example passport', () => {
    expect(formatTd3Mrz(jane)).toEqual([
      'P<GBRDOE<<JANE<ANN<<<<<<<<<<<<<<<<<<<<<<<<<<',
      '5334013720GBR8502142F3105010<<<<<<<<<<<<<<<8',
    ]);
  });

  it('writes the ICAO TD3 specimen', () => {
    const eriksson: MrzFields = {
      issuingState: 'UTO',
      surname: 'Eriksson',
      givenNames: 'Anna María',
      documentNumber: 'L898902C3',
      nationality: 'UTO',
      birthDate: '1974-08-12',
      sex: 'F',
      expiryDate: '2012-04-15',
      personalNumber: 'ZE184226B',
    };
    expect(formatTd3Mrz(eriksson)).toEqual(ICAO_TD3);
    expect(formatTd1Mrz({ ...eriksson, documentNumber: 'D23145890', personalNumber: '' })).toEqual(ICAO_TD1);
    expect(formatTd1Mrz({ ...eriksson, documentNumber: 'D23145890123', personalNumber: '' })).toEqual(
      ICAO_TD1_LONG_NUMBER,
    );
  });

  it.each([
    { surname: 'Ångström-Smith', givenNames: 'Zoë', name: 'ANGSTROM<SMITH<<ZOE' },
    { surname: "O'Brien", givenNames: 'Seán Patrick', name: 'OBRIEN<<SEAN<PATRICK' },
    { surname: 'Strauß', givenNames: 'Jürgen', name: 'STRAUSS<<JURGEN' },
    { surname: 'Øvergård', givenNames: 'Søren', name: 'OEVERGARD<<SOEREN' },
    { surname: 'Cher', givenNames: '', name: 'CHER' },
    {
      surname: 'Wolfeschlegelsteinhausenbergerdorff',
      givenNames: 'Hubert Blaine',
      name: 'WOLFESCHLEGELSTEINHAUSENBERGERDORFF<<HU',
    },
  ])('transliterates $surname, $givenNames the ICAO way', ({ surname, givenNames, name }) => {
    const [line1] = formatTd3Mrz({ ...jane, surname, givenNames });
    expect(line1).toBe(`P<GBR${name}`.padEnd(44, '<'));
  });

  it('leaves sex X unspecified with a filler', () => {
    expect(formatTd3Mrz({ ...jane, sex: 'X' })[1][20]).toBe('<');
  });

  it.each<[string, () => unknown]>([
    ['a 10-character TD3 document number', () => formatTd3Mrz({ ...jane, documentNumber: '1234567890' })],
    ['a date that does not exist', () => formatTd3Mrz({ ...jane, birthDate: '1985-02-30' })],
    ['a date in another format', () => formatTd3Mrz({ ...jane, expiryDate: '01/05/2031' })],
    ['a four-letter state', () => formatTd3Mrz({ ...jane, issuingState: 'GBRX' })],
    ['a TD1 code on a passport', () => formatTd3Mrz({ ...jane, documentCode: 'I' })],
    ['a personal number too long for TD1', () => formatTd1Mrz({ ...jane, personalNumber: 'A'.repeat(16) })],
  ])('refuses %s', (_, format) => {
    expect(format).toThrow(RangeError);
  });

  it.each([
    ['TD3', formatTd3Mrz(jane)],
    ['TD3 with a personal number', formatTd3Mrz({ ...jane, personalNumber: 'AB 12 34 56 C' })],
    ['TD1', formatTd1Mrz(jane)],
    [
      'TD1 with a long number and a personal number',
      formatTd1Mrz({ ...jane, documentNumber: 'AB1234567890', personalNumber: 'X1' }),
    ],
  ])('writes a %s MRZ that an independent parser (mrz package) validates', (_, lines) => {
    expect(oracleParse([...lines]).valid).toBe(true);
  });
});
