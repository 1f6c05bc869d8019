/**
 * Personal names as documents and registers write them, reduced to comparable tokens: the name on an identity
 * document against the name on a register entry.
 */
import type { NameMatch } from './outcomes.ts';

/**
 * ICAO 9303 Part 3 transliterations for letters that Unicode does not decompose into a base letter plus a mark, so
 * stripping marks alone would drop them.
 */
const UNDECOMPOSABLE_LETTERS: Readonly<Record<string, string>> = {
  ß: 'SS',
  ẞ: 'SS',
  Æ: 'AE',
  æ: 'AE',
  Ø: 'OE',
  ø: 'OE',
  Œ: 'OE',
  œ: 'OE',
  Þ: 'TH',
  þ: 'TH',
  Ð: 'D',
  ð: 'D',
  Đ: 'D',
  đ: 'D',
  Ħ: 'H',
  ħ: 'H',
  Ł: 'L',
  ł: 'L',
  Ĳ: 'IJ',
  ĳ: 'IJ',
  ı: 'I',
  Ŋ: 'N',
  ŋ: 'N',
};
const UNDECOMPOSABLE_PATTERN = new RegExp(`[${Object.keys(UNDECOMPOSABLE_LETTERS).join('')}]`, 'g');

/** Latin capitals without diacritics: "Zoë Ångström" becomes "ZOE ANGSTROM", "Søren" becomes "SOEREN". */
export function toLatinUpperCase(text: string): string {
  return text
    .replace(UNDECOMPOSABLE_PATTERN, (letter) => UNDECOMPOSABLE_LETTERS[letter] ?? letter)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase();
}

const TITLES: ReadonlySet<string> = new Set([
  'DR',
  'DOCTOR',
  'MR',
  'MRS',
  'MS',
  'MISS',
  'MX',
  'PROF',
  'PROFESSOR',
  'SIR',
  'DAME',
  'REV',
  'REVD',
  'REVEREND',
  'FR',
]);

/**
 * Degrees, fellowships, memberships and honours that registers and letters append to names. Deliberately leaves out
 * abbreviations that are also real names (MA, BA, BAO), and is only stripped from the end of a name.
 */
const POST_NOMINALS: ReadonlySet<string> = new Set([
  'MB',
  'BS',
  'MBBS',
  'BMBS',
  'MBCHB',
  'CHB',
  'MBBCH',
  'BCH',
  'BCHIR',
  'MBBCHIR',
  'BM',
  'MD',
  'DM',
  'PHD',
  'DPHIL',
  'MSC',
  'BSC',
  'MPHIL',
  'MRCP',
  'FRCP',
  'FRCPE',
  'FRCPI',
  'MRCS',
  'FRCS',
  'FRCSED',
  'MRCGP',
  'FRCGP',
  'FRCA',
  'FRCR',
  'FRCPATH',
  'MRCPSYCH',
  'FRCPSYCH',
  'MRCOG',
  'FRCOG',
  'MRCPCH',
  'FRCPCH',
  'FRCEM',
  'MCEM',
  'FFPH',
  'FMEDSCI',
  'FRS',
  'BDS',
  'BCHD',
  'MFDS',
  'MJDF',
  'FDS',
  'FDSRCS',
  'MPHARM',
  'BPHARM',
  'MRPHARMS',
  'FRPHARMS',
  'RGN',
  'RMN',
  'RNLD',
  'RSCN',
  'NMP',
  'OBE',
  'MBE',
  'CBE',
  'KBE',
  'DBE',
]);

/** Leading titles removed ("DR MR JANE" → "JANE"), always keeping at least one token: "Lord" can be a surname. */
export function withoutTitles(tokens: readonly string[]): string[] {
  let start = 0;
  while (start < tokens.length - 1 && TITLES.has(tokens[start] ?? '')) start++;
  return tokens.slice(start);
}

function withoutTrailingPostNominals(tokens: readonly string[], minimumKept: number): string[] {
  let end = tokens.length;
  while (end > minimumKept && POST_NOMINALS.has(tokens[end - 1] ?? '')) end--;
  return tokens.slice(0, end);
}

function words(text: string): string[] {
  return text.split(/[^A-Z]+/).filter((word) => word.length > 0);
}

/**
 * A name as upper-case tokens in given-names-then-surname order, without diacritics, punctuation, titles or
 * post-nominals. "DOE, Dr Jane-Ann" and "Jane Ann Doe MBBS" both give ["JANE", "ANN", "DOE"]. Apostrophes are dropped
 * rather than split on, as ICAO does (O'Brien → OBRIEN); hyphens separate ("Smith-Jones" → SMITH, JONES).
 */
export function nameTokens(name: string): string[] {
  const [leading = [], ...afterCommas] = toLatinUpperCase(name)
    .replace(/['’‘`´]/g, '')
    .split(',')
    .map((part) => withoutTitles(words(part)));
  // "SURNAME, Given Names" puts the surname first. A comma part of post-nominals only ("Jane Doe, MBBS") vanishes,
  // but the leading part always keeps a token, so that a name never disappears into its post-nominals.
  const givenNames = afterCommas.flatMap((part) => withoutTrailingPostNominals(part, 0));
  return [...givenNames, ...withoutTrailingPostNominals(leading, 1)];
}

/** Given names then surname, upper case, single spaces: the `fullName` every document parser reports. */
export function fullNameOf(givenNames: string | null, surname: string | null): string | null {
  const joined = [givenNames, surname]
    .filter((part) => part !== null)
    .join(' ')
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .trim();
  return joined === '' ? null : joined;
}

function sameTokens(left: readonly string[], right: readonly string[]): boolean {
  if (left.length !== right.length) return false;
  const sortedRight = [...right].sort();
  return [...left].sort().every((token, index) => token === sortedRight[index]);
}

function isSubsequence(shorter: readonly string[], longer: readonly string[]): boolean {
  let next = 0;
  for (const token of longer) if (token === shorter[next]) next++;
  return next === shorter.length;
}

/**
 * Compares two names, symmetrically:
 * - EXACT: the same tokens, in any order (some registers list the surname first without a comma);
 * - MIDDLE_NAME_MISSING: same first and last token, and one side's middle names are some of the other's, in order;
 * - MISMATCH: anything else, including an empty name.
 * Transliteration variants (Müller on a register, MUELLER in an MRZ) are a MISMATCH: a person resolves those.
 */
export function matchNames(a: string, b: string): NameMatch {
  const left = nameTokens(a);
  const right = nameTokens(b);
  if (left.length === 0 || right.length === 0) return 'MISMATCH';
  if (sameTokens(left, right)) return 'EXACT';
  const [shorter, longer] = left.length <= right.length ? [left, right] : [right, left];
  const sameEnds = shorter.length >= 2 && shorter[0] === longer[0] && shorter.at(-1) === longer.at(-1);
  if (sameEnds && isSubsequence(shorter.slice(1, -1), longer.slice(1, -1))) return 'MIDDLE_NAME_MISSING';
  return 'MISMATCH';
}
